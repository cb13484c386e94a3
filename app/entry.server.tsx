import type { AppLoadContext, EntryContext } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { renderToString } from 'react-dom/server'

/**
 * Every page is rendered to one string and sent in one piece. No route defers data or
 * suspends, so streaming would send the same bytes later and cost more per page
 * (docs/decisions/010-page-rendering-cost.md). A route that starts deferring data needs
 * `renderToPipeableStream` back here.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const html = renderToString(<RemixServer context={remixContext} url={request.url} nonce={loadContext.cspNonce} />)
  responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
  // Bytes, not a string: a string body is scanned character by character for lone surrogates.
  return new Response(Buffer.from(`<!DOCTYPE html>${html}`), { headers: responseHeaders, status: responseStatusCode })
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return
  console.error(error)
}
