import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Fragment, type ReactNode } from 'react'
import { z } from 'zod'
import { addRequestNote, getRequestForStaff, setRequestStatus, viewSubjectData } from '#db/data-rights/index'
import { PublicError } from '#db/errors'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { inputClass } from '~/components/forms'
import { requireStaffViewer } from '~/utils/staff.server'
import { optionalText, text } from '~/utils/validation'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'
import { personalDataSections, requestDetailFields, requestKindLabels } from '~/utils/personal-data-labels'

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
  const manual = r.kind === 'correction' || r.kind === 'nominee' || r.kind === 'grievance'
  return (
    <section className="space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <h2 className="text-lg font-semibold">
          {requestKindLabels[r.kind] ?? r.kind} — {r.subject ? `${r.subject.name} (@${r.subject.handle})` : 'erased account'}
        </h2>
        <p className="text-sm text-slate-600">
          {r.status.replace('_', ' ')} · received <LocalTime at={r.receivedAt} style="dateTime" /> · due{' '}
          <span className={r.overdue ? 'font-semibold text-red-700' : ''}><LocalTime at={r.dueAt} style="dateTime" /></span>
          {r.scheduledFor ? <> · erasure runs <LocalTime at={r.scheduledFor} style="dateTime" /></> : ''}
          {r.held ? ' · under legal hold' : ''}
        </p>
        {requestDetailFields(r.details).length ? (
          <dl className="mt-3 rounded-md bg-slate-50 p-3 text-sm" data-testid="request-details">
            {requestDetailFields(r.details).map((d) => (
              <div key={d.label} className="grid gap-1 py-1 sm:grid-cols-[14rem_1fr]">
                <dt className="font-medium text-slate-500">{d.label}</dt>
                <dd className="whitespace-pre-line break-words">{d.value}</dd>
              </div>
            ))}
          </dl>
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
      {result?.data ? <SubjectData data={result.data} /> : null}

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

type SubjectView = {
  account: { email: string; dateOfBirth: string; createdAt: string; emailVerified: boolean }
  profile: { handle: string; name: string; speciality: string | null; city: string | null; registrationNumber: string | null; visibility: string } | null
  counts: Record<string, number>
}

function Fields({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid gap-x-4 gap-y-1 sm:grid-cols-[12rem_1fr]">
      {rows.map(([label, value]) => (
        <Fragment key={label}>
          <dt className="font-medium text-slate-500">{label}</dt>
          <dd className="break-words">{value}</dd>
        </Fragment>
      ))}
    </dl>
  )
}

/** The person's data as an officer reads it: labelled fields, then what is stored, by kind. */
function SubjectData({ data }: { data: SubjectView }) {
  const { sections, empty } = personalDataSections(data.counts)
  return (
    <div data-testid="subject-data" className="space-y-4 rounded-md border border-slate-200 bg-slate-50 p-4 text-sm">
      <section>
        <h3 className="mb-2 font-semibold">Account</h3>
        <Fields
          rows={[
            ['Email address', `${data.account.email}${data.account.emailVerified ? '' : ' (not confirmed)'}`],
            ['Date of birth', data.account.dateOfBirth],
            ['Joined', <LocalTime key="joined" at={data.account.createdAt} style="dateTime" />],
          ]}
        />
      </section>
      {data.profile ? (
        <section>
          <h3 className="mb-2 font-semibold">Profile</h3>
          <Fields
            rows={[
              ['Name', data.profile.name],
              ['Handle', `@${data.profile.handle}`],
              ['Speciality', data.profile.speciality ?? '—'],
              ['City', data.profile.city ?? '—'],
              ['Registration number', data.profile.registrationNumber ?? '—'],
              ['Profile is', data.profile.visibility === 'private' ? 'Private' : 'Public'],
            ]}
          />
        </section>
      ) : null}
      <section>
        <h3 className="mb-2 font-semibold">What we hold about them</h3>
        <div className="grid gap-4 sm:grid-cols-2">
          {sections.map((section) => (
            <div key={section.title}>
              <h4 className="font-medium">{section.title}</h4>
              <ul className="mt-1 space-y-0.5">
                {section.items.map((item) => (
                  <li key={item.label} className="flex justify-between gap-2">
                    <span>{item.label}</span>
                    <span className="tabular-nums text-slate-600">{item.count}</span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
        {empty ? <p className="mt-2 text-slate-500">Nothing stored in {empty} other kinds of data.</p> : null}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
