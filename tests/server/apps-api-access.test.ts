import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { collectExport } from '../../db/data-rights/export'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor, type TestDoctor } from '../support/factories'
import { writeCityDatabase } from '../support/mmdb'
import { signInOverHttp } from '../support/http-client'
import { browse, connectApp, CookieJar, registerAppOverHttp, tokenRequest, type AppCredentials } from '../support/oauth-app-client'

/*
 * The API's limits and the member's control over HTTP, against the real server: rate limits per
 * app and per member, expired tokens, "Revoke all apps" in settings, and every read and revocation
 * in the member's "Who accessed your data" and export. The server runs with small limits.
 */

const PER_APP = 12
const PER_MEMBER = 8

let app: AppServer
let developer: TestDoctor
const sessions = new Map<string, string>()

const geoDir = mkdtempSync(path.join(os.tmpdir(), 'rounds-geoip-'))
// A City database in MaxMind's format (tests/support/mmdb.ts) answering for two documentation networks.
const geoipDb = writeCityDatabase(path.join(geoDir, 'city.mmdb'), [
  { network: '203.0.113.0/24', city: 'Pune', country: 'India', isoCode: 'IN' },
  { network: '198.18.0.0/15', country: 'United Kingdom', isoCode: 'GB' },
])

async function call(token: string, apiPath = '/me', from?: string) {
  const res = await fetch(`${app.baseUrl}/api/v1${apiPath}`, { headers: { authorization: `Bearer ${token}`, ...(from ? { 'x-forwarded-for': from } : {}) } })
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> }
}

async function member(name: string) {
  const doctor = await createDoctor({ name })
  sessions.set(doctor.id, await signInOverHttp(app.baseUrl, doctor.email, doctor.password))
  return doctor
}

const jarOf = (doctor: TestDoctor) => new CookieJar(sessions.get(doctor.id))

/** A public app (staff review is covered in apps-oauth.test.ts). */
async function publicApp(name: string, port: number): Promise<AppCredentials & { id: string }> {
  const registered = await registerAppOverHttp(app.baseUrl, sessions.get(developer.id)!, name, `http://localhost:${port}/callback`)
  await rawSql()`update apps set status = 'public' where id = ${registered.id}`
  return registered
}

async function connect(doctor: TestDoctor, registered: AppCredentials, scope = 'openid profile') {
  return (await connectApp(app.baseUrl, jarOf(doctor), registered, scope)).tokens
}

beforeAll(async () => {
  app = await startAppServer({ env: { API_RATE_PER_APP: String(PER_APP), API_RATE_PER_MEMBER: String(PER_MEMBER), GEOIP_DB_PATH: geoipDb } })
  await closeDatabase()
  await openDatabase({ url: app.databaseUrl, runMigrations: false, maxConnections: 3 })
  developer = await createDoctor({ name: 'Dr Dev Eloper' })
  sessions.set(developer.id, await signInOverHttp(app.baseUrl, developer.email, developer.password))
}, 300_000)

afterAll(async () => {
  await app?.stop()
  rmSync(geoDir, { recursive: true, force: true })
})

function expectRateLimited(res: Awaited<ReturnType<typeof call>>) {
  expect(res.status).toBe(429)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  expect(res.json).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('Too many requests') })
  const retryAfter = res.headers.get('retry-after')
  expect(retryAfter).toMatch(/^\d+$/)
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1)
  expect(Number(retryAfter)).toBeLessThanOrEqual(60)
}

describe('rate limits', () => {
  it('a member’s calls through all their apps count together, and an app’s calls for all its members count together: then 429 with Retry-After', async () => {
    const busy = await publicApp('Busy Logbook', 4101)
    const other = await publicApp('Other Calendar', 4102)
    const heavy = await member('Dr Heavy User')
    const light = await member('Dr Light User')
    const late = await member('Dr Late Comer')
    const heavyBusy = await connect(heavy, busy)
    const heavyOther = await connect(heavy, other)
    const lightBusy = await connect(light, busy)
    const lateBusy = await connect(late, busy)

    // The per-member limit: Dr Heavy User's calls, whichever app makes them.
    for (let i = 0; i < PER_MEMBER; i++) expect((await call(heavyBusy.access_token)).status).toBe(200)
    expectRateLimited(await call(heavyBusy.access_token))
    expectRateLimited(await call(heavyOther.access_token))

    // The per-app limit: Busy Logbook has made PER_MEMBER + 1 calls; another member's calls take it to PER_APP.
    for (let i = PER_MEMBER + 1; i < PER_APP; i++) expect((await call(lightBusy.access_token)).status).toBe(200)
    expectRateLimited(await call(lightBusy.access_token))
    // A member who has made no call yet is refused through this app, not through another app's limit.
    expectRateLimited(await call(lateBusy.access_token))

    // Refused calls read nothing: only the answered ones are in the members' logs.
    const [reads] = await rawSql()<{ n: number }[]>`select count(*)::int as n from app_data_reads where app_id = ${busy.id}`
    expect(reads.n).toBe(PER_APP - 1)
  })
})

