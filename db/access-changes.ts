import { and, asc, eq, gt, inArray, lt, sql } from 'drizzle-orm'
import { db, rawSql, type Database, type Transaction } from './client'
import { accessChanges, talks } from './schema/index'

/*
 * The access-change outbox: who may be in which live room changed, and the open sockets of
 * the people concerned must follow within a second, on every node. The function that makes
 * the change calls `recordAccessChange(tx, …)` in its own transaction; every node listens
 * (server/realtime/access-changes.ts), reads the rows after the last one it handled and
 * re-checks those sockets with the same rules as a join. Rows are not deleted when read — every
 * node reads each one — but pruned after an hour.
 */

export type AccessChange =
  /** A person's standing in a club changed (removed, banned, role); without a person, the club's own (made private). */
  | { kind: 'club'; clubId: string; userId?: string | null }
  /** A person's standing in one talk changed (removed, made co-host); without a person, everyone's. */
  | { kind: 'talk'; talkId: string; userId?: string | null }
  /** The person's sockets are closed, every session (deactivation). */
  | { kind: 'user'; userId: string }
  /** The session's sockets are closed (sign-out, a session ended, erasure). */
  | { kind: 'session'; sessionId: string }

export type RecordedAccessChange = {
  id: number
  kind: AccessChange['kind']
  userId: string | null
  clubId: string | null
  talkId: string | null
  sessionId: string | null
}

/** The channel a committed change is announced on; the rows themselves are the record. */
export const ACCESS_CHANGE_CHANNEL = 'access_changes'
/** Rows older than this are pruned: every node has read them long before. */
export const ACCESS_CHANGE_KEEP_MS = 60 * 60 * 1000

/**
 * Records access changes inside the transaction that makes them: the rows, and the notice that
 * wakes every node, take effect at commit or not at all.
 */
export async function recordAccessChange(tx: Transaction | Database, changes: AccessChange | AccessChange[]) {
  const list = Array.isArray(changes) ? changes : [changes]
  if (list.length === 0) return
  const rows = list.map(
    (change) => sql`(${change.kind}::access_change_kind,
      ${'userId' in change ? (change.userId ?? null) : null},
      ${change.kind === 'club' ? change.clubId : null},
      ${change.kind === 'talk' ? change.talkId : null},
      ${change.kind === 'session' ? change.sessionId : null})`,
  )
  // One statement: the rows, and the notice (sent by Postgres at commit).
  await tx.execute(sql`with added as (
      insert into ${accessChanges} (kind, user_id, club_id, talk_id, session_id) values ${sql.join(rows, sql`, `)} returning id)
    select pg_notify(${ACCESS_CHANGE_CHANNEL}, count(*)::text) from added`)
}

/** Sessions ended outside a transaction of ours (sign-out through the session library). */
export async function recordSessionsEnded(sessionIds: string[]) {
  if (sessionIds.length === 0) return
  await recordAccessChange(
    db,
    sessionIds.map((sessionId) => ({ kind: 'session' as const, sessionId })),
  )
}

/** The newest row's id (0 when there is none): a node starting up handles only what comes after. */
export async function latestAccessChangeId(): Promise<number> {
  const [row] = await db.select({ id: sql<number>`coalesce(max(${accessChanges.id}), 0)::bigint` }).from(accessChanges)
  return Number(row?.id ?? 0)
}

/** Rows after `afterId`, oldest first. */
export async function readAccessChangesAfter(afterId: number, limit = 500): Promise<RecordedAccessChange[]> {
  const rows = await db
    .select({
      id: accessChanges.id,
      kind: accessChanges.kind,
      userId: accessChanges.userId,
      clubId: accessChanges.clubId,
      talkId: accessChanges.talkId,
      sessionId: accessChanges.sessionId,
    })
    .from(accessChanges)
    .where(gt(accessChanges.id, afterId))
    .orderBy(asc(accessChanges.id))
    .limit(limit)
  return rows.map((row) => ({ ...row, id: Number(row.id) }))
}

/** Deletes rows older than `keepMs`; returns how many. */
export async function pruneAccessChanges(keepMs = ACCESS_CHANGE_KEEP_MS, now = new Date()): Promise<number> {
  const rows = await db
    .delete(accessChanges)
    .where(lt(accessChanges.createdAt, new Date(now.getTime() - keepMs)))
    .returning({ id: accessChanges.id })
  return rows.length
}

/**
 * Calls `onNotice` whenever a change commits, and each time the listening connection is
 * (re)established, since notices sent while it was down are lost: the caller then reads the rows.
 */
export async function listenForAccessChanges(onNotice: () => void): Promise<{ stop: () => Promise<void> }> {
  const { unlisten } = await rawSql().listen(ACCESS_CHANGE_CHANNEL, () => onNotice(), onNotice)
  return { stop: () => unlisten() }
}

/** Which of these talks belong to the club. */
export async function talksOfClub(clubId: string, talkIds: string[]): Promise<string[]> {
  if (talkIds.length === 0) return []
  const rows = await db
    .select({ id: talks.id })
    .from(talks)
    .where(and(eq(talks.clubId, clubId), inArray(talks.id, talkIds)))
  return rows.map((row) => row.id)
}
