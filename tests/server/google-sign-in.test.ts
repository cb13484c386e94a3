import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as loginRoute from '../../app/routes/login'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { eraseAccount, requestErasure } from '../../db/data-rights/index'
import { ConfigError, parseConfig as parseConfigOf } from '../../server/config'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor, viewerOf, type TestDoctor } from '../support/factories'
import { signInOverHttp } from '../support/http-client'
import { googleEnv, loginAtProvider, startOidcProvider, type LocalOidcProvider } from '../support/oidc-provider'
import { freePort } from '../support/postgres'
import { callLoader } from '../support/routes'

/*
 * Sign in with Google through the real server and a real OpenID Connect provider standing in for
 * Google: the redirect, the code exchange with PKCE, and the ID token's checks all run for real.
 */

let server: AppServer
let provider: LocalOidcProvider
const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`
let logins = 0
/** A Google login (the `sub`) no other test uses. */
const newLogin = () => `g${tag}${++logins}`

beforeAll(async () => {
  // The provider needs the app's callback address and the app the provider's: its port comes first.
  const providerPort = await freePort()
  server = await startAppServer({ env: googleEnv(`http://localhost:${providerPort}`) })
  provider = await startOidcProvider({ port: providerPort, redirectUri: `${server.baseUrl}/auth/google/callback` })
  await closeDatabase()
  await openDatabase({ url: server.databaseUrl, runMigrations: false, maxConnections: 5 })
}, 240_000)

afterAll(async () => {
  await provider?.stop()
  await server?.stop()
})

type Jar = Map<string, string>

function keep(jar: Jar, res: Response) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';')
    const at = pair.indexOf('=')
    const name = pair.slice(0, at).trim()
    if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name)
    else jar.set(name, pair.slice(at + 1).trim())
  }
}

