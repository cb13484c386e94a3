import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { decideItem, getModerationItem } from '#db/moderation/index'
import { LIMIT_DAYS_MAX, REASON_MAX, itemKindLabel, moderatorActionLabel, moderatorActions, reportReasonLabel, type ModeratorAction } from '#db/moderation/reasons'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'
import { orErrorPage } from '~/utils/error-page'

export const meta: MetaFunction = () => [{ title: 'Review an item — Moderation — Rounds' }, { name: 'robots', content: 'noindex' }]

const Decision = z.object({
  action: z.enum(moderatorActions, { errorMap: () => ({ message: 'Choose what to do.' }) }),
  reason: z
    .string({ required_error: 'Write the reason: the author is told it.' })
    .trim()
    .min(1, 'Write the reason: the author is told it.')
    .max(REASON_MAX, `Keep the reason under ${REASON_MAX} characters.`),
  days: z.string().max(3, `Choose a limit of 1 to ${LIMIT_DAYS_MAX} days.`).optional(),
})

const choiceLabel: Record<ModeratorAction, string> = {
  dismiss: 'Dismiss the reports (leave it up)',
  restore: 'Restore it (lift the hold)',
  remove: 'Remove it',
  warn: 'Warn its author',
  limit: 'Limit its author’s posting',
  suspend: 'Suspend its author’s account',
  ban_from_club: 'Ban its author from the club',
}


export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const page = await orErrorPage(getModerationItem(viewer, params.kind ?? '', params.id ?? ''))
  return json({ page })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = Decision.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  try {
    const { action: done, authorTold } = await decideItem(viewer, params.kind ?? '', params.id ?? '', parsed.data)
    return json({ ok: true, message: `${moderatorActionLabel[done]}. ${authorTold ? 'Its author and the reporters were told.' : 'The reporters were told.'}` })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

export default function ModerationItemRoute() {
  const { page } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const { item } = page
  const choices = moderatorActions.filter(
    (a) =>
      (a !== 'suspend' || page.may.suspend) &&
      (a !== 'ban_from_club' || page.may.banFromClub) &&
      (a !== 'remove' || page.may.remove) &&
      (a !== 'restore' || page.hold !== null) &&
      // With its author's account gone, only the item itself is decided.
      (page.authorId !== null || a === 'dismiss' || a === 'remove' || a === 'restore'),
  )
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <p>
        <Link to="/moderation" className="text-sm text-brand-700 hover:underline">
          ← Moderation queue
        </Link>
      </p>
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">{item?.title ?? `A ${itemKindLabel[page.kind]} that no longer exists`}</h1>
        {item ? (
          <>
            <blockquote className="mt-3 whitespace-pre-wrap break-words border-l-4 border-slate-300 pl-3 text-slate-900" data-testid="item-text">
              {item.text || '—'}
            </blockquote>
            <p className="mt-2 text-sm text-slate-600">
              {item.author ? (
                <>
                  By <Link to={`/u/${item.author.handle}`}>{item.author.name}</Link> (@{item.author.handle})
                </>
              ) : item.authorErased ? (
                <span data-testid="item-author-erased">Erased account</span>
              ) : (
                'Author unknown'
              )}
              {item.club ? (
                <>
                  {' '}
                  in <Link to={`/c/${item.club.slug}`}>{item.club.name}</Link>
                </>
              ) : null}
              {item.link ? (
                <>
                  {' · '}
                  <Link to={item.link} className="text-brand-700 hover:underline">
                    Open where it was posted
                  </Link>
                </>
              ) : null}
              {item.deleted ? ' · Deleted by its author' : ''}
            </p>
          </>
        ) : null}
        {page.hold ? (
          <p className="mt-3 rounded-md bg-amber-50 p-2 text-sm text-amber-900" data-testid="item-hold">
            {page.hold.state === 'hidden' ? 'Hidden from everyone but its author' : 'Removed'} since <LocalTime at={page.hold.since} />: {page.hold.reason}
          </p>
        ) : null}
        {page.restriction?.suspended ? <p className="mt-2 text-sm text-red-800">Its author’s account is suspended.</p> : null}
        {page.restriction?.postingLimitedUntil && new Date(page.restriction.postingLimitedUntil) > new Date() ? (
          <p className="mt-2 text-sm text-amber-900">
            Its author cannot post until <LocalTime at={page.restriction.postingLimitedUntil} />.
          </p>
        ) : null}
      </section>

      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold">Reports</h2>
        <ul className="mt-2 space-y-2">
          {page.reports.map((r) => (
            <li key={r.id} className="text-sm" data-testid="item-report">
              <span className={r.reason === 'patient_information' ? 'font-semibold text-red-800' : 'font-medium'}>{reportReasonLabel[r.reason]}</span>
              {r.bySystem ? ' (watched words)' : ''} · <LocalTime at={r.createdAt} /> · {r.status}
              {r.details ? <span className="block text-slate-700">“{r.details}”</span> : null}
            </li>
          ))}
        </ul>
      </section>

      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold">Decide</h2>
        {result ? (
          <p role={result.ok ? 'status' : 'alert'} className={`mt-2 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
            {result.message}
          </p>
        ) : null}
        <Form method="post" className="mt-3 space-y-3">
          <fieldset>
            <legend className="text-sm font-medium">What to do</legend>
            {choices.map((choice) => (
              <label key={choice} className="mt-1 flex items-center gap-2 text-sm">
                <input type="radio" name="action" value={choice} required />
                {choiceLabel[choice]}
              </label>
            ))}
          </fieldset>
          <label className="block text-sm">
            <span className="font-medium">Days (for a posting limit)</span>
            <input name="days" type="number" min={1} max={LIMIT_DAYS_MAX} defaultValue={7} className="mt-1 block w-24 rounded-md border border-slate-300 px-2 py-1.5" />
          </label>
          <label className="block text-sm">
            <span className="font-medium">Reason (the author is told it; reporters are told the outcome, never who decided)</span>
            <textarea name="reason" required maxLength={REASON_MAX} rows={3} className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" />
          </label>
          <button
            type="submit"
            disabled={navigation.state === 'submitting'}
            className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
          >
            Decide
          </button>
        </Form>
      </section>

      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold">History</h2>
        {page.authorHistory.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No earlier decisions about its author.</p>
        ) : (
          <ul className="mt-2 space-y-1 text-sm" data-testid="author-history">
            {page.authorHistory.map((a) => (
              <li key={a.id}>
                <LocalTime at={a.createdAt} style="day" /> · {moderatorActionLabel[a.action]}
                {a.kind ? ` (${itemKindLabel[a.kind]})` : ''}
                {a.automatic ? ' · automatic' : ''}: {a.reason}
              </li>
            ))}
          </ul>
        )}
        {page.openAppeals.length > 0 ? (
          <p className="mt-3 text-sm">
            {page.openAppeals.length} open {page.openAppeals.length === 1 ? 'appeal' : 'appeals'}: decide {page.openAppeals.length === 1 ? 'it' : 'them'} in the{' '}
            <Link to="/moderation" className="text-brand-700 hover:underline">
              queue
            </Link>
            .
          </p>
        ) : null}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
