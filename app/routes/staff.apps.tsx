import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { listAppsForReview, reviewApp } from '#db/apps/index'
import { PublicError } from '#db/errors'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'App review — Rounds staff' }]

const Review = z.object({
  appId: z.string().uuid(),
  status: z.enum(['development', 'public', 'suspended']),
  reason: z.string().trim().max(500).optional(),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  try {
    const apps = await listAppsForReview(viewer)
    return json({ apps: apps.map((a) => ({ id: a.id, name: a.name, description: a.description, homepageUrl: a.homepageUrl, privacyUrl: a.privacyUrl, status: a.status, userCount: a.userCount, developer: a.developer, suspendedReason: a.suspendedReason })) })
  } catch (error) {
    if (error instanceof PublicError) throw json({ message: error.message }, { status: error.status })
    throw error
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = Review.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: 'Choose an app and a decision.' }, { status: 400 })
  try {
    await reviewApp(viewer, parsed.data.appId, parsed.data)
  } catch (error) {
    if (error instanceof PublicError) return json({ ok: false, message: error.message }, { status: error.status })
    throw error
  }
  const said = { public: 'App is now public.', suspended: 'App suspended: every token it held is revoked.', development: 'App is back in development.' }
  return json({ ok: true, message: said[parsed.data.status] })
}

export default function StaffAppsRoute() {
  const { apps } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <h1 className="text-2xl font-semibold">Third-party apps</h1>
      <p className="text-slate-600">Make an app public once its description, privacy policy and permissions make sense for doctors. Suspending stops every token at once.</p>
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}
      <ul className="space-y-3">
        {apps.map((a) => (
          <li key={a.id} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="review-app">
            <p className="font-semibold">
              {a.name} <span className="text-sm font-normal text-slate-500">by {a.developer.name} (@{a.developer.handle}) · {a.status} · {a.userCount} users</span>
            </p>
            <p className="mt-1 text-sm text-slate-700">{a.description}</p>
            <p className="mt-1 text-sm">
              <a className="text-brand-700 underline" href={a.homepageUrl} rel="noopener noreferrer">
                Homepage
              </a>{' '}
              ·{' '}
              <a className="text-brand-700 underline" href={a.privacyUrl} rel="noopener noreferrer">
                Privacy policy
              </a>
            </p>
            {a.suspendedReason ? <p className="mt-1 text-sm text-red-800">Suspended: {a.suspendedReason}</p> : null}
            <div className="mt-3 flex flex-wrap items-end gap-2">
              {a.status !== 'public' ? (
                <Form method="post">
                  <input type="hidden" name="appId" value={a.id} />
                  <input type="hidden" name="status" value="public" />
                  <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700">
                    Make public
                  </button>
                </Form>
              ) : null}
              {a.status === 'suspended' ? (
                <Form method="post">
                  <input type="hidden" name="appId" value={a.id} />
                  <input type="hidden" name="status" value="development" />
                  <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
                    Lift suspension (back to development)
                  </button>
                </Form>
              ) : (
                <Form method="post" className="flex flex-wrap items-end gap-2">
                  <input type="hidden" name="appId" value={a.id} />
                  <input type="hidden" name="status" value="suspended" />
                  <label className="text-sm">
                    Reason
                    <input name="reason" required maxLength={500} className="ml-2 rounded-md border border-slate-300 px-2 py-1" />
                  </label>
                  <button type="submit" className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-800">
                    Suspend
                  </button>
                </Form>
              )}
            </div>
          </li>
        ))}
      </ul>
      {apps.length === 0 ? <p className="text-slate-600">No apps registered yet.</p> : null}
    </div>
  )
}
