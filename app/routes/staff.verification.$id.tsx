import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { decideApplication, openApplication, revokeVerification } from '#db/verification'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { inputClass } from '~/components/forms'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'
import { orErrorPage } from '~/utils/error-page'

export const meta: MetaFunction = () => [{ title: 'Verification application — Rounds' }, { name: 'robots', content: 'noindex' }]

const ReviewAction = z.discriminatedUnion(
  'intent',
  [
    z.object({ intent: z.literal('approve') }),
    z.object({ intent: z.literal('reject'), reason: z.string().max(1000) }),
    z.object({ intent: z.literal('revoke'), reason: z.string().max(1000) }),
  ],
  { errorMap: () => ({ message: 'That request was not understood. Reload the page and try again.' }) },
)

const validId = (id: string | undefined) => {
  if (!id || !/^[0-9a-f-]{36}$/.test(id)) throw new Response('We could not find that application.', { status: 404 })
  return id
}

export async function loader({ params, context }: LoaderFunctionArgs) {
  const id = validId(params.id)
  const a = await orErrorPage(openApplication(context.viewer, id))
  return json({ ...a, appliedAt: a.appliedAt.toISOString() })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const id = validId(params.id)
  const parsed = ReviewAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ message: parsed.error.issues[0].message }, { status: 400 })
  try {
    const input = parsed.data
    if (input.intent === 'revoke') await revokeVerification(context.viewer, id, input.reason)
    else await decideApplication(context.viewer, id, input.intent === 'approve' ? { decision: 'approve' } : { decision: 'reject', reason: input.reason })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    // Someone without the duty learns nothing more from the action than from the page.
    if (error.status === 404) throw new Response(error.message, { status: 404 })
    return json({ message: error.message }, { status: error.status })
  }
  return redirect('/staff/verification')
}

export default function VerificationReviewRoute() {
  const a = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <Link to="/staff/verification" className="text-sm text-brand-700 hover:underline">
        ← Verification queue
      </Link>
      <h1 className="text-2xl font-semibold">
        {a.name} <span className="text-base font-normal text-slate-600">@{a.handle}</span>
      </h1>
      <p className="text-sm text-slate-600">This view is logged and shown to the doctor under “Who accessed my data”.</p>
      {result ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800">
          {result.message}
        </p>
      ) : null}
      <div className="grid gap-4 md:grid-cols-2">
        <dl className="space-y-2 rounded-xl border border-slate-200 bg-white p-4" data-testid="application-details">
          <div>
            <dt className="text-sm text-slate-600">Status</dt>
            <dd>{a.state.replace('_', ' ')}</dd>
          </div>
          <div>
            <dt className="text-sm text-slate-600">Council</dt>
            <dd>{a.council}</dd>
          </div>
          <div>
            <dt className="text-sm text-slate-600">Registration number</dt>
            <dd className="font-mono">{a.registrationNumber}</dd>
          </div>
          <div>
            <dt className="text-sm text-slate-600">Year of registration</dt>
            <dd>{a.registrationYear}</dd>
          </div>
          <div>
            <dt className="text-sm text-slate-600">Applied</dt>
            <dd>
              <LocalTime at={a.appliedAt} style="dateTime" />
            </dd>
          </div>
          {a.registerUrl ? (
            <p>
              <a href={a.registerUrl} target="_blank" rel="noreferrer noopener" className="text-brand-700 hover:underline">
                Search the council’s public register
              </a>{' '}
              <span className="text-sm text-slate-600">(opens the register; look up the number and name by hand)</span>
            </p>
          ) : (
            <p className="text-sm text-slate-600">No public register is known for this regulator: check with the regulator directly.</p>
          )}
          {a.reason ? <p className="text-sm">Reason given: {a.reason}</p> : null}
        </dl>
        <div className="rounded-xl border border-slate-200 bg-white p-4">
          {a.hasDocument ? (
            a.documentType === 'application/pdf' ? (
              <a href={`/staff/verification/${a.id}/document`} target="_blank" rel="noreferrer" className="text-brand-700 hover:underline">
                Open the document (PDF)
              </a>
            ) : (
              <img src={`/staff/verification/${a.id}/document`} alt={`Registration document uploaded by ${a.name}`} className="max-h-[32rem] w-full object-contain" />
            )
          ) : (
            <p className="text-sm text-slate-600">The document was deleted when the application was decided.</p>
          )}
        </div>
      </div>
      {a.state === 'pending' && !a.isOwn ? (
        <div className="flex flex-wrap gap-4">
          <Form method="post">
            <input type="hidden" name="intent" value="approve" />
            <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
              Approve
            </button>
          </Form>
          <Form method="post" className="flex flex-1 items-end gap-2">
            <input type="hidden" name="intent" value="reject" />
            <label className="block flex-1 text-sm font-medium">
              Reason for rejecting (the doctor sees it)
              <input name="reason" required minLength={3} maxLength={1000} className={inputClass} />
            </label>
            <button type="submit" className="rounded-md border border-slate-300 px-4 py-2 hover:bg-slate-50">
              Reject
            </button>
          </Form>
        </div>
      ) : null}
      {a.state === 'verified' || a.state === 'reverification_due' ? (
        <Form method="post" className="flex items-end gap-2">
          <input type="hidden" name="intent" value="revoke" />
          <label className="block flex-1 text-sm font-medium">
            Reason for revoking (the doctor sees it)
            <input name="reason" required minLength={3} maxLength={1000} className={inputClass} />
          </label>
          <button type="submit" className="rounded-md border border-red-300 px-4 py-2 text-red-800 hover:bg-red-50">
            Revoke
          </button>
        </Form>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
