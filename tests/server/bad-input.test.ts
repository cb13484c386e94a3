import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { getCommunicationPreferences } from '../../db/privacy/index'
import { signUnsubscribeToken } from '../../server/mail/unsubscribe'
import { startAppServer, type AppServer } from '../support/app-server'
import { signInOverHttp } from '../support/http-client'
import { rawRequest } from '../support/raw-http'

// Bad input at the HTTP edge of the real server: bodies that are not forms, NUL characters,
// Origin and Host that disagree, unsubscribe posts from other sites and oversized uploads each
// get a 4xx with a sentence a doctor can act on, and change nothing.

let app: AppServer
let cookie = ''
let userId = ''
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rounds-bad-input-'))
const MB = 1024 * 1024

const NOT_A_FORM = 'Rounds only accepts forms here. Go back, reload the page and send the form again.'
const UNREADABLE = 'This form could not be read. Reload the page and try again.'
const UNUSUAL = 'Remove the unusual character from what you typed and try again.'
const UNUSUAL_ADDRESS = 'Remove the unusual character from the address and try again.'

beforeAll(async () => {
  app = await startAppServer({ env: { DATA_DIR: dataDir } })
  await closeDatabase()
  await openDatabase({ url: app.databaseUrl, runMigrations: false, maxConnections: 3 })
  cookie = await signInOverHttp(app.baseUrl, 'asha.rao@demo.rounds.local', 'rounds-demo-2026')
  const [row] = await rawSql()<{ id: string }[]>`select id from users where email = 'asha.rao@demo.rounds.local'`
  userId = row.id
}, 240_000)

afterAll(async () => {
  await app?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const post = (pathname: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}) =>
  fetch(new URL(pathname, app.baseUrl), {
    method: 'POST',
    body: init.body,
    headers: { origin: app.baseUrl, cookie, ...init.headers },
    redirect: 'manual',
  })

async function profileRow() {
  const [row] = await rawSql()<{ name: string; photo_path: string | null }[]>`select name, photo_path from profiles where user_id = ${userId}`
  return row
}

function multipart(boundary: string, parts: { name: string; value: string | Buffer; filename?: string }[], close = true) {
  const pieces: Buffer[] = []
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`
    const type = part.filename !== undefined ? 'Content-Type: image/png\r\n' : ''
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`), Buffer.from(part.value), Buffer.from('\r\n'))
  }
  if (close) pieces.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(pieces)
}

describe('bodies that are not forms', () => {
  it('answers 415 to no body, JSON and plain text, and 400 to a multipart body that cannot be read', async () => {
    const before = await profileRow()
    for (const target of ['/settings/profile', '/login', '/logout', '/clubs/new']) {
      const none = await post(target)
      expect(none.status, `${target} without a body`).toBe(415)
      expect(await none.text()).toBe(NOT_A_FORM)
      const json = await post(target, { body: JSON.stringify({ name: 'Dr X' }), headers: { 'content-type': 'application/json' } })
      expect(json.status, `${target} with JSON`).toBe(415)
      const text = await post(target, { body: 'name=Dr X', headers: { 'content-type': 'text/plain' } })
      expect(text.status, `${target} with text/plain`).toBe(415)
      const noBoundary = await post(target, { body: 'x', headers: { 'content-type': 'multipart/form-data' } })
      expect(noBoundary.status, `${target} multipart without a boundary`).toBe(400)
      expect(await noBoundary.text()).toBe(UNREADABLE)
    }
    // A boundary that never appears, and one part cut off in its headers.
    for (const body of ['this is not multipart at all', '--b0undary\r\nContent-Disposition: form-da']) {
      const broken = await post('/settings/profile', { body, headers: { 'content-type': 'multipart/form-data; boundary=b0undary' } })
      expect(broken.status).toBe(400)
    }
    expect(await profileRow()).toEqual(before)
  })
})

