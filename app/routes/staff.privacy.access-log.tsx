import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { listStaffAccessLog, type AccessLogRow } from '#db/privacy/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { inputClass } from '~/components/forms'
import { requireStaffViewer } from '~/utils/staff.server'
import { zonedTimeToMoment } from '~/utils/time'
import { timeZoneOf } from '~/utils/time.server'
import { LocalTime } from '~/utils/time-zone'

// Every time staff opened someone's personal data: who, whose, when and why. Filterable; a GET form, so a filter is a link.

const handle = z
  .string()
  .trim()
  .max(60, 'That handle is too long.')
  .regex(/^@?[A-Za-z0-9._-]*$/, 'A handle has only letters, digits, dots, dashes and underscores.')
  .optional()
  .transform((v) => v || null)
const day = z
  .string()
  .regex(/^(\d{4}-\d{2}-\d{2})?$/, 'Choose a date.')
  .optional()
  .transform((v) => v || null)
const Filter = z.object({ staff: handle, person: handle, from: day, to: day })

const DAY_MS = 24 * 60 * 60 * 1000

type Row = Omit<AccessLogRow, 'viewedAt'> & { viewedAt: string }
const none: Row[] = []

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const params = Object.fromEntries(new URL(request.url).searchParams)
  const parsed = Filter.safeParse(params)
  const filter = { staff: params.staff ?? '', person: params.person ?? '', from: params.from ?? '', to: params.to ?? '' }
  if (!parsed.success) return json({ filter, error: parsed.error.issues[0].message, rows: none, more: false }, { status: 400 })
  const { timeZone } = await timeZoneOf(request, viewer.userId)
  const startOf = (d: string | null) => {
    if (!d) return null
    const m = zonedTimeToMoment(d, '00:00', timeZone)
    return m.ok ? m.moment : null
  }
  const from = startOf(parsed.data.from)
  const toStart = startOf(parsed.data.to)
  if ((parsed.data.from && !from) || (parsed.data.to && !toStart)) {
    return json({ filter, error: 'That date does not exist. Check it.', rows: none, more: false }, { status: 400 })
  }
  try {
    const log = await listStaffAccessLog(viewer, {
      staff: parsed.data.staff,
      person: parsed.data.person,
      from,
      // The "to" day is included: up to the start of the next day.
      to: toStart ? new Date(toStart.getTime() + DAY_MS) : null,
    })
    return json({
      filter,
      error: null as string | null,
      rows: log.rows.map((r): Row => ({ ...r, viewedAt: r.viewedAt.toISOString() })),
      more: log.more,
    })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ filter, error: error.message, rows: none, more: false }, { status: error.status })
  }
}

const person = (p: { handle: string; name: string } | null, gone: string) => (p ? `${p.name} (@${p.handle})` : gone)

export default function StaffAccessLogRoute() {
  const data = useLoaderData<typeof loader>()
  const { filter, error, rows, more } = data
  return (
    <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <h2 className="text-lg font-semibold">Staff access log</h2>
        <p className="mt-1 text-sm text-slate-600">Every time a member of staff opened someone’s personal data, newest first. Each person sees their own entries.</p>
      </div>
      <Form method="get" className="grid gap-3 sm:grid-cols-4 sm:items-end">
        <label className="block text-sm font-medium">
          Staff member (handle)
          <input name="staff" defaultValue={filter.staff} maxLength={60} className={inputClass} />
        </label>
        <label className="block text-sm font-medium">
          Person (handle)
          <input name="person" defaultValue={filter.person} maxLength={60} className={inputClass} />
        </label>
        <label className="block text-sm font-medium">
          From
          <input type="date" name="from" defaultValue={filter.from} className={inputClass} />
        </label>
        <label className="block text-sm font-medium">
          To
          <input type="date" name="to" defaultValue={filter.to} className={inputClass} />
        </label>
        <div className="flex gap-2 sm:col-span-4">
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
            Filter
          </button>
          <Link to="/staff/privacy/access-log" className="rounded-md border border-slate-300 px-3 py-2 text-sm hover:bg-slate-50">
            Clear
          </Link>
        </div>
      </Form>
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800">
          {error}
        </p>
      ) : rows.length ? (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="staff-access-log">
            <thead className="text-slate-500">
              <tr>
                <th className="py-2 pr-3">When</th>
                <th className="pr-3">Staff member</th>
                <th className="pr-3">Whose data</th>
                <th className="pr-3">Why</th>
                <th>Request</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} className="border-t border-slate-100 align-top">
                  <td className="py-2 pr-3 whitespace-nowrap">
                    <LocalTime at={r.viewedAt} style="dateTime" />
                  </td>
                  <td className="pr-3">{person(r.staff, 'Former staff')}</td>
                  <td className="pr-3">{person(r.person, 'Erased account')}</td>
                  <td className="pr-3">{r.reason}</td>
                  <td>
                    {r.request ? (
                      <Link to={`/staff/privacy/requests/${r.request.id}`} className="text-brand-700 underline">
                        {r.request.kind}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {more ? <p className="mt-2 text-sm text-slate-600">Showing the newest 200. Narrow the filter to see older entries.</p> : null}
        </div>
      ) : (
        <p className="text-slate-600">No one’s data was opened{filter.staff || filter.person || filter.from || filter.to ? ' that matches this filter' : ''}.</p>
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
