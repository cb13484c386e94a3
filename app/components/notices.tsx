import { Form, Link } from '@remix-run/react'

export type SiteNotice = { id: string; kind: string; subject: string; title: string; body: string; link: string | null }

/** Notices for the signed-in person, above every page until dealt with. */
export function Notices({ notices, deactivated }: { notices: SiteNotice[]; deactivated: boolean }) {
  if (!notices.length && !deactivated) return null
  return (
    <div className="mb-6 space-y-3" data-testid="notices">
      {deactivated ? (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900">
          Your account is deactivated: other doctors cannot see your profile.{' '}
          <Link to="/settings/deactivate" className="font-medium underline">
            Reactivate it
          </Link>
        </p>
      ) : null}
      {notices.map((n) => (
        <section key={n.id} aria-label={n.title} className="rounded-md border border-brand-200 bg-brand-50 p-3 text-brand-900">
          <h2 className="font-semibold">{n.title}</h2>
          {n.body ? <p className="mt-1 whitespace-pre-line text-sm">{n.body}</p> : null}
          <div className="mt-2 flex flex-wrap items-center gap-3 text-sm">
            {n.link ? (
              <Link to={n.link} className="font-medium underline">
                Read it
              </Link>
            ) : null}
            {n.kind === 'policy' ? (
              <Form method="post" action="/privacy">
                <input type="hidden" name="intent" value="acknowledge" />
                <input type="hidden" name="version" value={n.subject} />
                <button type="submit" className="rounded-md bg-brand-600 px-3 py-1 font-semibold text-white hover:bg-brand-700">
                  I have read it
                </button>
              </Form>
            ) : null}
          </div>
        </section>
      ))}
    </div>
  )
}
