import { and, eq, sql } from 'drizzle-orm'
import type { ModerationItemKind } from '../access/index'
import { db, rawSql, type Transaction } from '../client'
import { commentColumns, commentOf, questionColumns, questionOf, type CommentRow, type QuestionRow } from '../live/rows'
import type { LiveComment, LiveQuestion } from '../live/types'
import { moderationHolds, profiles, talkComments, talkQuestions } from '../schema/index'

/*
 * Holding an item back (table moderation_holds): 'hidden' while a moderator decides, 'removed'
 * once one did; lifting the hold deletes the row. Reads leave a held item out for everyone but its
 * author (heldFromViewerSql, db/access/moderation.ts). A live comment or question must also leave
 * the screens it is on: each change is announced on a Postgres channel at commit, whatever wrote
 * it (a report, a moderator's page, the watched-words list through placeHold), and every node
 * tells its own sockets in the talk (server/realtime/live.ts).
 */

export const MODERATION_HOLD_CHANNEL = 'moderation_holds'

export type HoldState = (typeof moderationHolds.$inferSelect)['state']

/** What the live rooms are told: an item of a talk was held back (or removed), or its hold lifted. */
export type HeldItemNotice = {
  kind: 'comment' | 'question'
  id: string
  talkId: string
  authorId: string | null
  /** null: the hold was lifted. */
  state: HoldState | null
}

type HoldInput = { kind: ModerationItemKind; id: string; authorId: string | null; talkId: string | null; reason: string }

/** Tells the live rooms at commit, for a comment or question; nothing for other kinds. */
async function announce(tx: Transaction, input: Pick<HoldInput, 'kind' | 'id' | 'authorId' | 'talkId'>, state: HoldState | null) {
  if ((input.kind !== 'comment' && input.kind !== 'question') || !input.talkId) return
  const notice: HeldItemNotice = { kind: input.kind, id: input.id, talkId: input.talkId, authorId: input.authorId, state }
  await tx.execute(sql`select pg_notify(${MODERATION_HOLD_CHANNEL}, ${JSON.stringify(notice)})`)
}

/**
 * Holds the item back as 'hidden' (a report of patient information, a watched word). True when
 * this made the hold; false when it was held already (a second report, a removed item).
 */
export async function placeHold(tx: Transaction, input: HoldInput): Promise<boolean> {
  const rows = await tx
    .insert(moderationHolds)
    .values({ itemKind: input.kind, itemId: input.id, authorId: input.authorId, state: 'hidden', reason: input.reason })
    .onConflictDoNothing()
    .returning({ id: moderationHolds.itemId })
  if (rows.length > 0) await announce(tx, input, 'hidden')
  return rows.length > 0
}

/** Removes the item: held back for good, unless an appeal restores it. */
export async function removeHeldItem(tx: Transaction, input: HoldInput) {
  await tx
    .insert(moderationHolds)
    .values({ itemKind: input.kind, itemId: input.id, authorId: input.authorId, state: 'removed', reason: input.reason })
    .onConflictDoUpdate({ target: [moderationHolds.itemKind, moderationHolds.itemId], set: { state: 'removed', reason: input.reason, since: new Date() } })
  await announce(tx, input, 'removed')
}

/** Lifts the hold (only one in `onlyState`, when given): the item shows again as before. True when there was one. */
export async function liftHold(tx: Transaction, input: Pick<HoldInput, 'kind' | 'id' | 'authorId' | 'talkId'>, onlyState?: HoldState): Promise<boolean> {
  const rows = await tx
    .delete(moderationHolds)
    .where(
      and(eq(moderationHolds.itemKind, input.kind), eq(moderationHolds.itemId, input.id), onlyState ? eq(moderationHolds.state, onlyState) : undefined),
    )
    .returning({ id: moderationHolds.itemId })
  if (rows.length > 0) await announce(tx, input, null)
  return rows.length > 0
}

/** The item's hold, if any. */
export async function holdOf(tx: Transaction, kind: ModerationItemKind, id: string) {
  const [row] = await tx
    .select({ state: moderationHolds.state, reason: moderationHolds.reason, since: moderationHolds.since })
    .from(moderationHolds)
    .where(and(eq(moderationHolds.itemKind, kind), eq(moderationHolds.itemId, id)))
  return row ?? null
}

/**
 * A comment or question whose hold was lifted, as the room shows it, for those who should see it
 * again; null when it is gone meanwhile (deleted, held again) or is a question the hosts hid.
 */
export async function shownAgain(notice: HeldItemNotice): Promise<{ comment: LiveComment } | { question: LiveQuestion } | null> {
  const notHeld = (id: ReturnType<typeof sql>) =>
    sql`not exists (select 1 from ${moderationHolds} h where h.item_kind = ${notice.kind} and h.item_id = ${id})`
  if (notice.kind === 'comment') {
    const [row] = await db.execute<CommentRow>(sql`
      select ${commentColumns} from ${talkComments} c join ${profiles} p on p.user_id = c.user_id
      where c.id = ${notice.id} and c.deleted_at is null and ${notHeld(sql`c.id`)}`)
    return row ? { comment: commentOf(row) } : null
  }
  const [row] = await db.execute<QuestionRow>(sql`
    select ${questionColumns('')} from ${talkQuestions} q join ${profiles} p on p.user_id = q.user_id
    where q.id = ${notice.id} and q.status <> 'hidden' and ${notHeld(sql`q.id`)}`)
  return row ? { question: questionOf(row) } : null
}

/**
 * Calls `onHeld` for every hold announced, and `onReconnect` each time the listening connection
 * is (re)established (notices sent while it was down are lost; a client's next sync reads the
 * room without the item).
 */
export async function listenForHeldItems(onHeld: (notice: HeldItemNotice) => void, onReconnect: () => void = () => {}) {
  const { unlisten } = await rawSql().listen(
    MODERATION_HOLD_CHANNEL,
    (payload) => {
      try {
        onHeld(JSON.parse(payload) as HeldItemNotice)
      } catch {
        // Only this module writes the channel; a notice it cannot read is dropped.
      }
    },
    onReconnect,
  )
  return { stop: () => unlisten() }
}
