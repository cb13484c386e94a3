import { createHash, randomBytes } from 'node:crypto'
import { rawSql } from '../../db/client'

/*
 * A third-party app talking to Rounds the way a real one does: authorisation code with PKCE over
 * HTTP, its member's browser played by a cookie jar that carries the Rounds session cookie.
 */

export type AppCredentials = { clientId: string; clientSecret: string; redirectUri: string }

export class CookieJar {
  private readonly cookies = new Map<string, string>()
  constructor(initial?: string) {
    if (initial) this.add([initial])
  }
  add(setCookies: string[]) {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === ''
      if (expired) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }
}

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** Where the consent page's answer moves on to (its Refresh header), as a browser follows it. */
export function continueLink(page: { refresh: string | null }) {
  return page.refresh ? /url=(.+)$/.exec(page.refresh)?.[1] ?? null : null
}

/** A browser request: cookies in and out, no redirects followed. */
export async function browse(baseUrl: string, jar: CookieJar, path: string, init: { method?: string; body?: URLSearchParams } = {}) {
  const res = await fetch(new URL(path, baseUrl), {
    method: init.method ?? 'GET',
    body: init.body,
    headers: { cookie: jar.header(), ...(init.body ? { origin: baseUrl } : {}) },
    redirect: 'manual',
  })
  jar.add(res.headers.getSetCookie())
  return { status: res.status, location: res.headers.get('location'), refresh: res.headers.get('refresh'), text: await res.text() }
}

export function authorizeUrl(app: AppCredentials, options: { scope: string; challenge?: string | null; redirectUri?: string; state?: string }) {
  const params = new URLSearchParams({
    client_id: app.clientId,
    redirect_uri: options.redirectUri ?? app.redirectUri,
    response_type: 'code',
    scope: options.scope,
    state: options.state ?? randomBytes(8).toString('hex'),
  })
  if (options.challenge !== null) {
    params.set('code_challenge', options.challenge ?? '')
    params.set('code_challenge_method', 'S256')
  }
  return `/oauth/auth?${params}`
}

export async function tokenRequest(baseUrl: string, app: AppCredentials, body: Record<string, string>, secret = app.clientSecret) {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, string> }
}

export async function clientPost(baseUrl: string, app: AppCredentials, path: string, body: Record<string, string>) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  })
  const text = await res.text()
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Record<string, unknown> | null }
}

export async function api(baseUrl: string, token: string, path: string, init: { method?: string; json?: unknown } = {}) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & unknown[] }
}

/**
 * Runs authorise → consent (Allow, with these private clubs ticked) → code, as the member whose
 * session cookie the jar holds. Returns the redirect back to the app.
 */
export async function authoriseAsMember(baseUrl: string, jar: CookieJar, app: AppCredentials, scope: string, clubs: string[] = []) {
  const { verifier, challenge } = pkcePair()
  const state = randomBytes(8).toString('hex')
  const start = await browse(baseUrl, jar, authorizeUrl(app, { scope, challenge, state }))
  if (start.status !== 303 || !start.location?.includes('/oauth/consent/')) throw new Error(`authorise answered ${start.status} ${start.location} ${start.text.slice(0, 300)}`)
  const consentPath = new URL(start.location, baseUrl).pathname
  const page = await browse(baseUrl, jar, consentPath)
  const form = new URLSearchParams({ intent: 'allow' })
  for (const id of clubs) form.append('club', id)
  const allowed = await browse(baseUrl, jar, consentPath, { method: 'POST', body: form })
  const next = continueLink(allowed)
  if (allowed.status !== 200 || !next) throw new Error(`consent answered ${allowed.status}: ${allowed.text.slice(0, 300)}`)
  const back = await browse(baseUrl, jar, next)
  if (back.status !== 303 || !back.location) throw new Error(`resume answered ${back.status}: ${back.text.slice(0, 300)}`)
  const redirect = new URL(back.location)
  return { redirect, code: redirect.searchParams.get('code'), state, returnedState: redirect.searchParams.get('state'), verifier, consentPage: page }
}

/** The whole flow through to tokens. */
export async function connectApp(baseUrl: string, jar: CookieJar, app: AppCredentials, scope: string, clubs: string[] = []) {
  const flow = await authoriseAsMember(baseUrl, jar, app, scope, clubs)
  const tokens = await tokenRequest(baseUrl, app, { grant_type: 'authorization_code', code: flow.code!, redirect_uri: app.redirectUri, code_verifier: flow.verifier })
  if (tokens.status !== 200) throw new Error(`token answered ${tokens.status}: ${JSON.stringify(tokens.json)}`)
  return { ...flow, tokens: tokens.json }
}

/** A developer registers an app through /developers/new, as a browser does; returns its credentials and id. */
export async function registerAppOverHttp(baseUrl: string, developerCookie: string, name: string, redirectUri: string) {
  const res = await browse(baseUrl, new CookieJar(developerCookie), '/developers/new', {
    method: 'POST',
    body: new URLSearchParams({
      name,
      description: 'Keeps a CPD log of the talks you attend on Rounds.',
      homepageUrl: 'https://cpd.example.org',
      privacyUrl: 'https://cpd.example.org/privacy',
      logoUrl: '',
      redirectUris: redirectUri,
    }),
  })
  const clientId = /data-testid="client-id"[^>]*>([^<]+)</.exec(res.text)?.[1]
  const clientSecret = /data-testid="client-secret"[^>]*>([^<]+)</.exec(res.text)?.[1]
  if (res.status !== 200 || !clientId || !clientSecret) throw new Error(`registering answered ${res.status}: ${res.text.slice(0, 500)}`)
  const [row] = await rawSql()<{ id: string }[]>`select id from apps where client_id = ${clientId}`
  return { id: row.id, clientId, clientSecret, redirectUri }
}