describe('expired access tokens', () => {
  it('get 401 with WWW-Authenticate: Bearer error="invalid_token", whether the token or its stored record has expired', async () => {
    const registered = await publicApp('Expiring Notes', 4103)
    const doctor = await member('Dr Short Token')
    const first = await connect(doctor, registered)
    const second = await connect(doctor, registered)
    expect((await call(first.access_token)).status).toBe(200)
    expect((await call(second.access_token)).status).toBe(200)

    // The token's own expiry (what oidc-provider checks) an hour earlier, as if an hour had gone by.
    await rawSql()`update oauth_records set payload = jsonb_set(payload, '{exp}', to_jsonb(extract(epoch from now())::int - 1)) where id = ${first.access_token} and kind = 'AccessToken'`
    // The stored record's expiry (what the adapter checks) in the past.
    await rawSql()`update oauth_records set expires_at = now() - interval '1 second' where id = ${second.access_token} and kind = 'AccessToken'`

    for (const token of [first.access_token, second.access_token]) {
      const res = await call(token)
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/)
      expect(res.json).toMatchObject({ error: 'invalid_token' })
    }
    // The refresh token still gets a new access token: expiry is not revocation.
    const refreshed = await tokenRequest(app.baseUrl, registered, { grant_type: 'refresh_token', refresh_token: second.refresh_token })
    expect(refreshed.status).toBe(200)
    expect((await call(refreshed.json.access_token)).status).toBe(200)
  })
})

describe('Connected apps', () => {
  it('show when and from about where each app last used the member’s access, and no place when none is known', async () => {
    const tracker = await publicApp('Placed Tracker', 4106)
    const doctor = await member('Dr Where From')
    const tokens = await connect(doctor, tracker)
    const place = async () => {
      const page = await browse(app.baseUrl, jarOf(doctor), '/settings/apps')
      expect(page.status).toBe(200)
      return /data-testid="app-last-place">([^<]*)</.exec(page.text)?.[1] ?? null
    }
    expect((await call(tokens.access_token, '/me', '203.0.113.40')).status).toBe(200)
    expect(await place()).toBe(', from near Pune, India')
    expect((await call(tokens.access_token, '/me', '198.19.7.1')).status).toBe(200)
    expect(await place()).toBe(', from near United Kingdom')
    // An address the database does not know: the last use is still shown, with no place rather than an old one.
    expect((await call(tokens.access_token, '/me', '192.0.2.7')).status).toBe(200)
    expect(await place()).toBeNull()
    const [row] = await rawSql()<{ last_used_at: Date | null; last_used_place: string | null }[]>`
      select last_used_at, last_used_place from app_authorisations where user_id = ${doctor.id}`
    expect(row.last_used_at).not.toBeNull()
    expect(row.last_used_place).toBeNull()
  })
})

describe('new-device sign-in notices', () => {
  it('name about where the new device signed in from, and no place for an address the database does not know', async () => {
    const doctor = await createDoctor({ name: 'Dr New Device' })
    const deviceNotices = () =>
      rawSql()<{ data: Record<string, string> }[]>`select data from notifications where user_id = ${doctor.id} and kind = 'new_device_sign_in' order by created_at`
    const signInWith = (userAgent: string, from: string) => signInOverHttp(app.baseUrl, doctor.email, doctor.password, { 'user-agent': userAgent, 'x-forwarded-for': from })

    await signInWith('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5; rv:128.0) Gecko/20100101 Firefox/128.0', '198.18.0.20')
    expect(await deviceNotices()).toEqual([])
    await signInWith('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36', '203.0.113.40')
    await signInWith('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0', '192.0.2.77')
    const told = await deviceNotices()
    expect(told.map((n) => [n.data.device, n.data.place ?? null])).toEqual([
      ['Chrome on Android', 'Pune, India'],
      ['Microsoft Edge on Windows', null],
    ])
  })
})

