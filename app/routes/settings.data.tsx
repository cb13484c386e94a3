import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { correctableFields, listAccessesToMyData, type CorrectableField, listMyRequests, requestCorrection, requestExport } from '#db/data-rights/index'
import { PublicError } from '#db/errors'
import { exportDownloadPath } from '#server/jobs/exports'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { inputClass } from '~/components/forms'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { optionalText, text } from '~/utils/validation'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Your data — Rounds' }]

const fieldLabels: Record<CorrectableField, string> = {
  date_of_birth: 'Date of birth',
  email: 'Email address',
  registration: 'Medical registration',
  other: 'Something else',
}

const DataAction = z.discriminatedUnion(
  'intent',
  [
    z.object({ intent: z.literal('export') }),
    z.object({
      intent: z.literal('correction'),
      field: z.enum(correctableFields, { errorMap: () => ({ message: 'Choose what needs correcting.' }) }),
      requested: text('correction', { min: 2, max: 500 }),
      note: optionalText('note', { max: 1000, multiline: true }),
    }),
  ],
  { errorMap: () => ({ message: 'That request was not understood. Reload the page and try again.' }) },
)

const kindLabels = { export: 'Copy of your data', correction: 'Correction', erasure: 'Erasure', nominee: 'Nominee request', grievance: 'Grievance' } as const
const statusLabels = { received: 'Received', in_progress: 'In progress', completed: 'Done', rejected: 'Declined', cancelled: 'Cancelled' } as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId } = requireUser(context, request)
  const [requests, accesses] = await Promise.all([listMyRequests(userId), listAccessesToMyData(userId)])
  return json({
    requests: requests.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      field: typeof r.details.field === 'string' ? r.details.field : null,
      receivedAt: r.receivedAt.toISOString(),
      dueAt: r.dueAt.toISOString(),
      scheduledFor: r.scheduledFor?.toISOString() ?? null,
      resolution: r.resolution,
      download: r.exportReady && r.exportExpiresAt ? { href: exportDownloadPath(r.id, r.exportExpiresAt), expiresAt: r.exportExpiresAt.toISOString() } : null,
    })),
    accesses: accesses.map((a) => ({ ...a, at: a.at.toISOString() })),
    fields: correctableFields,
  })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = DataAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) {
    return json({ ok: false as const, message: parsed.error.issues[0].message, field: String(parsed.error.issues[0].path[0] ?? '') }, { status: 400 })
  }
  try {
    if (parsed.data.intent === 'export') {
      await requestExport(viewer)
      return json({ ok: true as const, message: 'We are preparing your copy. We will tell you here and by email when it is ready.', field: '' })
    }
    const { field, requested, note } = parsed.data
    await requestCorrection(viewer, { field, requested, note })
    return json({ ok: true as const, message: 'Sent. A privacy officer will answer within 30 days.', field: '' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false as const, message: error.message, field: error.field ?? '' }, { status: error.status })
  }
}


export default function YourDataRoute() {
  const { requests, accesses, fields } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const preparing = requests.some((r) => r.kind === 'export' && (r.status === 'received' || r.status === 'in_progress'))
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`mb-4 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Your data</h1>
        <h2 className="mt-6 text-lg font-semibold">Download a copy</h2>
        <p className="mt-1 text-slate-600">
          A ZIP with everything Rounds holds about you, as JSON, and a summary of who could see it. Links work for 7 days.
        </p>
        <Form method="post" className="mt-3">
          <input type="hidden" name="intent" value="export" />
          <button type="submit" disabled={preparing} className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
            {preparing ? 'Preparing your copy…' : 'Ask for a copy'}
          </button>
        </Form>

        <h2 className="mt-8 text-lg font-semibold">Correct your data</h2>
        <p className="mt-1 text-slate-600">
          Change your name, handle, speciality, city, interests, bio and photo yourself in{' '}
          <Link to="/settings/profile" className="font-medium text-brand-700 underline">
            Profile
          </Link>
          . For anything else, tell us what is wrong.
        </p>
        <Form method="post" className="mt-3 space-y-3">
          <input type="hidden" name="intent" value="correction" />
          <label className="block text-sm font-medium text-slate-800">
            What needs correcting
            <select name="field" className={inputClass} defaultValue="date_of_birth">
              {fields.map((f) => (
                <option key={f} value={f}>
                  {fieldLabels[f]}
                </option>
              ))}
            </select>
          </label>
          <label className="block text-sm font-medium text-slate-800">
            What it should be
            <input name="requested" required maxLength={500} className={inputClass} aria-invalid={result?.field === 'requested' || undefined} />
          </label>
          <label className="block text-sm font-medium text-slate-800">
            Anything we should know (optional)
            <textarea name="note" rows={3} maxLength={1000} className={inputClass} />
          </label>
          <button type="submit" className="rounded-md border border-slate-300 px-4 py-2 font-semibold hover:bg-slate-50">
            Send the correction
          </button>
        </Form>

        <h2 className="mt-8 text-lg font-semibold">Your requests</h2>
        {requests.length ? (
          <ul className="mt-2 divide-y divide-slate-200" data-testid="my-requests">
            {requests.map((r) => (
              <li key={r.id} className="py-3">
                <p className="font-medium">
                  {kindLabels[r.kind]}
                  {r.field ? ` — ${fieldLabels[r.field as keyof typeof fieldLabels] ?? r.field}` : ''}:{' '}
                  <span className="text-slate-600">{statusLabels[r.status]}</span>
                </p>
                <p className="text-sm text-slate-500">
                  Received <LocalTime at={r.receivedAt} style="day" />
                  {r.status === 'received' || r.status === 'in_progress' ? <> · answered by <LocalTime at={r.dueAt} style="day" /></> : ''}
                  {r.scheduledFor && r.status === 'received' ? <> · erasure on <LocalTime at={r.scheduledFor} style="dateTime" /></> : ''}
                </p>
                {r.resolution ? <p className="mt-1 text-sm text-slate-700">{r.resolution}</p> : null}
                {r.download ? (
                  <a href={r.download.href} className="mt-2 inline-block rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700">
                    Download (until <LocalTime at={r.download.expiresAt} style="day" />)
                  </a>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-slate-600">You have not made any requests.</p>
        )}

        <h2 className="mt-8 text-lg font-semibold">Who accessed your data</h2>
        <p className="mt-1 text-slate-600">
          Rounds staff open personal data only to handle a request or a report, and club moderators only to review a report in their club; each time is listed here with the
          reason. Apps you connected read only what you allowed: their reads are listed per app and per day, with when you revoked them (manage apps under{' '}
          <a href="/settings/apps" className="text-brand-700 underline">
            Connected apps
          </a>
          ).
        </p>
        {accesses.length ? (
          <ul className="mt-2 divide-y divide-slate-200" data-testid="data-accesses">
            {accesses.map((a, i) => (
              <li key={i} className="break-words py-2 text-sm">
                <span className="font-medium">{a.who}</span>, <LocalTime at={a.at} style="dateTime" /> — {a.reason}
                {a.times > 1 ? `, ${a.times} times that day (the last one shown)` : ''}
                {a.request ? ` (for ${a.request})` : ''}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600" data-testid="no-accesses">
            Nobody at Rounds, and no app, has opened your personal data.
          </p>
        )}

        <p className="mt-8 border-t border-slate-200 pt-4 text-sm text-slate-600">
          Want to leave for good?{' '}
          <Link to="/settings/erase" className="font-medium text-red-700 underline">
            Erase your account
          </Link>
        </p>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
