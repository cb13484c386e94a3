import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { signInMethods, unlinkProvider } from '#db/oauth-accounts'
import { googleSignInEnabled } from '#server/oauth/google'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Sign-in methods — Rounds' }]

const MethodAction = z.object({ intent: z.literal('unlink-google') })

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId } = requireUser(context, request)
  const methods = await signInMethods(userId)
  return json({
    password: methods.password,
    google: methods.google ? { email: methods.google.email, linkedAt: methods.google.linkedAt.toISOString().slice(0, 10) } : null,
    googleAvailable: googleSignInEnabled(),
  })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  const parsed = MethodAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: 'Choose what to change.' }, { status: 400 })
  try {
    await unlinkProvider(userId, 'google')
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
  return json({ ok: true, message: 'Google is unlinked. Sign in with your email and password from now on.' })
}

const notices: Record<string, string> = {
  linked: 'Google is linked. You can now sign in with it.',
  'already-linked': 'That Google account is already linked to yours.',
}

export default function SignInMethodsRoute() {
  const { password, google, googleAvailable } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const notice = result ?? (notices[searchParams.get('google') ?? ''] ? { ok: true, message: notices[searchParams.get('google')!] } : null)
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Sign-in methods</h1>
        <p className="mt-2 text-slate-600">The ways you can sign in to Rounds.</p>
        {notice ? (
          <p role={notice.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${notice.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
            {notice.message}
          </p>
        ) : null}
        <ul className="mt-4 divide-y divide-slate-200">
          <li className="py-3" data-testid="method-password">
            <p className="font-medium">Email and password</p>
            <p className="text-sm text-slate-500">
              {password ? 'Set.' : 'No password yet. “Forgot password?” on the sign-in page sends you a link to set one.'}
            </p>
          </li>
          {google || googleAvailable ? (
            <li className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid="method-google">
              <div>
                <p className="font-medium">Google</p>
                <p className="text-sm text-slate-500">{google ? `Linked to ${google.email} since ${google.linkedAt}.` : 'Not linked.'}</p>
              </div>
              {google ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="unlink-google" />
                  <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
                    Unlink Google
                  </button>
                </Form>
              ) : (
                // A plain link: the answer sends the browser on to Google.
                <a href="/auth/google?intent=link" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
                  Link Google
                </a>
              )}
            </li>
          ) : null}
        </ul>
      </section>
    </div>
  )
}
