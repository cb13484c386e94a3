import type { LoaderFunctionArgs } from '@remix-run/node'
import { PublicError } from '#db/errors'
import { requireQuizImage } from '#db/quizzes'
import { isQuizImageName, readQuizImage } from '#server/quiz-images'

/** A question's uploaded image, for people who may see its quiz (a draft: its creators); never shared caches. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const name = params.name ?? ''
  if (!isQuizImageName(name)) throw new Response('We could not find that image.', { status: 404 })
  try {
    await requireQuizImage(context.viewer, params.id ?? '', name)
    const bytes = await readQuizImage(name)
    return new Response(new Uint8Array(bytes), {
      headers: {
        'Content-Type': 'image/webp',
        // A new image gets a new name, so a browser may keep this one; shared caches may not.
        'Cache-Control': 'private, max-age=86400',
        'X-Content-Type-Options': 'nosniff',
      },
    })
  } catch (error) {
    if (error instanceof PublicError) throw new Response(error.message, { status: error.status })
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Response('We could not find that image.', { status: 404 })
    throw error
  }
}
