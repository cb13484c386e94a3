import { DrizzlePostgreSQLAdapter } from '@lucia-auth/adapter-drizzle'
import { remember } from '@epic-web/remember'
import { Lucia, TimeSpan, type DatabaseSession, type DatabaseUser, type Session, type User } from 'lucia'
import { db } from '../db/client'
import { findSessionWithUser } from '../db/sessions'
import { sessions, users } from '../db/schema/index'
import { config } from './config'

// The session layer sits behind this module: routes and sockets only call the
// functions below, so lucia can be swapped without touching them.

/** Idle sessions end after this; each use inside the second half extends it. */
export const SESSION_IDLE = new TimeSpan(14, 'd')
/** No session lives longer than this, however active. */
export const SESSION_ABSOLUTE_MS = 90 * 24 * 60 * 60 * 1000

/**
 * lucia's drizzle adapter, with the one lookup every request makes (session and user) done by
 * a prepared statement that reads only the columns used here.
 */
class SessionAdapter extends DrizzlePostgreSQLAdapter {
  override async getSessionAndUser(sessionId: string): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const found = await findSessionWithUser(sessionId)
    if (!found) return [null, null]
    const { id, userId, expiresAt, ...sessionAttributes } = found.session
    const { id: foundUserId, ...userAttributes } = found.user
    return [
      { id, userId, expiresAt, attributes: sessionAttributes },
      { id: foundUserId, attributes: userAttributes },
    ]
  }
}

function createLucia() {
  const adapter = new SessionAdapter(db, sessions, users)
  return new Lucia(adapter, {
    sessionExpiresIn: SESSION_IDLE,
    sessionCookie: {
      name: 'rounds_session',
      attributes: { secure: config().secureCookies, sameSite: 'lax' },
    },
    getSessionAttributes: (attributes) => ({ createdAt: new Date(attributes.createdAt) }),
    getUserAttributes: (attributes) => ({
      email: attributes.email,
      role: attributes.role,
      emailVerified: attributes.emailVerifiedAt !== null,
    }),
  })
}

const lucia = remember('rounds:lucia', createLucia)

declare module 'lucia' {
  interface Register {
    Lucia: ReturnType<typeof createLucia>
    DatabaseSessionAttributes: { createdAt: Date; userAgent: string | null; ipAddress: string | null }
    DatabaseUserAttributes: { email: string; role: 'member' | 'staff'; emailVerifiedAt: Date | null }
  }
}

export type AuthUser = User
export type AuthSession = Session

export const sessionCookieName = lucia.sessionCookieName

export async function startSession(userId: string, device: { userAgent: string | null; ipAddress: string | null }) {
  const session = await lucia.createSession(userId, {
    createdAt: new Date(),
    userAgent: device.userAgent?.slice(0, 300) ?? null,
    ipAddress: device.ipAddress,
  })
  return { session, cookie: lucia.createSessionCookie(session.id).serialize() }
}

export type ValidatedSession = { user: User; session: Session; refreshCookie?: string }

/** Checks a session id from a cookie; returns null when signed out or expired. */
export async function validateSessionId(sessionId: string | null | undefined): Promise<ValidatedSession | null> {
  if (!sessionId) return null
  const { session, user } = await lucia.validateSession(sessionId)
  if (!session || !user) return null
  if (Date.now() - session.createdAt.getTime() > SESSION_ABSOLUTE_MS) {
    await lucia.invalidateSession(session.id)
    return null
  }
  return {
    session,
    user,
    refreshCookie: session.fresh ? lucia.createSessionCookie(session.id).serialize() : undefined,
  }
}

export function readSessionId(cookieHeader: string | null | undefined): string | null {
  // lucia's parser decodes every cookie in the header and throws on one bad
  // %-escape, often another app's cookie on the same host; read only ours.
  for (const item of (cookieHeader ?? '').split(';')) {
    const separator = item.indexOf('=')
    if (separator === -1 || item.slice(0, separator).trim() !== lucia.sessionCookieName) continue
    try {
      return decodeURIComponent(item.slice(separator + 1).trim()) || null
    } catch {
      return null
    }
  }
  return null
}

export async function validateCookieHeader(cookieHeader: string | null | undefined) {
  return validateSessionId(readSessionId(cookieHeader))
}

export async function endSessionById(sessionId: string) {
  await lucia.invalidateSession(sessionId)
}

export function blankSessionCookie() {
  return lucia.createBlankSessionCookie().serialize()
}

export function verifyOrigin(origin: string | null | undefined, allowedHosts: string[]) {
  if (!origin) return false
  try {
    const host = new URL(origin).host
    return allowedHosts.includes(host)
  } catch {
    return false
  }
}
