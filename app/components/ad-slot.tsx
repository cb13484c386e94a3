import { Form, Link } from '@remix-run/react'
import type { ShownAd } from '#db/ads/selection'

/**
 * One clearly labelled ad, with the exact reasons it was chosen and a way to hide its
 * advertiser. Both work without JavaScript: the reasons are a <details>, hiding is a form.
 */
export function AdSlot({ ad, back }: { ad: ShownAd | null; back: string }) {
  if (!ad) return null
  return (
    <aside aria-label="Sponsored" data-testid="ad-slot" className="rounded-xl border border-amber-200 bg-amber-50/40 p-4 shadow-sm">
      <p className="text-xs font-semibold uppercase tracking-wide text-amber-800">
        Sponsored <span className="font-normal normal-case tracking-normal text-slate-600">· by {ad.sponsorName}</span>
      </p>
      <a href={ad.clickUrl} rel="sponsored noopener" className="mt-2 block group">
        <img src={ad.imageUrl} alt={ad.imageAlt} width={1200} height={628} className="aspect-[1200/628] w-full rounded-md object-cover" loading="lazy" />
        <span className="mt-2 block font-semibold text-slate-900 group-hover:underline">{ad.headline}</span>
        <span className="mt-1 block text-sm text-slate-700">{ad.body}</span>
        <span className="mt-1 block text-xs text-slate-500">{ad.landingHost}</span>
      </a>
      <details className="mt-3 text-sm" data-testid="ad-why">
        <summary className="cursor-pointer font-medium text-brand-700">Why am I seeing this?</summary>
        <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-700">
          {ad.reasons.map((r) => (
            <li key={r.text}>
              {r.link ? (
                <Link to={r.link} className="underline">
                  {r.text}
                </Link>
              ) : (
                r.text
              )}
            </li>
          ))}
        </ul>
        <p className="mt-2 text-slate-600">
          Advertisers see only totals, never who you are.{' '}
          <Link to="/settings/ads" className="underline">
            Ad preferences
          </Link>
        </p>
      </details>
      <Form method="post" action="/ads/hide" className="mt-2">
        <input type="hidden" name="advertiserId" value={ad.advertiserId} />
        <input type="hidden" name="redirectTo" value={back} />
        <button type="submit" className="text-sm text-slate-600 underline hover:text-slate-900">
          Hide this advertiser
        </button>
      </Form>
    </aside>
  )
}
