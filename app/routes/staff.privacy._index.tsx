import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listRequestsForStaff } from '#db/data-rights/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireStaffViewer } from '~/utils/staff.server'
import { LocalTime } from '~/utils/time-zone'
import { requestKindLabels } from '~/utils/personal-data-labels'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const show = new URL(request.url).searchParams.get('show') === 'all' ? 'all' : 'open'
  const requests = await listRequestsForStaff(viewer, show)
  return json({
    show,
    requests: requests.map((r) => ({
      ...r,
      receivedAt: r.receivedAt.toISOString(),
      dueAt: r.dueAt.toISOString(),
      scheduledFor: r.scheduledFor?.toISOString() ?? null,
    })),
  })
}

export default function StaffRequestsRoute() {
  const { show, requests } = useLoaderData<typeof loader>()
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-semibold">{show === 'all' ? 'All requests' : 'Open requests, soonest due first'}</h2>
        <Link to={show === 'all' ? '/staff/privacy' : '/staff/privacy?show=all'} className="text-sm text-brand-700 underline">
          {show === 'all' ? 'Show open only' : 'Show all'}
        </Link>
      </div>
      {requests.length ? (
        <table className="mt-4 w-full text-left text-sm" data-testid="staff-requests">
          <thead className="text-slate-500">
            <tr>
              <th className="py-2">Request</th>
              <th>Person</th>
              <th>Status</th>
              <th>Received</th>
              <th>Due</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((r) => (
              <tr key={r.id} className="border-t border-slate-100">
                <td className="py-2">
                  <Link to={`/staff/privacy/requests/${r.id}`} className="font-medium text-brand-700 underline">
                    {requestKindLabels[r.kind] ?? r.kind}
                  </Link>
                </td>
                <td>{r.subject ? `${r.subject.name} (@${r.subject.handle})` : 'Erased account'}</td>
                <td>{r.status.replace('_', ' ')}</td>
                <td><LocalTime at={r.receivedAt} style="day" /></td>
                <td className={r.overdue ? 'font-semibold text-red-700' : ''}>
                  <LocalTime at={r.dueAt} style="day" />
                  {r.overdue ? ' (overdue)' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="mt-4 text-slate-600">No requests.</p>
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
