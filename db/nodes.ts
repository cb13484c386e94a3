import { sql } from 'drizzle-orm'
import { db } from './client'
import { nodes, talkAttendance } from './schema/index'

/*
 * Node heartbeats and the live-room stays of nodes that stopped without closing them
 * (docs/live-room.md, Crashes). A stay's socket id starts with its node's tag (`<tag>|…`). A stay
 * is closed at the last moment its node was known alive, so the time a node was down never
 * counts as attendance, and a node that never comes back (or comes back under another name)
 * leaves no one in the audience.
 */

/** A node whose heartbeat is older than this is taken to be gone. */
export const NODE_SILENT_AFTER_MS = 30_000

/**
 * At a node's start, before it takes sockets: closes the stays its previous run left open at
 * that run's last heartbeat (now, when it never wrote one), and records that it is alive.
 * Returns how many stays were closed. One transaction, holding the node's row.
 */
export async function registerNode(node: { tag: string; name: string }): Promise<{ closedStays: number }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`insert into ${nodes} (tag, name) values (${node.tag}, ${node.name})
      on conflict (tag) do nothing`)
    const [previous] = await tx.execute<{ lastSeenAt: string | null; fresh: boolean }>(sql`
      select last_seen_at as "lastSeenAt", started_at = now() as fresh from ${nodes} where tag = ${node.tag} for update`)
    const closed = await tx.execute<{ id: string }>(sql`
      update ${talkAttendance} set left_at = greatest(joined_at, least(now(), ${previous.fresh ? sql`now()` : sql`${previous.lastSeenAt}::timestamptz`}))
      where left_at is null and starts_with(socket_id, ${node.tag + '|'})
      returning id`)
    await tx.execute(sql`update ${nodes} set name = ${node.name}, started_at = now(), last_seen_at = now() where tag = ${node.tag}`)
    return { closedStays: closed.length }
  })
}

/** Records that the node is alive now. */
export async function beatNode(node: { tag: string; name: string }): Promise<void> {
  await db.execute(sql`insert into ${nodes} (tag, name) values (${node.tag}, ${node.name})
    on conflict (tag) do update set last_seen_at = now()`)
}

/**
 * Closes the stays of nodes silent for longer than `silentAfterMs`, each at its node's last
 * heartbeat; stays of a node with no heartbeat row at all (opened before heartbeats existed)
 * once they are that old, at now. Returns the talks whose audience changed.
 */
export async function closeStaysOfSilentNodes(silentAfterMs = NODE_SILENT_AFTER_MS): Promise<{ closedStays: number; talkIds: string[] }> {
  const silent = sql`now() - make_interval(secs => ${silentAfterMs / 1000})`
  const rows = await db.execute<{ talkId: string }>(sql`
    with gone as (
      update ${talkAttendance} a set left_at = greatest(a.joined_at, n.last_seen_at)
      from ${nodes} n
      where a.left_at is null and n.last_seen_at < ${silent} and starts_with(a.socket_id, n.tag || '|')
      returning a.talk_id),
    unknown as (
      update ${talkAttendance} a set left_at = greatest(a.joined_at, now())
      where a.left_at is null and a.joined_at < ${silent} and position('|' in a.socket_id) > 0
        and not exists (select 1 from ${nodes} n where starts_with(a.socket_id, n.tag || '|'))
      returning a.talk_id)
    select talk_id as "talkId" from gone union all select talk_id from unknown`)
  return { closedStays: rows.length, talkIds: [...new Set(rows.map((r) => r.talkId))] }
}
