import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { createInviteLink } from '../../db/clubs'
import { requestExport } from '../../db/data-rights/index'
import { signUnsubscribeToken } from '../../server/mail/unsubscribe'
import { startAppServer, type AppServer } from '../support/app-server'
import { signInOverHttp } from '../support/http-client'
import { rawRequest } from '../support/raw-http'

/*
 * Every route with an action, found by reading app/routes, is sent what a careless client or an
 * attacker sends — as a visitor, as a member who runs a club and as staff, always with a valid
 * Origin: no body, JSON, plain text, multipart without a boundary, broken multipart, a 200 KB text field, a NUL in
 * each field of each of its forms (url-encoded and multipart), a 7 MB body and a declared
 * 100 MB one. Every page is also fetched with a NUL in its query string and in its path
 * parameters. Not one answer may be a 5xx.
 */

const ROUTES_DIR = path.resolve(import.meta.dirname, '../../app/routes')
const MB = 1024 * 1024

let app: AppServer
type Identity = { name: string; cookie: string | null }
const identities: Identity[] = []
let params: Record<string, string> = {}
const sent = { count: 0, nulFields: 0 }
const failures: string[] = []

beforeAll(async () => {
  app = await startAppServer()
  await closeDatabase()
  await openDatabase({ url: app.databaseUrl, runMigrations: false, maxConnections: 3 })
  const [club] = await rawSql()<{ slug: string; id: string }[]>`select slug, id from clubs where name = 'Cardiology Grand Rounds'`
  const [talk] = await rawSql()<{ id: string }[]>`select id from talks where club_id = ${club.id} order by starts_at limit 1`
  const [quiz] = await rawSql()<{ id: string }[]>`select id from quizzes limit 1`
  const [asha] = await rawSql()<{ id: string }[]>`select id from users where email = 'asha.rao@demo.rounds.local'`
  const [tom] = await rawSql()<{ id: string }[]>`select id from users where email = 'tom.becker@demo.rounds.local'`
  const link = await createInviteLink({ userId: asha.id, role: 'member' }, club.slug, { expiresAt: null, maxUses: null })
  const request = await requestExport({ userId: tom.id, role: 'member' })
  params = {
    slug: club.slug,
    handle: 'tom-becker',
    token: link.token,
    't.id': talk.id,
    'q.id': quiz.id,
    'q.$id.images.name': `${randomUUID()}.webp`,
    'receipts.id': randomUUID(),
    'email-undo.id': randomUUID(),
    'exports.id': request.id,
    'staff.privacy.requests.id': request.id,
    'staff.verification.id': randomUUID(),
    'moderation.items.kind': 'comment',
    'moderation.items.$kind.id': randomUUID(),
    'ads.campaignId': randomUUID(),
    'advertise.campaigns.id': randomUUID(),
    'certificates.id': 'ABCD-EFGH-JKMN-PQRS-TVWX',
    'developers.appId': randomUUID(),
    'learning.talkId': talk.id,
    'oauth.consent.uid': 'no-such-interaction',
    'security.not-me.id': randomUUID(),
    'staff.privacy.incidents.id': randomUUID(),
    unsubscribeToken: signUnsubscribeToken({ userId: asha.id, kind: 'promotional', channel: 'email' }),
  }
  identities.push(
    { name: 'visitor', cookie: null },
    { name: 'member', cookie: await signInOverHttp(app.baseUrl, 'asha.rao@demo.rounds.local', 'rounds-demo-2026') },
    { name: 'staff', cookie: await signInOverHttp(app.baseUrl, 'privacy.officer@demo.rounds.local', 'rounds-demo-2026') },
  )
}, 240_000)

afterAll(async () => {
  await app?.stop()
})

// ---------------------------------------------------------------- routes from app/routes

type Route = { file: string; id: string; url: string; hasAction: boolean }

