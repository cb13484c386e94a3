import { Form, Link, useLocation } from '@remix-run/react'

export type PolicyDue = { version: string; summary: string; effectiveAt: string }

/**
 * Above every page until the person confirms they have read a significant change to the privacy
 * policy. A plain form: it works without JavaScript and comes back to the page it was sent from.
 */
export function PolicyBanner({ policy }: { policy: PolicyDue | null }) {
  const { pathname, search } = useLocation()
  if (!policy) return null
  const link = `/privacy?version=${encodeURIComponent(policy.version)}`
  return (
    <section
      aria-labelledby="policy-banner-title"
      data-testid="policy-banner"
      className="mb-6 rounded-md border border-amber-300 bg-amber-50 p-4 text-amber-950"
    >
      <h2 id="policy-banner-title" className="font-semibold">
        Our privacy policy has changed (version {policy.version})
      </h2>
      <p className="mt-1 whitespace-pre-line text-sm">{policy.summary}</p>
      <div className="mt-3 flex flex-wrap items-center gap-3 text-sm">
        <Link to={link} className="font-medium underline">
          Read the new policy
        </Link>
        <Form method="post" action="/privacy/acknowledge">
          <input type="hidden" name="version" value={policy.version} />
          <input type="hidden" name="redirectTo" value={pathname + search} />
          <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 font-semibold text-white hover:bg-brand-700">
            I have read it
          </button>
        </Form>
      </div>
    </section>
  )
}
