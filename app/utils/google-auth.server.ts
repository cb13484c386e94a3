import { createCookie, redirect } from '@remix-run/node'
import { z } from 'zod'
import { config } from '#server/config'
import { startGoogleSignIn } from '#server/oauth/google'

/*
 * The browser carries a Google sign-in between its start and its callback in short-lived,
 * httpOnly cookies scoped to /auth/google: the `state` (with the nonce and what the sign-in is
 * for) and the PKCE code verifier. A callback whose `state` does not match its cookie, or that
 * comes without them, is refused: it was not started in this browser.
 */

const FLOW_SECONDS = 10 * 60
const cookieOptions = () => ({
  path: '/auth/google',
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: config().secureCookies,
  maxAge: FLOW_SECONDS,
})

const stateCookie = () => createCookie('rounds_google_state', cookieOptions())
const verifierCookie = () => createCookie('rounds_google_verifier', cookieOptions())
// Signed: it vouches that Google confirmed this identity, until the new account is made.
const joinCookie = () => createCookie('rounds_google_join', { ...cookieOptions(), secrets: [config().secret] })

const Flow = z.object({
  state: z.string().min(1).max(200),
  nonce: z.string().min(1).max(200),
  intent: z.enum(['sign-in', 'link']),
  redirectTo: z.string().max(2000),
})
export type GoogleFlow = z.infer<typeof Flow>

/** Sends the browser to Google, with the cookies the callback checks. */
export async function redirectToGoogle(intent: GoogleFlow['intent'], redirectTo: string) {
  const start = await startGoogleSignIn()
  const flow: GoogleFlow = { state: start.state, nonce: start.nonce, intent, redirectTo }
  const headers = new Headers()
  headers.append('Set-Cookie', await stateCookie().serialize(flow))
  headers.append('Set-Cookie', await verifierCookie().serialize(start.codeVerifier))
  headers.append('Cache-Control', 'no-store')
  return redirect(start.url.toString(), { headers })
}

/** The sign-in this browser started, and its code verifier; null for either when missing or garbled. */
export async function readGoogleFlow(request: Request) {
  const header = request.headers.get('cookie')
  const flow = Flow.safeParse(await stateCookie().parse(header))
  const verifier = z.string().min(43).max(128).safeParse(await verifierCookie().parse(header))
  return { flow: flow.success ? flow.data : null, codeVerifier: verifier.success ? verifier.data : null }
}

/** Set-Cookie values that end the sign-in's cookies: a callback is used once. */
export async function endGoogleFlow() {
  return [
    await stateCookie().serialize('', { maxAge: 0 }),
    await verifierCookie().serialize('', { maxAge: 0 }),
  ]
}

const Pending = z.object({
  subject: z.string().min(1),
  email: z.string().email(),
  name: z.string().nullable(),
  expires: z.number(),
})
export type PendingGoogleAccount = Omit<z.infer<typeof Pending>, 'expires'>

/** Keeps a confirmed Google identity with no account yet, while its owner finishes joining. */
export async function pendingAccountCookie(identity: PendingGoogleAccount, now = Date.now()) {
  return joinCookie().serialize({ ...identity, expires: now + FLOW_SECONDS * 1000 })
}

export async function readPendingAccount(request: Request, now = Date.now()): Promise<PendingGoogleAccount | null> {
  const parsed = Pending.safeParse(await joinCookie().parse(request.headers.get('cookie')))
  if (!parsed.success || parsed.data.expires <= now) return null
  const { expires: _expires, ...identity } = parsed.data
  return identity
}

export async function endPendingAccount() {
  return joinCookie().serialize('', { maxAge: 0 })
}
