import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { BOARD_REPORT_HOURS, INCIDENT_DATA_KINDS, countIncidentAudience, recordIncident, type AudienceQuery, type IncidentDataKind } from '#db/privacy/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { inputClass } from '~/components/forms'
import { readForm } from '~/utils/form.server'
import { requireStaffViewer } from '~/utils/staff.server'
import { wallClock, zoneName, zonedInputError, zonedTimeToMoment } from '~/utils/time'
import { timeZoneOf } from '~/utils/time.server'
import { text } from '~/utils/validation'

/** A date or time field: as wide as its value, not the whole row. */
const shortInput = inputClass.replace('block w-full', 'inline-block w-auto')

// Recording a personal-data incident: what happened, who it concerns (with a count first), then the notice to each of them.

const date = (label: string) => z.string({ required_error: `Enter ${label}.` }).regex(/^\d{4}-\d{2}-\d{2}$/, `Enter ${label} as a date.`)
const time = (label: string) => z.string({ required_error: `Enter ${label}.` }).regex(/^\d{2}:\d{2}$/, `Enter ${label} as a time.`)
const optionalString = (max: number) => z.string().max(max, 'That is too long.').optional()

const IncidentForm = z.object({
  intent: z.enum(['count', 'send'], { errorMap: () => ({ message: 'That request was not understood. Reload the page and try again.' }) }),
  title: text('short title', { min: 3, max: 120 }),
  whatHappened: text('account of what happened', { min: 10, max: 2000, multiline: true }),
  foundDate: date('the day it was found'),
  foundTime: time('the time it was found'),
  // Which kinds exist is the data layer's list: an unknown one is refused there.
  dataKinds: z.array(z.string().max(40, 'Choose the kinds of data from the list.')).min(1, 'Choose at least one kind of data affected.'),
  whatWeDid: text('account of what we did', { min: 10, max: 2000, multiline: true }),
  whatYouCanDo: text('advice on what people can do', { min: 10, max: 2000, multiline: true }),
  audience: z.enum(['sessions', 'club', 'emails'], { errorMap: () => ({ message: 'Choose who is affected.' }) }),
  fromDate: optionalString(10),
  fromTime: optionalString(5),
  toDate: optionalString(10),
  toTime: optionalString(5),
  club: optionalString(200),
  emails: optionalString(300_000),
  expected: z.coerce.number().int().min(0).optional(),
})

type Values = Record<string, string | string[]>

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const zone = await timeZoneOf(request, viewer.userId)
  const now = wallClock(new Date(), zone.timeZone)
  return json({
    zoneLabel: zoneName(zone.timeZone),
    today: now.date,
    nowTime: now.time,
    dataKinds: Object.entries(INCIDENT_DATA_KINDS).map(([key, label]) => ({ key, label })),
    boardHours: BOARD_REPORT_HOURS,
  })
}

function bad(message: string, values: Values, status = 400) {
  return json({ ok: false as const, message, count: null, values }, { status })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const form = await readForm(request)
  const values: Values = {}
  for (const [key, value] of form) {
    if (typeof value !== 'string') continue
    if (key === 'dataKinds') values.dataKinds = [...((values.dataKinds as string[] | undefined) ?? []), value]
    else values[key] = value.slice(0, key === 'emails' ? 300_000 : 4000)
  }
  const parsed = IncidentForm.safeParse({ ...Object.fromEntries(form), dataKinds: form.getAll('dataKinds') })
  if (!parsed.success) return bad(parsed.error.issues[0].message, values)
  const input = parsed.data
  const { timeZone } = await timeZoneOf(request, viewer.userId)
  const at = (d: string | undefined, t: string | undefined, label: string) => {
    if (!d || !t) throw new PublicError(`Enter ${label}.`, 400)
    const moment = zonedTimeToMoment(d, t, timeZone)
    if (!moment.ok) throw new PublicError(zonedInputError(moment, timeZone) ?? `Check ${label}.`, 400)
    return moment.moment
  }
  try {
    const foundAt = at(input.foundDate, input.foundTime, 'when it was found')
    let audience: AudienceQuery
    if (input.audience === 'sessions') {
      audience = { kind: 'sessions', from: at(input.fromDate, input.fromTime, 'when the window starts'), to: at(input.toDate, input.toTime, 'when the window ends') }
    } else if (input.audience === 'club') {
      if (!input.club?.trim()) throw new PublicError('Enter the club’s address (the part after /c/).', 400)
      audience = { kind: 'club', slug: input.club }
    } else {
      const emails = (input.emails ?? '').split(/[\s,;]+/).filter(Boolean)
      audience = { kind: 'emails', emails }
    }
    if (input.intent === 'count') {
      const counted = await countIncidentAudience(viewer, audience)
      return json({ ok: true as const, message: null, count: { n: counted.count, unmatched: counted.unmatched }, values })
    }
    if (input.expected === undefined) throw new PublicError('Count the affected people first, then send.', 400)
    const recorded = await recordIncident(viewer, {
      title: input.title,
      whatHappened: input.whatHappened,
      foundAt,
      dataKinds: input.dataKinds as IncidentDataKind[],
      whatWeDid: input.whatWeDid,
      whatYouCanDo: input.whatYouCanDo,
      audience,
      expectedCount: input.expected,
    })
    return redirect(`/staff/privacy/incidents/${recorded.id}?sent=${recorded.affected}`)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return bad(error.message, values, error.status)
  }
}

const str = (values: Values | undefined, key: string, fallback = '') => {
  const v = values?.[key]
  return typeof v === 'string' ? v : fallback
}

