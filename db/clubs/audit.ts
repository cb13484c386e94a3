import { randomUUID } from 'node:crypto'
import { desc, eq, sql } from 'drizzle-orm'
import { activeUserSql, requireClubPermission } from '../access/index'
import { qualified } from '../sql'
import { db, type Transaction } from '../client'
import { clubAuditLog, profiles } from '../schema/index'
import type { Viewer } from '../viewer'

// The club's audit log: every change by its admins and members, and the list admins read.

export async function audit(
  tx: Transaction,
  entry: { clubId: string; actorId: string | null; action: string; targetUserId?: string | null; details?: Record<string, unknown>; at?: Date },
) {
  await tx.insert(clubAuditLog).values({
    id: randomUUID(),
    clubId: entry.clubId,
    actorId: entry.actorId,
    action: entry.action,
    targetUserId: entry.targetUserId ?? null,
    details: entry.details ?? {},
    ...(entry.at ? { createdAt: entry.at } : {}),
  })
}

export type AuditEntry = {
  id: string
  action: string
  actor: { handle: string; name: string } | null
  target: { handle: string; name: string } | null
  details: Record<string, unknown>
  createdAt: Date
}

export async function listAuditLog(viewer: Viewer, slug: string, limit = 100): Promise<AuditEntry[]> {
  const access = await requireClubPermission(viewer, slug, 'read:audit')
  const rows = await db
    .select({
      id: clubAuditLog.id,
      action: clubAuditLog.action,
      details: clubAuditLog.details,
      createdAt: clubAuditLog.createdAt,
      actorHandle: sql<string | null>`case when ${activeUserSql(clubAuditLog.actorId)} then (select handle from ${profiles} where user_id = ${qualified(clubAuditLog.actorId)}) end`,
      actorName: sql<string | null>`(select name from ${profiles} where user_id = ${qualified(clubAuditLog.actorId)})`,
      targetHandle: sql<string | null>`case when ${activeUserSql(clubAuditLog.targetUserId)} then (select handle from ${profiles} where user_id = ${qualified(clubAuditLog.targetUserId)}) end`,
      targetName: sql<string | null>`(select name from ${profiles} where user_id = ${qualified(clubAuditLog.targetUserId)})`,
    })
    .from(clubAuditLog)
    .where(eq(clubAuditLog.clubId, access.club.id))
    .orderBy(desc(clubAuditLog.createdAt))
    .limit(limit)
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    details: r.details,
    createdAt: r.createdAt,
    // A deactivated or erased person is no one here: no handle, so no name either.
    actor: r.actorHandle ? { handle: r.actorHandle, name: r.actorName ?? '' } : null,
    target: r.targetHandle ? { handle: r.targetHandle, name: r.targetName ?? '' } : null,
  }))
}
