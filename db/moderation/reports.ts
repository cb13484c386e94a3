import { randomUUID } from 'node:crypto'
import { desc, eq, sql } from 'drizzle-orm'
import { moderationItemKinds, reportableItemSql, requireSignedIn, type ModerationItemKind, type ReportableItem } from '../access/index'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { notify } from '../notifications'
import { moderationActions, moderationReports, profiles } from '../schema/index'
import type { Viewer } from '../viewer'
import { placeHold } from './holds'
import { APPEAL_DAYS, DETAILS_MAX, chosenReasons, itemKindLabel, type ReportReason } from './reasons'

/*
 * Reporting an item. Whoever may see an item may report it, once; the report copies the item's
 * author and club, for the queue's scope and history. A report that the item identifies a patient
 * takes the fast lane: in the same transaction the item (a live comment or question) is held back
 * from everyone but its author, the hold is logged as an automatic 'hide', and the author is told
 * why and how to appeal. Pages (a profile, a talk, a club, a quiz) are not hidden by a report: a
 * report of patient information puts them first in the queue for a moderator to decide.
 */

const DAY_MS = 24 * 60 * 60 * 1000

export type ReportInput = {
  kind: unknown
  id: unknown
  reason: unknown
  details?: unknown
  /** From a live room: the talk the item must belong to (anything else is not found there). */
  inTalk?: string
  /** A person named by their handle (the profile page knows no id); `id` is then ignored. */
  handle?: string
}

export type ReportResult = {
  id: string
  /** Whether this report held the item back (the patient-information fast lane). */
  held: boolean
  item: { kind: ModerationItemKind; id: string; talkId: string | null }
}

const notFound = (kind: ModerationItemKind) => new PublicError(`We could not find that ${itemKindLabel[kind]}.`, 404)

/** The kind, reason and details as the data layer accepts them, or a 400 saying what is wrong. */
export function checkedReport(input: ReportInput) {
  const kind = input?.kind
  if (typeof kind !== 'string' || !moderationItemKinds.includes(kind as ModerationItemKind)) throw new PublicError('Say what you are reporting.', 400)
  const reason = input.reason
  if (typeof reason !== 'string' || !(chosenReasons as readonly string[]).includes(reason)) {
    throw new PublicError('Choose why you are reporting it.', 400, 'reason')
  }
  if (input.details !== undefined && input.details !== null && typeof input.details !== 'string') throw new PublicError('Those details are not valid.', 400, 'details')
  const details = typeof input.details === 'string' ? input.details.trim() : ''
  if (details.length > DETAILS_MAX) throw new PublicError(`Keep the details under ${DETAILS_MAX} characters.`, 400, 'details')
  if (reason === 'other' && details.length === 0) throw new PublicError('Say what is wrong with it.', 400, 'details')
  return { kind: kind as ModerationItemKind, reason: reason as ReportReason, details: details || null }
}

/** The item as the viewer may see it, or 404 as if it did not exist. */
async function visibleItem(tx: Transaction, viewer: NonNullable<Viewer>, kind: ModerationItemKind, id: unknown) {
  if (!isId(id)) throw notFound(kind)
  const [item] = await tx.execute<ReportableItem>(reportableItemSql(viewer, kind, id))
  if (!item?.visible) throw notFound(kind)
  return item
}

/** The account behind a handle, or nothing (visibleItem then answers 404 as for anyone not visible). */
async function personByHandle(tx: Transaction, handle: string) {
  if (handle.length > 60) return null
  const [row] = await tx.execute<{ userId: string }>(sql`select user_id as "userId" from ${profiles} where lower(handle) = lower(${handle})`)
  return row?.userId ?? null
}

/** What the author of a held item is told: why, who sees it now, and how to appeal. */
function heldNotice(kind: ModerationItemKind) {
  const what = itemKindLabel[kind]
  return {
    title: `Your ${what} is hidden while a moderator reviews it`,
    body: `Someone reported that your ${what} may identify a patient. Until a moderator decides, only you can see it. If it identifies no one, you can appeal in Settings → Moderation within ${APPEAL_DAYS} days.`,
  }
}

/**
 * Reports an item the viewer may see. Refused, with nothing written: a visitor (401), an unknown
 * or invisible item (404), one's own item (403), a second report of the same item (409), no
 * reason, 'other' without details, or details too long (400).
 */
export async function reportItem(viewer: Viewer, input: ReportInput, now = new Date()): Promise<ReportResult> {
  requireSignedIn(viewer, 'Sign in to report something.')
  const { kind, reason, details } = checkedReport(input)
  return db.transaction(async (tx) => {
    const named = kind === 'person' && typeof input.handle === 'string' ? await personByHandle(tx, input.handle) : input.id
    const item = await visibleItem(tx, viewer, kind, named)
    const itemId = named as string
    if (input.inTalk !== undefined && item.talkId !== input.inTalk) throw notFound(kind)
    if (item.authorId === viewer.userId) throw new PublicError(`You cannot report your own ${itemKindLabel[kind]}.`, 403)
    const id = randomUUID()
    const inserted = await tx
      .insert(moderationReports)
      .values({ id, reporterId: viewer.userId, itemKind: kind, itemId, authorId: item.authorId, clubId: item.clubId, reason, details, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: moderationReports.id })
    if (inserted.length === 0) throw new PublicError(`You have already reported this ${itemKindLabel[kind]}. A moderator will look at it.`, 409)

    let held = false
    if (reason === 'patient_information' && (kind === 'comment' || kind === 'question')) {
      const holdReason = 'Reported as identifying a patient; hidden until a moderator decides.'
      held = await placeHold(tx, { kind, id: itemId, authorId: item.authorId, talkId: item.talkId, reason: holdReason })
      if (held) {
        await tx.insert(moderationActions).values({
          id: randomUUID(),
          action: 'hide',
          itemKind: kind,
          itemId,
          authorId: item.authorId,
          actorId: null,
          clubId: item.clubId,
          reason: holdReason,
          createdAt: now,
          appealBy: new Date(now.getTime() + APPEAL_DAYS * DAY_MS),
        })
        if (item.authorId) await notify(tx, { recipientId: item.authorId, kind: 'moderation_action', ...heldNotice(kind), link: '/settings/moderation', now })
      }
    }
    return { id, held, item: { kind, id: itemId, talkId: item.talkId } }
  })
}

export type MyReport = {
  id: string
  kind: ModerationItemKind
  reason: ReportReason
  details: string | null
  status: 'open' | 'dismissed' | 'actioned'
  outcome: string | null
  createdAt: Date
  decidedAt: Date | null
}

/** What the viewer reported, newest first, with each report's status and outcome (never who decided). */
export async function listMyReports(viewer: Viewer): Promise<MyReport[]> {
  requireSignedIn(viewer)
  return db
    .select({
      id: moderationReports.id,
      kind: moderationReports.itemKind,
      reason: moderationReports.reason,
      details: moderationReports.details,
      status: moderationReports.status,
      outcome: moderationReports.outcome,
      createdAt: moderationReports.createdAt,
      decidedAt: moderationReports.decidedAt,
    })
    .from(moderationReports)
    .where(eq(moderationReports.reporterId, viewer.userId))
    .orderBy(desc(moderationReports.createdAt))
    .limit(200)
}

