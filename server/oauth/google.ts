import {
  ArcticFetchError,
  CodeChallengeMethod,
  OAuth2Client,
  OAuth2RequestError,
  generateCodeVerifier,
  generateState,
} from 'arctic'
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose'
import { z } from 'zod'
import { config } from '../config'

/*
 * Sign in with Google: the authorization code flow with PKCE (RFC 7636), `state` and an OpenID
 * Connect `nonce`, and the ID token checked here — signature against the issuer's published keys,
 * issuer, audience, expiry, nonce — before anything in it is believed
 * (https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation).
 * GOOGLE_OIDC_ISSUER swaps Google for another issuer (tests run one locally); its endpoints come
 * from its discovery document.
 */

export const GOOGLE_SCOPES = ['openid', 'email', 'profile']

type Endpoints = {
  /** The `iss` values an ID token may carry. */
  issuers: string[]
  authorization: string
  token: string
  jwks: string
}

// https://accounts.google.com/.well-known/openid-configuration; Google's ID tokens name either issuer.
const GOOGLE: Endpoints = {
  issuers: ['https://accounts.google.com', 'accounts.google.com'],
  authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
  token: 'https://oauth2.googleapis.com/token',
  jwks: 'https://www.googleapis.com/oauth2/v3/certs',
}

/** A refusal to show the person: what went wrong, in their terms, and the HTTP status. */
export class GoogleSignInError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 502,
  ) {
    super(message)
    this.name = 'GoogleSignInError'
  }
}

const unreachable = () => new GoogleSignInError('Google could not be reached just now. Try again in a minute.', 502)

export function googleSignInEnabled() {
  const { GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET } = config()
  return Boolean(GOOGLE_CLIENT_ID && GOOGLE_CLIENT_SECRET)
}

export function googleCallbackUrl() {
  return new URL('/auth/google/callback', config().publicUrl).toString()
}

const Discovery = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string().url(),
  token_endpoint: z.string().url(),
  jwks_uri: z.string().url(),
})

let endpoints: Promise<Endpoints> | undefined

async function discover(issuer: string): Promise<Endpoints> {
  const base = issuer.replace(/\/+$/, '')
  const response = await fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) })
  if (!response.ok) throw new Error(`The OpenID Connect discovery document of ${base} answered ${response.status}.`)
  const found = Discovery.parse(await response.json())
  // The document must name the issuer it was fetched from (OpenID Connect Discovery 1.0, §4.3).
  if (found.issuer.replace(/\/+$/, '') !== base) throw new Error(`The discovery document of ${base} names another issuer: ${found.issuer}.`)
  return { issuers: [found.issuer], authorization: found.authorization_endpoint, token: found.token_endpoint, jwks: found.jwks_uri }
}

function providerEndpoints(): Promise<Endpoints> {
  const issuer = config().GOOGLE_OIDC_ISSUER
  if (!issuer) return Promise.resolve(GOOGLE)
  endpoints ??= discover(issuer).catch((error: unknown) => {
    // Asked again next time, rather than remembering an outage.
    endpoints = undefined
    console.warn(`Sign in with Google: ${error instanceof Error ? error.message : String(error)}`)
    throw unreachable()
  })
  return endpoints
}

const keySets = new Map<string, JWTVerifyGetKey>()
function keySet(jwksUri: string) {
  let keys = keySets.get(jwksUri)
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5000 })
    keySets.set(jwksUri, keys)
  }
  return keys
}

function client() {
  const { GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET } = config()
  if (!GOOGLE_CLIENT_ID || !GOOGLE_CLIENT_SECRET) throw new GoogleSignInError('Signing in with Google is not available here.', 403)
  return new OAuth2Client(GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, googleCallbackUrl())
}

export type GoogleStart = { url: URL; state: string; codeVerifier: string; nonce: string }

/** Where to send the browser, and the secrets the callback will need back (kept in cookies). */
export async function startGoogleSignIn(): Promise<GoogleStart> {
  const { authorization } = await providerEndpoints()
  const state = generateState()
  const codeVerifier = generateCodeVerifier()
  const nonce = generateState()
  const url = client().createAuthorizationURLWithPKCE(authorization, state, CodeChallengeMethod.S256, codeVerifier, GOOGLE_SCOPES)
  url.searchParams.set('nonce', nonce)
  return { url, state, codeVerifier, nonce }
}

export type GoogleIdentity = { subject: string; email: string; name: string | null }

const IdClaims = z.object({
  sub: z.string().min(1).max(255),
  email: z.string().email().max(254).optional(),
  email_verified: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  name: z.string().max(200).optional(),
  nonce: z.string().optional(),
})

/**
 * Exchanges the code (with the PKCE verifier) and checks the ID token. Returns who Google says
 * this is, or throws a GoogleSignInError for the person to read.
 */
export async function finishGoogleSignIn(input: { code: string; codeVerifier: string; nonce: string }): Promise<GoogleIdentity> {
  const found = await providerEndpoints()
  let idToken: string
  try {
    const tokens = await client().validateAuthorizationCode(found.token, input.code, input.codeVerifier)
    idToken = tokens.idToken()
  } catch (error) {
    if (error instanceof OAuth2RequestError) {
      // invalid_grant: a code already used, expired, or exchanged with another verifier.
      throw new GoogleSignInError('Google did not accept this sign-in. Start again from the sign-in page.', 400)
    }
    if (error instanceof GoogleSignInError) throw error
    if (error instanceof ArcticFetchError) throw unreachable()
    throw new GoogleSignInError('Google answered in a way we could not read. Start again from the sign-in page.', 400)
  }
  let claims: z.infer<typeof IdClaims>
  try {
    const verified = await jwtVerify(idToken, keySet(found.jwks), {
      issuer: found.issuers,
      audience: config().GOOGLE_CLIENT_ID,
      algorithms: ['RS256', 'ES256', 'PS256'],
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: 5,
    })
    claims = IdClaims.parse(verified.payload)
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new GoogleSignInError('That Google sign-in has expired. Start again from the sign-in page.', 400)
    if (error instanceof joseErrors.JWKSTimeout) throw unreachable()
    if (error instanceof joseErrors.JOSEError || error instanceof z.ZodError) {
      throw new GoogleSignInError('Google’s answer could not be verified, so you were not signed in. Start again from the sign-in page.', 400)
    }
    throw unreachable()
  }
  if (claims.nonce !== input.nonce) {
    throw new GoogleSignInError('Google’s answer could not be verified, so you were not signed in. Start again from the sign-in page.', 400)
  }
  if (!claims.email || (claims.email_verified !== true && claims.email_verified !== 'true')) {
    throw new GoogleSignInError('Google has not confirmed the email address of this Google account, so it cannot be used to sign in to Rounds.', 403)
  }
  return { subject: claims.sub, email: claims.email, name: claims.name?.trim() || null }
}
