import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { listLegalHolds, placeLegalHold, releaseLegalHold } from '#db/data-rights/index'
import { PublicError } from '#db/errors'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { inputClass } from '~/components/forms'
import { requireStaffViewer } from '~/utils/staff.server'
import { text } from '~/utils/validation'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

const HoldAction = z.discriminatedUnion(
  'intent',
  [
    z.object({
      intent: z.literal('place'),
      handle: z.string({ required_error: 'Enter the doctor’s handle.' }).trim().min(1, 'Enter the doctor’s handle.').max(60, 'That handle is too long.'),
      reason: text('reason', { min: 10, max: 1000, multiline: true }),
    }),
    z.object({ intent: z.literal('release'), holdId: z.string({ required_error: 'Choose a hold.' }).uuid('Choose a hold.') }),
  ],
  { errorMap: () => ({ message: 'That request was not understood. Reload the page and try again.' }) },
)

export async function loader({ context }: LoaderFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const holds = await listLegalHolds(viewer)
  return json({ holds: holds.map((h) => ({ ...h, createdAt: h.createdAt.toISOString() })) })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireStaffViewer(context)
  const parsed = HoldAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  try {
    if (parsed.data.intent === 'place') {
      await placeLegalHold(viewer, parsed.data.handle.replace(/^@/, ''), parsed.data.reason)
      return json({ ok: true, message: 'Hold placed. If this person is erased, erasure keeps what the hold needs.' })
    }
    await releaseLegalHold(viewer, parsed.data.holdId)
    return json({ ok: true, message: 'Hold released.' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

export default function LegalHoldsRoute() {
  const { holds } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 className="text-lg font-semibold">Legal holds</h2>
      <p className="text-sm text-slate-600">
        A hold keeps the minimum an investigation or claim needs if the person is erased: their account row (anonymised), their comments and
        questions, and the access log. Holds are not shown to the person.
      </p>
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}
      {holds.length ? (
        <ul className="divide-y divide-slate-200" data-testid="legal-holds">
          {holds.map((h) => (
            <li key={h.id} className="flex flex-wrap items-start justify-between gap-2 py-3">
              <div>
                <p className="font-medium">{h.subject ? `${h.subject.name} (@${h.subject.handle})` : 'Erased account'}</p>
                <p className="text-sm text-slate-600">
                  {h.reason} — set <LocalTime at={h.createdAt} style="day" />
                  {h.setBy ? ` by ${h.setBy}` : ''}
                </p>
              </div>
              <Form method="post">
                <input type="hidden" name="intent" value="release" />
                <input type="hidden" name="holdId" value={h.id} />
                <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
                  Release
                </button>
              </Form>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-slate-600">No active holds.</p>
      )}
      <Form method="post" className="space-y-2 border-t border-slate-200 pt-4">
        <input type="hidden" name="intent" value="place" />
        <label className="block text-sm font-medium">
          Doctor’s handle
          <input name="handle" required maxLength={60} className={inputClass} />
        </label>
        <label className="block text-sm font-medium">
          Reason (the claim or investigation)
          <textarea name="reason" required minLength={10} maxLength={1000} rows={2} className={inputClass} />
        </label>
        <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
          Place hold
        </button>
      </Form>
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
