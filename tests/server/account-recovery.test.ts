import { io as connectSocket, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { deactivateAccount } from '../../db/privacy/index'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor } from '../support/factories'
import { signInOverHttp } from '../support/http-client'

// The account flows over real HTTP against the running server: form posts without JavaScript,
// codes read from the dev mailbox, and sessions (and their sockets) ended by a new password.

let app: AppServer
let addressCounter = 0

beforeAll(async () => {
  app = await startAppServer()
  await closeDatabase()
  await openDatabase({ url: app.databaseUrl, runMigrations: false, maxConnections: 3 })
}, 240_000)

afterAll(async () => {
  await app?.stop()
})

/** A client address of its own, so one test's tries do not count against another's. */
function nextAddress() {
  addressCounter++
  return `198.51.100.${addressCounter}`
}

type Sent = { status: number; location: string | null; cookie: string | null; text: string; ms: number }

async function post(path: string, form: Record<string, string>, options: { cookie?: string | null; address?: string } = {}): Promise<Sent> {
  const started = performance.now()
  const res = await fetch(new URL(path, app.baseUrl), {
    method: 'POST',
    body: new URLSearchParams(form),
    headers: {
      origin: app.baseUrl,
      'x-forwarded-for': options.address ?? nextAddress(),
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    redirect: 'manual',
  })
  const text = await res.text()
  const cookie =
    res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0].trim())
      .find((c) => c.startsWith('rounds_session=') && c !== 'rounds_session=') ?? null
  return { status: res.status, location: res.headers.get('location'), cookie, text, ms: performance.now() - started }
}

async function get(path: string, cookie: string | null = null) {
  const res = await fetch(new URL(path, app.baseUrl), { headers: cookie ? { cookie } : {}, redirect: 'manual' })
  return { status: res.status, location: res.headers.get('location'), text: await res.text() }
}

async function mails(to: string) {
  return rawSql()<{ subject: string; text: string }[]>`select subject, text from dev_mailbox where lower("to") = lower(${to}) order by sent_at desc`
}

async function newestCode(to: string, subject: RegExp) {
  const found = (await mails(to)).find((m) => subject.test(m.subject))
  const code = /^(\d{6}) /.exec(found?.subject ?? '')?.[1]
  if (!code || !found) throw new Error(`No code mailed to ${to}`)
  return { code, text: found.text }
}

const RESET_SUBJECT = /^\d{6} is your Rounds password reset code$/

/** Whether the cookie still opens a settings page (rather than sending to sign in). */
async function signedIn(cookie: string) {
  return (await get('/settings/password', cookie)).status === 200
}

function openSocket(cookie: string): Promise<Socket> {
  const socket = connectSocket(app.baseUrl, {
    transports: ['websocket'],
    extraHeaders: { cookie, origin: app.baseUrl },
    reconnection: false,
    forceNew: true,
  })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', reject)
  })
}

