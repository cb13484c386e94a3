import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { moderationScope } from '#db/access/index'
import { PublicError } from '#db/errors'
import { appealAction, listActionsOnMe, listMyReports } from '#db/moderation/index'
import { DETAILS_MAX, itemKindLabel, moderatorActionLabel, reportReasonLabel } from '#db/moderation/reasons'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Reports and moderation — Rounds' }]

const Appeal = z.object({
  intent: z.literal('appeal', { errorMap: () => ({ message: 'That request was not understood.' }) }),
  actionId: z.string({ required_error: 'Say which decision you appeal.' }).max(100, 'Say which decision you appeal.'),
  body: z
    .string({ required_error: 'Say why the decision is wrong.' })
    .trim()
    .min(1, 'Say why the decision is wrong.')
    .max(DETAILS_MAX, `Keep your appeal under ${DETAILS_MAX} characters.`),
})

const statusLabel = { open: 'Waiting for a moderator', dismissed: 'Reviewed: left up', actioned: 'Reviewed: action taken' } as const
const appealLabel = { open: 'Waiting for a moderator', upheld: 'Turned down', overturned: 'Accepted: the decision was undone' } as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const [reports, actions, scope] = await Promise.all([listMyReports(viewer), listActionsOnMe(viewer), moderationScope(viewer)])
  return json({ reports, actions, moderates: scope !== null })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = Appeal.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  try {
    await appealAction(viewer, parsed.data.actionId, { body: parsed.data.body })
    return json({ ok: true, message: 'Appeal sent. A moderator will look at it; the outcome shows here and in your notifications.' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

export default function ModerationSettingsRoute() {
  const { reports, actions, moderates } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Reports and moderation</h1>
        <p className="mt-1 text-slate-600">What you reported and what happened to it, and what moderators decided about what you wrote.</p>
        {moderates ? (
          <p className="mt-2">
            <Link to="/moderation" className="font-medium text-brand-700 hover:underline">
              Open the moderation queue
            </Link>{' '}
            for reports you decide.
          </p>
        ) : null}
        {result ? (
          <p role={result.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
            {result.message}
          </p>
        ) : null}

        <h2 className="mt-6 text-lg font-semibold">Decisions about your content</h2>
        {actions.length === 0 ? (
          <p className="mt-2 rounded-md bg-slate-100 p-3 text-slate-700" data-testid="no-actions">
            Nothing you wrote has been held back or acted on.
          </p>
        ) : (
          <ul className="mt-2 space-y-3" data-testid="actions-on-me">
            {actions.map((a) => (
              <li key={a.id} className="rounded-md border border-slate-200 p-3" data-testid="action-on-me">
                <p className="font-medium">
                  {moderatorActionLabel[a.action as keyof typeof moderatorActionLabel] ?? a.action}
                  {a.kind ? ` — your ${itemKindLabel[a.kind]}` : ''} · <LocalTime at={a.createdAt} style="day" />
                </p>
                {a.itemText ? <blockquote className="mt-1 border-l-2 border-slate-300 pl-2 text-sm text-slate-700">{a.itemText}</blockquote> : null}
                <p className="mt-1 text-sm text-slate-700">Reason: {a.reason}</p>
                {a.until ? (
                  <p className="text-sm text-slate-700">
                    Until <LocalTime at={a.until} />
                  </p>
                ) : null}
                {a.appeal ? (
                  <p className="mt-1 text-sm" data-testid="appeal-status">
                    Your appeal: {appealLabel[a.appeal.status]}
                  </p>
                ) : a.mayAppeal && a.appealBy ? (
                  <details className="mt-2">
                    <summary className="cursor-pointer text-sm font-medium text-brand-700">
                      Appeal (until <LocalTime at={a.appealBy} style="day" />)
                    </summary>
                    <Form method="post" className="mt-2 space-y-2">
                      <input type="hidden" name="intent" value="appeal" />
                      <input type="hidden" name="actionId" value={a.id} />
                      <label htmlFor={`appeal-${a.id}`} className="block text-sm font-medium">
                        Why is the decision wrong?
                      </label>
                      <textarea id={`appeal-${a.id}`} name="body" rows={3} required maxLength={DETAILS_MAX} className="block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
                      <button
                        type="submit"
                        disabled={navigation.state === 'submitting'}
                        className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
                      >
                        Send appeal
                      </button>
                    </Form>
                  </details>
                ) : a.appealBy ? (
                  <p className="mt-1 text-sm text-slate-500">The 30 days to appeal have passed.</p>
                ) : null}
              </li>
            ))}
          </ul>
        )}

        <h2 className="mt-6 text-lg font-semibold">Your reports</h2>
        {reports.length === 0 ? (
          <p className="mt-2 rounded-md bg-slate-100 p-3 text-slate-700" data-testid="no-reports">
            You have not reported anything. To report something, use Report beside it.
          </p>
        ) : (
          <ul className="mt-2 space-y-3" data-testid="my-reports">
            {reports.map((r) => (
              <li key={r.id} className="rounded-md border border-slate-200 p-3" data-testid="my-report">
                <p className="font-medium">
                  A {itemKindLabel[r.kind]} · {reportReasonLabel[r.reason]} · <LocalTime at={r.createdAt} style="day" />
                </p>
                <p className="mt-1 text-sm text-slate-700">{statusLabel[r.status]}</p>
                {r.outcome ? <p className="mt-1 text-sm text-slate-700">{r.outcome}</p> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
