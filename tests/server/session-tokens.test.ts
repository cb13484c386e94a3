import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as loginRoute from '../../app/routes/login'
import * as sessionsRoute from '../../app/routes/settings.sessions'
import { rawSql } from '../../db/client'
import { sessionCookieName, validateCookieHeader, validateSessionId } from '../../server/auth'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor } from '../support/factories'
import { httpClient, signInOverHttp } from '../support/http-client'
import { startRealtimeServer, type RealtimeServer } from '../support/live-server'
import { callAction, callLoader, cookiePair, nextClientAddress, signIn } from '../support/routes'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
/** The token a `rounds_session=…` pair carries. */
const tokenOf = (pair: string) => pair.slice(`${sessionCookieName}=`.length)

type Listed = { sessions: { publicId: string; current: boolean }[] }

async function sessionRows(userId: string) {
  return rawSql()<{ id: string; public_id: string; whole: string }[]>`
    select id, public_id, row_to_json(s)::text as whole from sessions s where user_id = ${userId}`
}

describe('session tokens are stored only as hashes', () => {
  it('the sessions table holds the SHA-256 of the cookie’s token, never the token', async () => {
    const doctor = await createDoctor()
    const result = await callAction(loginRoute, {
      url: '/login',
      form: { email: doctor.email, password: doctor.password },
      clientAddress: nextClientAddress(),
    })
    expect(result.status).toBe(302)
    const token = tokenOf(cookiePair(result.setCookie!))
    expect(token.length).toBeGreaterThanOrEqual(32)

    const rows = await sessionRows(doctor.id)
    expect(rows).toHaveLength(1)
    expect(rows[0].id).toBe(sha256(token))
    expect(rows[0].whole).not.toContain(token)
    expect(rows[0].public_id).not.toBe(rows[0].id)
    const [anywhere] = await rawSql()<{ n: number }[]>`
      select count(*)::int as n from sessions s where row_to_json(s)::text like ${'%' + token + '%'}`
    expect(anywhere.n).toBe(0)

    // The cookie opens the session; its stored id, used as a cookie, opens nothing.
    expect((await validateCookieHeader(`${sessionCookieName}=${token}`))?.user.id).toBe(doctor.id)
    expect(await validateCookieHeader(`${sessionCookieName}=${rows[0].id}`)).toBeNull()
    expect(await validateCookieHeader(`${sessionCookieName}=${rows[0].public_id}`)).toBeNull()
  })

  it('the devices page’s data names other devices by public id, without their token or stored id', async () => {
    const doctor = await createDoctor()
    const laptop = await signIn(doctor.id, { userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Firefox/128.0' })
    const phone = await signIn(doctor.id, { userAgent: 'Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile' })

    const result = await callLoader(sessionsRoute, { url: '/settings/sessions', auth: laptop })

    const text = JSON.stringify(result.data)
    for (const secret of [tokenOf(phone.cookie), phone.sessionId, tokenOf(laptop.cookie), laptop.sessionId]) {
      expect(text).not.toContain(secret)
    }
    const { sessions } = result.data as Listed
    expect(sessions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ publicId: phone.session.publicId, current: false }),
        expect.objectContaining({ publicId: laptop.session.publicId, current: true }),
      ]),
    )
  })

  it('a stored id sent as a public id ends nothing', async () => {
    const doctor = await createDoctor()
    const laptop = await signIn(doctor.id)
    const phone = await signIn(doctor.id)
    const result = await callAction(sessionsRoute, { url: '/settings/sessions', form: { intent: 'end-one', publicId: phone.sessionId }, auth: laptop })
    expect(result.status).toBe(404)
    expect(await validateSessionId(phone.sessionId)).not.toBeNull()
  })
})

