import { and, eq, ne, sql } from 'drizzle-orm'
import { recordAccessChange } from '../access-changes'
import { db } from '../client'
import { enqueueSearchUpdate } from '../search'
import { sessions, users } from '../schema/index'
import { notFound } from './writes'

// Deactivation: the account hidden, reversibly; and the password a sensitive change asks for again.

export async function isDeactivated(userId: string) {
  const [row] = await db.select({ at: users.deactivatedAt }).from(users).where(eq(users.id, userId))
  return Boolean(row?.at)
}

/** For re-authentication before a sensitive change. */
export async function passwordHashOf(userId: string) {
  const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId))
  if (!row) throw notFound()
  return row.hash
}

/**
 * Hides the account (reversibly): to everyone else the profile no longer
 * exists (db/visibility.ts). Ends every session but the current one and
 * returns their ids, for the caller to disconnect their sockets.
 */
export async function deactivateAccount(userId: string, keepSessionId: string): Promise<{ endedSessions: string[] }> {
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(users)
      .set({ deactivatedAt: sql`coalesce(${users.deactivatedAt}, now())` })
      .where(eq(users.id, userId))
      .returning({ id: users.id })
    if (updated.length === 0) throw notFound()
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)))
      .returning({ id: sessions.id })
    await enqueueSearchUpdate(tx, { kind: 'profile', id: userId })
    // To everyone else they no longer exist: their open sockets close, on every node.
    await recordAccessChange(tx, { kind: 'user', userId })
    return { endedSessions: ended.map((s) => s.id) }
  })
}

export async function reactivateAccount(userId: string) {
  await db.transaction(async (tx) => {
    const updated = await tx.update(users).set({ deactivatedAt: null }).where(eq(users.id, userId)).returning({ id: users.id })
    if (updated.length === 0) throw notFound()
    await enqueueSearchUpdate(tx, { kind: 'profile', id: userId })
  })
}
