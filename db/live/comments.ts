import { randomUUID } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { checkTalkEntryFacts, heldFromViewerSql, isModerator, refuse, requireLive, requireModerator, talkEntryAllowedSql } from '../access/index'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { checkPostingAllowed, freeToPostSql, postingStandingSql, refuseWhileRestricted, type PostingStanding } from '../moderation/limits'
import { recordWatchedWordHit, screenText } from '../moderation/watched-words'
import { profiles, talkComments } from '../schema/index'
import { checkedText } from '../talks'
import type { Viewer } from '../viewer'
import { accessSelect, loadAccess } from './access'
import { checkedClientId, commentColumns, commentOf, type CommentRow, type WriteRow } from './rows'
import type { LiveComment, TextInput } from './types'

/* The room's comments: posted while the talk is live, deleted by their author or a host, one pinned at a time. */

export const COMMENT_MAX = 500
/** How many of the latest comments a room read carries. */
export const COMMENT_TAIL = 50

/**
 * A comment in one statement: the access check, the posting limits' standing, the insert (only
 * when allowed; a retried clientId inserts nothing) and the stored comment come back together.
 * A new or restricted account, or a comment matching a watched word to hold or flag, takes the
 * longer way: a transaction that counts against the limits, writes, and records the match
 * (db/moderation/limits.ts, db/moderation/watched-words.ts). A blocked word is refused before
 * anything is written; a held comment comes back with `held: true`, for its author alone.
 */
export async function postComment(viewer: Viewer, talkId: string, input: TextInput): Promise<LiveComment & { held?: true }> {
  if (!viewer) throw refuse.signIn()
  const body = checkedText(input?.body, 'comment', { min: 1, max: COMMENT_MAX, multiline: true, field: 'body' })
  const clientId = checkedClientId(input?.clientId)
  if (!isId(talkId)) throw refuse.notFound()
  const hit = await screenText([body], 'body')
  const uid = viewer.userId
  const id = randomUUID()
  const storedSql = (from: SQL, where: SQL) => sql`(select row_to_json(x) from (
      select ${commentColumns}, ${heldFromViewerSql(null, 'comment', sql`c.id`)} as held
      from ${from} c join ${profiles} p on p.user_id = c.user_id where ${where}) x)`
  const write = (executor: Database | Transaction, gate: SQL) =>
    executor.execute<WriteRow & PostingStanding & { clubId: string }>(sql`
      with a as (${accessSelect(viewer, talkId)}),
      s as (${postingStandingSql(uid)}),
      ins as (
        insert into ${talkComments} (id, talk_id, user_id, body, client_id)
        select ${id}::text, a.id, ${uid}::text, ${body}::text, ${clientId}::text from a, s
        where ${talkEntryAllowedSql(sql`a`)} and a.status = 'live' and ${gate}
        on conflict (talk_id, user_id, client_id) where client_id is not null do nothing
        returning id, talk_id, user_id, body, created_at, pinned_at)
      select a.status, a.visible, a.banned, a.removed, a."clubId", s.*,
        ${storedSql(sql`ins`, sql`true`)} as written,
        ${clientId === null ? sql`null::json` : storedSql(sql`${talkComments}`, sql`c.talk_id = a.id and c.user_id = ${uid} and c.client_id = ${clientId}`)} as existing
      from a, s`)
  // A retry of a comment held back stays held: never broadcast.
  const held = ({ held: isHeld, ...stored }: StoredComment) => (isHeld ? { ...commentOf(stored), held: true as const } : commentOf(stored))
  const outcome = (row: WriteRow) => {
    if (row.status === 'ended') throw refuse.ended()
    if (row.status === 'scheduled') throw refuse.notStarted()
    const stored = (row.written ?? row.existing) as StoredComment | null
    return stored && { comment: held(stored), written: Boolean(row.written) }
  }
  const again = async (executor: Database | Transaction) => {
    // The same clientId committed by a concurrent retry after this statement's snapshot.
    const [stored] = await executor.execute<{ comment: StoredComment | null }>(sql`
      select ${storedSql(sql`${talkComments}`, sql`c.talk_id = ${talkId} and c.user_id = ${uid} and c.client_id = ${clientId}`)} as comment`)
    if (!stored?.comment) throw new PublicError('That message could not be sent. Try again.', 409)
    return held(stored.comment)
  }

  if (!hit) {
    const row = checkTalkEntryFacts((await write(db, freeToPostSql(sql`s`)))[0])
    const done = outcome(row)
    if (done) return done.comment
    refuseWhileRestricted(row)
    if (!row.newUntil) return again(db)
  }
  return db.transaction(async (tx) => {
    await checkPostingAllowed(tx, uid, 'comment')
    const row = checkTalkEntryFacts((await write(tx, sql`true`))[0])
    const done = outcome(row)
    if (!done) return again(tx)
    if (!done.written) return done.comment
    const recorded = await recordWatchedWordHit(tx, hit, { kind: 'comment', id: done.comment.id, authorId: uid, clubId: row.clubId, talkId })
    return recorded.held ? { ...done.comment, held: true as const } : done.comment
  })
}

type StoredComment = CommentRow & { held: boolean }

/** Soft delete, by the author or a host. Deleting twice is fine. */
export async function deleteComment(viewer: Viewer, talkId: string, commentId: string): Promise<{ id: string }> {
  const access = await loadAccess(db, viewer, talkId)
  if (!isId(commentId)) throw new PublicError('We could not find that comment.', 404)
  const [comment] = await db.execute<{ userId: string; deleted: boolean }>(sql`
    select user_id as "userId", deleted_at is not null as deleted from ${talkComments} where id = ${commentId} and talk_id = ${access.id}`)
  if (!comment) throw new PublicError('We could not find that comment.', 404)
  if (comment.userId !== viewer!.userId && !isModerator(access.role)) {
    throw new PublicError('Only its author and the talk’s hosts can delete a comment.', 403)
  }
  if (!comment.deleted) {
    await db.execute(sql`
      update ${talkComments} set deleted_at = now(), deleted_by = ${viewer!.userId}, pinned_at = null
      where id = ${commentId} and deleted_at is null`)
  }
  return { id: commentId }
}

/** Pins one comment (unpinning the one before) or, with null, unpins. */
export async function pinComment(viewer: Viewer, talkId: string, commentId: string | null): Promise<{ pinned: LiveComment | null }> {
  return db.transaction(async (tx) => {
    // 'update' on the talk row: two hosts pinning at once must not leave two pins.
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    requireLive(access)
    if (commentId === null) {
      await tx.execute(sql`update ${talkComments} set pinned_at = null where talk_id = ${access.id} and pinned_at is not null`)
      return { pinned: null }
    }
    if (!isId(commentId)) throw new PublicError('We could not find that comment.', 404)
    const [target] = await tx.execute<{ id: string }>(sql`
      select id from ${talkComments} where id = ${commentId} and talk_id = ${access.id} and deleted_at is null for update`)
    if (!target) throw new PublicError('We could not find that comment.', 404)
    const [pinned] = await tx.execute<CommentRow>(sql`
      with u as (
        update ${talkComments} set pinned_at = case when id = ${commentId} then now() else null end
        where talk_id = ${access.id} and (pinned_at is not null or id = ${commentId})
        returning id, talk_id, user_id, body, created_at, pinned_at)
      select ${commentColumns} from u c join ${profiles} p on p.user_id = c.user_id where c.id = ${commentId}`)
    return { pinned: commentOf(pinned) }
  })
}
