import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { listFollowRequests, respondToFollowRequest } from '#db/follows'
import { getOwnProfile } from '#db/profiles'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { PeopleList } from '~/components/people-list'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Follow requests — Rounds' }]

const RespondToRequest = z.object({
  intent: z.enum(['approve', 'decline'], { errorMap: () => ({ message: 'Choose Approve or Decline.' }) }),
  handle: z
    .string({ required_error: 'Choose a request to answer.' })
    .trim()
    .min(1, 'Choose a request to answer.')
    .max(60, 'That handle is too long.'),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer, userId } = requireUser(context, request)
  const [requests, me] = await Promise.all([listFollowRequests(viewer), getOwnProfile(userId)])
  return json({
    requests: requests.map((r) => ({ ...r, requestedAt: r.requestedAt.toISOString() })),
    visibility: me.visibility,
  })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = RespondToRequest.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  const { intent, handle } = parsed.data
  try {
    await respondToFollowRequest(viewer, handle, intent === 'approve')
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
  return json({
    ok: true,
    message: intent === 'approve' ? 'Approved. They now see your full profile.' : 'Request declined.',
  })
}

export default function FollowRequestsRoute() {
  const { requests, visibility } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Follow requests</h1>
        <p className="mt-2 text-slate-600">
          Approved followers see your full profile and whom you follow.{' '}
          {visibility === 'public' ? 'Your profile is public, so new followers do not need approval.' : null}
        </p>
        {result ? (
          <p role={result.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
            {result.message}
          </p>
        ) : null}
        {requests.length ? (
          <div className="mt-4">
            <PeopleList
              people={requests}
              label="Waiting for your answer"
              actions={(person) => (
                <>
                  <span className="self-center text-xs text-slate-500">
                    Asked <LocalTime at={person.requestedAt} style="day" />
                  </span>
                  <Form method="post">
                    <input type="hidden" name="handle" value={person.handle} />
                    <button
                      type="submit"
                      name="intent"
                      value="approve"
                      aria-label={`Approve ${person.name}`}
                      className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700"
                    >
                      Approve
                    </button>
                  </Form>
                  <Form method="post">
                    <input type="hidden" name="handle" value={person.handle} />
                    <button
                      type="submit"
                      name="intent"
                      value="decline"
                      aria-label={`Decline ${person.name}`}
                      className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50"
                    >
                      Decline
                    </button>
                  </Form>
                </>
              )}
            />
          </div>
        ) : (
          <p className="mt-4 rounded-md bg-slate-100 p-4 text-slate-700" data-testid="no-requests">
            No requests are waiting.{' '}
            {visibility === 'private' ? (
              'When a doctor asks to follow you, the request shows here.'
            ) : (
              <>
                To approve each follower, make your profile private in{' '}
                <Link to="/settings/profile" className="font-medium text-brand-700 underline">
                  Profile settings
                </Link>
                .
              </>
            )}
          </p>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
