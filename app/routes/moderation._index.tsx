import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { decideAppeal, listModerationQueue, listOpenAppeals } from '#db/moderation/index'
import { REASON_MAX, itemKindLabel, moderatorActionLabel, reportReasonLabel } from '#db/moderation/reasons'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'
import { orErrorPage } from '~/utils/error-page'

const AppealDecision = z.object({
  appealId: z.string({ required_error: 'Say which appeal.' }).max(100, 'Say which appeal.'),
  decision: z.enum(['overturn', 'uphold'], { errorMap: () => ({ message: 'Choose Accept or Turn down.' }) }),
  reason: z
    .string({ required_error: 'Write the reason: the author is told it.' })
    .trim()
    .min(1, 'Write the reason: the author is told it.')
    .max(REASON_MAX, `Keep the reason under ${REASON_MAX} characters.`),
})

export const meta: MetaFunction = () => [{ title: 'Moderation — Rounds' }, { name: 'robots', content: 'noindex' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const [{ scope, entries }, appeals] = await orErrorPage(Promise.all([listModerationQueue(viewer), listOpenAppeals(viewer)]))
  return json({ everything: scope.everything, entries, appeals })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = AppealDecision.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  try {
    const { overturned } = await decideAppeal(viewer, parsed.data.appealId, { overturn: parsed.data.decision === 'overturn', reason: parsed.data.reason })
    return json({ ok: true, message: overturned ? 'Appeal accepted: the decision is undone and its author told.' : 'Appeal turned down; its author was told.' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

export default function ModerationQueueRoute() {
  const { everything, entries, appeals } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  return (
    <div className="mx-auto max-w-4xl">
      <h1 className="text-2xl font-semibold">Moderation</h1>
      <p className="mt-1 text-slate-600">
        {everything ? 'Open reports from all of Rounds.' : 'Open reports about your clubs’ talks, comments, questions and quizzes.'} Items
        that may identify a patient come first, then the most reported.
      </p>
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}
      {entries.length === 0 ? (
        <p className="mt-6 rounded-md bg-slate-100 p-4 text-slate-700" data-testid="queue-empty">
          Nothing to review.
        </p>
      ) : (
        <ul className="mt-6 space-y-3" data-testid="queue">
          {entries.map((e) => (
            <li key={`${e.kind}:${e.id}`} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="queue-entry">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <Link to={`/moderation/items/${e.kind}/${e.id}`} className="font-semibold text-brand-700 hover:underline">
                  {e.item?.title ?? `A ${itemKindLabel[e.kind]} that no longer exists`}
                </Link>
                <span className="text-sm text-slate-600">
                  {e.reports} {e.reports === 1 ? 'report' : 'reports'} · newest <LocalTime at={e.newestAt} />
                </span>
              </div>
              {e.item ? <blockquote className="mt-2 line-clamp-3 border-l-2 border-slate-300 pl-2 text-slate-800">{e.item.text || '—'}</blockquote> : null}
              <p className="mt-2 flex flex-wrap gap-1.5 text-xs">
                {e.hold ? (
                  <span className="rounded bg-amber-100 px-1.5 py-0.5 font-semibold text-amber-900">{e.hold === 'hidden' ? 'Hidden until decided' : 'Removed'}</span>
                ) : null}
                {e.reasons.map((r) => (
                  <span key={r} className={`rounded px-1.5 py-0.5 ${r === 'patient_information' ? 'bg-red-100 font-semibold text-red-900' : 'bg-slate-100'}`}>
                    {reportReasonLabel[r]}
                  </span>
                ))}
                {e.flaggedBySystem ? <span className="rounded bg-slate-100 px-1.5 py-0.5">Watched words</span> : null}
              </p>
              <p className="mt-1 text-sm text-slate-600">
                {e.item?.author ? `By ${e.item.author.name} (@${e.item.author.handle})` : e.item?.authorErased ? 'Erased account' : 'Author unknown'}
                {e.item?.club ? ` in ${e.item.club.name}` : ''}
                {e.priorActions > 0 ? ` · ${e.priorActions} earlier ${e.priorActions === 1 ? 'decision' : 'decisions'} about them` : ''}
              </p>
            </li>
          ))}
        </ul>
      )}
      <h2 className="mt-8 text-lg font-semibold">Appeals</h2>
      {appeals.length === 0 ? (
        <p className="mt-2 rounded-md bg-slate-100 p-4 text-slate-700">No open appeals.</p>
      ) : (
        <ul className="mt-2 space-y-2" data-testid="appeals">
          {appeals.map((a) => (
            <li key={a.id} className="rounded-md border border-slate-200 bg-white p-3">
              <p className="font-medium">
                {moderatorActionLabel[a.action]}
                {a.kind && a.itemId ? (
                  <>
                    {' · '}
                    <Link to={`/moderation/items/${a.kind}/${a.itemId}`} className="text-brand-700 hover:underline">
                      the {itemKindLabel[a.kind]}
                    </Link>
                  </>
                ) : null}{' '}
                · <LocalTime at={a.createdAt} style="day" />
              </p>
              <p className="mt-1 text-sm text-slate-700">
                The moderator wrote: {a.reason}
                <br />
                The author appeals: “{a.body}”
              </p>
              <Form method="post" className="mt-2 flex flex-wrap items-end gap-2">
                <input type="hidden" name="appealId" value={a.id} />
                <label className="flex-1 text-sm">
                  <span className="block font-medium">Reason (the author is told it)</span>
                  <input name="reason" required maxLength={REASON_MAX} className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" />
                </label>
                <button
                  type="submit"
                  name="decision"
                  value="overturn"
                  disabled={navigation.state === 'submitting'}
                  className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
                >
                  Accept appeal
                </button>
                <button
                  type="submit"
                  name="decision"
                  value="uphold"
                  disabled={navigation.state === 'submitting'}
                  className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-60"
                >
                  Turn down
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