describe('NUL characters', () => {
  it('refuses a NUL in a url-encoded or multipart field with a 400, changing nothing', async () => {
    const before = await profileRow()
    const form = new URLSearchParams({ name: 'Dr Asha\u0000 Rao', handle: 'asha-rao', visibility: 'public' })
    const encoded = await post('/settings/profile', { body: form })
    expect(encoded.status).toBe(400)
    // A page's action refuses it by throwing: the error page says what to do.
    expect(await encoded.text()).toContain(UNUSUAL)

    const data = new FormData()
    data.set('name', 'Dr Asha Rao')
    data.set('bio', 'Heart\u0000 failure clinic')
    const multi = await post('/settings/profile', { body: data })
    expect(multi.status).toBe(400)
    expect(await multi.text()).toContain(UNUSUAL)

    // In a field's name too, and in a form whose action reads fields one by one.
    const inName = await post('/cookies', { body: new URLSearchParams({ 'intent\u0000': 'reject-all' }) })
    expect(inName.status).toBe(400)
    const login = await fetch(new URL('/login', app.baseUrl), {
      method: 'POST',
      body: new URLSearchParams({ email: 'asha.rao@demo.rounds.local\u0000', password: 'x' }),
      headers: { origin: app.baseUrl },
      redirect: 'manual',
    })
    expect(login.status).toBe(400)
    expect(await profileRow()).toEqual(before)
  })

  it('refuses a NUL in the search query, the suggestions and any address with a 400', async () => {
    const search = await fetch(new URL('/search?q=heart%00failure', app.baseUrl), { headers: { cookie } })
    expect(search.status).toBe(400)
    expect(await search.text()).toBe(UNUSUAL_ADDRESS)
    const suggest = await fetch(new URL('/api/search-suggest?q=%00', app.baseUrl), { headers: { cookie } })
    expect(suggest.status).toBe(400)
    expect(await suggest.json()).toEqual({ ok: false, error: UNUSUAL_ADDRESS })
    for (const address of ['/u/%00', '/c/%00/members', '/clubs?q=%00', '/t/x%00']) {
      const res = await fetch(new URL(address, app.baseUrl), { headers: { cookie } })
      expect(res.status, address).toBe(400)
    }
    // Still fine without one.
    expect((await fetch(new URL('/search?q=heart', app.baseUrl), { headers: { cookie } })).status).toBe(200)
  })
})

describe('Origin and Host', () => {
  const form = 'intent=reject-all&redirectTo=%2Fclubs'
  const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' }

  it('answers 403 when the Origin is the public address but the request names another host', async () => {
    const port = new URL(app.baseUrl).port
    const otherHost = await rawRequest(app.baseUrl, {
      path: '/cookies',
      headers: { ...formHeaders, host: `127.0.0.1:${port}`, origin: app.baseUrl },
      body: form,
    })
    expect(otherHost.status).toBe(403)
    expect(otherHost.body).toContain('different address than the page it came from')
    const forwarded = await rawRequest(app.baseUrl, {
      path: '/cookies',
      headers: { ...formHeaders, origin: app.baseUrl, 'x-forwarded-host': 'evil.example' },
      body: form,
    })
    expect(forwarded.status).toBe(403)
    // The same form from the same address is taken.
    const same = await rawRequest(app.baseUrl, { path: '/cookies', headers: { ...formHeaders, origin: app.baseUrl }, body: form })
    expect(same.status).toBe(302)
  })

  it('answers 400 to a Host it cannot read', async () => {
    for (const host of ['localhost:99999', 'bad host', 'a/b']) {
      const res = await rawRequest(app.baseUrl, { method: 'GET', path: '/', headers: { host } })
      expect(res.status, host).toBe(400)
    }
  })
})

