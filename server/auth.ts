import { createHash, randomUUID } from 'node:crypto'
import { DrizzlePostgreSQLAdapter } from '@lucia-auth/adapter-drizzle'
import {
  Lucia,
  TimeSpan,
  generateIdFromEntropySize,
  type DatabaseSession,
  type DatabaseUser,
  type Session,
  type User,
} from 'lucia'
import { db } from '../db/client'
import { findSessionWithUser } from '../db/sessions'
import { sessions, users } from '../db/schema/index'
import { config } from './config'
import { noteSignIn } from './notifications/security'

// The session layer sits behind this module: routes and sockets only call the
// functions below, so lucia can be swapped without touching them.
//
// Two names for one session: the *token* is the random secret in the cookie, and is never
// stored; the *session id* is the SHA-256 of the token, the sessions row's key and what the
// rest of the server calls `session.id` (socket rooms, sign-out, access changes). A copy of the
// table, or of a page, therefore signs no one in. The devices page names a session by a third,
// harmless value: its public id.

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
    getSessionAttributes: (attributes) => ({ createdAt: new Date(attributes.createdAt), publicId: attributes.publicId }),
    getUserAttributes: (attributes) => ({
      email: attributes.email,
      role: attributes.role,
      emailVerified: attributes.emailVerifiedAt !== null,
    }),
  })
}

// Holds no state of its own (sessions are rows): in development, where the routes load their own
// copy of this module, two instances agree.
const lucia = createLucia()

declare module 'lucia' {
  interface Register {
    Lucia: ReturnType<typeof createLucia>
    DatabaseSessionAttributes: { createdAt: Date; publicId: string; userAgent: string | null; ipAddress: string | null }
    DatabaseUserAttributes: { email: string; role: 'member' | 'staff'; emailVerifiedAt: Date | null }
  }
}

export type AuthUser = User
export type AuthSession = Session

export const sessionCookieName = lucia.sessionCookieName

/** The stored id of the session a cookie's token opens: its SHA-256, in hex. */
export function sessionIdOfToken(token: string) {
  return createHash('sha256').update(token).digest('hex')
}

/** Starts a session: the cookie carries a fresh random token, the database only its hash. */
export async function startSession(userId: string, device: { userAgent: string | null; ipAddress: string | null }) {
  const token = generateIdFromEntropySize(25)
  const session = await lucia.createSession(
    userId,
    { createdAt: new Date(), publicId: randomUUID(), userAgent: device.userAgent?.slice(0, 300) ?? null, ipAddress: device.ipAddress },
    { sessionId: sessionIdOfToken(token) },
  )
  // A device the account has not signed in from before sends a security notice (decision 033).
  await noteSignIn({ userId, userAgent: device.userAgent, ipAddress: device.ipAddress })
  return { session, cookie: lucia.createSessionCookie(token).serialize() }
}

export type ValidatedSession = { user: User; session: Session; refreshCookie?: string }

/**
 * Checks a session by its stored id (`session.id`, the hash — as kept in socket data), never by a
 * cookie's token: use `validateSessionToken` or `validateCookieHeader` for those. Returns null when
 * the session ended or expired. No refreshed cookie, since the token is not known here.
 */
export async function validateSessionId(sessionId: string | null | undefined): Promise<ValidatedSession | null> {
  if (!sessionId) return null
  const { session, user } = await lucia.validateSession(sessionId)
  if (!session || !user) return null
  if (Date.now() - session.createdAt.getTime() > SESSION_ABSOLUTE_MS) {
    await lucia.invalidateSession(session.id)
    return null
  }
  return { session, user }
}

/** Checks the token from a session cookie; a session that slid forward comes with a fresh cookie. */
export async function validateSessionToken(token: string | null | undefined): Promise<ValidatedSession | null> {
  if (!token) return null
  const auth = await validateSessionId(sessionIdOfToken(token))
  if (!auth) return null
  return auth.session.fresh ? { ...auth, refreshCookie: lucia.createSessionCookie(token).serialize() } : auth
}

/** The session token in a Cookie header (the secret, not the stored id), or null. */
export function readSessionToken(cookieHeader: string | null | undefined): string | null {
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
  return validateSessionToken(readSessionToken(cookieHeader))
}

/** Ends a session by its stored id (`session.id`), as sign-out does. */
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
