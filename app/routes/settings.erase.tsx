import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { listMyClubs } from '#db/clubs'
import { ERASURE_GRACE_DAYS, cancelErasure, getPendingErasure, lastCancelledErasure, requestErasure } from '#db/data-rights/index'
import { PublicError } from '#db/errors'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { FieldErrors, inputClass } from '~/components/forms'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { PASSWORD_MAX } from '~/utils/password-rules'
import { checkPasswordAgain } from '~/utils/reauth.server'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Erase your account — Rounds' }]

const EraseAction = z.discriminatedUnion(
  'intent',
  [
    z.object({
      intent: z.literal('erase'),
      password: z
        .string({ required_error: 'Enter your password.', invalid_type_error: 'Enter your password.' })
        .min(1, 'Enter your password.')
        .max(PASSWORD_MAX, 'That password is longer than any Rounds accepts.'),
      confirm: z.literal('on', { errorMap: () => ({ message: 'Tick the box to confirm you understand.' }) }),
    }),
    z.object({
      intent: z.literal('cancel'),
      requestId: z.string({ required_error: 'Choose the erasure to cancel.' }).max(60, 'That request id is not valid.'),
    }),
  ],
  { errorMap: () => ({ message: 'That request was not understood. Reload the page and try again.' }) },
)

type Reply = { ok: boolean; message: string; field?: string }

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId, viewer } = requireUser(context, request)
  const [pending, clubs, cancelledAt] = await Promise.all([getPendingErasure(userId), listMyClubs(viewer), lastCancelledErasure(userId)])
  return json({
    pending: pending ? { id: pending.id, scheduledFor: pending.scheduledFor.toISOString() } : null,
    cancelledAt: cancelledAt?.toISOString() ?? null,
    ownedClubs: clubs.filter((c) => c.role === 'owner').map((c) => ({ name: c.name, memberCount: c.memberCount })),
    graceDays: ERASURE_GRACE_DAYS,
  })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId, viewer } = requireUser(context, request)
  const parsed = EraseAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return json<Reply>({ ok: false, message: issue.message, field: String(issue.path[0] ?? '') }, { status: 400 })
  }
  try {
    if (parsed.data.intent === 'cancel') {
      await cancelErasure(viewer, parsed.data.requestId)
      return redirect('/settings/erase?cancelled=1')
    }
    const refused = await checkPasswordAgain(context, userId, parsed.data.password)
    if (refused) return json<Reply>({ ok: false, message: refused.message, field: refused.field }, { status: refused.status })
    await requestErasure(viewer)
    return redirect('/settings/erase')
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json<Reply>({ ok: false, message: error.message, field: error.field }, { status: error.status })
  }
}

export default function EraseRoute() {
  const { pending, cancelledAt, ownedClubs, graceDays } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Erase your account</h1>
        {result && !result.field ? (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800">
            {result.message}
          </p>
        ) : null}
        {pending ? (
          <>
            <p className="text-slate-700" data-testid="erasure-pending">
              Your account will be erased on <strong><LocalTime at={pending.scheduledFor} style="longDateTime" /></strong>. Until then you can use Rounds as
              usual and change your mind.
            </p>
            <Form method="post">
              <input type="hidden" name="intent" value="cancel" />
              <input type="hidden" name="requestId" value={pending.id} />
              <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
                Cancel the erasure and keep my account
              </button>
            </Form>
          </>
        ) : (
          <>
            {cancelledAt ? (
              <p role="status" className="rounded-md bg-brand-50 p-3 text-brand-900" data-testid="erasure-cancelled">
                You cancelled the erasure on <LocalTime at={cancelledAt} style="longDateTime" />. Your account stays as it is; we emailed you to
                confirm.
              </p>
            ) : null}
            <p className="text-slate-700">
              We delete your profile, follows, memberships, comments, questions, answers and attendance, sign you out everywhere, and email you a
              receipt of what was removed and what the law makes us keep. You have {graceDays} days to change your mind.
            </p>
            {ownedClubs.length ? (
              <p className="rounded-md bg-amber-50 p-3 text-amber-900">
                You own {ownedClubs.map((c) => `“${c.name}”`).join(', ')}. Each passes to its longest-standing admin (or member); a club with no one
                else in it is closed. Talks and quizzes you ran there pass to the new owner.
              </p>
            ) : null}
            <p className="text-sm text-slate-600">Want a copy first? Ask for one in Your data before you go.</p>
            <Form method="post" className="space-y-3">
              <input type="hidden" name="intent" value="erase" />
              <label className="block text-sm font-medium text-slate-800">
                Your password
                <input
                  type="password"
                  name="password"
                  autoComplete="current-password"
                  required
                  className={inputClass}
                  aria-invalid={result?.field === 'password' || undefined}
                  aria-describedby="password-errors"
                />
              </label>
              <FieldErrors id="password-errors" errors={result?.field === 'password' ? [result.message] : null} />
              <label className="flex items-start gap-2 text-sm">
                <input type="checkbox" name="confirm" required className="mt-1" />I understand my account and what I wrote will be erased after{' '}
                {graceDays} days.
              </label>
              <FieldErrors id="confirm-errors" errors={result?.field === 'confirm' ? [result.message] : null} />
              <button type="submit" className="rounded-md bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800">
                Erase my account
              </button>
            </Form>
          </>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