function disconnected(socket: Socket, withinMs: number) {
  if (socket.disconnected) return Promise.resolve(true)
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs)
    socket.once('disconnect', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

describe('password reset over HTTP', () => {
  it('forgot password → code → new password: old sessions and their sockets end, the person is signed in afresh and told', async () => {
    const doctor = await createDoctor()
    const phone = await signInOverHttp(app.baseUrl, doctor.email, doctor.password)
    const socket = await openSocket(phone)
    try {
      const asked = await post('/forgot-password', { email: doctor.email })
      expect(asked.status).toBe(302)
      expect(asked.location).toBe(`/reset-password?email=${encodeURIComponent(doctor.email)}&sent=1`)
      const { code } = await newestCode(doctor.email, RESET_SUBJECT)

      const wrong = await post('/reset-password', { method: 'code', email: doctor.email, code: code === '000000' ? '000001' : '000000', password: 'a brand new password' })
      expect(wrong.status).toBe(400)
      expect(wrong.text).toContain('That code is not right. 4 tries left.')
      expect(await signedIn(phone)).toBe(true)

      const done = await post('/reset-password', { method: 'code', email: doctor.email, code, password: 'a brand new password' })
      expect(done.status).toBe(302)
      expect(done.location).toBe('/settings/password?reset=1')
      expect(done.cookie).not.toBeNull()

      expect(await disconnected(socket, 3000)).toBe(true)
      expect(await signedIn(phone)).toBe(false)
      expect(await signedIn(done.cookie!)).toBe(true)
      expect((await get('/settings/password?reset=1', done.cookie)).text).toContain('Your new password is set and you are signed in.')
      const [notice] = await mails(doctor.email)
      expect(notice.subject).toBe('Your Rounds password was changed')
      expect(notice.text).toContain("If this wasn't you")

      const replay = await post('/reset-password', { method: 'code', email: doctor.email, code, password: 'yet another new password' })
      expect(replay.status).toBe(400)
      expect(replay.text).toContain('This code has already been used or replaced.')
      await expect(signInOverHttp(app.baseUrl, doctor.email, 'a brand new password')).resolves.toMatch(/^rounds_session=/)
    } finally {
      socket.close()
    }
  })

  it('answers an unknown address exactly as a known one, and no sooner', async () => {
    const doctor = await createDoctor()
    const known = await post('/forgot-password', { email: doctor.email })
    const unknown = await post('/forgot-password', { email: 'no.account.here@hospital.test' })
    for (const answer of [known, unknown]) {
      expect(answer.status).toBe(302)
      expect(answer.ms).toBeGreaterThanOrEqual(340)
    }
    expect(unknown.location).toBe('/reset-password?email=no.account.here%40hospital.test&sent=1')
    expect(await mails('no.account.here@hospital.test')).toEqual([])
  })

  it('limits requests per email across addresses, and per address across emails', async () => {
    const doctor = await createDoctor()
    for (let i = 0; i < 10; i++) expect((await post('/forgot-password', { email: doctor.email })).status).toBe(302)
    const perEmail = await post('/forgot-password', { email: doctor.email })
    expect(perEmail.status).toBe(429)
    expect(perEmail.text).toContain('Too many reset requests.')

    const address = nextAddress()
    for (let i = 0; i < 10; i++) expect((await post('/forgot-password', { email: `someone.${i}@hospital.test` }, { address })).status).toBe(302)
    expect((await post('/forgot-password', { email: 'someone.else@hospital.test' }, { address })).status).toBe(429)
  })

  it('the emailed link opens a form that works once; a changed token opens nothing', async () => {
    const doctor = await createDoctor()
    await post('/forgot-password', { email: doctor.email })
    const { text } = await newestCode(doctor.email, RESET_SUBJECT)
    const link = new URL(/https?:\/\/\S+\/reset-password\?token=\S+/.exec(text)![0])
    const token = link.searchParams.get('token')!

    expect((await get(link.pathname + link.search)).text).toContain('Choose a new password')
    const bent = await get(`/reset-password?token=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)
    expect(bent.text).toContain('This link no longer works')

    const done = await post('/reset-password', { method: 'link', token, password: 'linked new password' })
    expect(done.status).toBe(302)
    const again = await post('/reset-password', { method: 'link', token, password: 'linked newer password' })
    expect(again.status).toBe(400)
    expect(again.text).toContain('This link has already been used or replaced.')
  })

  it('a deactivated account gets no code, and a code it had is refused with 403', async () => {
    const doctor = await createDoctor()
    await post('/forgot-password', { email: doctor.email })
    const { code } = await newestCode(doctor.email, RESET_SUBJECT)
    await deactivateAccount(doctor.id, 'none')

    const refused = await post('/reset-password', { method: 'code', email: doctor.email, code, password: 'a brand new password' })
    expect(refused.status).toBe(403)
    expect(refused.text).toContain('This account is deactivated')
    await expect(signInOverHttp(app.baseUrl, doctor.email, doctor.password)).resolves.toMatch(/^rounds_session=/)

    await new Promise((r) => setTimeout(r, 10))
    const before = (await mails(doctor.email)).length
    await post('/forgot-password', { email: doctor.email })
    const [newest] = await mails(doctor.email)
    expect((await mails(doctor.email)).length).toBe(before + 1)
    expect(newest.subject).toBe('Your Rounds password was not reset')
  })
})

describe('settings: password and email over HTTP', () => {
  it('change password: the current one is required; other devices are signed out', async () => {
    const doctor = await createDoctor()
    const laptop = await signInOverHttp(app.baseUrl, doctor.email, doctor.password)
    const phone = await signInOverHttp(app.baseUrl, doctor.email, doctor.password)

    const wrong = await post('/settings/password', { currentPassword: 'not my password', newPassword: 'a much better password' }, { cookie: laptop })
    expect(wrong.status).toBe(400)
    expect(wrong.text).toContain('That password is not right.')
    const common = await post('/settings/password', { currentPassword: doctor.password, newPassword: 'password123' }, { cookie: laptop })
    expect(common.status).toBe(400)
    expect(common.text).toContain('That password is too common.')
    expect(await signedIn(phone)).toBe(true)

    const done = await post('/settings/password', { currentPassword: doctor.password, newPassword: 'a much better password' }, { cookie: laptop })
    expect(done.status).toBe(302)
    expect(done.location).toBe('/settings/password?changed=1')
    expect(await signedIn(laptop)).toBe(true)
    expect(await signedIn(phone)).toBe(false)
    expect((await mails(doctor.email))[0].subject).toBe('Your Rounds password was changed')
  })

  it('change email: an address in use is refused; the code confirms; the old address can undo from its link', async () => {
    const doctor = await createDoctor()
    const other = await createDoctor()
    const cookie = await signInOverHttp(app.baseUrl, doctor.email, doctor.password)
    const newEmail = `moved.${doctor.id.slice(0, 8)}@clinic.test`

    const inUse = await post('/settings/email', { intent: 'request', newEmail: other.email, password: doctor.password }, { cookie })
    expect(inUse.status).toBe(409)
    expect(inUse.text).toContain('That email address is already used by another account.')
    expect(inUse.text).not.toContain(other.name)
    const wrongPassword = await post('/settings/email', { intent: 'request', newEmail, password: 'not my password' }, { cookie })
    expect(wrongPassword.status).toBe(400)
    expect(await mails(newEmail)).toEqual([])

    expect((await post('/settings/email', { intent: 'request', newEmail, password: doctor.password }, { cookie })).location).toBe('/settings/email?sent=1')
    const { code } = await newestCode(newEmail, /to confirm this address$/)
    const confirmed = await post('/settings/email', { intent: 'confirm', code }, { cookie })
    expect(confirmed.status).toBe(302)
    expect((await get('/settings/email?changed=1', cookie)).text).toContain(newEmail)

    const [told] = await mails(doctor.email)
    expect(told.subject).toBe('Your Rounds email address was changed')
    const link = new URL(/https?:\/\/\S+\/email-undo\/\S+/.exec(told.text)![0])
    // Opening the link changes nothing; a link bent in any way opens nothing.
    expect((await get(link.pathname + link.search)).status).toBe(200)
    expect(await signedIn(cookie)).toBe(true)
    // Each bend changes a character for another one, whatever the link held there.
    const bentSig = link.search.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'x' ? 'y' : 'x'}`)
    const bentExpiry = link.search.replace(/expires=(\d)/, (_m, d: string) => `expires=${d === '9' ? '8' : '9'}`)
    expect((await get(link.pathname + bentSig)).status).toBe(404)
    expect((await post(link.pathname + bentExpiry, {})).status).toBe(404)

    const undone = await post(link.pathname + link.search, {}, { cookie })
    expect(undone.status).toBe(302)
    expect(undone.location).toBe(link.pathname + link.search)
    expect(await signedIn(cookie)).toBe(false)
    const back = await get(undone.location!, cookie)
    expect(back.text).toContain('is your sign-in email again')
    expect(back.text).not.toContain('Sign out')
    await expect(signInOverHttp(app.baseUrl, doctor.email, doctor.password)).resolves.toMatch(/^rounds_session=/)
    expect((await post(link.pathname + link.search, {})).status).toBe(409)
  })
})
