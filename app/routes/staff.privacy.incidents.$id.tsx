import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import type { ReactNode } from 'react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { getIncidentForStaff, recordBoardReport, type IncidentAudience } from '#db/privacy/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { inputClass } from '~/components/forms'
import { readForm } from '~/utils/form.server'
import { requireStaffViewer } from '~/utils/staff.server'
import { formatTime, wallClock, zoneName, zonedInputError, zonedTimeToMoment } from '~/utils/time'
import { timeZoneOf } from '~/utils/time.server'
import { LocalTime } from '~/utils/time-zone'
import { optionalText } from '~/utils/validation'

/** A date or time field: as wide as its value, not the whole row. */
const shortInput = inputClass.replace('block w-full', 'inline-block w-auto')

const BoardReport = z.object({
  intent: z.literal('board-report', { errorMap: () => ({ message: 'That request was not understood. Reload the page and try again.' }) }),
  reportedDate: z.string({ required_error: 'Enter the day it was reported.' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the day it was reported.'),
  reportedTime: z.string({ required_error: 'Enter the time it was reported.' }).regex(/^\d{2}:\d{2}$/, 'Enter the time it was reported.'),
  reference: optionalText('reference', { max: 200 }),
})

const validId = (id: string | undefined) => {
  if (!id || !/^[0-9a-f-]{36}$/.test(id)) throw new Response('We could not find that incident.', { status: 404 })
  return id
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const id = validId(params.id)
  try {
    const i = await getIncidentForStaff(viewer, id)
    const zone = await timeZoneOf(request, viewer.userId)
    const now = wallClock(new Date(), zone.timeZone)
    return json({
      incident: {
        ...i,
        foundAt: i.foundAt.toISOString(),
        recordedAt: i.recordedAt.toISOString(),
        boardDueAt: i.boardDueAt.toISOString(),
        boardReportedAt: i.boardReportedAt?.toISOString() ?? null,
      },
      zone: zone.timeZone,
      today: now.date,
      nowTime: now.time,
    })
  } catch (error) {
    if (error instanceof PublicError) throw new Response(error.message, { status: error.status })
    throw error
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const id = validId(params.id)
  const parsed = BoardReport.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  const { timeZone } = await timeZoneOf(request, viewer.userId)
  const moment = zonedTimeToMoment(parsed.data.reportedDate, parsed.data.reportedTime, timeZone)
  if (!moment.ok) return json({ ok: false, message: zonedInputError(moment, timeZone) ?? 'Check the date.' }, { status: 400 })
  try {
    await recordBoardReport(viewer, id, { reportedAt: moment.moment, reference: parsed.data.reference })
    return json({ ok: true, message: 'The report to the Board is recorded.' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

function audienceText(audience: IncidentAudience, zone: string) {
  if (audience.kind === 'sessions') {
    return `Everyone signed in between ${formatTime(audience.from, zone, 'dateTime')} and ${formatTime(audience.to, zone, 'dateTime')}`
  }
  if (audience.kind === 'club') return `Everyone in the club ${audience.name} (/c/${audience.slug})`
  return `A list of ${audience.listed} email address${audience.listed === 1 ? '' : 'es'}`
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 border-t border-slate-100 py-3 sm:grid-cols-[12rem_1fr]">
      <dt className="text-sm font-medium text-slate-500">{label}</dt>
      <dd className="whitespace-pre-line">{children}</dd>
    </div>
  )
}

export default function StaffIncidentRoute() {
  const { incident: i, zone, today, nowTime } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [search] = useSearchParams()
  const sent = search.get('sent')
  return (
    <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <Link to="/staff/privacy/incidents" className="text-sm text-brand-700 underline">
        ← All incidents
      </Link>
      <h2 className="text-lg font-semibold">{i.title}</h2>
      {sent && /^\d+$/.test(sent) ? (
        <p role="status" className="rounded-md bg-brand-50 p-3 text-brand-900">
          Recorded. {sent} {sent === '1' ? 'person was' : 'people were'} told in the app and by email.
        </p>
      ) : null}
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}
      <div
        data-testid="board-deadline"
        className={`rounded-md border p-3 ${i.boardReportedAt ? 'border-slate-200 bg-slate-50' : i.overdue ? 'border-red-300 bg-red-50 font-semibold text-red-800' : 'border-amber-300 bg-amber-50 text-amber-950'}`}
      >
        {i.boardReportedAt ? (
          <>
            Reported to the Data Protection Board on <LocalTime at={i.boardReportedAt} style="dateTime" />
            {i.boardReportedBy ? ` by ${i.boardReportedBy}` : ''}
            {i.boardReference ? ` — ${i.boardReference}` : ''}.
          </>
        ) : (
          <>
            Report to the Data Protection Board due <LocalTime at={i.boardDueAt} style="dateTime" />
            {i.overdue ? ' — overdue' : ''}.
          </>
        )}
      </div>
      <dl>
        <Row label="What happened">{i.whatHappened}</Row>
        <Row label="Found">
          <LocalTime at={i.foundAt} style="dateTime" />
        </Row>
        <Row label="Data affected">{i.dataKinds.join(', ')}</Row>
        <Row label="What we did">{i.whatWeDid}</Row>
        <Row label="What people can do">{i.whatYouCanDo}</Row>
        <Row label="Who was told">
          {audienceText(i.audience, zone)}: {i.affectedCount} {i.affectedCount === 1 ? 'person' : 'people'}
        </Row>
        <Row label="Recorded">
          <LocalTime at={i.recordedAt} style="dateTime" />
          {i.recordedBy ? ` by ${i.recordedBy}` : ''}
        </Row>
      </dl>
      <Form method="post" className="space-y-2 border-t border-slate-200 pt-4">
        <input type="hidden" name="intent" value="board-report" />
        <fieldset className="text-sm">
          <legend className="font-medium">{i.boardReportedAt ? 'Correct the report date' : 'Reported to the Board on'} ({zoneName(zone)})</legend>
          <div className="mt-1 flex flex-wrap gap-2">
            <input type="date" name="reportedDate" required aria-label="Day reported" defaultValue={today} className={shortInput} />
            <input type="time" name="reportedTime" required aria-label="Time reported" defaultValue={nowTime} className={shortInput} />
          </div>
        </fieldset>
        <label className="block text-sm font-medium">
          Reference or how it was sent (optional)
          <input name="reference" maxLength={200} defaultValue={i.boardReference ?? ''} className={inputClass} />
        </label>
        <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
          Record the report
        </button>
      </Form>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