/** A flat-routes file name as the URL it answers, with a value for each dynamic segment. */
function urlOf(file: string): string {
  const name = file.replace(/\.tsx$/, '')
  const segments: string[] = []
  let index = false
  // Dots inside [] are literal (t.$id[.ics] is /t/:id.ics).
  for (const raw of name.match(/(?:[^.[]|\[[^\]]*\])+/g) ?? []) {
    const segment = raw.replace(/_$/, '').replace(/\[([^\]]*)\]/g, '$1')
    if (segment === '_index') {
      index = true
      continue
    }
    if (segment === '$') {
      segments.push('no-such-page')
      continue
    }
    segments.push(segment)
  }
  const parts = segments.map((segment, i) => {
    const param = /^\$(\w+)(.*)$/.exec(segment)
    if (!param) return segment
    const [, key, suffix] = param
    const scoped = `${segments.slice(0, i).join('.')}.${key}`
    const value = params[scoped] ?? params[key]
    if (value === undefined) throw new Error(`No value for :${key} in ${file}: add one to the fixture.`)
    return encodeURIComponent(value) + suffix
  })
  const pathname = `/${parts.join('/')}`.replace(/\/$/, '') || '/'
  if (name === 'unsubscribe') return `/unsubscribe?token=${encodeURIComponent(params.unsubscribeToken)}`
  return index ? `${pathname}?index` : pathname
}

function routes(): Route[] {
  return readdirSync(ROUTES_DIR)
    .filter((file) => file.endsWith('.tsx'))
    .sort()
    .map((file) => ({
      file,
      id: `routes/${file.replace(/\.tsx$/, '')}`,
      url: urlOf(file),
      hasAction: /export (async )?function action\b|export const action\b/.test(readFileSync(path.join(ROUTES_DIR, file), 'utf8')),
    }))
}

// ---------------------------------------------------------------- sending

function note(what: string, status: number) {
  sent.count++
  if (status >= 500) failures.push(`${status} ${what}`)
}

async function send(identity: Identity, what: string, url: string, init: { method?: string; body?: BodyInit; headers?: Record<string, string> }) {
  let res: Response
  let text: string
  try {
    res = await fetch(new URL(url, app.baseUrl), {
      method: init.method ?? 'POST',
      body: init.body,
      headers: { origin: app.baseUrl, ...(identity.cookie ? { cookie: identity.cookie } : {}), ...init.headers },
      redirect: 'manual',
    })
    text = await res.text()
  } catch (error) {
    // A connection closed without an answer is a failure too.
    sent.count++
    failures.push(`no answer (${String((error as Error).cause ?? error)}) ${identity.name} ${init.method ?? 'POST'} ${url}: ${what}`)
    return { status: 0, text: '' }
  }
  note(`${identity.name} ${init.method ?? 'POST'} ${url}: ${what}`, res.status)
  return { status: res.status, text }
}

type Field = { name: string; value: string }
const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** The post forms of a page that send to the page's own action, each as its named fields. */
function formsOf(html: string, url: string): Field[][] {
  const own = new URL(url, app.baseUrl).pathname
  const forms: Field[][] = []
  for (const [, attrs, inner] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    if (!/method="post"/i.test(attrs)) continue
    const action = /action="([^"]*)"/.exec(attrs)?.[1]
    if (action !== undefined && new URL(decode(action), new URL(url, app.baseUrl)).pathname !== own) continue
    const fields: Field[] = []
    for (const [, tag, fieldAttrs] of inner.matchAll(/<(input|select|textarea|button)\b([^>]*)>/g)) {
      const name = /\bname="([^"]*)"/.exec(fieldAttrs)?.[1]
      if (!name || /type="file"/.test(fieldAttrs)) continue
      const value = tag === 'select' || tag === 'textarea' ? 'x' : decode(/\bvalue="([^"]*)"/.exec(fieldAttrs)?.[1] ?? 'x')
      fields.push({ name: decode(name), value })
    }
    if (fields.length) forms.push(fields)
  }
  return forms
}

