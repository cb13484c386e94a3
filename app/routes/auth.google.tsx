import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { z } from 'zod'
import { googleSignInEnabled } from '#server/oauth/google'
import { requireSignedOut, requireUser, safeRedirectPath } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { redirectToGoogle } from '~/utils/google-auth.server'

// GET starts a sign-in (the "Continue with Google" link); POST, from the sign-in methods page,
// starts linking Google to the signed-in account. Both end at /auth/google/callback.

const notAvailable = () => json({ message: 'Signing in with Google is not available here.' }, { status: 404 })

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!googleSignInEnabled()) throw notAvailable()
  requireSignedOut(context)
  const redirectTo = safeRedirectPath(new URL(request.url).searchParams.get('redirectTo'), '/', context.publicUrl)
  return redirectToGoogle('sign-in', redirectTo)
}

const LinkForm = z.object({ intent: z.literal('link') })

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request)
  if (!googleSignInEnabled()) throw notAvailable()
  requireUser(context, request)
  if (!LinkForm.safeParse(Object.fromEntries(form)).success) return json({ message: 'Choose what to do with Google.' }, { status: 400 })
  return redirectToGoogle('link', '/settings/sign-in')
}
