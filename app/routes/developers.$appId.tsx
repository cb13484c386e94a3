import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { addTester, getMyApp, MAX_TESTERS, removeTester, rotateAppSecret, updateApp } from '#db/apps/index'
import { PublicError } from '#db/errors'
import { config } from '#server/config'
import { AppFields, SecretOnce } from '~/components/app-fields'
import { readAppForm } from '~/utils/app-form.server'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Your app — Rounds' }]

const Intent = z.enum(['update', 'rotate-secret', 'add-tester', 'remove-tester'])
const Handle = z.string().trim().min(1, 'Enter a handle.').max(41)

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  try {
    const app = await getMyApp(viewer, params.appId ?? '')
    return json({ app: { ...app, createdAt: app.createdAt.toISOString(), secretRotatedAt: app.secretRotatedAt.toISOString() }, maxTesters: MAX_TESTERS })
  } catch (error) {
    if (error instanceof PublicError) throw json({ message: error.message }, { status: error.status })
    throw error
  }
}

type Result = { ok: true; message: string; secret?: { clientId: string; clientSecret: string } } | { ok: false; field: string; message: string }

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const appId = params.appId ?? ''
  const form = await readForm(request)
  const intent = Intent.safeParse(form.get('intent'))
  if (!intent.success) return json<Result>({ ok: false, field: '', message: 'Choose what to change.' }, { status: 400 })
  try {
    switch (intent.data) {
      case 'update': {
        const read = readAppForm(form)
        if (!read.ok) return json<Result>(read, { status: 400 })
        await updateApp(viewer, appId, read.input)
        return json<Result>({ ok: true, message: 'Saved.' })
      }
      case 'rotate-secret': {
        const secret = await rotateAppSecret(viewer, appId, config().secret)
        return json<Result>({ ok: true, message: 'New secret made. The old one no longer works.', secret }, { headers: { 'Cache-Control': 'no-store' } })
      }
      case 'add-tester':
      case 'remove-tester': {
        const handle = Handle.safeParse(form.get('handle'))
        if (!handle.success) return json<Result>({ ok: false, field: 'handle', message: 'Enter a doctor’s handle, like @asha.' }, { status: 400 })
        if (intent.data === 'add-tester') await addTester(viewer, appId, handle.data)
        else await removeTester(viewer, appId, handle.data)
        return json<Result>({ ok: true, message: intent.data === 'add-tester' ? 'Tester added.' : 'Tester removed.' })
      }
    }
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json<Result>({ ok: false, field: error.field ?? '', message: error.message }, { status: error.status })
  }
}

const STATUS_TEXT = {
  development: 'In development: only you and your testers can connect it. Write to Rounds staff to have it reviewed and made public.',
  public: 'Public: any doctor can connect it.',
  suspended: 'Suspended by Rounds: no one can connect it and its tokens no longer work.',
} as const

export default function DeveloperAppRoute() {
  const { app, maxTesters } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <p>
        <Link to="/developers" className="text-sm text-brand-700 hover:underline">
          ← Your apps
        </Link>
      </p>
      <section className="space-y-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">{app.name}</h1>
        <p className="text-slate-700" data-testid="app-status">
          {STATUS_TEXT[app.status]}
          {app.status === 'suspended' && app.suspendedReason ? ` Reason: ${app.suspendedReason}` : ''}
        </p>
        <p className="text-slate-700" data-testid="app-users">
          {`${app.userCount} ${app.userCount === 1 ? 'doctor has' : 'doctors have'} connected it.`}
        </p>
        {result ? (
          result.ok && result.secret ? (
            <SecretOnce {...result.secret} />
          ) : (
            <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
              {result.message}
            </p>
          )
        ) : null}
        <p className="text-sm">
          Client id: <code className="break-all" data-testid="client-id">{app.clientId}</code>
        </p>
        <Form method="post">
          <input type="hidden" name="intent" value="rotate-secret" />
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
            Make a new client secret
          </button>
        </Form>
      </section>
      {app.status === 'development' ? (
        <section className="space-y-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 className="text-lg font-semibold">Testers</h2>
          <p className="text-sm text-slate-600">Up to {maxTesters} doctors who may connect the app while it is in development.</p>
          <ul className="divide-y divide-slate-100">
            {app.testers.map((t) => (
              <li key={t.handle} className="flex items-center justify-between py-2">
                <span>
                  {t.name} <span className="text-slate-500">@{t.handle}</span>
                </span>
                <Form method="post">
                  <input type="hidden" name="intent" value="remove-tester" />
                  <input type="hidden" name="handle" value={t.handle} />
                  <button type="submit" className="text-sm text-red-700 hover:underline">
                    Remove
                  </button>
                </Form>
              </li>
            ))}
          </ul>
          {app.testers.length < maxTesters ? (
            <Form method="post" className="flex flex-wrap items-end gap-2">
              <input type="hidden" name="intent" value="add-tester" />
              <label className="flex-1">
                <span className="text-sm font-medium">Handle</span>
                <input name="handle" required placeholder="@handle" className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2" />
              </label>
              <button type="submit" className="rounded-md border border-slate-300 px-3 py-2 hover:bg-slate-50">
                Add tester
              </button>
            </Form>
          ) : null}
        </section>
      ) : null}
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold">Details</h2>
        <Form method="post" className="mt-3 space-y-4">
          <input type="hidden" name="intent" value="update" />
          <AppFields
            values={{ name: app.name, description: app.description, homepageUrl: app.homepageUrl, privacyUrl: app.privacyUrl, logoUrl: app.logoUrl ?? '', redirectUris: app.redirectUris.join('\n') }}
            error={result && !result.ok ? result : null}
          />
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            Save
          </button>
        </Form>
      </section>
    </div>
  )
}
