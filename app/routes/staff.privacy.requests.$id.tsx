import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { addRequestNote, getRequestForStaff, setRequestStatus, viewSubjectData } from '#db/data-rights/index'
import { PublicError } from '#db/errors'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { inputClass } from '~/components/forms'
import { requireStaffViewer } from '~/utils/staff.server'
import { optionalText, text } from '~/utils/validation'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

const StaffAction = z.discriminatedUnion(
  'intent',
  [
    z.object({ intent: z.literal('note'), note: text('note', { min: 1, max: 2000, multiline: true }) }),
    z.object({
      intent: z.literal('status'),
      status: z.enum(['in_progress', 'completed', 'rejected'], { errorMap: () => ({ message: 'Choose a status.' }) }),
      resolution: optionalText('answer', { max: 2000, multiline: true }),
      applyDateOfBirth: z.literal('on').optional(),
    }),
    z.object({ intent: z.literal('view-data'), reason: text('reason', { min: 10, max: 500 }) }),
  ],
  { errorMap: () => ({ message: 'That request was not understood. Reload the page and try again.' }) },
)

const validId = (id: string | undefined) => {
  if (!id || !/^[0-9a-f-]{36}$/.test(id)) throw new Response('We could not find that request.', { status: 404 })
  return id
}

export async function loader({ params, context }: LoaderFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const id = validId(params.id)
  try {
    const r = await getRequestForStaff(viewer, id)
    return json({
      ...r,
      receivedAt: r.receivedAt.toISOString(),
      dueAt: r.dueAt.toISOString(),
      scheduledFor: r.scheduledFor?.toISOString() ?? null,
      completedAt: r.completedAt?.toISOString() ?? null,
      events: r.events.map((e) => ({ ...e, at: e.at.toISOString() })),
    })
  } catch (error) {
    if (error instanceof PublicError) throw new Response(error.message, { status: error.status })
    throw error
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const id = validId(params.id)
  const parsed = StaffAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return json({ ok: false as const, message: issue.message, data: null }, { status: 400 })
  }
  try {
    const input = parsed.data
    if (input.intent === 'note') {
      await addRequestNote(viewer, id, input.note)
      return json({ ok: true as const, message: 'Note added.', data: null })
    }
    if (input.intent === 'status') {
      await setRequestStatus(viewer, id, input.status, input.resolution, { applyDateOfBirth: input.applyDateOfBirth === 'on' })
      return json({ ok: true as const, message: 'Status changed.', data: null })
    }
    const view = await viewSubjectData(viewer, id, input.reason)
    return json({
      ok: true as const,
      message: 'This view is logged and shown to the person.',
      data: { ...view, account: { ...view.account, createdAt: view.account.createdAt.toISOString() } },
    })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false as const, message: error.message, data: null }, { status: error.status })
  }
}

export default function StaffRequestRoute() {
  const r = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const manual = r.kind === 'correction' || r.kind === 'nominee'
  return (
    <section className="space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <h2 className="text-lg font-semibold">
          {r.kind} request — {r.subject ? `${r.subject.name} (@${r.subject.handle})` : 'erased account'}
        </h2>
        <p className="text-sm text-slate-600">
          {r.status.replace('_', ' ')} · received <LocalTime at={r.receivedAt} style="dateTime" /> · due{' '}
          <span className={r.overdue ? 'font-semibold text-red-700' : ''}><LocalTime at={r.dueAt} style="dateTime" /></span>
          {r.scheduledFor ? <> · erasure runs <LocalTime at={r.scheduledFor} style="dateTime" /></> : ''}
          {r.held ? ' · under legal hold' : ''}
        </p>
        {Object.keys(r.details).length ? (
          <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(r.details, null, 2)}</pre>
        ) : null}
      </div>
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}

      <div>
        <h3 className="font-semibold">History</h3>
        <ol className="mt-2 space-y-1 text-sm" data-testid="request-history">
          {r.events.map((e, i) => (
            <li key={i}>
              <LocalTime at={e.at} style="dateTime" /> — <strong>{e.action.replace(/_/g, ' ')}</strong>
              {e.actor ? ` by ${e.actor}` : ''}
              {e.note ? `: ${e.note}` : ''}
            </li>
          ))}
        </ol>
      </div>

      {r.open && r.subject ? (
        <Form method="post" className="space-y-2">
          <input type="hidden" name="intent" value="view-data" />
          <label className="block text-sm font-medium">
            Open this person’s data — say why (logged and shown to them)
            <input name="reason" required minLength={10} maxLength={500} className={inputClass} />
          </label>
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
            Open their data
          </button>
        </Form>
      ) : null}
      {result?.data ? (
        <div data-testid="subject-data" className="rounded-md bg-slate-50 p-3 text-sm">
          <p>
            {result.data.account.email} · born {result.data.account.dateOfBirth} · joined <LocalTime at={result.data.account.createdAt} style="dateTime" />
          </p>
          {result.data.profile ? (
            <p>
              {result.data.profile.name} (@{result.data.profile.handle}) · {result.data.profile.speciality ?? 'no speciality'} ·{' '}
              {result.data.profile.city ?? 'no city'} · registration {result.data.profile.registrationNumber ?? 'none'}
            </p>
          ) : null}
          <ul className="mt-2 grid grid-cols-2 gap-x-4">
            {Object.entries(result.data.counts).map(([table, n]) => (
              <li key={table}>
                <span className="font-mono">{table}</span>: {n}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {manual && r.open ? (
        <Form method="post" className="space-y-2">
          <input type="hidden" name="intent" value="status" />
          <label className="block text-sm font-medium">
            Answer for the person
            <textarea name="resolution" rows={3} maxLength={2000} className={inputClass} />
          </label>
          {r.kind === 'correction' && r.details.field === 'date_of_birth' ? (
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="applyDateOfBirth" />
              When marking done, set their date of birth to the requested value
            </label>
          ) : null}
          <div className="flex gap-2">
            {(['in_progress', 'completed', 'rejected'] as const).map((s) => (
              <button key={s} type="submit" name="status" value={s} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
                {s === 'in_progress' ? 'Mark in progress' : s === 'completed' ? 'Mark done' : 'Decline'}
              </button>
            ))}
          </div>
        </Form>
      ) : null}

      <Form method="post" className="space-y-2">
        <input type="hidden" name="intent" value="note" />
        <label className="block text-sm font-medium">
          Add a note
          <textarea name="note" rows={2} required maxLength={2000} className={inputClass} />
        </label>
        <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
          Add note
        </button>
      </Form>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
