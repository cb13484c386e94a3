import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { NavLink, Outlet } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireStaffViewer } from '~/utils/staff.server'

export const meta: MetaFunction = () => [{ title: 'Privacy office — Rounds' }, { name: 'robots', content: 'noindex' }]

export async function loader({ context }: LoaderFunctionArgs) {
  requireStaffViewer(context)
  return json({ ok: true })
}

const tabClass = ({ isActive }: { isActive: boolean }) =>
  `rounded-md px-3 py-2 text-sm font-medium ${isActive ? 'bg-white text-brand-700 shadow-sm' : 'text-slate-600 hover:text-slate-900'}`

export default function PrivacyOfficeLayout() {
  return (
    <div className="mx-auto max-w-4xl">
      <h1 className="text-2xl font-semibold">Privacy office</h1>
      <p className="mt-1 text-slate-600">Data-rights requests and their deadlines, legal holds, incidents, the privacy policy, and who opened whose data. Every view of personal data is logged and shown to the person.</p>
      <nav aria-label="Privacy office" className="my-4 flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1">
        <NavLink to="/staff/privacy" end className={tabClass}>
          Requests
        </NavLink>
        <NavLink to="/staff/privacy/holds" className={tabClass}>
          Legal holds
        </NavLink>
        <NavLink to="/staff/privacy/incidents" className={tabClass}>
          Incidents
        </NavLink>
        <NavLink to="/staff/privacy/policy" className={tabClass}>
          Policy
        </NavLink>
        <NavLink to="/staff/privacy/access-log" className={tabClass}>
          Access log
        </NavLink>
      </nav>
      <Outlet />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
