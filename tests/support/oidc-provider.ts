import { createServer, type Server } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT, decodeJwt, type JWK, type JWTPayload } from 'jose'
import Provider, { type KoaContextWithOIDC } from 'oidc-provider'

/*
 * A real OpenID Connect provider (oidc-provider), in this process on its own port, standing in
 * for Google: its development login page takes any login (which becomes the `sub`) and asks for
 * consent. Tests choose what each person's ID token says (`people`) and can have the next token
 * answer altered (`tamperNextIdToken`) to see the app refuse it.
 */

export type Person = { email: string; email_verified: boolean; name: string }

export type LocalOidcProvider = {
  issuer: string
  clientId: string
  clientSecret: string
  /** What the ID token says for a login; unlisted logins get `<login>@gmail.test`, verified. */
  people: Map<string, Person>
  /** The next token response's ID token is re-signed with these changes (claims or another key). */
  tamperNextIdToken(change: { claims?: JWTPayload; foreignKey?: boolean }): void
  stop(): Promise<void>
}

export const TEST_CLIENT = { id: 'rounds-test-client', secret: 'rounds-test-client-secret-of-some-length' }

/** The env an app server needs to use this provider as Google. */
export function googleEnv(issuer: string): Record<string, string> {
  return { GOOGLE_CLIENT_ID: TEST_CLIENT.id, GOOGLE_CLIENT_SECRET: TEST_CLIENT.secret, GOOGLE_OIDC_ISSUER: issuer }
}

export async function startOidcProvider(options: { port: number; redirectUri: string }): Promise<LocalOidcProvider> {
  const issuer = `http://localhost:${options.port}`
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const signingKey: JWK = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' }
  const people = new Map<string, Person>()
  let tamper: { claims?: JWTPayload; foreignKey?: boolean } | null = null

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: TEST_CLIENT.id,
        client_secret: TEST_CLIENT.secret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['local-oidc-provider-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // As Google does: the person's email and name in the ID token itself.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Grant: 600, Interaction: 600, Session: 600 },
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, ...(people.get(sub) ?? { email: `${sub}@gmail.test`, email_verified: true, name: `Dr ${sub}` }) }),
    }),
  })
  provider.use(async (ctx, next) => {
    await next()
    const body = ctx.body as { id_token?: string } | undefined
    if (ctx.path !== '/token' || !tamper || !body?.id_token) return
    const change = tamper
    tamper = null
    const claims = { ...decodeJwt(body.id_token), ...change.claims }
    const key = change.foreignKey ? (await generateKeyPair('RS256')).privateKey : privateKey
    ctx.body = { ...body, id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(key) }
  })

  const handle = provider.callback()
  const server: Server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, () => resolve())
  })
  return {
    issuer,
    clientId: TEST_CLIENT.id,
    clientSecret: TEST_CLIENT.secret,
    people,
    tamperNextIdToken(change) {
      tamper = change
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * Goes through the provider's login and consent pages as a browser would, from its authorization
 * URL, logging in as `login`. Returns the address the provider sends the browser back to.
 */
export async function loginAtProvider(authorizationUrl: string, login: string, choice: 'allow' | 'deny' = 'allow'): Promise<URL> {
  const jar = new Map<string, string>()
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const at = pair.indexOf('=')
      const name = pair.slice(0, at).trim()
      const value = pair.slice(at + 1).trim()
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') jar.delete(name)
      else jar.set(name, value)
    }
  }
  const origin = new URL(authorizationUrl).origin
  let next: { url: string; form?: URLSearchParams } = { url: authorizationUrl }
  for (let step = 0; step < 12; step++) {
    const res = await fetch(next.url, {
      method: next.form ? 'POST' : 'GET',
      body: next.form,
      headers: { cookie: cookieHeader() },
      redirect: 'manual',
    })
    remember(res)
    const location = res.headers.get('location')
    if (location) {
      const target = new URL(location, next.url)
      if (target.origin !== origin) return target
      next = { url: target.toString() }
      continue
    }
    const html = await res.text()
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1]
    if (!action || !prompt) throw new Error(`The provider answered ${res.status} without a form: ${html.slice(0, 300)}`)
    if (choice === 'deny' && prompt === 'consent') {
      next = { url: new URL(action.replace(/\/?$/, '/abort'), next.url).toString() }
      continue
    }
    next = { url: new URL(action, next.url).toString(), form: new URLSearchParams({ prompt, login, password: 'any' }) }
  }
  throw new Error('The provider never sent the browser back.')
}
