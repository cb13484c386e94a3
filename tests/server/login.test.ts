import { describe, expect, it } from 'vitest'
import { listDevMail } from '../../db/mailbox'
import { listSessions } from '../../db/sessions'
import { sessionCookieName, validateCookieHeader } from '../../server/auth'
import * as loginRoute from '../../app/routes/login'
import { countRows, createDoctor } from '../support/factories'
import { callAction, callLoader, cookiePair, fieldErrors, formErrors, nextClientAddress, signIn } from '../support/routes'

const NO_MATCH = 'That email and password do not match an account.'

function login(form: Record<string, string>, clientAddress = nextClientAddress()) {
  return callAction(loginRoute, { url: '/login', form, clientAddress })
}

describe('login route', () => {
  it('signs in with the right password, sets a session cookie and follows a safe redirectTo', async () => {
    const doctor = await createDoctor()

    const result = await login({ email: doctor.email.toUpperCase(), password: doctor.password, redirectTo: '/settings/sessions?tab=1' }, '203.0.113.9')

    expect(result.status).toBe(302)
    expect(result.location).toBe('/settings/sessions?tab=1')
    expect(result.setCookie).toMatch(new RegExp(`^${sessionCookieName}=`))
    const auth = await validateCookieHeader(cookiePair(result.setCookie!))
    expect(auth?.user.id).toBe(doctor.id)
    const [session] = await listSessions(doctor.id, { currentSessionId: auth!.session.id })
    expect(session.current).toBe(true)
    expect(session.ipAddress).toBe('203.0.113.9')
    expect(session.userAgent).toContain('vitest')
  })

  it.each(['//evil.com', '//evil.com/settings', 'https://evil.com', '/\\evil.com', 'javascript:alert(1)'])(
    'falls back to / for the unsafe redirectTo %s',
    async (redirectTo) => {
      const doctor = await createDoctor()
      const result = await login({ email: doctor.email, password: doctor.password, redirectTo })
      expect(result.status).toBe(302)
      expect(result.location).toBe('/')
      expect(result.setCookie).not.toBeNull()
    },
  )

  it('answers a wrong password and an unknown email with the same 400 message', async () => {
    const doctor = await createDoctor()
    const sessionsBefore = await countRows('sessions')

    const wrong = await login({ email: doctor.email, password: 'not the right password' })
    const unknown = await login({ email: 'nobody.at.all@hospital.test', password: 'not the right password' })

    for (const result of [wrong, unknown]) {
      expect(result.status).toBe(400)
      expect(result.setCookie).toBeNull()
      expect(formErrors(result.data)).toEqual([NO_MATCH])
      expect(fieldErrors(result.data, 'email')).toEqual([])
      expect(JSON.stringify(result.data)).not.toContain('not the right password')
    }
    expect(await countRows('sessions')).toBe(sessionsBefore)
  })

  it('refuses a missing password and a malformed email as field errors', async () => {
    const result = await login({ email: 'not-an-email' })
    expect(result.status).toBe(400)
    expect(fieldErrors(result.data, 'email')).toEqual(['Enter an email address such as name@hospital.org.'])
    expect(fieldErrors(result.data, 'password')).toEqual(['Enter your password.'])
  })

  it('answers 429 after 10 failed attempts from the same address and email, even to the right password', async () => {
    const doctor = await createDoctor()
    const address = '203.0.113.50'
    for (let i = 0; i < 10; i++) {
      expect((await login({ email: doctor.email, password: `wrong guess ${i}` }, address)).status).toBe(400)
    }

    const limited = await login({ email: doctor.email, password: doctor.password }, address)

    expect(limited.status).toBe(429)
    expect(limited.setCookie).toBeNull()
    expect(formErrors(limited.data)[0]).toMatch(/^Too many sign-in attempts\. Try again in \d+ minutes\.$/)
    // The limit is per address and email: the same person elsewhere still gets in.
    expect((await login({ email: doctor.email, password: doctor.password }, '203.0.113.51')).status).toBe(302)
  })

  it('clears the failed attempts after a successful sign-in', async () => {
    const doctor = await createDoctor()
    const address = '203.0.113.60'
    for (let i = 0; i < 9; i++) await login({ email: doctor.email, password: `wrong guess ${i}` }, address)
    expect((await login({ email: doctor.email, password: doctor.password }, address)).status).toBe(302)
    for (let i = 0; i < 9; i++) {
      expect((await login({ email: doctor.email, password: `wrong again ${i}` }, address)).status).toBe(400)
    }
  })

  it('sends an unverified account to /verify with a fresh code and no session', async () => {
    const doctor = await createDoctor({ verified: false })
    const result = await login({ email: doctor.email, password: doctor.password })
    expect(result.status).toBe(302)
    expect(result.location).toBe(`/verify?email=${encodeURIComponent(doctor.email)}`)
    expect(result.setCookie).toBeNull()
    expect(await listSessions(doctor.id)).toEqual([])
    const [mail] = await listDevMail({ to: doctor.email })
    expect(mail.subject).toMatch(/^\d{6} is your Rounds code$/)
  })

  it('sends a signed-in doctor home', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    expect(await callLoader(loginRoute, { url: '/login', auth })).toMatchObject({ status: 302, location: '/', thrown: true })
  })
})
