import { describe, expect, it } from 'vitest'
import { sessionCookieName, validateSessionId } from '../../server/auth'
import * as logoutRoute from '../../app/routes/logout'
import * as sessionsRoute from '../../app/routes/settings.sessions'
import { createDoctor } from '../support/factories'
import { callAction, callLoader, signIn, type SignedIn } from '../support/routes'

type Listed = { sessions: { publicId: string; current: boolean; device: string; ipAddress: string | null; createdAt: string }[] }
type Answer = { message: string; ok: boolean }

const endSessions = (auth: SignedIn | null, form: Record<string, string>) =>
  callAction(sessionsRoute, { url: '/settings/sessions', form, auth })

describe('devices and sessions page', () => {
  it('lists the doctor’s sessions, marking the current one and naming the device', async () => {
    const doctor = await createDoctor()
    const phone = await signIn(doctor.id, {
      userAgent: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36',
      ipAddress: '198.51.100.4',
    })
    const laptop = await signIn(doctor.id, { userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Firefox/128.0' })
    await signIn((await createDoctor()).id)

    const result = await callLoader(sessionsRoute, { url: '/settings/sessions', auth: laptop })

    const { sessions } = result.data as Listed
    expect(sessions).toHaveLength(2)
    expect(sessions.find((s) => s.publicId === laptop.session.publicId)).toMatchObject({ current: true, device: 'Firefox on macOS' })
    expect(sessions.find((s) => s.publicId === phone.session.publicId)).toMatchObject({
      current: false,
      device: 'Chrome on Android',
      ipAddress: '198.51.100.4',
    })
  })

  it('sends a visitor to sign in', async () => {
    expect(await callLoader(sessionsRoute, { url: '/settings/sessions' })).toMatchObject({
      status: 302,
      thrown: true,
      location: '/login?redirectTo=%2Fsettings%2Fsessions',
    })
    expect(await endSessions(null, { intent: 'end-others' })).toMatchObject({ status: 302, thrown: true })
  })

  it('“end others” signs out every other session and keeps the current one', async () => {
    const doctor = await createDoctor()
    const current = await signIn(doctor.id)
    const others = [await signIn(doctor.id), await signIn(doctor.id)]
    const stranger = await signIn((await createDoctor()).id)

    const result = await endSessions(current, { intent: 'end-others' })

    expect(result.status).toBe(200)
    expect(result.data).toEqual({ ok: true, message: 'Signed out 2 other sessions.' })
    expect(await validateSessionId(current.sessionId)).not.toBeNull()
    for (const s of others) expect(await validateSessionId(s.sessionId)).toBeNull()
    expect(await validateSessionId(stranger.sessionId)).not.toBeNull()
    const listed = (await callLoader(sessionsRoute, { url: '/settings/sessions', auth: current })).data as Listed
    expect(listed.sessions.map((s) => s.publicId)).toEqual([current.session.publicId])
  })

  it('ends one other session of the doctor’s own', async () => {
    const doctor = await createDoctor()
    const current = await signIn(doctor.id)
    const old = await signIn(doctor.id)
    const result = await endSessions(current, { intent: 'end-one', publicId: old.session.publicId })
    expect(result.data).toEqual({ ok: true, message: 'Signed out 1 other session.' })
    expect(await validateSessionId(old.sessionId)).toBeNull()
    expect(await validateSessionId(current.sessionId)).not.toBeNull()
  })

  it('does nothing to someone else’s session', async () => {
    const doctor = await createDoctor()
    const victim = await createDoctor()
    const current = await signIn(doctor.id)
    const theirs = await signIn(victim.id)

    const result = await endSessions(current, { intent: 'end-one', publicId: theirs.session.publicId })

    expect(result.status).toBe(404)
    expect(result.data).toEqual({ ok: false, message: 'That session has already ended.' })
    expect((await validateSessionId(theirs.sessionId))?.user.id).toBe(victim.id)
  })

  it('points to Sign out for the current session and refuses malformed requests', async () => {
    const doctor = await createDoctor()
    const current = await signIn(doctor.id)
    const self = await endSessions(current, { intent: 'end-one', publicId: current.session.publicId })
    expect(self.status).toBe(400)
    expect((self.data as Answer).message).toBe('To end this session, use Sign out.')
    const malformed: Record<string, string>[] = [
      {},
      { intent: 'end-all' },
      { intent: 'end-one' },
      { intent: 'end-one', publicId: 's'.repeat(1024 * 1024) },
    ]
    for (const form of malformed) {
      const result = await endSessions(current, form)
      expect(result.status).toBe(400)
      expect(result.data).toEqual({ ok: false, message: 'Choose which session to end.' })
    }
    expect(await validateSessionId(current.sessionId)).not.toBeNull()
  })
})

describe('sign out', () => {
  it('ends the session and clears the cookie', async () => {
    const doctor = await createDoctor()
    const current = await signIn(doctor.id)
    const otherDevice = await signIn(doctor.id)

    const result = await callAction(logoutRoute, { url: '/logout', auth: current })

    expect(result).toMatchObject({ status: 302, location: '/' })
    expect(result.setCookie).toMatch(new RegExp(`^${sessionCookieName}=;`))
    expect(result.setCookie).toMatch(/Max-Age=0/i)
    expect(await validateSessionId(current.sessionId)).toBeNull()
    expect(await validateSessionId(otherDevice.sessionId)).not.toBeNull()
  })

  it('clears the cookie for a visitor too, and a GET only redirects', async () => {
    expect((await callAction(logoutRoute, { url: '/logout' })).setCookie).toMatch(/Max-Age=0/i)
    const doctor = await createDoctor()
    const current = await signIn(doctor.id)
    expect(await callLoader(logoutRoute, { url: '/logout', auth: current })).toMatchObject({ status: 302, location: '/' })
    expect(await validateSessionId(current.sessionId)).not.toBeNull()
  })
})