describe('ending another device by its public id', () => {
  let server: RealtimeServer
  beforeAll(async () => {
    server = await startRealtimeServer()
  })
  afterAll(async () => {
    await server.close()
  })

  it('signs that device out and disconnects its open sockets', async () => {
    const doctor = await createDoctor()
    const laptop = await signIn(doctor.id)
    const phone = await signIn(doctor.id)
    const phoneSocket = await server.connect(phone.cookie)
    const laptopSocket = await server.connect(laptop.cookie)
    const phoneGone = new Promise<string>((resolve) => phoneSocket.socket.once('disconnect', resolve))

    const result = await callAction(sessionsRoute, {
      url: '/settings/sessions',
      form: { intent: 'end-one', publicId: phone.session.publicId },
      auth: laptop,
    })

    expect(result).toMatchObject({ status: 200, data: { ok: true, message: 'Signed out 1 other session.' } })
    expect(await validateCookieHeader(phone.cookie)).toBeNull()
    expect((await validateCookieHeader(laptop.cookie))?.user.id).toBe(doctor.id)
    await expect(
      Promise.race([phoneGone, new Promise((_, reject) => setTimeout(() => reject(new Error('the phone’s socket stayed open')), 3000))]),
    ).resolves.toBe('io server disconnect')
    expect(laptopSocket.socket.connected).toBe(true)
    // A new socket with the ended session is refused.
    await expect(server.connect(phone.cookie)).rejects.toThrow(/sign in/i)
  })

  it('refuses to end the current session by its public id, pointing to Sign out', async () => {
    const doctor = await createDoctor()
    const laptop = await signIn(doctor.id)
    const result = await callAction(sessionsRoute, {
      url: '/settings/sessions',
      form: { intent: 'end-one', publicId: laptop.session.publicId },
      auth: laptop,
    })
    expect(result).toMatchObject({ status: 400, data: { ok: false, message: 'To end this session, use Sign out.' } })
    expect(await validateCookieHeader(laptop.cookie)).not.toBeNull()
  })
})

describe('sessions started before tokens were hashed', () => {
  it('the migration hashes stored tokens in place, so their cookies keep working', async () => {
    const doctor = await createDoctor()
    const legacyToken = 'legacy0token0stored0as0is0abcdefghijklmn'
    await rawSql()`
      insert into sessions (id, user_id, expires_at, created_at)
      values (${legacyToken}, ${doctor.id}, now() + interval '1 day', now())`
    const migration = readFileSync(path.resolve(import.meta.dirname, '../../db/migrations/0013_hash_session_tokens.sql'), 'utf8')

    await rawSql().unsafe(migration)

    const rows = await sessionRows(doctor.id)
    expect(rows.map((r) => r.id)).toEqual([sha256(legacyToken)])
    expect(rows[0].public_id).toMatch(/^[0-9a-f-]{36}$/)
    expect((await validateCookieHeader(`${sessionCookieName}=${legacyToken}`))?.user.id).toBe(doctor.id)
  })
})

describe('the devices page over HTTP', () => {
  let app: AppServer
  beforeAll(async () => {
    app = await startAppServer()
  }, 240_000)
  afterAll(async () => {
    await app?.stop()
  })

  it('neither the HTML nor ?_data= holds another device’s token or stored id', async () => {
    const email = 'asha.rao@demo.rounds.local'
    const laptopCookie = await signInOverHttp(app.baseUrl, email, 'rounds-demo-2026')
    const phoneCookie = await signInOverHttp(app.baseUrl, email, 'rounds-demo-2026')
    const secrets = [tokenOf(phoneCookie), sha256(tokenOf(phoneCookie))]
    const laptop = httpClient(app.baseUrl, laptopCookie)

    const html = await laptop.get('/settings/sessions')
    const data = await laptop.loaderData('/settings/sessions', 'routes/settings.sessions')

    expect(html.status).toBe(200)
    expect(data.status).toBe(200)
    expect(html.text).toContain('Devices and sessions')
    expect((JSON.parse(data.text) as Listed).sessions.length).toBeGreaterThanOrEqual(2)
    for (const secret of secrets) {
      expect(html.text).not.toContain(secret)
      expect(data.text).not.toContain(secret)
    }
    const phonePublicId = (JSON.parse(data.text) as Listed).sessions.find((s) => !s.current)!.publicId
    expect(html.text).toContain(phonePublicId)
  })
})
