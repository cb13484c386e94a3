import { Form, Link, useLocation } from '@remix-run/react'

export type CookieChoicesValue = { performance: boolean; functionality: boolean; targeting: boolean }

const categories = [
  {
    name: 'performance',
    label: 'Performance',
    description: 'Counts which pages are used, so we can improve Rounds.',
  },
  {
    name: 'functionality',
    label: 'Functionality',
    description: 'Remembers choices such as layout between visits.',
  },
  {
    name: 'targeting',
    label: 'Targeting',
    description: 'Lets ads match your interests, if you also turn on personalised ads.',
  },
] as const

/**
 * The cookie choices as a plain form posting to /cookies, so it works without
 * JavaScript. Non-essential categories start unticked until chosen.
 */
export function CookieChoicesForm({ value, redirectTo }: { value: CookieChoicesValue | null; redirectTo: string }) {
  return (
    <Form method="post" action="/cookies" className="space-y-3">
      <input type="hidden" name="redirectTo" value={redirectTo} />
      <fieldset className="space-y-2">
        <legend className="sr-only">Cookie categories</legend>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" checked disabled className="mt-1" />
          <span>
            <strong>Strictly necessary</strong> — keep you signed in and remember this choice. Always on.
          </span>
        </label>
        {categories.map((c) => (
          <label key={c.name} className="flex items-start gap-2 text-sm">
            <input type="checkbox" name={c.name} defaultChecked={value?.[c.name] ?? false} className="mt-1" />
            <span>
              <strong>{c.label}</strong> — {c.description}
            </span>
          </label>
        ))}
      </fieldset>
      <div className="flex flex-wrap gap-2">
        <button type="submit" name="intent" value="save" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700">
          Save my choices
        </button>
        <button type="submit" name="intent" value="accept-all" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50">
          Accept all
        </button>
        <button type="submit" name="intent" value="reject-all" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50">
          Only strictly necessary
        </button>
      </div>
    </Form>
  )
}

/** Shown on a first visit (and after the cookie notice changes) until a choice is saved. */
export function CookieBanner() {
  const location = useLocation()
  if (location.pathname === '/cookies') return null
  return (
    <section aria-labelledby="cookie-banner-title" className="border-b border-amber-200 bg-amber-50" data-testid="cookie-banner">
      <div className="mx-auto max-w-5xl px-4 py-4">
        <h2 id="cookie-banner-title" className="font-semibold">
          Cookies on Rounds
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          We use strictly necessary cookies to run the site. Others only if you say yes — nothing else is set until you choose.{' '}
          <Link to="/privacy" className="underline">
            Privacy policy
          </Link>
        </p>
        <div className="mt-3">
          <CookieChoicesForm value={null} redirectTo={location.pathname + location.search} />
        </div>
      </div>
    </section>
  )
}
