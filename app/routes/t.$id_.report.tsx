import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { attendanceReport } from '#db/live'
import { getTalkForViewer } from '#db/talks'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { TalkStatusBadge, talkTypeLabel } from '~/components/talk-card'
import { formatTime, zoneName } from '~/utils/time'
import { LocalTime, useTimeZone } from '~/utils/time-zone'
import { requireUser } from '~/utils/auth.server'
import { orErrorPage } from '~/utils/club-forms'

const NOT_FOUND = 'We could not find that talk. It may be in a private club, or the link may be wrong.'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const talk = await getTalkForViewer(viewer, params.id ?? '')
  if (!talk) throw new Response(NOT_FOUND, { status: 404 })
  // The data layer decides who sees attendance (hosts, co-hosts, club admins): 403 for anyone else.
  const report = await orErrorPage(attendanceReport(viewer, talk.id))
  return json({
    talk: { id: talk.id, title: talk.title, type: talk.type, status: talk.status, startsAt: talk.startsAt, club: talk.club },
    report,
  })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Attendance: ${data.talk.title} — Rounds` : 'Attendance — Rounds' },
  { name: 'robots', content: 'noindex' },
]

/** 3725 → "1 h 2 min"; under a minute → "45 s". */
function formatDuration(seconds: number) {
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`
}

function Stat({ label, value, testId }: { label: string; value: string | number; testId: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <dt className="text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</dt>
      <dd data-testid={testId} className="mt-1 text-2xl font-semibold tabular-nums">
        {value}
      </dd>
    </div>
  )
}

export default function AttendanceReportRoute() {
  const { talk, report } = useLoaderData<typeof loader>()
  const zone = useTimeZone()
  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link to={`/t/${talk.id}`} className="text-brand-700 underline">
          ← Talk page
        </Link>
      </p>
      <header className="space-y-1">
        <p className="flex flex-wrap items-center gap-2 text-xs font-semibold uppercase tracking-wide text-brand-700">
          <span>{talkTypeLabel[talk.type]}</span>
          <span aria-hidden="true">·</span>
          <Link to={`/c/${talk.club.slug}`} className="underline">
            {talk.club.name}
          </Link>
          <TalkStatusBadge status={talk.status} />
        </p>
        <h1 className="text-2xl font-semibold sm:text-3xl">Attendance: {talk.title}</h1>
        <p className="text-sm text-slate-600">
          Starts <LocalTime at={talk.startsAt} />. Only the talk’s hosts and the club’s
          admins see this page. Time counts from when the room opened.
        </p>
        {talk.status === 'live' ? <p className="text-sm font-medium text-red-700">The talk is live: these numbers grow until it ends.</p> : null}
      </header>

      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
        <Stat label="People" value={report.uniqueAttendees} testId="report-people" />
        <Stat label="Most at once" value={report.peakConcurrent} testId="report-peak" />
        <Stat label="Average time in room" value={formatDuration(report.averageSeconds)} testId="report-average" />
        <Stat label="Comments" value={report.comments} testId="report-comments" />
        <Stat label="Questions" value={report.questions} testId="report-questions" />
      </dl>

      <section aria-labelledby="attendees-heading" className="rounded-xl border border-slate-200 bg-white shadow-sm">
        <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-4 py-3">
          <h2 id="attendees-heading" className="font-semibold">
            Who attended
          </h2>
          {report.people.length > 0 ? (
            <a href={`/t/${talk.id}/report.csv`} download className="text-sm font-semibold text-brand-700 underline" data-testid="report-csv">
              Download CSV
            </a>
          ) : null}
        </div>
        {report.people.length === 0 ? (
          <p className="p-4 text-slate-600">{talk.status === 'scheduled' ? 'The room has not opened yet.' : 'No one attended.'}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2">
                    Doctor
                  </th>
                  <th scope="col" className="px-4 py-2">
                    Time in room
                  </th>
                  <th scope="col" className="px-4 py-2">
                    Joined – left ({zoneName(zone)})
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {report.people.map((person) => (
                  <tr key={person.handle} data-testid="report-person" className="align-top">
                    <td className="px-4 py-2">
                      <Link to={`/u/${person.handle}`} className="font-medium text-brand-700 hover:underline">
                        {person.name}
                      </Link>
                    </td>
                    <td className="px-4 py-2 tabular-nums">{formatDuration(person.totalSeconds)}</td>
                    <td className="px-4 py-2">
                      <ul className="space-y-0.5 tabular-nums">
                        {person.stays.map((stay, i) => (
                          <li key={`${stay.joinedAt}-${i}`}>
                            <time dateTime={stay.joinedAt}>{formatTime(stay.joinedAt, zone, 'clock')}</time> –{' '}
                            {stay.leftAt ? <time dateTime={stay.leftAt}>{formatTime(stay.leftAt, zone, 'clock')}</time> : 'still in the room'}
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
