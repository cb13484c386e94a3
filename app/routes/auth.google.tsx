import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { googleSignInEnabled } from '#server/oauth/google'
import { requireSignedOut, requireUser, safeRedirectPath } from '~/utils/auth.server'
import { redirectToGoogle } from '~/utils/google-auth.server'

// Starts a sign-in ("Continue with Google"), or with ?intent=link, from the sign-in methods page,
// links Google to the signed-in account. A link rather than a form: the site's CSP keeps forms
// to this origin (form-action 'self'), and Chromium applies that to a form's redirect too.
// Both end at /auth/google/callback, which accepts only what this browser started.

export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!googleSignInEnabled()) throw json({ message: 'Signing in with Google is not available here.' }, { status: 404 })
  const params = new URL(request.url).searchParams
  if (params.get('intent') === 'link') {
    requireUser(context, request)
    return redirectToGoogle('link', '/settings/sign-in')
  }
  requireSignedOut(context)
  return redirectToGoogle('sign-in', safeRedirectPath(params.get('redirectTo'), '/', context.publicUrl))
}
