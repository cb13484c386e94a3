import { describe, expect, it } from 'vitest'
import * as cookiesRoute from '../../app/routes/cookies'
import * as loginRoute from '../../app/routes/login'
import { safeRedirectPath } from '../../app/utils/auth.server'
import { createDoctor } from '../support/factories'
import { callAction, nextClientAddress } from '../support/routes'

const ORIGIN = 'http://localhost:3000'

/** Where a browser really goes for a Location header: it drops tabs and newlines first (WHATWG URL). */
const browserTarget = (location: string) => new URL(location.replace(/[\t\n\r]/g, ''), ORIGIN)

const offSite = [
  '/\t/evil.example/',
  '/\n/evil.example/',
  '/\r\n/evil.example/',
  '\t//evil.example/',
  '//evil.example',
  '//evil.example/settings',
  '/\\evil.example',
  '/\\/evil.example',
  '/\t\\evil.example',
  'https://evil.example',
  'javascript:alert(1)',
  '/\u0000/evil.example',
  'x'.repeat(10),
  '',
]

describe('safeRedirectPath', () => {
  it.each(offSite.map((to) => [JSON.stringify(to), to]))('refuses %s', (_, to) => {
    expect(safeRedirectPath(to, '/fallback', ORIGIN)).toBe('/fallback')
  })

  it('keeps a path on this site with its query and fragment', () => {
    expect(safeRedirectPath('/settings/sessions?tab=1#top', '/', ORIGIN)).toBe('/settings/sessions?tab=1#top')
    expect(safeRedirectPath('/c/cardiology?joined=1', '/', ORIGIN)).toBe('/c/cardiology?joined=1')
    expect(safeRedirectPath('/u/josé', '/', ORIGIN)).toBe('/u/jos%C3%A9')
  })

  it('refuses what is not text', () => {
    expect(safeRedirectPath(null, '/x', ORIGIN)).toBe('/x')
    expect(safeRedirectPath(undefined, '/x', ORIGIN)).toBe('/x')
    expect(safeRedirectPath(new File(['/'], 'a.txt'), '/x', ORIGIN)).toBe('/x')
  })
})

// A NUL never reaches these actions: reading the form refuses it with a 400 (tests/server/bad-input.test.ts).
const inForms = offSite.filter((to) => !to.includes('\u0000'))

describe('redirectTo after signing in and saving cookie choices', () => {
  it('refuses a NUL in redirectTo with a 400 before signing in', async () => {
    const doctor = await createDoctor()
    const result = await callAction(loginRoute, {
      url: '/login',
      form: { email: doctor.email, password: doctor.password, redirectTo: '/\u0000/evil.example' },
      clientAddress: nextClientAddress(),
    })
    expect(result).toMatchObject({ status: 400, location: null, setCookie: null })
  })

  it.each(inForms.map((to) => [JSON.stringify(to), to]))('sign-in with redirectTo %s stays on this site', async (_, redirectTo) => {
    const doctor = await createDoctor()
    const result = await callAction(loginRoute, {
      url: `/login?redirectTo=${encodeURIComponent(redirectTo)}`,
      form: { email: doctor.email, password: doctor.password, redirectTo },
      clientAddress: nextClientAddress(),
    })
    expect(result.status).toBe(302)
    expect(result.location).toBe('/')
    expect(browserTarget(result.location!).origin).toBe(ORIGIN)
    expect(result.setCookie).not.toBeNull()
  })

  it('sign-in still follows a path on this site', async () => {
    const doctor = await createDoctor()
    const result = await callAction(loginRoute, {
      url: '/login',
      form: { email: doctor.email, password: doctor.password, redirectTo: '/clubs?mine=1' },
      clientAddress: nextClientAddress(),
    })
    expect(result).toMatchObject({ status: 302, location: '/clubs?mine=1' })
  })

  it.each(inForms.map((to) => [JSON.stringify(to), to]))('cookie choices with redirectTo %s stay on this site', async (_, redirectTo) => {
    const result = await callAction(cookiesRoute, { url: '/cookies', form: { intent: 'reject-all', redirectTo } })
    expect(result.status).toBe(302)
    expect(result.location).toBe('/cookies?saved=1')
    expect(browserTarget(result.location!).origin).toBe(ORIGIN)
  })

  it('cookie choices go back to the page they were made on', async () => {
    const result = await callAction(cookiesRoute, { url: '/cookies', form: { intent: 'accept-all', redirectTo: '/t/abc?x=1' } })
    expect(result).toMatchObject({ status: 302, location: '/t/abc?x=1' })
  })
})
