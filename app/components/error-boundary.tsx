import { Link, isRouteErrorResponse, useRouteError } from '@remix-run/react'

const messages: Record<number, { title: string; body: string }> = {
  400: { title: 'That request did not make sense', body: 'Something in the request was wrong. Go back and try again.' },
  403: { title: 'You do not have access to this page', body: 'It may be private, or you may need to sign in with another account.' },
  404: { title: 'We could not find that page', body: 'The link may be wrong, or the page may have been removed or made private.' },
  410: { title: 'That link no longer works', body: 'It has expired or has already been used.' },
  413: { title: 'That was too large', body: 'The file or text you sent is larger than Rounds accepts.' },
  429: { title: 'Too many tries', body: 'Wait a few minutes, then try again.' },
}

export function GeneralErrorBoundary() {
  const error = useRouteError()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const detail = isRouteErrorResponse(error) && typeof error.data === 'string' && error.data.length < 200 ? error.data : null
  const known = messages[status] ?? {
    title: 'Something went wrong on our side',
    body: 'We have been told about it. Reload the page, or try again in a minute.',
  }
  return (
    <section className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm">
      <p className="text-sm font-semibold text-brand-700">Error {status}</p>
      <h1 className="mt-2 text-2xl font-semibold">{known.title}</h1>
      <p className="mt-3 text-slate-600">{detail ?? known.body}</p>
      <Link to="/" className="mt-6 inline-block rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
        Go to Rounds home
      </Link>
    </section>
  )
}