async function fuzzAction(identity: Identity, route: Route) {
  const url = route.url
  const page = route.file === 'logout.tsx' ? null : await send(identity, 'GET the form', url, { method: 'GET' })
  const forms = page?.status === 200 ? formsOf(page.text, url) : []
  // A page this identity cannot open still gets a form-shaped body with a field in it.
  if (!forms.length) forms.push([{ name: 'intent', value: 'x' }])

  await send(identity, 'no body', url, {})
  await send(identity, 'JSON', url, { body: JSON.stringify({ intent: 'x' }), headers: { 'content-type': 'application/json' } })
  await send(identity, 'text/plain', url, { body: 'intent=x', headers: { 'content-type': 'text/plain' } })
  await send(identity, 'multipart without a boundary', url, { body: 'intent=x', headers: { 'content-type': 'multipart/form-data' } })
  await send(identity, 'broken multipart', url, {
    body: '--fuzz\r\nContent-Disposition: form-data; name="intent"\r\n\r\nx\r\n--fu',
    headers: { 'content-type': 'multipart/form-data; boundary=fuzz' },
  })
  const long = new FormData()
  long.set(forms[0][0].name, 'x'.repeat(200 * 1024))
  await send(identity, '200 KB text field (multipart)', url, { body: long })
  for (const fields of forms) {
    for (const target of fields) {
      const withNul = fields.map((f) => (f === target ? { name: f.name, value: `${f.value}\u0000` } : f))
      const encoded = new URLSearchParams(withNul.map((f) => [f.name, f.value]))
      await send(identity, `NUL in ${target.name} (url-encoded)`, url, { body: encoded })
      const multipart = new FormData()
      for (const f of withNul) multipart.append(f.name, f.value)
      await send(identity, `NUL in ${target.name} (multipart)`, url, { body: multipart })
      sent.nulFields += 2
    }
  }
  const cookieHeader: Record<string, string> = identity.cookie ? { cookie: identity.cookie } : {}
  const big = await rawRequest(app.baseUrl, {
    path: url,
    headers: { origin: app.baseUrl, 'content-type': 'application/x-www-form-urlencoded', ...cookieHeader },
    body: Buffer.alloc(7 * MB, 'a'),
  })
  note(`${identity.name} POST ${url}: 7 MB body`, big.status)
  const declared = await rawRequest(app.baseUrl, {
    path: url,
    headers: { origin: app.baseUrl, 'content-type': 'multipart/form-data; boundary=fuzz', ...cookieHeader },
    body: Buffer.alloc(64 * 1024, 'a'),
    declaredLength: 100 * MB,
    leaveOpen: true,
  })
  note(`${identity.name} POST ${url}: 100 MB declared`, declared.status)
}

async function fuzzAddress(identity: Identity, route: Route) {
  const url = new URL(route.url, app.baseUrl)
  const withQuery = new URL(url)
  withQuery.searchParams.append('q', 'heart\u0000')
  await send(identity, 'NUL in the query string', withQuery.pathname + withQuery.search, { method: 'GET' })
  // Each dynamic segment's value with a NUL in it.
  const segments = url.pathname.split('/')
  if (route.file.includes('$')) {
    for (let i = 1; i < segments.length; i++) {
      if (!Object.values(params).some((v) => encodeURIComponent(v) === segments[i].replace(/\.(ics|csv)$/, ''))) continue
      const changed = [...segments]
      changed[i] = `x%00${segments[i]}`
      await send(identity, `NUL in segment ${i}`, changed.join('/') + url.search, { method: 'GET' })
    }
  }
}

// ---------------------------------------------------------------- the run

describe('HTTP fuzz', () => {
  it('answers every bad body and address to every route with a 4xx at most, never a 5xx', async () => {
    const all = routes()
    const withAction = all.filter((r) => r.hasAction)
    expect(withAction.length).toBeGreaterThan(25)
    for (const identity of identities) {
      for (const route of all) await fuzzAddress(identity, route)
      for (const target of ['/search?q=', '/api/search-suggest?q=']) {
        await send(identity, 'NUL in the search', `${target}cardio%00logy`, { method: 'GET' })
        await send(identity, 'NUL alone in the search', `${target}%00`, { method: 'GET' })
      }
      // Signing out last, so the identity's other requests are made signed in.
      const ordered = [...withAction.filter((r) => r.file !== 'logout.tsx'), ...withAction.filter((r) => r.file === 'logout.tsx')]
      for (const route of ordered) await fuzzAction(identity, route)
    }
    await send({ name: 'visitor', cookie: 'rounds_session=%00' }, 'NUL in the session cookie', '/', { method: 'GET' })
    console.log(
      `[http-fuzz] ${sent.count} requests (${sent.nulFields} with a NUL in one form field) to ${withAction.length} actions and ${all.length} routes, ${failures.length} answered 5xx`,
    )
    // The forms were really read from the pages: most requests put a NUL in a real field.
    expect(sent.nulFields).toBeGreaterThan(500)
    expect(failures).toEqual([])
  }, 600_000)
})
