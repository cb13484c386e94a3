import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { LoaderFunctionArgs } from '@remix-run/node'
import { createReadableStreamFromReadable } from '@remix-run/node'
import { findExportDownload, markExportDownloaded } from '#db/data-rights/index'
import { PublicError } from '#db/errors'
import { exportPath } from '#server/jobs/exports'
import { checkSignedLink } from '#server/signed-links'
import { requireUser } from '~/utils/auth.server'

// A download link works only for the signed-in owner, with a valid signature, for 7 days.
// Anything else learns nothing: a forged or someone else's link is "not found".

const notFound = () => new Response('We could not find that download.', { status: 404 })
const gone = () => new Response('This download has expired. Ask for a new copy in Settings → Your data.', { status: 410 })

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const id = params.id ?? ''
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound()
  const link = checkSignedLink(new URL(request.url), 'export', id)
  if (link === 'invalid') throw notFound()
  let file: string
  try {
    ;({ file } = await findExportDownload(viewer, id))
  } catch (error) {
    if (error instanceof PublicError) throw error.status === 410 ? gone() : notFound()
    throw error
  }
  if (link === 'expired') throw gone()
  const full = exportPath(file)
  const size = await stat(full).then((s) => s.size).catch(() => null)
  if (size === null) throw gone()
  await markExportDownloaded(viewer, id)
  const day = new Date().toISOString().slice(0, 10)
  return new Response(createReadableStreamFromReadable(createReadStream(full)), {
    headers: {
      'Content-Type': 'application/zip',
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="rounds-data-${day}.zip"`,
      'Cache-Control': 'private, no-store',
    },
  })
}
