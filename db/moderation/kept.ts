import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { ModerationItemKind } from '../access/index'
import type { Database, Transaction } from '../client'
import { addEvent } from '../data-rights/requests'
import { clubs, dataRequests, moderationHolds, moderationKeptItems, moderationReports, profiles, quizzes, talkComments, talkQuestions, talks } from '../schema/index'

/*
 * Content under an open report outlives its author's erasure until a moderator decides
 * (docs/decisions/027-moderation.md). Erasure copies what an open report names — its words and
 * where they were said, linked to no one — into moderation_kept_items, deletes the item with the
 * rest of the account, and leaves the open reports without an author. Only the moderation queue
 * reads the copy. The decision that closes the item's last open report deletes it, in the same
 * transaction, and completes the erasure once nothing else of it waits.
 */

/** One reported item of the person being erased, as it read before the erasure. */
export type ReportedContent = {
  kind: ModerationItemKind
  id: string
  text: string
  context: string
  clubId: string | null
  talkId: string | null
  writtenAt: Date | null
}

/** What a moderator reads of a kept item: where it was said, never who said it. */
export const ERASED_PROFILE_CONTEXT = 'Profile of an erased account'

type SnapshotRow = { text: string | null; context: string | null; clubId: string | null; talkId: string | null; writtenAt: string | Date | null }

function snapshotSql(kind: ModerationItemKind, id: string) {
  switch (kind) {
    case 'comment':
      return sql`select c.body as text, 'Comment in “' || t.title || '”' as context, t.club_id as "clubId", t.id as "talkId", c.created_at as "writtenAt"
        from ${talkComments} c join ${talks} t on t.id = c.talk_id where c.id = ${id}`
    case 'question':
      return sql`select q.body as text, 'Question to “' || t.title || '”' as context, t.club_id as "clubId", t.id as "talkId", q.created_at as "writtenAt"
        from ${talkQuestions} q join ${talks} t on t.id = q.talk_id where q.id = ${id}`
    case 'person':
      // The words of the profile, not the name: the account it named is gone.
      return sql`select coalesce((select h.pending_text from ${moderationHolds} h where h.item_kind = 'person' and h.item_id = p.user_id), p.bio, '') as text,
          ${ERASED_PROFILE_CONTEXT} as context, null::text as "clubId", null::text as "talkId", null::timestamptz as "writtenAt"
        from ${profiles} p where p.user_id = ${id}`
    case 'talk':
      return sql`select coalesce(t.description, '') as text, 'Talk “' || t.title || '”' as context, t.club_id as "clubId", t.id as "talkId", t.created_at as "writtenAt"
        from ${talks} t where t.id = ${id}`
    case 'club':
      return sql`select coalesce(cl.description, '') as text, 'Club ' || cl.name as context, cl.id as "clubId", null::text as "talkId", cl.created_at as "writtenAt"
        from ${clubs} cl where cl.id = ${id}`
    case 'quiz':
      return sql`select '' as text, 'Quiz “' || z.title || '”' as context, z.club_id as "clubId", z.talk_id as "talkId", z.created_at as "writtenAt"
        from ${quizzes} z where z.id = ${id}`
  }
}

/**
 * Erasure, first step: reads what of the person an open report names, while it still exists, and
 * takes the person off those reports (they stay open; reports decided already go with the
 * account, as db/retention.ts says).
 */
export async function takeReportedContent(tx: Transaction, userId: string): Promise<ReportedContent[]> {
  // The update locks the reports it takes: a decision about them waits for the erasure to commit,
  // then finds them open and the kept copy there to delete. One that committed first closed them
  // already, and the update passes them over.
  const taken = await tx.execute<{ kind: ModerationItemKind; id: string }>(sql`
    update ${moderationReports} set author_id = null where author_id = ${userId} and status = 'open'
    returning item_kind as kind, item_id as id`)
  const items = [...new Map(taken.map((t) => [`${t.kind}:${t.id}`, t])).values()]
  const out: ReportedContent[] = []
  for (const item of items) {
    const [row] = await tx.execute<SnapshotRow>(snapshotSql(item.kind, item.id))
    if (!row) continue
    out.push({
      kind: item.kind,
      id: item.id,
      text: row.text ?? '',
      context: row.context ?? '',
      clubId: row.clubId,
      talkId: row.talkId,
      writtenAt: row.writtenAt ? new Date(row.writtenAt) : null,
    })
  }
  return out
}

