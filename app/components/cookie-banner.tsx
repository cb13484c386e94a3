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

/**
 * Shown on a first visit (and after the cookie notice changes) until a choice is saved. It is
 * short — on a phone it takes under a third of the first screen — with the two one-tap answers;
 * the categories open under "Choose" (a disclosure, so it works without JavaScript).
 */
export function CookieBanner() {
  const location = useLocation()
  if (location.pathname === '/cookies') return null
  const redirectTo = location.pathname + location.search
  const button = 'rounded-md px-3 py-1.5 text-sm'
  return (
    <section aria-labelledby="cookie-banner-title" className="border-b border-amber-200 bg-amber-50" data-testid="cookie-banner">
      <div className="mx-auto max-w-5xl px-4 py-3">
        <h2 id="cookie-banner-title" className="text-sm font-semibold sm:text-base">
          Cookies on Rounds
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          Strictly necessary cookies run the site. Others only if you say yes.{' '}
          <Link to="/privacy" className="underline">
            Privacy policy
          </Link>
        </p>
        <Form method="post" action="/cookies" className="mt-2 flex flex-wrap items-center gap-2">
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <button type="submit" name="intent" value="accept-all" className={`${button} bg-brand-600 font-semibold text-white hover:bg-brand-700`}>
            Accept all
          </button>
          <button type="submit" name="intent" value="reject-all" className={`${button} border border-slate-300 bg-white hover:bg-slate-50`}>
            Only strictly necessary
          </button>
        </Form>
        <details className="mt-2 text-sm">
          <summary className="cursor-pointer font-medium text-brand-700 underline">Choose which cookies</summary>
          <div className="mt-2">
            <CookieChoicesForm value={null} redirectTo={redirectTo} />
          </div>
        </details>
      </div>
    </section>
  )
}
