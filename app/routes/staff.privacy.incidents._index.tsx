import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listIncidentsForStaff } from '#db/privacy/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireStaffViewer } from '~/utils/staff.server'
import { LocalTime } from '~/utils/time-zone'

export async function loader({ context }: LoaderFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const incidents = await listIncidentsForStaff(viewer)
  return json({
    incidents: incidents.map((i) => ({
      id: i.id,
      title: i.title,
      foundAt: i.foundAt.toISOString(),
      affectedCount: i.affectedCount,
      boardDueAt: i.boardDueAt.toISOString(),
      boardReportedAt: i.boardReportedAt?.toISOString() ?? null,
      overdue: i.overdue,
    })),
  })
}

export default function StaffIncidentsRoute() {
  const { incidents } = useLoaderData<typeof loader>()
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-semibold">Personal-data incidents</h2>
        <Link to="/staff/privacy/incidents/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700">
          Record an incident
        </Link>
      </div>
      {incidents.length ? (
        <div className="mt-4 overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="staff-incidents">
            <thead className="text-slate-500">
              <tr>
                <th className="py-2 pr-3">Incident</th>
                <th className="pr-3">Found</th>
                <th className="pr-3">People told</th>
                <th>Report to the Board</th>
              </tr>
            </thead>
            <tbody>
              {incidents.map((i) => (
                <tr key={i.id} className="border-t border-slate-100 align-top">
                  <td className="py-2 pr-3">
                    <Link to={`/staff/privacy/incidents/${i.id}`} className="font-medium text-brand-700 underline">
                      {i.title}
                    </Link>
                  </td>
                  <td className="pr-3">
                    <LocalTime at={i.foundAt} style="dateTime" />
                  </td>
                  <td className="pr-3">{i.affectedCount}</td>
                  <td className={i.overdue ? 'font-semibold text-red-700' : ''}>
                    {i.boardReportedAt ? (
                      <>
                        Reported <LocalTime at={i.boardReportedAt} style="dateTime" />
                      </>
                    ) : (
                      <>
                        Due <LocalTime at={i.boardDueAt} style="dateTime" />
                        {i.overdue ? ' (overdue)' : ''}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="mt-4 text-slate-600">No incidents recorded.</p>
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
