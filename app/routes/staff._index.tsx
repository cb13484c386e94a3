import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { hasStaffDuty } from '#db/access/staff'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireStaffViewer } from '~/utils/staff.server'

export const meta: MetaFunction = () => [{ title: 'Staff — Rounds' }, { name: 'robots', content: 'noindex' }]

type Console = { to: string; title: string; about: string }

/** The consoles this member of staff may open: the privacy office and app review for all staff, the rest by duty. */
export async function loader({ context }: LoaderFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const [verifier, moderator, adsReviewer] = await Promise.all([
    hasStaffDuty(viewer, 'verifier'),
    hasStaffDuty(viewer, 'moderator'),
    hasStaffDuty(viewer, 'ads_reviewer'),
  ])
  const consoles: Console[] = [
    { to: '/staff/privacy', title: 'Privacy office', about: 'Data-rights requests and their deadlines, legal holds, incidents, the privacy policy and the access log.' },
    { to: '/staff/apps', title: 'App review', about: 'Third-party apps waiting to be made public, and suspending an app that misbehaves.' },
  ]
  if (verifier) consoles.push({ to: '/staff/verification', title: 'Doctor verification', about: 'Registrations waiting to be checked against the councils’ registers.' })
  if (moderator) {
    consoles.push({ to: '/moderation', title: 'Moderation queue', about: 'Reports grouped by item, patient information first.' })
    consoles.push({ to: '/staff/moderation/words', title: 'Watched words', about: 'Words that block, hold or flag a post, in any script.' })
  }
  if (adsReviewer) consoles.push({ to: '/staff/ads', title: 'Ads review', about: 'Advertisers and campaigns waiting for approval.' })
  return json({ consoles })
}

export default function StaffHome() {
  const { consoles } = useLoaderData<typeof loader>()
  return (
    <div className="mx-auto max-w-3xl">
      <h1 className="text-2xl font-semibold">Staff</h1>
      <p className="mt-1 text-slate-600">The consoles your staff duties open. Every view of a member’s personal data in them is logged and shown to that member.</p>
      <ul className="mt-6 grid gap-3 sm:grid-cols-2">
        {consoles.map((c) => (
          <li key={c.to}>
            <Link to={c.to} className="block h-full rounded-xl border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-300">
              <span className="font-semibold text-brand-700">{c.title}</span>
              <span className="mt-1 block text-sm text-slate-600">{c.about}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