describe('one-click unsubscribe', () => {
  const oneClick = 'List-Unsubscribe=One-Click'
  const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' }

  it('takes a post with the token in the address from no Origin, a mail client’s own Origin or Origin null', async () => {
    for (const [origin, kind] of [
      [undefined, 'engagement'],
      ['https://mail.example.com', 'promotional'],
      ['null', 'engagement'],
    ] as const) {
      const token = signUnsubscribeToken({ userId, kind, channel: 'email' })
      const res = await fetch(new URL(`/unsubscribe?token=${encodeURIComponent(token)}`, app.baseUrl), {
        method: 'POST',
        body: oneClick,
        headers: { ...formHeaders, ...(origin ? { origin } : {}) },
      })
      expect(res.status, `Origin ${origin}`).toBe(200)
    }
    const choices = await getCommunicationPreferences(userId)
    expect(choices.email).toMatchObject({ engagement: false, promotional: false })
  })

  it('answers 403 to a form from another site that carries the token in its body, changing nothing', async () => {
    await rawSql()`delete from communication_preferences where user_id = ${userId}`
    const token = signUnsubscribeToken({ userId, kind: 'engagement', channel: 'email' })
    const res = await fetch(new URL('/unsubscribe', app.baseUrl), {
      method: 'POST',
      body: new URLSearchParams({ token }),
      headers: { origin: 'https://evil.example' },
    })
    expect(res.status).toBe(403)
    expect(await res.text()).toBe(
      'This unsubscribe request came from another site, so Rounds did not accept it. Use the unsubscribe link in your email instead.',
    )
    expect((await getCommunicationPreferences(userId)).email.engagement).toBe(true)
  })
})

describe('uploads', () => {
  const uploads = () => {
    try {
      return readdirSync(path.join(dataDir, 'uploads'))
    } catch {
      return []
    }
  }

  it('stops reading a photo at 5 MB and answers 413 while the rest of the body is still unsent', async () => {
    const before = await profileRow()
    const boundary = 'roundsphoto'
    const head = multipart(boundary, [
      { name: 'name', value: 'Dr Asha Rao' },
      { name: 'handle', value: 'asha-rao' },
      { name: 'visibility', value: 'public' },
    ], false)
    const photoStart = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`)
    // Just over the limit is sent; the declared length promises another 700 KB that never comes.
    const sent = Buffer.concat([head, photoStart, Buffer.alloc(5 * MB + 64 * 1024, 1)])
    const res = await rawRequest(app.baseUrl, {
      path: '/settings/profile',
      headers: { cookie, origin: app.baseUrl, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: sent,
      declaredLength: sent.byteLength + 700 * 1024,
      leaveOpen: true,
    })
    expect(res.status).toBe(413)
    expect(res.body).toContain('The photo must be 5 MB or smaller.')
    expect(await profileRow()).toEqual(before)
    expect(uploads()).toEqual([])
  })

  it('answers 413 to a whole oversized cover, and creates no club and no file', async () => {
    const data = new FormData()
    data.set('name', 'Oversized Cover Club')
    data.set('slug', 'oversized-cover-club')
    data.set('visibility', 'public')
    data.set('cover', new Blob([Buffer.alloc(5 * MB + 1, 1)], { type: 'image/png' }), 'cover.png')
    const res = await post('/clubs/new', { body: data })
    expect(res.status).toBe(413)
    expect(await res.text()).toContain('The cover image must be 5 MB or smaller.')
    expect(await rawSql()`select 1 from clubs where slug = 'oversized-cover-club'`).toHaveLength(0)
    expect(uploads()).toEqual([])
  })

  it('answers 413 to a multipart text field far longer than any form takes, on any action', async () => {
    const before = await profileRow()
    for (const target of ['/settings/profile', '/settings/privacy', '/signup', '/clubs/new']) {
      const data = new FormData()
      data.set('name', 'x'.repeat(200 * 1024))
      // Sign-up is for visitors.
      const res = await post(target, { body: data, headers: target === '/signup' ? { cookie: '' } : {} })
      expect(res.status, target).toBe(413)
    }
    expect(await profileRow()).toEqual(before)
  })

  it('drops a file sent in a field that takes text, so the field counts as empty', async () => {
    const before = await profileRow()
    const boundary = 'roundsfile'
    const body = multipart(boundary, [
      { name: 'name', value: Buffer.from('Dr Not A File'), filename: 'name.txt' },
      { name: 'handle', value: 'asha-rao' },
      { name: 'visibility', value: 'public' },
    ])
    const res = await post('/settings/profile', { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })
    expect(res.status).toBe(400)
    expect(await profileRow()).toEqual(before)
  })
})
