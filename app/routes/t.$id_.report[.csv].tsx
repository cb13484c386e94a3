import type { LoaderFunctionArgs } from '@remix-run/node'
import { attendanceReport, type AttendanceReport } from '#db/live'
import { PublicError } from '#db/errors'
import { getTalkForViewer } from '#db/talks'
import { requireUser } from '~/utils/auth.server'
import { csvDocument, csvResponse } from '~/utils/csv'

const NOT_FOUND = 'We could not find that talk. It may be in a private club, or the link may be wrong.'

/**
 * The attendance report as CSV, one line per person: the report page's own check (the talk's hosts,
 * co-hosts and the club's admins, db/live decides); to anyone else the file does not exist.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const talk = await getTalkForViewer(viewer, params.id ?? '')
  if (!talk) throw new Response(NOT_FOUND, { status: 404 })
  let report: AttendanceReport
  try {
    report = await attendanceReport(viewer, talk.id)
  } catch (error) {
    if (error instanceof PublicError) throw new Response(NOT_FOUND, { status: 404 })
    throw error
  }
  const slug = talk.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'talk'
  return csvResponse(attendanceCsv(report), `${slug}-attendance.csv`)
}

/**
 * One line per person: minutes in the room (whole minutes, rounded down, of the report's total:
 * stays clipped to the time the room was open, overlaps counted once), their first join and last
 * leave in UTC; no last leave while they are still in the room.
 */
export function attendanceCsv(report: AttendanceReport): string {
  return csvDocument(
    ['name', 'handle', 'minutes_attended', 'first_joined', 'last_left'],
    report.people.map((person) => [
      person.name,
      person.handle,
      Math.floor(person.totalSeconds / 60),
      person.stays[0]?.joinedAt ?? '',
      person.stays.at(-1)?.leftAt ?? '',
    ]),
  )
}
