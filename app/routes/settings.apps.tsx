import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { APP_SCOPES, listAppReads, listConnectedApps, revokeAllApps, revokeApp } from '#db/apps/index'
import { PublicError } from '#db/errors'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Connected apps — Rounds' }]

const AppsAction = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('revoke'), appId: z.string().uuid() }),
  z.object({ intent: z.literal('revoke-all') }),
])

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const [apps, reads] = await Promise.all([listConnectedApps(viewer), listAppReads(viewer, 30)])
  return json({
    apps: apps.map((a) => ({
      ...a,
      permissions: a.scopes
        .filter((s) => s !== 'openid')
        .map((s) => (s === 'clubs:read' ? 'See your public clubs, and the private clubs you shared' : APP_SCOPES[s])),
      readsClubs: a.scopes.includes('clubs:read'),
      authorisedAt: a.authorisedAt.toISOString(),
      lastUsedAt: a.lastUsedAt?.toISOString() ?? null,
    })),
    reads: reads.map((r) => ({ ...r, at: r.at.toISOString() })),
  })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = AppsAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: 'Choose which app to revoke.' }, { status: 400 })
  try {
    if (parsed.data.intent === 'revoke') await revokeApp(viewer, parsed.data.appId)
    else await revokeAllApps(viewer)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
  return json({ ok: true, message: parsed.data.intent === 'revoke' ? 'App revoked. It can no longer read or do anything for you.' : 'Every app revoked.' })
}

export default function ConnectedAppsRoute() {
  const { apps, reads } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Connected apps</h1>
        <p className="mt-2 text-slate-600">Apps you allowed to read your Rounds data or act for you. Revoking stops them at once.</p>
        {result ? (
          <p role={result.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
            {result.message}
          </p>
        ) : null}
        {apps.length === 0 ? (
          <p className="mt-4 text-slate-600">No apps are connected.</p>
        ) : (
          <ul className="mt-4 divide-y divide-slate-200">
            {apps.map((a) => (
              <li key={a.appId} className="flex flex-wrap items-start justify-between gap-3 py-4" data-testid="connected-app">
                <div className="min-w-0 flex-1">
                  <p className="font-medium">
                    <a href={a.homepageUrl} rel="noopener noreferrer" className="hover:underline">
                      {a.name}
                    </a>{' '}
                    <span className="text-sm font-normal text-slate-500">by {a.developer}</span>
                  </p>
                  <ul className="mt-1 list-disc pl-5 text-sm text-slate-700">
                    {a.permissions.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                  </ul>
                  {a.readsClubs ? <p className="mt-1 text-sm text-slate-600">{`Private clubs shared: ${a.sharedClubs.join(', ') || 'none'}`}</p> : null}
                  <p className="mt-1 text-sm text-slate-500">
                    Allowed <LocalTime at={a.authorisedAt} style="day" /> ·{' '}
                    {a.lastUsedAt ? (
                      <>
                        last used <LocalTime at={a.lastUsedAt} style="dateTime" />
                        {a.lastUsedPlace ? <span data-testid="app-last-place">{`, from near ${a.lastUsedPlace}`}</span> : null}
                      </>
                    ) : (
                      'not used yet'
                    )}
                  </p>
                </div>
                <Form method="post">
                  <input type="hidden" name="intent" value="revoke" />
                  <input type="hidden" name="appId" value={a.appId} />
                  <button type="submit" className="rounded-md border border-red-300 px-3 py-1.5 text-sm text-red-800 hover:bg-red-50">
                    Revoke
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        )}
        {apps.length > 1 ? (
          <Form method="post" className="mt-4">
            <input type="hidden" name="intent" value="revoke-all" />
            <button type="submit" className="rounded-md bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800">
              Revoke all apps
            </button>
          </Form>
        ) : null}
        <h2 className="mt-8 text-lg font-semibold">What apps read</h2>
        <p className="mt-1 text-sm text-slate-600">
          Newest first, each app’s reads grouped per day. The same list, with Rounds staff, is under{' '}
          <a href="/settings/data" className="text-brand-700 underline">
            Who accessed your data
          </a>
          .
        </p>
        {reads.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No app has read your data.</p>
        ) : (
          <ul className="mt-2 divide-y divide-slate-100 text-sm" data-testid="app-reads">
            {reads.map((r, i) => (
              <li key={i} className="break-words py-2">
                <span className="font-medium">{r.app}</span> {r.what ? `read ${r.what}` : '— you revoked its access'}
                {r.times > 1 ? ` (${r.times} times that day)` : ''} · <LocalTime at={r.at} style="dateTime" />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  )
}
