import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor, createTalk, createTestClub, type TestClub, type TestDoctor } from '../support/factories'
import { httpClient, signInOverHttp } from '../support/http-client'

// Pages read the browser's zone from @epic-web/client-hints' cookie; a saved setting wins over it.
const HINT = 'CH-time-zone'
const STARTS = '2027-01-14T18:00:00.000Z'
const AT = { utc: 'Thu 14 Jan, 18:00 UTC', stockholm: 'Thu 14 Jan, 19:00 CET', tokyo: 'Fri 15 Jan, 03:00 GMT+9' }

let app: AppServer
let host: TestDoctor
let club: TestClub
let talkId: string

beforeAll(async () => {
  app = await startAppServer()
  await closeDatabase()
  await openDatabase({ url: app.databaseUrl, runMigrations: false, maxConnections: 3 })
  host = await createDoctor({ profile: { visibility: 'public' } })
  club = await createTestClub(host)
  ;({ id: talkId } = await createTalk({ clubId: club.id, hostId: host.id, startsAt: new Date(STARTS) }))
}, 240_000)

afterAll(async () => {
  await app?.stop()
})

/** A GET with these cookies (joined as a browser sends them). */
async function page(path: string, ...cookies: (string | null)[]) {
  const cookie = cookies.filter(Boolean).join('; ')
  const res = await fetch(new URL(path, app.baseUrl), { headers: cookie ? { cookie } : {}, redirect: 'manual' })
  return { status: res.status, text: await res.text() }
}

/** The text of the talk page's start, as rendered by the server. */
function startOn(html: string) {
  return new RegExp(`<time dateTime="${STARTS}">([^<]+)</time>`).exec(html)?.[1]
}

/** A form post as the browser sends it, with the origin the server checks. */
function post(path: string, cookie: string, form: Record<string, string>) {
  return fetch(new URL(path, app.baseUrl), {
    method: 'POST',
    body: new URLSearchParams(form),
    headers: { cookie, origin: app.baseUrl },
    redirect: 'manual',
  })
}

describe('a talk time on a server-rendered page', () => {
  it('is in Europe/Stockholm when the browser’s hint cookie says so, and names the zone', async () => {
    const talk = await page(`/t/${talkId}`, `${HINT}=Europe%2FStockholm`)
    expect(talk.status).toBe(200)
    expect(startOn(talk.text)).toBe(AT.stockholm)
    // The talk card on the club page too.
    const clubPage = await page(`/c/${club.slug}`, `${HINT}=Europe%2FStockholm`)
    expect(clubPage.text).toContain(`<time dateTime="${STARTS}">${AT.stockholm}</time>`)
  })

  it('is in UTC without a hint, or with one naming no zone', async () => {
    expect(startOn((await page(`/t/${talkId}`)).text)).toBe(AT.utc)
    const junk = await page(`/t/${talkId}`, `${HINT}=Mars%2FOlympus_Mons`)
    expect(junk.status).toBe(200)
    expect(startOn(junk.text)).toBe(AT.utc)
    expect(startOn((await page(`/t/${talkId}`, `${HINT}=%E0%A4%A`)).text)).toBe(AT.utc)
  })

  it('follows a saved time zone before the browser’s, until the setting is cleared', async () => {
    const reader = await createDoctor()
    const session = await signInOverHttp(app.baseUrl, reader.email, reader.password)
    const stockholm = `${HINT}=Europe%2FStockholm`

    const saved = await post('/settings/time-zone', session, { timeZone: 'Asia/Tokyo' })
    expect(saved.status).toBe(302)
    expect(startOn((await page(`/t/${talkId}`, session, stockholm)).text)).toBe(AT.tokyo)
    const [row] = await rawSql()<{ time_zone: string | null }[]>`select time_zone from users where id = ${reader.id}`
    expect(row.time_zone).toBe('Asia/Tokyo')

    const refused = await post('/settings/time-zone', session, { timeZone: 'Mars/Olympus_Mons' })
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain('Choose a time zone from the list.')
    expect(startOn((await page(`/t/${talkId}`, session, stockholm)).text)).toBe(AT.tokyo)

    expect((await post('/settings/time-zone', session, { timeZone: '' })).status).toBe(302)
    expect(startOn((await page(`/t/${talkId}`, session, stockholm)).text)).toBe(AT.stockholm)
    expect(startOn((await page(`/t/${talkId}`, session)).text)).toBe(AT.utc)
  })
})

