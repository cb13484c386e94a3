import { describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { endOtherSessions, endSession, listSessions } from '../../db/sessions'
import {
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE,
  endSessionById,
  readSessionToken,
  sessionCookieName,
  sessionIdOfToken,
  startSession,
  validateCookieHeader,
  validateSessionId,
} from '../../server/auth'
import { countRows, createDoctor } from '../support/factories'

const DAY = 24 * 60 * 60 * 1000

/** Starts a session; returns its stored id. */
async function sessionFor(userId: string, userAgent: string | null = 'Firefox/128.0') {
  const { session } = await startSession(userId, { userAgent, ipAddress: '10.1.2.3' })
  return session.id
}

const publicIdOf = async (id: string) => (await rawSql()<{ public_id: string }[]>`select public_id from sessions where id = ${id}`)[0].public_id
const tokenOf = (cookie: string) => cookie.split(';')[0].slice(`${sessionCookieName}=`.length)

async function sessionExists(id: string) {
  const rows = await rawSql()`select 1 from sessions where id = ${id}`
  return rows.length === 1
}

describe('sessions in the data layer', () => {
  it('lists only the user’s live sessions, newest first', async () => {
    const doctor = await createDoctor()
    const other = await createDoctor()
    const first = await sessionFor(doctor.id)
    await rawSql()`update sessions set created_at = now() - interval '1 hour' where id = ${first}`
    const second = await sessionFor(doctor.id)
    const expired = await sessionFor(doctor.id)
    await rawSql()`update sessions set expires_at = now() - interval '1 minute' where id = ${expired}`
    await sessionFor(other.id)

    const listed = await listSessions(doctor.id, { currentSessionId: first })

    expect(listed.map((s) => s.publicId)).toEqual([await publicIdOf(second), await publicIdOf(first)])
    expect(listed.map((s) => s.current)).toEqual([false, true])
    expect(listed[0]).toMatchObject({ userAgent: 'Firefox/128.0', ipAddress: '10.1.2.3' })
    expect(listed[0]).not.toHaveProperty('id')
    expect((await listSessions(doctor.id)).map((s) => s.current)).toEqual([false, false])
  })

  it('ends one of the user’s own sessions by its public id, and never someone else’s', async () => {
    const doctor = await createDoctor()
    const other = await createDoctor()
    const mine = await sessionFor(doctor.id)
    const theirs = await sessionFor(other.id)

    expect(await endSession(doctor.id, await publicIdOf(theirs))).toEqual([])
    expect(await validateSessionId(theirs)).not.toBeNull()
    // A stored id is not a public id.
    expect(await endSession(doctor.id, mine)).toEqual([])
    expect(await validateSessionId(mine)).not.toBeNull()

    expect(await endSession(doctor.id, await publicIdOf(mine))).toEqual([mine])
    expect(await validateSessionId(mine)).toBeNull()
  })

  it('ends every other session of the user, keeping the current one and other users’', async () => {
    const doctor = await createDoctor()
    const other = await createDoctor()
    const current = await sessionFor(doctor.id)
    const laptop = await sessionFor(doctor.id)
    const phone = await sessionFor(doctor.id)
    const theirs = await sessionFor(other.id)

    const ended = await endOtherSessions(doctor.id, current)

    expect(ended.sort()).toEqual([laptop, phone].sort())
    expect(await validateSessionId(current)).not.toBeNull()
    expect(await validateSessionId(laptop)).toBeNull()
    expect(await validateSessionId(phone)).toBeNull()
    expect(await validateSessionId(theirs)).not.toBeNull()
  })
})

describe('session validation (server/auth.ts)', () => {
  it('validates a new session from its cookie and knows the user', async () => {
    const doctor = await createDoctor()
    const { session, cookie } = await startSession(doctor.id, { userAgent: 'x'.repeat(5000), ipAddress: null })
    expect(cookie).toMatch(new RegExp(`^${sessionCookieName}=[a-z2-7]{40};`))
    expect(session.id).toBe(sessionIdOfToken(tokenOf(cookie)))
    const auth = await validateCookieHeader(`theme=dark; ${cookie.split(';')[0]}`)
    expect(auth?.session.id).toBe(session.id)
    expect(auth?.user).toMatchObject({ id: doctor.id, email: doctor.email, role: 'member', emailVerified: true })
    expect(auth?.refreshCookie).toBeUndefined()
    const [listed] = await listSessions(doctor.id)
    expect(listed.userAgent).toHaveLength(300)
  })

  it('treats a missing, unknown or garbled cookie as signed out', async () => {
    expect(await validateCookieHeader(null)).toBeNull()
    expect(await validateCookieHeader('')).toBeNull()
    expect(await validateCookieHeader(`${sessionCookieName}=not-a-session`)).toBeNull()
    expect(await validateCookieHeader(`${sessionCookieName}=${'%'.repeat(2000)}`)).toBeNull()
    expect(readSessionToken('other=1')).toBeNull()
  })

  it('still reads the session when another cookie on the host is badly encoded', async () => {
    const doctor = await createDoctor()
    const token = tokenOf((await startSession(doctor.id, { userAgent: null, ipAddress: null })).cookie)
    expect(readSessionToken(`tracking=50%; ${sessionCookieName}=${token}; x=%E0%A4%A`)).toBe(token)
    expect((await validateCookieHeader(`tracking=50%;${sessionCookieName}=${token}`))?.user.id).toBe(doctor.id)
  })

  it('refuses a session older than the absolute maximum, however active, and deletes it', async () => {
    const doctor = await createDoctor()
    const old = await sessionFor(doctor.id)
    const young = await sessionFor(doctor.id)
    await rawSql()`update sessions set created_at = ${new Date(Date.now() - SESSION_ABSOLUTE_MS - 60_000).toISOString()} where id = ${old}`
    await rawSql()`update sessions set created_at = ${new Date(Date.now() - SESSION_ABSOLUTE_MS + 60 * 60_000).toISOString()} where id = ${young}`

    expect(await validateSessionId(old)).toBeNull()
    expect(await sessionExists(old)).toBe(false)
    expect(await validateSessionId(young)).not.toBeNull()
  })

  it('refuses a session idle past its expiry', async () => {
    const doctor = await createDoctor()
    const idle = await sessionFor(doctor.id)
    await rawSql()`update sessions set expires_at = now() - interval '1 second' where id = ${idle}`
    expect(await validateSessionId(idle)).toBeNull()
  })

  it('slides a session used in the second half of its idle time forward, with a fresh cookie', async () => {
    const doctor = await createDoctor()
    const { session, cookie } = await startSession(doctor.id, { userAgent: null, ipAddress: null })
    const id = session.id
    await rawSql()`update sessions set expires_at = ${new Date(Date.now() + DAY).toISOString()} where id = ${id}`

    const auth = await validateCookieHeader(cookie.split(';')[0])

    // The fresh cookie carries the same token, never the stored id.
    expect(auth?.refreshCookie).toMatch(new RegExp(`^${sessionCookieName}=${tokenOf(cookie)};`))
    // drizzle's driver leaves timestamps as strings on the raw connection.
    const [row] = await rawSql()<{ expires_at: string }[]>`select expires_at from sessions where id = ${id}`
    expect(new Date(row.expires_at).getTime()).toBeGreaterThan(Date.now() + SESSION_IDLE.milliseconds() - DAY)
  })

  it('ends a session by id (sign-out)', async () => {
    const doctor = await createDoctor()
    const id = await sessionFor(doctor.id)
    const before = await countRows('sessions')
    await endSessionById(id)
    expect(await validateSessionId(id)).toBeNull()
    expect(await countRows('sessions')).toBe(before - 1)
  })
})
