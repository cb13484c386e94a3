import type { LoaderFunctionArgs } from '@remix-run/node'
import { PublicError } from '#db/errors'
import { recordingFileFor } from '#db/recordings'
import { recordingFileResponse } from '~/utils/recording-files.server'

/**
 * A recording's audio, for the player on the talk page. Anyone who may not listen gets the
 * same 404 as for a recording that does not exist, so its existence is not given away.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  let file: Awaited<ReturnType<typeof recordingFileFor>>
  try {
    file = await recordingFileFor(context.viewer, params.id ?? '')
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    throw new Response(error.message, { status: error.status === 409 ? 409 : 404 })
  }
  if (file.storage !== 'local') {
    throw new Response('This recording is stored where this server cannot play it from yet.', { status: 501 })
  }
  const response = await recordingFileResponse(file, request.headers.get('Range'))
  if (!response) throw new Response('We could not find that recording.', { status: 404 })
  return response
}