const cookieHeader = (jar: Jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')

async function appRequest(jar: Jar, path: string, form?: Record<string, string>) {
  const res = await fetch(new URL(path, server.baseUrl), {
    method: form ? 'POST' : 'GET',
    body: form ? new URLSearchParams(form) : undefined,
    headers: { cookie: cookieHeader(jar), ...(form ? { origin: server.baseUrl } : {}) },
    redirect: 'manual',
  })
  keep(jar, res)
  return { status: res.status, location: res.headers.get('location'), text: await res.text() }
}

/** A browser's cookies, signed in with a password when `doctor` is given. */
async function browser(doctor?: TestDoctor): Promise<Jar> {
  const jar: Jar = new Map()
  if (doctor) {
    const pair = await signInOverHttp(server.baseUrl, doctor.email, doctor.password)
    const at = pair.indexOf('=')
    jar.set(pair.slice(0, at), pair.slice(at + 1))
  }
  return jar
}

/** Starts at Rounds (sign-in, or linking when signed in) and returns the provider's address. */
async function start(jar: Jar, intent: 'sign-in' | 'link' = 'sign-in') {
  const started = await appRequest(jar, intent === 'link' ? '/auth/google?intent=link' : '/auth/google')
  expect(started.status).toBe(302)
  expect(started.location!.startsWith(provider.issuer)).toBe(true)
  return started.location!
}

/** The whole round trip: Rounds → the provider's login and consent → back to Rounds' callback. */
async function viaGoogle(jar: Jar, login: string, intent: 'sign-in' | 'link' = 'sign-in') {
  const back = await loginAtProvider(await start(jar, intent), login)
  return appRequest(jar, back.pathname + back.search)
}

async function counts() {
  const [row] = await rawSql()<{ users: number; links: number; sessions: number }[]>`
    select (select count(*)::int from users) as users,
           (select count(*)::int from oauth_accounts) as links,
           (select count(*)::int from sessions) as sessions`
  return row
}

const linksOf = (userId: string) => rawSql()<{ subject: string; email: string }[]>`select subject, email from oauth_accounts where user_id = ${userId}`

const parseConfig = (env: Record<string, string>) => parseConfigOf(env as NodeJS.ProcessEnv)

describe('configuration', () => {
  it('needs both the client id and its secret, or neither', () => {
    expect(() => parseConfig({ GOOGLE_CLIENT_ID: 'abc' })).toThrow(ConfigError)
    expect(() => parseConfig({ GOOGLE_CLIENT_ID: 'abc' })).toThrow(/GOOGLE_CLIENT_SECRET: is required when GOOGLE_CLIENT_ID is set/)
    expect(() => parseConfig({ GOOGLE_CLIENT_SECRET: 'abc' })).toThrow(/GOOGLE_CLIENT_ID: is required/)
    expect(() => parseConfig({ GOOGLE_OIDC_ISSUER: 'http://localhost:1' })).toThrow(/GOOGLE_CLIENT_ID: is required when GOOGLE_OIDC_ISSUER is set/)
    expect(parseConfig({ GOOGLE_CLIENT_ID: 'abc', GOOGLE_CLIENT_SECRET: 'def' }).GOOGLE_CLIENT_ID).toBe('abc')
    expect(parseConfig({}).GOOGLE_CLIENT_ID).toBeUndefined()
  })

  it('shows no Google button where it is not configured, and one where it is', async () => {
    // This test process has no GOOGLE_* settings; the server under test has them.
    expect((await callLoader(loginRoute, { url: '/login' })).data).toEqual({ googleSignIn: false })
    const page = await appRequest(new Map(), '/login')
    expect(page.text).toContain('Continue with Google')
    expect((await appRequest(new Map(), '/signup')).text).toContain('Continue with Google')
  })
})

describe('a new person', () => {
  it('signs in with Google, confirms name and date of birth, and has an account with the address confirmed', async () => {
    const login = newLogin()
    provider.people.set(login, { email: `${login}@gmail.test`, email_verified: true, name: 'Dr Nadia Okafor' })
    const jar = await browser()

    const back = await viaGoogle(jar, login)
    expect(back).toMatchObject({ status: 302, location: '/auth/google/join' })
    expect(jar.has('rounds_session')).toBe(false)
    const join = await appRequest(jar, '/auth/google/join')
    expect(join.status).toBe(200)
    expect(join.text).toContain(`${login}@gmail.test`)
    expect(join.text).toContain('Dr Nadia Okafor')

    const underage = await appRequest(jar, '/auth/google/join', { name: 'Dr Nadia Okafor', dateOfBirth: `${new Date().getUTCFullYear() - 10}-01-01` })
    expect(underage.status).toBe(400)
    expect(underage.text).toContain('Rounds is for doctors aged 18 and over.')

    const done = await appRequest(jar, '/auth/google/join', { name: 'Dr Nadia Okafor', dateOfBirth: '1985-06-02' })
    expect(done).toMatchObject({ status: 302, location: '/welcome' })
    expect(jar.has('rounds_session')).toBe(true)
    const [user] = await rawSql()<{ id: string; verified: boolean; role: string; registration_number: string | null; name: string }[]>`
      select u.id, u.email_verified_at is not null as verified, u.role, p.registration_number, p.name
      from users u join profiles p on p.user_id = u.id where lower(u.email) = ${`${login}@gmail.test`}`
    // The address is confirmed; nothing makes them a verified doctor or staff.
    expect(user).toMatchObject({ verified: true, role: 'member', registration_number: null, name: 'Dr Nadia Okafor' })
    expect(await linksOf(user.id)).toEqual([{ subject: login, email: `${login}@gmail.test` }])
    expect((await appRequest(jar, '/welcome')).status).toBe(200)

    // Next time the same Google account signs straight in, to the same account.
    const again = await browser()
    expect(await viaGoogle(again, login)).toMatchObject({ status: 302, location: '/' })
    const [session] = await rawSql()<{ user_id: string }[]>`select user_id from sessions where id = encode(sha256(${again.get('rounds_session')!}::bytea), 'hex')`
    expect(session.user_id).toBe(user.id)
  })

  it('whose Google address belongs to an account without the link is told to sign in with the password first', async () => {
    const doctor = await createDoctor({ email: `${newLogin()}@hospital.example.org` })
    const login = newLogin()
    provider.people.set(login, { email: doctor.email.toUpperCase(), email_verified: true, name: doctor.name })
    const before = await counts()

    const back = await viaGoogle(await browser(), login)

    expect(back.status).toBe(409)
    expect(back.text).toContain('Sign in with your email and password, then link Google in Settings → Sign-in methods.')
    expect(await counts()).toEqual(before)
    expect(await linksOf(doctor.id)).toEqual([])
  })
})

describe('linking and unlinking from Settings → Sign-in methods', () => {
  it('links a Google account to the signed-in doctor, who then signs in with it, and unlinks it while the password remains', async () => {
    const doctor = await createDoctor()
    const jar = await browser(doctor)
    const login = newLogin()

    expect(await viaGoogle(jar, login, 'link')).toMatchObject({ status: 302, location: '/settings/sign-in?google=linked' })
    expect(await linksOf(doctor.id)).toEqual([{ subject: login, email: `${login}@gmail.test` }])
    const page = await appRequest(jar, '/settings/sign-in?google=linked')
    expect(page.text).toContain('Google is linked.')
    expect(page.text).toContain(`Linked to ${login}@gmail.test`)

    const google = await browser()
    expect(await viaGoogle(google, login)).toMatchObject({ status: 302, location: '/' })
    const [session] = await rawSql()<{ user_id: string }[]>`select user_id from sessions where id = encode(sha256(${google.get('rounds_session')!}::bytea), 'hex')`
    expect(session.user_id).toBe(doctor.id)

    const unlinked = await appRequest(jar, '/settings/sign-in', { intent: 'unlink-google' })
    expect(unlinked.status).toBe(200)
    expect(await linksOf(doctor.id)).toEqual([])
  })

  it('is only for the signed-in: a visitor is sent to sign in, and a link that comes back signed out is refused', async () => {
    const visitor = await appRequest(new Map(), '/auth/google?intent=link')
    expect(visitor).toMatchObject({ status: 302, location: '/login?redirectTo=%2Fauth%2Fgoogle%3Fintent%3Dlink' })

    const doctor = await createDoctor()
    const jar = await browser(doctor)
    const back = await loginAtProvider(await start(jar, 'link'), newLogin())
    jar.delete('rounds_session')
    const before = await counts()
    const refused = await appRequest(jar, back.pathname + back.search)
    expect(refused.status).toBe(401)
    expect(refused.text).toContain('Sign in to Rounds first')
    expect(await counts()).toEqual(before)
    expect(await linksOf(doctor.id)).toEqual([])
  })

  it('refuses a Google account already linked to someone else, changing nothing', async () => {
    const [first, second] = [await createDoctor(), await createDoctor()]
    const login = newLogin()
    expect((await viaGoogle(await browser(first), login, 'link')).status).toBe(302)
    const jar = await browser(second)
    const before = await counts()

    const refused = await viaGoogle(jar, login, 'link')

    expect(refused.status).toBe(409)
    expect(refused.text).toContain('This Google account is already linked to another Rounds account.')
    expect(await counts()).toEqual(before)
    expect(await linksOf(second.id)).toEqual([])
    expect((await linksOf(first.id)).map((l) => l.subject)).toEqual([login])
  })

  it('keeps Google linked while it is the only way in', async () => {
    const login = newLogin()
    const jar = await browser()
    await viaGoogle(jar, login)
    expect((await appRequest(jar, '/auth/google/join', { name: 'Dr Only Google', dateOfBirth: '1979-11-30' })).status).toBe(302)

    const refused = await appRequest(jar, '/settings/sign-in', { intent: 'unlink-google' })

    expect(refused.status).toBe(409)
    expect(refused.text).toContain('Google is your only way to sign in.')
    const [{ n }] = await rawSql()<{ n: number }[]>`select count(*)::int as n from oauth_accounts where subject = ${login}`
    expect(n).toBe(1)
  })
})

describe('accounts that cannot sign in with Google', () => {
  it('a deactivated account is refused, and no session is made', async () => {
    const doctor = await createDoctor()
    const login = newLogin()
    await viaGoogle(await browser(doctor), login, 'link')
    await rawSql()`update users set deactivated_at = now() where id = ${doctor.id}`
    const before = await counts()

    const refused = await viaGoogle(await browser(), login)

    expect(refused.status).toBe(403)
    expect(refused.text).toContain('This account is deactivated.')
    expect(await counts()).toEqual(before)
  })

  it('an erased account loses its link, so Google no longer opens it', async () => {
    const doctor = await createDoctor()
    const login = newLogin()
    await viaGoogle(await browser(doctor), login, 'link')
    const erasure = await requestErasure(viewerOf(doctor), new Date(Date.now() - 8 * 24 * 60 * 60 * 1000))
    // The server's own job worker may get there first (this call then finds nothing to do); either
    // way the account goes, and the next test must not see it go.
    await eraseAccount(erasure.id)
    await expect
      .poll(async () => (await rawSql()<{ n: number }[]>`select count(*)::int as n from users where id = ${doctor.id}`)[0].n, { timeout: 15_000 })
      .toBe(0)
    expect(await linksOf(doctor.id)).toEqual([])

    const jar = await browser()
    expect(await viaGoogle(jar, login)).toMatchObject({ status: 302, location: '/auth/google/join' })
    expect(jar.has('rounds_session')).toBe(false)
  })
})

describe('bad input at the callback: a page saying why, a 4xx, nothing changed', () => {
  async function expectRefused(result: { status: number; text: string }, status: number, message: string, jar: Jar, before: Awaited<ReturnType<typeof counts>>) {
    expect(result.status).toBe(status)
    expect(result.text).toContain(message)
    expect(jar.has('rounds_session')).toBe(false)
    expect(jar.has('rounds_google_join')).toBe(false)
    // The sign-in's cookies are spent.
    expect(jar.has('rounds_google_state')).toBe(false)
    expect(await counts()).toEqual(before)
  }

  it('a forged state', async () => {
    const jar = await browser()
    const before = await counts()
    const back = await loginAtProvider(await start(jar), newLogin())
    back.searchParams.set('state', 'forged-state-value')
    await expectRefused(await appRequest(jar, back.pathname + back.search), 400, 'was not started in this browser', jar, before)
  })

  it('a callback without the code verifier cookie', async () => {
    const jar = await browser()
    const before = await counts()
    const back = await loginAtProvider(await start(jar), newLogin())
    jar.delete('rounds_google_verifier')
    await expectRefused(await appRequest(jar, back.pathname + back.search), 400, 'was not started in this browser', jar, before)
  })

  it('a wrong code verifier: the provider refuses the exchange', async () => {
    const jar = await browser()
    const other = await browser()
    await start(other)
    const before = await counts()
    const back = await loginAtProvider(await start(jar), newLogin())
    jar.set('rounds_google_verifier', other.get('rounds_google_verifier')!)
    await expectRefused(await appRequest(jar, back.pathname + back.search), 400, 'Google did not accept this sign-in.', jar, before)
  })

  it('a code used twice', async () => {
    const jar = await browser()
    const back = await loginAtProvider(await start(jar), newLogin())
    const saved = new Map(jar)
    expect((await appRequest(jar, back.pathname + back.search)).status).toBe(302)
    const before = await counts()
    const replay = new Map(saved)
    await expectRefused(await appRequest(replay, back.pathname + back.search), 400, 'Google did not accept this sign-in.', replay, before)
  })

  it('an ID token for another audience', async () => {
    const jar = await browser()
    const before = await counts()
    provider.tamperNextIdToken({ claims: { aud: 'someone-elses-client' } })
    await expectRefused(await viaGoogle(jar, newLogin()), 400, 'could not be verified', jar, before)
  })

  it('an ID token signed with a key the issuer does not publish', async () => {
    const jar = await browser()
    const before = await counts()
    provider.tamperNextIdToken({ foreignKey: true })
    await expectRefused(await viaGoogle(jar, newLogin()), 400, 'could not be verified', jar, before)
  })

  it('an ID token from another issuer', async () => {
    const jar = await browser()
    const before = await counts()
    provider.tamperNextIdToken({ claims: { iss: 'https://accounts.example.org' } })
    await expectRefused(await viaGoogle(jar, newLogin()), 400, 'could not be verified', jar, before)
  })

  it('an ID token with another nonce', async () => {
    const jar = await browser()
    const before = await counts()
    provider.tamperNextIdToken({ claims: { nonce: 'replayed-nonce' } })
    await expectRefused(await viaGoogle(jar, newLogin()), 400, 'could not be verified', jar, before)
  })

  it('an expired ID token', async () => {
    const jar = await browser()
    const before = await counts()
    const now = Math.floor(Date.now() / 1000)
    provider.tamperNextIdToken({ claims: { iat: now - 7200, exp: now - 3600 } })
    await expectRefused(await viaGoogle(jar, newLogin()), 400, 'That Google sign-in has expired.', jar, before)
  })

  it('an address Google has not confirmed', async () => {
    const login = newLogin()
    provider.people.set(login, { email: `${login}@gmail.test`, email_verified: false, name: 'Dr Unconfirmed' })
    const jar = await browser()
    const before = await counts()
    await expectRefused(await viaGoogle(jar, login), 403, 'Google has not confirmed the email address', jar, before)
  })

  it('an error from the provider (consent refused)', async () => {
    const jar = await browser()
    const before = await counts()
    const back = await loginAtProvider(await start(jar), newLogin(), 'deny')
    expect(back.searchParams.get('error')).toBe('access_denied')
    await expectRefused(await appRequest(jar, back.pathname + back.search), 400, 'You did not allow Rounds to use your Google account', jar, before)
  })

  it('a join without a confirmed Google identity, or with a forged one', async () => {
    const before = await counts()
    const jar = await browser()
    expect((await appRequest(jar, '/auth/google/join')).status).toBe(400)
    jar.set('rounds_google_join', 'eyJzdWJqZWN0IjoieCJ9.forged')
    const forged = await appRequest(jar, '/auth/google/join', { name: 'Dr Forger', dateOfBirth: '1980-01-01' })
    expect(forged.status).toBe(400)
    expect(forged.text).toContain('This Google sign-in has expired.')
    expect(await counts()).toEqual(before)
  })
})
