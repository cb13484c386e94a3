import { and, desc, eq, gt, ne, sql } from 'drizzle-orm'
import { recordAccessChange } from './access-changes'
import { db, preparedStatement } from './client'
import { sessions, users } from './schema/index'

export type DeviceSession = {
  id: string
  createdAt: Date
  expiresAt: Date
  userAgent: string | null
  ipAddress: string | null
}

export async function listSessions(userId: string, now = new Date()): Promise<DeviceSession[]> {
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      expiresAt: sessions.expiresAt,
      userAgent: sessions.userAgent,
      ipAddress: sessions.ipAddress,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.createdAt))
}

/** Ends one of the user's own sessions; returns the ids ended (empty if it was not theirs). */
export async function endSession(userId: string, sessionId: string): Promise<string[]> {
  const rows = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), eq(sessions.id, sessionId)))
    .returning({ id: sessions.id })
  return rows.map((r) => r.id)
}

export async function endOtherSessions(userId: string, keepSessionId: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)))
      .returning({ id: sessions.id })
    await recordAccessChange(tx, rows.map((r) => ({ kind: 'session' as const, sessionId: r.id })))
    return rows.map((r) => r.id)
  })
}

export type SessionWithUser = {
  session: { id: string; userId: string; expiresAt: Date; createdAt: Date; userAgent: string | null; ipAddress: string | null }
  user: { id: string; email: string; role: 'member' | 'staff'; emailVerifiedAt: Date | null }
}

// Every request with a cookie asks this, so it is built once and only the columns the session
// layer reads come back (never the password hash).
const sessionWithUserStatement = preparedStatement((database) =>
  database
    .select({
      session: {
        id: sessions.id,
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

/** A session and its user by session id, or null; expiry is the session layer's to judge. */
export async function findSessionWithUser(sessionId: string): Promise<SessionWithUser | null> {
  const [row] = await sessionWithUserStatement().execute({ sessionId })
  return row ?? null
}