describe('a start typed into the scheduling form', () => {
  const form = (date: string, time: string, timeZone?: string) => ({
    type: 'talk',
    title: 'Anticoagulation after a bleed',
    description: '',
    date,
    time,
    durationMinutes: '60',
    ...(timeZone ? { timeZone } : {}),
  })
  const nextYear = new Date().getUTCFullYear() + 1

  it('is read in the zone the form was shown in, and in UTC without one', async () => {
    const session = await signInOverHttp(app.baseUrl, host.email, host.password)
    const inStockholm = await post(`/c/${club.slug}/talks/new`, session, form(`${nextYear}-01-14`, '19:00', 'Europe/Stockholm'))
    expect(inStockholm.status).toBe(302)
    const id = /\/t\/([0-9a-f-]{36})/.exec(inStockholm.headers.get('location') ?? '')?.[1]
    const [row] = await rawSql()<{ starts_at: string }[]>`select starts_at from talks where id = ${id ?? ''}`
    expect(new Date(row.starts_at).toISOString()).toBe(`${nextYear}-01-14T18:00:00.000Z`)

    const noZone = await post(`/c/${club.slug}/talks/new`, session, form(`${nextYear}-01-14`, '19:00'))
    const noZoneId = /\/t\/([0-9a-f-]{36})/.exec(noZone.headers.get('location') ?? '')?.[1]
    const [utcRow] = await rawSql()<{ starts_at: string }[]>`select starts_at from talks where id = ${noZoneId ?? ''}`
    expect(new Date(utcRow.starts_at).toISOString()).toBe(`${nextYear}-01-14T19:00:00.000Z`)
  })

  it('refuses a time the clocks skip, beside the field, and schedules nothing', async () => {
    const session = await signInOverHttp(app.baseUrl, host.email, host.password)
    // The last Sunday of March: Stockholm's clocks go from 02:00 to 03:00.
    const march = new Date(Date.UTC(nextYear, 2, 31))
    march.setUTCDate(31 - march.getUTCDay())
    const day = march.toISOString().slice(0, 10)
    const before = await rawSql()<{ n: number }[]>`select count(*)::int as n from talks where club_id = ${club.id}`
    const refused = await post(`/c/${club.slug}/talks/new`, session, form(day, '02:30', 'Europe/Stockholm'))
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain('That time does not happen in Europe/Stockholm')
    const after = await rawSql()<{ n: number }[]>`select count(*)::int as n from talks where club_id = ${club.id}`
    expect(after[0].n).toBe(before[0].n)
  })
})

describe('the devices and sessions page', () => {
  /** Signs in as a browser with this user agent; returns the cookie pair. */
  async function signInAs(doctor: TestDoctor, userAgent: string) {
    const res = await fetch(`${app.baseUrl}/login`, {
      method: 'POST',
      body: new URLSearchParams({ email: doctor.email, password: doctor.password, redirectTo: '/' }),
      headers: { origin: app.baseUrl, 'user-agent': userAgent },
      redirect: 'manual',
    })
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0].trim())
      .find((c) => c.startsWith('rounds_session='))
    if (!cookie) throw new Error(`Signing in answered ${res.status}`)
    return cookie
  }
  const tokenOf = (cookie: string) => decodeURIComponent(cookie.slice('rounds_session='.length))
  const storedIdOf = (cookie: string) => createHash('sha256').update(tokenOf(cookie)).digest('hex')

  it('names each device, marks this one, says when the others were last seen, and holds no session’s secret', async () => {
    const doctor = await createDoctor()
    const phone = await signInAs(
      doctor,
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    )
    const laptop = await signInAs(
      doctor,
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    )
    // The phone loads a page: that is when it was last seen.
    expect((await page('/', phone)).status).toBe(200)
    const [row] = await rawSql()<{ last_seen_at: string | null }[]>`select last_seen_at from sessions where id = ${storedIdOf(phone)}`
    expect(row.last_seen_at).not.toBeNull()
    const seen = new Date(row.last_seen_at!)

    const html = (await page('/settings/sessions', laptop, `${HINT}=Europe%2FStockholm`)).text
    const data = (await httpClient(app.baseUrl, laptop).loaderData('/settings/sessions', 'routes/settings.sessions')).text
    const rows = [...html.matchAll(/data-testid="session-row"[\s\S]*?<\/li>/g)].map((m) => m[0])
    expect(rows).toHaveLength(2)
    const laptopRow = rows.find((r) => r.includes('Chrome on macOS'))
    const phoneRow = rows.find((r) => r.includes('Safari on iPhone'))
    expect(laptopRow).toContain('This device')
    expect(laptopRow).toContain('Active now')
    expect(phoneRow).not.toContain('This device')
    const seenInStockholm = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
      timeZone: 'Europe/Stockholm',
    }).format(seen)
    expect(phoneRow).toContain(`Last seen <time dateTime="${seen.toISOString()}">${seenInStockholm}</time>`)
    for (const cookie of [phone, laptop]) {
      for (const secret of [tokenOf(cookie), storedIdOf(cookie)]) {
        expect(html).not.toContain(secret)
        expect(data).not.toContain(secret)
      }
    }
    expect(JSON.parse(data).sessions.map((s: { device: string }) => s.device).sort()).toEqual(['Chrome on macOS', 'Safari on iPhone'])
  })
})
