import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData } from '@remix-run/react'
import { registerApp } from '#db/apps/index'
import { PublicError } from '#db/errors'
import { config } from '#server/config'
import { AppFields, SecretOnce } from '~/components/app-fields'
import { readAppForm } from '~/utils/app-form.server'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Register an app — Rounds' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireUser(context, request)
  return null
}

type Result =
  | { ok: true; id: string; clientId: string; clientSecret: string }
  | { ok: false; field: string; message: string; values: Record<string, string> }

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const form = await readForm(request)
  const values = Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v).slice(0, 3000)]))
  const read = readAppForm(form)
  if (!read.ok) return json<Result>({ ...read, values }, { status: 400 })
  try {
    const app = await registerApp(viewer, read.input, config().secret)
    // Shown once, on this answer; it is never stored or shown again.
    return json<Result>({ ok: true, ...app }, { headers: { 'Cache-Control': 'no-store' } })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json<Result>({ ok: false, field: error.field ?? '', message: error.message, values }, { status: error.status })
  }
}

export default function NewAppRoute() {
  const result = useActionData<typeof action>()
  if (result?.ok) {
    return (
      <div className="mx-auto max-w-2xl space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">App registered</h1>
        <SecretOnce clientId={result.clientId} clientSecret={result.clientSecret} />
        <p className="text-slate-600">
          It starts in development: only you and up to 10 testers you name can connect it. Ask Rounds to review it when it is ready for everyone.
        </p>
        <Link to={`/developers/${result.id}`} className="inline-block rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
          I have copied the secret
        </Link>
      </div>
    )
  }
  return (
    <div className="mx-auto max-w-2xl rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-2xl font-semibold">Register an app</h1>
      {result && !result.ok && !['name', 'description', 'homepageUrl', 'privacyUrl', 'logoUrl', 'redirectUris'].includes(result.field) ? (
        <p role="alert" className="mt-4 rounded-md bg-red-50 p-3 text-red-800">
          {result.message}
        </p>
      ) : null}
      <Form method="post" className="mt-4 space-y-4">
        <AppFields values={result && !result.ok ? result.values : undefined} error={result && !result.ok ? result : null} />
        <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
          Register
        </button>
      </Form>
    </div>
  )
}