describe('Revoke all apps in settings', () => {
  it('is a form post with the member’s session: every app’s next call gets 401, refresh tokens stop, and the log shows reads and revocations', async () => {
    const logbook = await publicApp('Revoked Logbook', 4104)
    const calendar = await publicApp('Revoked Calendar', 4105)
    const doctor = await member('Dr Revoke All')
    const bystander = await member('Dr Still Connected')
    const a = await connect(doctor, logbook, 'openid profile talks:read')
    const b = await connect(doctor, calendar)
    const kept = await connect(bystander, logbook)
    for (let i = 0; i < 3; i++) expect((await call(a.access_token)).status).toBe(200)
    expect((await call(a.access_token, '/me/talks')).status).toBe(200)
    expect((await call(b.access_token)).status).toBe(200)

    // Without the member's session nothing is revoked.
    const anonymous = await browse(app.baseUrl, new CookieJar(), '/settings/apps', { method: 'POST', body: new URLSearchParams({ intent: 'revoke-all' }) })
    expect(anonymous.status).not.toBe(200)
    expect((await call(a.access_token)).status).toBe(200)

    const settings = await browse(app.baseUrl, jarOf(doctor), '/settings/apps')
    expect(settings.text).toContain('Revoke all apps')
    const revoked = await browse(app.baseUrl, jarOf(doctor), '/settings/apps', { method: 'POST', body: new URLSearchParams({ intent: 'revoke-all' }) })
    expect(revoked.status).toBe(200)
    expect(revoked.text).toContain('Every app revoked.')

    for (const [registered, tokens] of [
      [logbook, a],
      [calendar, b],
    ] as const) {
      const res = await call(tokens.access_token)
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
      const refresh = await tokenRequest(app.baseUrl, registered, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
      expect(refresh.status).toBe(400)
      expect(refresh.json.error).toBe('invalid_grant')
    }
    // Another member's connection to the same app is untouched.
    expect((await call(kept.access_token)).status).toBe(200)

    // "Who accessed your data": each app's reads grouped per day with a count, and each revocation.
    const data = await browse(app.baseUrl, jarOf(doctor), '/settings/data')
    expect(data.status).toBe(200)
    const log = /data-testid="data-accesses">([\s\S]*?)<\/ul>/.exec(data.text)?.[1] ?? ''
    const entries = log.split('</li>').filter((li) => li.includes('<li'))
    const about = (appName: string, text: string) => entries.filter((li) => li.includes(`${appName}, an app you connected`) && li.includes(text))
    expect(about('Revoked Logbook', 'read your name, photo and speciality')).toHaveLength(1)
    expect(about('Revoked Logbook', 'read your name, photo and speciality')[0]).toContain(', 4 times that day')
    expect(about('Revoked Logbook', 'read the talks you are going to and attended')).toHaveLength(1)
    expect(about('Revoked Calendar', 'read your name, photo and speciality')).toHaveLength(1)
    expect(about('Revoked Logbook', 'you revoked its access')).toHaveLength(1)
    expect(about('Revoked Calendar', 'you revoked its access')).toHaveLength(1)
    expect(entries).toHaveLength(5)
    // Newest first: the revocations came after every read.
    expect(entries[0]).toContain('you revoked its access')
    expect(entries[1]).toContain('you revoked its access')
    // The bystander sees only their own app's read.
    const theirs = await browse(app.baseUrl, jarOf(bystander), '/settings/data')
    expect(theirs.text).toContain('Revoked Logbook, an app you connected')
    expect(theirs.text).not.toContain('you revoked its access')

    // The member's export carries the same entries, and the rows themselves.
    const exported = await collectExport(doctor.id)
    expect(exported.accesses.filter((e) => e.who.endsWith('an app you connected'))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ who: 'Revoked Logbook, an app you connected', reason: 'read your name, photo and speciality', times: 4 }),
        expect.objectContaining({ who: 'Revoked Calendar, an app you connected', reason: 'you revoked its access', times: 1 }),
      ]),
    )
    const rows = JSON.stringify(exported.sections.find((s) => s.table === 'app_data_reads'))
    expect(rows).toContain('the talks you are going to and attended')
  })
})
