import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as rootRoute from '../../app/root'
import * as homeRoute from '../../app/routes/_index'
import * as cookiesRoute from '../../app/routes/cookies'
import * as privacyRoute from '../../app/routes/privacy'
import * as profileRoute from '../../app/routes/u.$handle'
import { rawSql } from '../../db/client'
import { COOKIE_POLICY_VERSION, getCookieConsent } from '../../db/privacy/index'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor } from '../support/factories'
import { callAction, callLoader, cookiePair, signIn } from '../support/routes'

const MB = 1024 * 1024
/** Cookies Rounds may set without consent: the session and the record of the cookie choice itself. */
const STRICTLY_NECESSARY = ['rounds_session', 'rounds_consent']

async function consentRows() {
  const [row] = await rawSql()<{ n: number }[]>`select count(*)::int as n from cookie_consents`
  return row.n
}

const save = (form: Record<string, string>, headers: Record<string, string> = {}, auth?: Awaited<ReturnType<typeof signIn>>) =>
  callAction(cookiesRoute, { url: '/cookies', form, headers, auth })

describe('a first visit', () => {
  it('sets no cookie, and asks for a choice', async () => {
    for (const route of [rootRoute, homeRoute, cookiesRoute, privacyRoute]) {
      const res = await callLoader(route, { url: '/' })
      expect(res.setCookie).toBeNull()
    }
    const root = await callLoader(rootRoute, { url: '/' })
    expect(root.data).toMatchObject({ cookieBanner: true, notices: [], deactivated: false })
  })
})

describe('saving a choice (/cookies)', () => {
  it('stores it with time and policy version, and sets only the strictly necessary consent cookie', async () => {
    const before = await consentRows()
    const res = await save({ intent: 'save', performance: 'on', redirectTo: '/clubs' })
    expect(res.status).toBe(302)
    expect(res.location).toBe('/clubs')
    const setCookies = res.headers.getSetCookie()
    expect(setCookies).toHaveLength(1)
    expect(setCookies[0]).toMatch(/^rounds_consent=[A-Za-z0-9_-]{22,64}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax/)
    expect(await consentRows()).toBe(before + 1)
    const cookie = cookiePair(setCookies[0])
    const consentId = cookie.split('=')[1]
    const [row] = await rawSql()`select * from cookie_consents where consent_id = ${consentId}`
    expect(row).toMatchObject({ user_id: null, performance: true, functionality: false, targeting: false, policy_version: COOKIE_POLICY_VERSION })
    expect(Date.now() - new Date(row.created_at as string).getTime()).toBeLessThan(60_000)

    // The next page no longer asks.
    const root = await callLoader(rootRoute, { url: '/', headers: { cookie } })
    expect(root.data).toMatchObject({ cookieBanner: false })

    // Changeable any time: the history is kept, the latest choice counts, the same id is reused.
    const again = await save({ intent: 'accept-all' }, { cookie })
    expect(cookiePair(again.headers.getSetCookie()[0])).toBe(cookie)
    expect(again.location).toBe('/cookies?saved=1')
    expect(await getCookieConsent({ consentId })).toMatchObject({ performance: true, functionality: true, targeting: true, current: true })
    await save({ intent: 'reject-all' }, { cookie })
    expect(await getCookieConsent({ consentId })).toMatchObject({ performance: false, functionality: false, targeting: false })
    expect(await rawSql()`select 1 from cookie_consents where consent_id = ${consentId}`).toHaveLength(3)
  })

  it('stores a signed-in doctor’s choice against their account', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    await save({ intent: 'save', targeting: 'on' }, {}, auth)
    expect(await getCookieConsent({ userId: doctor.id })).toMatchObject({ targeting: true, performance: false })
    // The banner follows the account to another browser.
    const root = await callLoader(rootRoute, { url: '/', auth })
    expect(root.data).toMatchObject({ cookieBanner: false })
  })

  it('refuses bad input with a 400 and stores nothing', async () => {
    const before = await consentRows()
    const bad: Record<string, string>[] = [
      {},
      { intent: 'everything' },
      { intent: 'save', performance: 'yes' },
      { intent: 'save', targeting: 'x'.repeat(MB) },
      { intent: 'x'.repeat(MB) },
      { intent: 'save', redirectTo: 'x'.repeat(MB) },
    ]
    for (const form of bad) {
      const res = await save(form)
      expect(res.status).toBe(400)
      expect(res.setCookie).toBeNull()
    }
    expect(await consentRows()).toBe(before)
  })

  it('never redirects off-site, and replaces a malformed consent cookie', async () => {
    const res = await save({ intent: 'reject-all', redirectTo: '//evil.example/x' }, { cookie: 'rounds_consent=../../etc' })
    expect(res.location).toBe('/cookies?saved=1')
    expect(res.headers.getSetCookie()[0]).toMatch(/^rounds_consent=[A-Za-z0-9_-]{22,64};/)
  })
})

describe('analytics consent on page views', () => {
  it('keeps a profile view only after performance cookies are accepted', async () => {
    const viewer = await createDoctor()
    const viewed = await createDoctor()
    const auth = await signIn(viewer.id)
    const view = (cookie?: string) =>
      callLoader(profileRoute, { url: `/u/${viewed.handle}`, params: { handle: viewed.handle }, auth, headers: cookie ? { cookie } : {} })
    const events = async () => (await rawSql()`select 1 from activity_events where user_id = ${viewer.id}`).length

    await view()
    expect(await events()).toBe(0)
    const rejected = await save({ intent: 'reject-all' })
    const cookie = cookiePair(rejected.headers.getSetCookie()[0])
    await view(cookie)
    expect(await events()).toBe(0)
    await save({ intent: 'save', performance: 'on' }, { cookie })
    await view(cookie)
    expect(await events()).toBe(1)
  })
})

describe('over HTTP, through the real server', () => {
  let app: AppServer
  beforeAll(async () => {
    app = await startAppServer()
  }, 240_000)
  afterAll(async () => {
    await app?.stop()
  })

  it('a first visit’s Set-Cookie headers hold only strictly necessary cookies (here: none)', async () => {
    for (const path of ['/', '/clubs', '/login', '/signup', '/privacy', '/cookies']) {
      const res = await fetch(new URL(path, app.baseUrl), { redirect: 'manual' })
      expect(res.status, path).toBe(200)
      const names = res.headers.getSetCookie().map((c) => c.split('=')[0])
      expect(names.filter((n) => !STRICTLY_NECESSARY.includes(n)), path).toEqual([])
      const html = await res.text()
      if (path !== '/cookies') expect(html, path).toContain('data-testid="cookie-banner"')
    }
  })

  it('saves a choice from a plain form post, without JavaScript', async () => {
    const res = await fetch(new URL('/cookies', app.baseUrl), {
      method: 'POST',
      body: new URLSearchParams({ intent: 'reject-all', redirectTo: '/clubs' }),
      headers: { origin: app.baseUrl },
      redirect: 'manual',
    })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/clubs')
    const setCookies = res.headers.getSetCookie()
    expect(setCookies.map((c) => c.split('=')[0])).toEqual(['rounds_consent'])
    const page = await fetch(new URL('/clubs', app.baseUrl), { headers: { cookie: cookiePair(setCookies[0]) } })
    expect(await page.text()).not.toContain('data-testid="cookie-banner"')
  })
})
