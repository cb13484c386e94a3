import { and, eq, sql } from 'drizzle-orm'
import type { ModerationItemKind } from '../access/index'
import { db, rawSql, type Transaction } from '../client'
import { commentColumns, commentOf, questionColumns, questionOf, type CommentRow, type QuestionRow } from '../live/rows'
import type { LiveComment, LiveQuestion } from '../live/types'
import { clubs, moderationHolds, profiles, talkComments, talkQuestions, talks } from '../schema/index'
import { enqueueSearchUpdate } from '../search'

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

/**
 * Lifts the hold (only one in `onlyState`, when given): the item shows again as before, and page
 * text that awaited approval becomes what everyone sees. True when there was one.
 */
export async function liftHold(tx: Transaction, input: Pick<HoldInput, 'kind' | 'id' | 'authorId' | 'talkId'>, onlyState?: HoldState): Promise<boolean> {
  const rows = await tx
    .delete(moderationHolds)
    .where(
      and(eq(moderationHolds.itemKind, input.kind), eq(moderationHolds.itemId, input.id), onlyState ? eq(moderationHolds.state, onlyState) : undefined),
    )
    .returning({ id: moderationHolds.itemId, pendingText: moderationHolds.pendingText })
  if (rows.length > 0) await announce(tx, input, null)
  const pending = rows[0]?.pendingText
  if (pending != null && isPageTextKind(input.kind)) await writePageText(tx, input.kind, input.id, pending)
  return rows.length > 0
}

// Page text: the one field of a profile, club or talk that a watched word can hold for approval.

export type PageTextKind = 'person' | 'club' | 'talk'
export const isPageTextKind = (kind: ModerationItemKind): kind is PageTextKind => kind === 'person' || kind === 'club' || kind === 'talk'

/** Writes a bio, a club's description or a talk's title, and tells search. */
export async function writePageText(tx: Transaction, kind: PageTextKind, id: string, text: string | null) {
  switch (kind) {
    case 'person':
      await tx.update(profiles).set({ bio: text }).where(eq(profiles.userId, id))
      return enqueueSearchUpdate(tx, { kind: 'profile', id })
    case 'club':
      await tx.update(clubs).set({ description: text ?? '' }).where(eq(clubs.id, id))
      return enqueueSearchUpdate(tx, { kind: 'club', id })
    case 'talk':
      await tx.update(talks).set({ title: text ?? PLACEHOLDER_TITLE }).where(eq(talks.id, id))
      return enqueueSearchUpdate(tx, { kind: 'talk', id })
  }
}

/** What others see as a new talk's title while its own awaits approval. */
export const PLACEHOLDER_TITLE = 'Title awaiting review'

/**
 * Holds page text for approval, after the writer saved it: the item's column goes back to what
 * others saw before (`shownMeanwhile`) and the new text waits on the hold for a moderator.
 */
export async function holdPageText(tx: Transaction, kind: PageTextKind, id: string, text: { next: string; shownMeanwhile: string | null }) {
  await writePageText(tx, kind, id, text.shownMeanwhile)
  await tx
    .update(moderationHolds)
    .set({ pendingText: text.next })
    .where(and(eq(moderationHolds.itemKind, kind), eq(moderationHolds.itemId, id)))
}

/**
 * Text saved without a watched word replaces any that awaited approval: a moderator's later
 * approval must not bring back words the author has since changed.
 */
export async function supersedePendingText(tx: Transaction, kind: PageTextKind, id: string) {
  await tx
    .delete(moderationHolds)
    .where(
      and(eq(moderationHolds.itemKind, kind), eq(moderationHolds.itemId, id), eq(moderationHolds.state, 'hidden'), sql`${moderationHolds.pendingText} is not null`),
    )
}

/** Whether page text of this item awaits approval (or was refused and may be appealed). */
export async function hasPendingText(kind: PageTextKind, id: string) {
  const [row] = await db
    .select({ id: moderationHolds.itemId })
    .from(moderationHolds)
    .where(and(eq(moderationHolds.itemKind, kind), eq(moderationHolds.itemId, id), sql`${moderationHolds.pendingText} is not null`))
  return Boolean(row)
}

/**
 * Page text of the viewer's own awaiting a moderator (or refused by one), for the author's pages
 * and forms; null for anyone else, or when nothing is held.
 */
export async function myPendingText(viewerId: string | null | undefined, kind: PageTextKind, id: string) {
  if (!viewerId) return null
  const [row] = await db
    .select({ text: moderationHolds.pendingText, state: moderationHolds.state })
    .from(moderationHolds)
    .where(
      and(eq(moderationHolds.itemKind, kind), eq(moderationHolds.itemId, id), eq(moderationHolds.authorId, viewerId), sql`${moderationHolds.pendingText} is not null`),
    )
  return row ? { text: row.text as string, state: row.state } : null
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