const stillThere = async (tx: Transaction, item: ReportedContent) => {
  const [row] = await tx.execute(snapshotSql(item.kind, item.id))
  return Boolean(row)
}

/**
 * Erasure, once the person's rows are gone: keeps a copy of each reported item that went with
 * them (a talk, quiz or club handed over to a club stays up, and its reports with it). A profile
 * is kept under a new id, so nothing left holds the account's id. Returns how many were kept.
 */
export async function keepReportedContent(tx: Transaction, userId: string, reported: ReportedContent[], requestId: string, now: Date) {
  let kept = 0
  for (const item of reported) {
    if (await stillThere(tx, item)) continue
    let itemId = item.id
    if (item.kind === 'person') {
      itemId = randomUUID()
      await tx.execute(sql`update ${moderationReports} set item_id = ${itemId} where item_kind = 'person' and item_id = ${userId}`)
    }
    const [clubExists] = item.clubId ? await tx.select({ id: clubs.id }).from(clubs).where(sql`${clubs.id} = ${item.clubId}`) : []
    await tx.insert(moderationKeptItems).values({
      itemKind: item.kind,
      itemId,
      erasureRequestId: requestId,
      clubId: clubExists ? item.clubId : null,
      talkId: item.talkId,
      text: item.text,
      context: item.context,
      writtenAt: item.writtenAt,
      keptSince: now,
    })
    kept++
  }
  return kept
}

export type KeptItem = {
  text: string
  context: string | null
  talkId: string | null
  club: { id: string; slug: string; name: string } | null
  keptSince: Date
}

/** The kept copy of an item, for the moderation queue only. */
export async function keptItemOf(executor: Database | Transaction, kind: ModerationItemKind, id: string): Promise<KeptItem | null> {
  const [row] = await executor.execute<{
    text: string
    context: string | null
    talkId: string | null
    clubId: string | null
    clubSlug: string | null
    clubName: string | null
    keptSince: string | Date
  }>(sql`
    select k.text, k.context, k.talk_id as "talkId", cl.id as "clubId", cl.slug as "clubSlug", cl.name as "clubName", k.kept_since as "keptSince"
    from ${moderationKeptItems} k left join ${clubs} cl on cl.id = k.club_id
    where k.item_kind = ${kind} and k.item_id = ${id}`)
  if (!row) return null
  return {
    text: row.text,
    context: row.context,
    talkId: row.talkId,
    club: row.clubId && row.clubSlug && row.clubName ? { id: row.clubId, slug: row.clubSlug, name: row.clubName } : null,
    keptSince: new Date(row.keptSince),
  }
}

/**
 * A decision closed reports of the item: once none is open, its kept copy (and any hold a removal
 * placed on it) is deleted, and the erasure that kept it completes when it was the last. True when
 * a kept copy was deleted.
 */
export async function releaseKeptItem(tx: Transaction, kind: ModerationItemKind, id: string, now: Date) {
  const open = await tx.execute(sql`select 1 from ${moderationReports} where item_kind = ${kind} and item_id = ${id} and status = 'open' limit 1`)
  if (open.length > 0) return false
  const gone = await tx.execute<{ requestId: string | null }>(sql`
    delete from ${moderationKeptItems} where item_kind = ${kind} and item_id = ${id} returning erasure_request_id as "requestId"`)
  if (gone.length === 0) return false
  await tx.execute(sql`delete from ${moderationHolds} where item_kind = ${kind} and item_id = ${id}`)
  const requestId = gone[0].requestId
  if (!requestId) return true
  const waiting = await tx.execute(sql`select 1 from ${moderationKeptItems} where erasure_request_id = ${requestId} limit 1`)
  if (waiting.length > 0) return true
  const completed = await tx.execute(sql`
    update ${dataRequests} set status = 'completed', completed_at = ${now.toISOString()}::timestamptz
    where id = ${requestId} and status = 'in_progress' returning id`)
  if (completed.length > 0) {
    await addEvent(tx, requestId, null, 'completed', 'Moderators decided the open reports; the items kept for them are deleted and the erasure is complete.', now)
  }
  return true
}
