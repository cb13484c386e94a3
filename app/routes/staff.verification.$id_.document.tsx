import type { LoaderFunctionArgs } from '@remix-run/node'
import { PublicError } from '#db/errors'
import { readApplicationDocument } from '#db/verification'

/** A registration document, for verifiers only; never cached, never shown inline to anything but the review page. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const id = params.id ?? ''
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new Response('We could not find that page.', { status: 404 })
  try {
    const document = await readApplicationDocument(context.viewer, id)
    return new Response(new Uint8Array(document.bytes), {
      headers: {
        'Content-Type': document.type,
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Disposition': document.type === 'application/pdf' ? 'inline; filename="registration.pdf"' : 'inline',
      },
    })
  } catch (error) {
    if (error instanceof PublicError) throw new Response(error.message, { status: error.status })
    throw error
  }
}