export default function NewIncidentRoute() {
  const { zoneLabel, today, nowTime, dataKinds, boardHours } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const v = result?.values
  const kinds = Array.isArray(v?.dataKinds) ? v.dataKinds : []
  const audience = str(v, 'audience', 'sessions')
  return (
    <section className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <Link to="/staff/privacy/incidents" className="text-sm text-brand-700 underline">
          ← All incidents
        </Link>
        <h2 className="mt-2 text-lg font-semibold">Record a personal-data incident</h2>
        <p className="mt-1 text-sm text-slate-600">
          Everyone you choose gets a notice in the app and by email with the four parts below, and sees it in their privacy centre. The report to the
          Data Protection Board is due {boardHours} hours after the incident was found. Times are in {zoneLabel}.
        </p>
      </div>
      {result?.message ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800">
          {result.message}
        </p>
      ) : null}
      <Form method="post" className="space-y-4">
        <label className="block text-sm font-medium">
          Short title (the notice’s heading)
          <input name="title" required minLength={3} maxLength={120} defaultValue={str(v, 'title')} className={inputClass} />
        </label>
        <label className="block text-sm font-medium">
          What happened
          <textarea name="whatHappened" required minLength={10} maxLength={2000} rows={3} defaultValue={str(v, 'whatHappened')} className={inputClass} />
        </label>
        <fieldset className="text-sm">
          <legend className="font-medium">When we found it</legend>
          <div className="mt-1 flex flex-wrap gap-2">
            <input type="date" name="foundDate" required aria-label="Day found" defaultValue={str(v, 'foundDate', today)} className={shortInput} />
            <input type="time" name="foundTime" required aria-label="Time found" defaultValue={str(v, 'foundTime', nowTime)} className={shortInput} />
          </div>
        </fieldset>
        <fieldset className="text-sm">
          <legend className="font-medium">Data affected</legend>
          <div className="mt-1 grid gap-1 sm:grid-cols-2">
            {dataKinds.map(({ key, label }) => (
              <label key={key} className="flex items-start gap-2">
                <input type="checkbox" name="dataKinds" value={key} defaultChecked={kinds.includes(key)} className="mt-1" />
                {label}
              </label>
            ))}
          </div>
        </fieldset>
        <label className="block text-sm font-medium">
          What we did
          <textarea name="whatWeDid" required minLength={10} maxLength={2000} rows={3} defaultValue={str(v, 'whatWeDid')} className={inputClass} />
        </label>
        <label className="block text-sm font-medium">
          What people can do
          <textarea name="whatYouCanDo" required minLength={10} maxLength={2000} rows={3} defaultValue={str(v, 'whatYouCanDo')} className={inputClass} />
        </label>

        <fieldset className="space-y-3 rounded-md border border-slate-200 p-3 text-sm">
          <legend className="px-1 font-medium">Who is affected</legend>
          <div>
            <label className="flex items-center gap-2">
              <input type="radio" name="audience" value="sessions" defaultChecked={audience === 'sessions'} />
              Everyone signed in during a time window
            </label>
            <div className="ml-6 mt-1 flex flex-wrap items-center gap-2">
              <span>From</span>
              <input type="date" name="fromDate" aria-label="Window starts, day" defaultValue={str(v, 'fromDate')} className={shortInput} />
              <input type="time" name="fromTime" aria-label="Window starts, time" defaultValue={str(v, 'fromTime', '00:00')} className={shortInput} />
              <span>to</span>
              <input type="date" name="toDate" aria-label="Window ends, day" defaultValue={str(v, 'toDate')} className={shortInput} />
              <input type="time" name="toTime" aria-label="Window ends, time" defaultValue={str(v, 'toTime', '23:59')} className={shortInput} />
            </div>
            <p className="ml-6 mt-1 text-xs text-slate-500">Only sessions still on record count: signed-out and expired sessions are deleted.</p>
          </div>
          <div>
            <label className="flex items-center gap-2">
              <input type="radio" name="audience" value="club" defaultChecked={audience === 'club'} />
              Everyone in a club
            </label>
            <input name="club" aria-label="Club address (the part after /c/)" placeholder="club address, e.g. cardiology-grand-rounds" defaultValue={str(v, 'club')} className={`${inputClass} ml-6 w-[calc(100%-1.5rem)]`} />
          </div>
          <div>
            <label className="flex items-center gap-2">
              <input type="radio" name="audience" value="emails" defaultChecked={audience === 'emails'} />
              A list of email addresses
            </label>
            <textarea name="emails" aria-label="Email addresses, one a line" rows={3} placeholder="one a line" defaultValue={str(v, 'emails')} className={`${inputClass} ml-6 w-[calc(100%-1.5rem)]`} />
          </div>
        </fieldset>

        {result?.ok && result.count ? (
          <p role="status" data-testid="incident-count" className="rounded-md bg-brand-50 p-3 text-brand-900">
            This reaches <strong>{result.count.n}</strong> {result.count.n === 1 ? 'person' : 'people'}
            {result.count.unmatched ? ` (${result.count.unmatched} of the listed addresses have no account)` : ''}.
            {result.count.n === 0 ? ' Change the choice: an incident must concern someone.' : ''}
          </p>
        ) : null}
        <div className="flex flex-wrap gap-2">
          <button type="submit" name="intent" value="count" className="rounded-md border border-slate-300 px-3 py-2 text-sm hover:bg-slate-50">
            Count affected people
          </button>
          {result?.ok && result.count && result.count.n > 0 ? (
            <>
              <input type="hidden" name="expected" value={result.count.n} />
              <button type="submit" name="intent" value="send" className="rounded-md bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800">
                Record and notify {result.count.n} {result.count.n === 1 ? 'person' : 'people'}
              </button>
            </>
          ) : null}
        </div>
      </Form>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
