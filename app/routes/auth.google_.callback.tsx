import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { findAccountByEmail } from '#db/accounts'
import { PublicError } from '#db/errors'
import { emailHasAccount, findLinkedAccount, linkProvider } from '#db/oauth-accounts'
import { startSession } from '#server/auth'
import { GoogleSignInError, finishGoogleSignIn } from '#server/oauth/google'
import { FormCard } from '~/components/forms'
import { deviceOf, safeRedirectPath } from '~/utils/auth.server'
import { endGoogleFlow, pendingAccountCookie, readGoogleFlow } from '~/utils/google-auth.server'

export const meta: MetaFunction = () => [{ title: 'Sign in with Google — Rounds' }, { name: 'robots', content: 'noindex' }]

const notStartedHere = 'This Google sign-in was not started in this browser, or it has expired. Start again from the sign-in page.'

/**
 * Google sends the browser back here. Every answer ends the sign-in's cookies; every refusal is
 * a page saying why, with a 4xx, and changes nothing.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url)
  const { flow, codeVerifier } = await readGoogleFlow(request)
  const headers = new Headers({ 'Cache-Control': 'no-store' })
  for (const cookie of await endGoogleFlow()) headers.append('Set-Cookie', cookie)
  const refuse = (message: string, status: number) => json({ message, intent: flow?.intent ?? 'sign-in' }, { status, headers })

  if (!flow || !codeVerifier || url.searchParams.get('state') !== flow.state) return refuse(notStartedHere, 400)
  const providerError = url.searchParams.get('error')
  if (providerError) {
    return refuse(
      providerError === 'access_denied'
        ? 'You did not allow Rounds to use your Google account, so nothing was changed.'
        : 'Google could not sign you in. Nothing was changed; start again from the sign-in page.',
      400,
    )
  }
  const code = url.searchParams.get('code')
  if (!code || code.length > 2000) return refuse(notStartedHere, 400)

  let identity
  try {
    identity = await finishGoogleSignIn({ code, codeVerifier, nonce: flow.nonce })
  } catch (error) {
    if (error instanceof GoogleSignInError) return refuse(error.message, error.status)
    throw error
  }

  if (flow.intent === 'link') {
    if (!context.auth) return refuse('Sign in to Rounds first, then link Google from Settings → Sign-in methods.', 401)
    try {
      const outcome = await linkProvider(context.auth.user.id, { provider: 'google', ...identity })
      return redirect(`/settings/sign-in?google=${outcome}`, { headers })
    } catch (error) {
      if (error instanceof PublicError) return refuse(error.message, error.status)
      throw error
    }
  }

  if (context.auth) return redirect('/', { headers })
  const linked = await findLinkedAccount('google', identity.subject)
  if (linked) {
    if (linked.deactivated) {
      return refuse('This account is deactivated. Sign in with your email and password to reactivate it.', 403)
    }
    const { cookie } = await startSession(linked.userId, deviceOf(request, context))
    headers.append('Set-Cookie', cookie)
    return redirect(safeRedirectPath(flow.redirectTo, '/', context.publicUrl), { headers })
  }
  // Never matched by email: the owner of an account with this address links Google after signing in.
  if (await findAccountByEmail(identity.email)) return refuse(emailHasAccount(identity.email).message, 409)
  headers.append('Set-Cookie', await pendingAccountCookie(identity))
  return redirect('/auth/google/join', { headers })
}

export default function GoogleCallbackRoute() {
  const { message, intent } = useLoaderData<typeof loader>()
  return (
    <FormCard title={intent === 'link' ? 'Google was not linked' : 'You were not signed in'}>
      <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800" data-testid="google-problem">
        {message}
      </p>
      <p className="mt-4">
        <Link to={intent === 'link' ? '/settings/sign-in' : '/login'} className="font-medium text-brand-700 underline">
          {intent === 'link' ? 'Back to sign-in methods' : 'Back to sign in'}
        </Link>
      </p>
    </FormCard>
  )
}
