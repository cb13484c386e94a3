import { and, desc, eq, gt, ne } from 'drizzle-orm'
import { db } from './client'
import { sessions } from './schema/index'

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
  const rows = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)))
    .returning({ id: sessions.id })
  return rows.map((r) => r.id)
}
