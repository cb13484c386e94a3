import { randomUUID } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { checkTalkEntryFacts, isModerator, refuse, requireLive, requireModerator, talkEntryAllowedSql } from '../access/index'
import { db } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
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
 * A comment in one statement: the access check, the insert (only when allowed; a retried
 * clientId inserts nothing) and the stored comment come back together.
 */
export async function postComment(viewer: Viewer, talkId: string, input: TextInput): Promise<LiveComment> {
  if (!viewer) throw refuse.signIn()
  const body = checkedText(input?.body, 'comment', { min: 1, max: COMMENT_MAX, multiline: true, field: 'body' })
  const clientId = checkedClientId(input?.clientId)
  if (!isId(talkId)) throw refuse.notFound()
  const uid = viewer.userId
  const id = randomUUID()
  const existingSql = (where: SQL) => sql`(select row_to_json(x) from (
      select ${commentColumns} from ${talkComments} c join ${profiles} p on p.user_id = c.user_id where ${where}) x)`
  const [row] = await db.execute<WriteRow>(sql`
    with a as (${accessSelect(viewer, talkId)}),
    ins as (
      insert into ${talkComments} (id, talk_id, user_id, body, client_id)
      select ${id}::text, a.id, ${uid}::text, ${body}::text, ${clientId}::text from a
      where ${talkEntryAllowedSql(sql`a`)} and a.status = 'live'
      on conflict (talk_id, user_id, client_id) where client_id is not null do nothing
      returning id, talk_id, user_id, body, created_at, pinned_at)
    select a.status, a.visible, a.banned, a.removed,
      (select row_to_json(x) from (select ${commentColumns} from ins c join ${profiles} p on p.user_id = c.user_id) x) as written,
      ${clientId === null ? sql`null::json` : existingSql(sql`c.talk_id = a.id and c.user_id = ${uid} and c.client_id = ${clientId}`)} as existing
    from a`)
  checkTalkEntryFacts(row)
  if (row.status === 'ended') throw refuse.ended()
  if (row.status === 'scheduled') throw refuse.notStarted()
  const stored = (row.written ?? row.existing) as CommentRow | null
  if (stored) return commentOf(stored)
  // The same clientId committed by a concurrent retry after this statement's snapshot.
  const [again] = await db.execute<CommentRow>(sql`
    select ${commentColumns} from ${talkComments} c join ${profiles} p on p.user_id = c.user_id
    where c.talk_id = ${talkId} and c.user_id = ${uid} and c.client_id = ${clientId}`)
  if (!again) throw new PublicError('That message could not be sent. Try again.', 409)
  return commentOf(again)
}

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
