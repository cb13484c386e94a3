import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listMyApps } from '#db/apps/index'
import { requireUser } from '~/utils/auth.server'

export const meta: MetaFunction = () => [{ title: 'Developers — Rounds' }]

const STATUS_TEXT = { development: 'In development (you and your testers only)', public: 'Public', suspended: 'Suspended by Rounds' } as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const apps = await listMyApps(viewer)
  return json({ apps: apps.map((a) => ({ id: a.id, name: a.name, status: a.status, userCount: a.userCount, clientId: a.clientId })) })
}

export default function DevelopersRoute() {
  const { apps } = useLoaderData<typeof loader>()
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Build on Rounds</h1>
        <p className="mt-2 text-slate-600">
          Register an app to let doctors sign in with Rounds and, with their permission, read their talks and clubs or RSVP for them. Apps use
          OAuth 2.1 with PKCE; the API is described at{' '}
          <a className="text-brand-700 underline" href="/api/v1/openapi.json">
            /api/v1/openapi.json
          </a>
          .
        </p>
        <Link to="/developers/new" className="mt-4 inline-block rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
          Register an app
        </Link>
      </section>
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold">Your apps</h2>
        {apps.length === 0 ? (
          <p className="mt-2 text-slate-600">You have not registered any apps.</p>
        ) : (
          <ul className="mt-2 divide-y divide-slate-200">
            {apps.map((a) => (
              <li key={a.id} className="flex flex-wrap items-center justify-between gap-2 py-3" data-testid="developer-app">
                <div>
                  <Link to={`/developers/${a.id}`} className="font-medium text-brand-700 hover:underline">
                    {a.name}
                  </Link>
                  <p className="text-sm text-slate-500">{STATUS_TEXT[a.status]}</p>
                </div>
                <p className="text-sm text-slate-600">
                  {`${a.userCount} ${a.userCount === 1 ? 'user' : 'users'}`}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  )
}
