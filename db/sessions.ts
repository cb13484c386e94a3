import { and, desc, eq, gt, ne, sql, type SQL } from 'drizzle-orm'
import { recordAccessChange } from './access-changes'
import { db, preparedStatement, type Transaction } from './client'
import { sessions, users } from './schema/index'

/** A session as its owner sees it on the devices page: named by its public id, never its stored id. */
export type DeviceSession = {
  publicId: string
  current: boolean
  createdAt: Date
  expiresAt: Date
  userAgent: string | null
  ipAddress: string | null
}

/** The user's live sessions, newest first; `current` marks the one with this stored id. */
export async function listSessions(
  userId: string,
  { currentSessionId = null, now = new Date() }: { currentSessionId?: string | null; now?: Date } = {},
): Promise<DeviceSession[]> {
  return db
    .select({
      publicId: sessions.publicId,
      current: sql<boolean>`coalesce(${sessions.id} = ${currentSessionId}, false)`.mapWith(Boolean),
      createdAt: sessions.createdAt,
      expiresAt: sessions.expiresAt,
      userAgent: sessions.userAgent,
      ipAddress: sessions.ipAddress,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.createdAt))
}

/**
 * Ends one of the user's own sessions, named by its public id; returns the stored ids ended
 * (empty if it was not theirs), for signing out its sockets.
 */
export async function endSession(userId: string, publicId: string): Promise<string[]> {
  return endSessionsWhere(and(eq(sessions.userId, userId), eq(sessions.publicId, publicId)))
}

export async function endOtherSessions(userId: string, keepSessionId: string): Promise<string[]> {
  return endSessionsWhere(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)))
}

/**
 * Ends every session of the user (but `keepSessionId`, if given) inside the caller's transaction,
 * for a change that must sign them out with it (a new password, an email change undone).
 */
export async function endSessionsIn(tx: Transaction, userId: string, keepSessionId?: string): Promise<string[]> {
  return endSessionsWith(tx, and(eq(sessions.userId, userId), keepSessionId ? ne(sessions.id, keepSessionId) : undefined))
}

/** Deletes the sessions matched and records their access change in the same transaction; returns their stored ids. */
async function endSessionsWhere(condition: SQL | undefined): Promise<string[]> {
  return db.transaction((tx) => endSessionsWith(tx, condition))
}

async function endSessionsWith(tx: Transaction, condition: SQL | undefined): Promise<string[]> {
  const rows = await tx.delete(sessions).where(condition).returning({ id: sessions.id })
  await recordAccessChange(tx, rows.map((r) => ({ kind: 'session' as const, sessionId: r.id })))
  return rows.map((r) => r.id)
}

export type SessionWithUser = {
  session: {
    id: string
    publicId: string
    userId: string
    expiresAt: Date
    createdAt: Date
    userAgent: string | null
    ipAddress: string | null
  }
  user: { id: string; email: string; role: 'member' | 'staff'; emailVerifiedAt: Date | null }
}

// Every request with a cookie asks this, so it is built once and only the columns the session
// layer reads come back (never the password hash).
const sessionWithUserStatement = preparedStatement((database) =>
  database
    .select({
      session: {
        id: sessions.id,
        publicId: sessions.publicId,
        userId: sessions.userId,
        expiresAt: sessions.expiresAt,
        createdAt: sessions.createdAt,
        userAgent: sessions.userAgent,
        ipAddress: sessions.ipAddress,
      },
      user: { id: users.id, email: users.email, role: users.role, emailVerifiedAt: users.emailVerifiedAt },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder('sessionId')))
    .prepare('session_with_user'),
)

/** A session and its user by stored session id (the token's hash), or null; expiry is the session layer's to judge. */
export async function findSessionWithUser(sessionId: string): Promise<SessionWithUser | null> {
  const [row] = await sessionWithUserStatement().execute({ sessionId })
  return row ?? null
}
