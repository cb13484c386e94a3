import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { recordAccessChange } from '../access-changes'
import { requireSignedIn, type ModerationItemKind } from '../access/index'
import { removeMember } from '../clubs/members'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { notify } from '../notifications'
import { accountRestrictions, moderationActions, moderationReports } from '../schema/index'
import { endSessionsIn } from '../sessions'
import type { Viewer } from '../viewer'
import { hasPendingText, isPageTextKind, liftHold, removeHeldItem } from './holds'
import { releaseKeptItem } from './kept'
import { moderatedItem } from './queue'
import { APPEAL_DAYS, LIMIT_DAYS_MAX, REASON_MAX, itemKindLabel, moderatorActions, type ModeratorAction } from './reasons'

/*
 * What a moderator decides about a reported item. Every decision takes a reason, is written to
 * the moderation log (append-only: rows are only ever inserted), closes the item's open reports
 * with an outcome, tells the author what was decided and until when they may appeal, and tells
 * each reporter the outcome — never who decided. An item outside the viewer's clubs is answered
 * as if it did not exist (404). Suspending is for staff moderators; a ban from a club goes through
 * the club's own ban (db/clubs/members.ts), so it needs the club role that may ban.
 */

const DAY_MS = 24 * 60 * 60 * 1000

export type ModerationDecision = { action: unknown; reason?: unknown; days?: unknown }

export type DecisionResult = {
  actionId: string
  action: ModeratorAction
  /** Sessions a suspension ended, for the caller to close their sockets (they are closed by the access change too). */
  endedSessions: string[]
  /** Whether its author was told (not when their account is gone). */
  authorTold: boolean
}

/** The words the reporter is told: what happened to what they reported, never who decided. */
const reporterOutcome: Record<ModeratorAction, string> = {
  dismiss: 'A moderator reviewed it and left it up: it does not break the community rules.',
  restore: 'A moderator reviewed it and restored it: it does not break the community rules.',
  remove: 'A moderator removed it. Thank you for reporting it.',
  warn: 'A moderator warned its author. Thank you for reporting it.',
  limit: 'A moderator limited its author’s posting for a while. Thank you for reporting it.',
  suspend: 'A moderator suspended its author’s account. Thank you for reporting it.',
  ban_from_club: 'A moderator banned its author from the club. Thank you for reporting it.',
}

function authorNotice(action: ModeratorAction, kind: ModerationItemKind, reason: string, until: Date | null) {
  const what = itemKindLabel[kind]
  const appeal = `If you think this is wrong, you can appeal in Settings → Moderation within ${APPEAL_DAYS} days.`
  const because = `The moderator wrote: ${reason}`
  switch (action) {
    case 'dismiss':
    case 'restore':
      return { title: `Your ${what} is shown again`, body: `A moderator reviewed it and restored it. ${because}` }
    case 'remove':
      return { title: `Your ${what} was removed`, body: `${because} ${appeal}` }
    case 'warn':
      return { title: `A warning about your ${what}`, body: `${because} ${appeal}` }
    case 'limit':
      return {
        title: 'You cannot post for a while',
        body: `Because of your ${what}, you cannot post comments or questions until ${until?.toUTCString() ?? 'later'}. ${because} ${appeal}`,
      }
    case 'suspend':
      return { title: 'Your account is suspended', body: `Because of your ${what}, your account is suspended. ${because} ${appeal}` }
    case 'ban_from_club':
      return { title: 'You were banned from a club', body: `Because of your ${what}, you can no longer take part in the club. ${because} ${appeal}` }
  }
}

function checkedDecision(input: ModerationDecision) {
  const action = input?.action
  if (typeof action !== 'string' || !(moderatorActions as readonly string[]).includes(action)) throw new PublicError('Choose what to do.', 400, 'action')
  const reason = typeof input.reason === 'string' ? input.reason.trim() : ''
  if (!reason) throw new PublicError('Write the reason: the author is told it.', 400, 'reason')
  if (reason.length > REASON_MAX) throw new PublicError(`Keep the reason under ${REASON_MAX} characters.`, 400, 'reason')
  let days: number | null = null
  if (action === 'limit') {
    const n = typeof input.days === 'string' ? Number(input.days) : input.days
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > LIMIT_DAYS_MAX) {
      throw new PublicError(`Choose a limit of 1 to ${LIMIT_DAYS_MAX} days.`, 400, 'days')
    }
    days = n
  }
  return { action: action as ModeratorAction, reason, days }
}

/** Closes the item's open reports with the outcome and tells each reporter; returns how many. */
async function closeReports(tx: Transaction, kind: ModerationItemKind, id: string, action: ModeratorAction, now: Date) {
  const outcome = reporterOutcome[action]
  const status = action === 'dismiss' || action === 'restore' ? 'dismissed' : 'actioned'
  const closed = await tx.execute<{ reporterId: string | null }>(sql`
    update ${moderationReports} set status = ${status}, decided_at = ${now.toISOString()}::timestamptz, outcome = ${outcome}
    where item_kind = ${kind} and item_id = ${id} and status = 'open'
    returning reporter_id as "reporterId"`)
  for (const { reporterId } of closed) {
    if (!reporterId) continue
    await notify(tx, {
      recipientId: reporterId,
      kind: 'report_outcome',
      title: `Your report of a ${itemKindLabel[kind]} was reviewed`,
      body: outcome,
      link: '/settings/moderation',
      now,
    })
  }
  return closed.length
}

/** Writes one row of the moderation log. */
export async function logAction(
  tx: Transaction,
  entry: {
    action: (typeof moderationActions.$inferInsert)['action']
    kind: ModerationItemKind | null
    itemId: string | null
    authorId: string | null
    actorId: string | null
    clubId: string | null
    reason: string
    until?: Date | null
    appealable: boolean
    now: Date
  },
) {
  const id = randomUUID()
  await tx.insert(moderationActions).values({
    id,
    action: entry.action,
    itemKind: entry.kind,
    itemId: entry.itemId,
    authorId: entry.authorId,
    actorId: entry.actorId,
    clubId: entry.clubId,
    reason: entry.reason,
    until: entry.until ?? null,
    createdAt: entry.now,
    appealBy: entry.appealable ? new Date(entry.now.getTime() + APPEAL_DAYS * DAY_MS) : null,
  })
  return id
}

/** Limits posting until `until` (a longer limit in force stands). */
export async function limitPosting(tx: Transaction, userId: string, until: Date) {
  await tx.execute(sql`
    insert into ${accountRestrictions} (user_id, posting_limited_until, updated_at) values (${userId}, ${until.toISOString()}::timestamptz, now())
    on conflict (user_id) do update set
      posting_limited_until = greatest(${accountRestrictions}.posting_limited_until, excluded.posting_limited_until), updated_at = now()`)
}

/** Suspends the account and signs it out everywhere (its sockets close with the sessions). */
export async function suspendAccount(tx: Transaction, userId: string) {
  await tx.execute(sql`
    insert into ${accountRestrictions} (user_id, suspended, updated_at) values (${userId}, true, now())
    on conflict (user_id) do update set suspended = true, updated_at = now()`)
  const ended = await endSessionsIn(tx, userId)
  await recordAccessChange(tx, { kind: 'user', userId })
  return ended
}

/** Serialises decisions about one item, so two moderators deciding at once do not both close its reports. */
export async function lockItem(tx: Transaction, kind: ModerationItemKind, id: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`moderation:${kind}:${id}`}))`)
}

/**
 * Decides about a reported item: dismiss the reports, restore a held item, remove it, warn its
 * author, limit their posting for some days, suspend them (staff only) or ban them from the club.
 */
export async function decideItem(viewer: Viewer, kindInput: string, id: string, input: ModerationDecision, now = new Date()): Promise<DecisionResult> {
  requireSignedIn(viewer)
  const decision = checkedDecision(input)
  const target = await moderatedItem(viewer, kindInput, id)
  const { kind, item, authorId, clubId, scope } = target
  const { action, reason, days } = decision
  if ((action !== 'dismiss' && action !== 'restore' && action !== 'remove') && !authorId) {
    throw new PublicError('Its author’s account no longer exists.', 409)
  }
  if (action === 'suspend' && !scope.everything) throw new PublicError('Only Rounds staff can suspend an account.', 403)
  // Holds are honoured by the live room's reads; a page (profile, talk, club, quiz) is changed by its
  // owner — what a moderator refuses there is page text a watched word held for approval.
  const refusesPendingText = isPageTextKind(kind) && (await hasPendingText(kind, id))
  if (action === 'remove' && kind !== 'comment' && kind !== 'question' && !refusesPendingText) {
    throw new PublicError(`A ${itemKindLabel[kind]} cannot be removed from here: warn or limit its author, who can change it.`, 409)
  }
  if (action === 'ban_from_club') {
    if (!clubId || !item?.club) throw new PublicError('This is not part of a club.', 409)
    if (authorId === viewer.userId) throw new PublicError('You cannot ban yourself.', 403)
    const handle = item.author?.handle
    if (!handle) throw new PublicError('Its author’s account no longer exists.', 409)
    // The club's own ban: its role check, its audit log, and the live rooms told of it.
    await removeMember(viewer, item.club.slug, handle, { ban: true })
  }
  return db.transaction(async (tx) => {
    await lockItem(tx, kind, id)
    const until = days ? new Date(now.getTime() + days * DAY_MS) : null
    const live = { kind, id, authorId, talkId: item?.talkId ?? null }
    let endedSessions: string[] = []
    switch (action) {
      case 'dismiss':
        // Reports found groundless: a hold they caused goes with them (a removal stands).
        await liftHold(tx, live, 'hidden')
        break
      case 'restore':
        await liftHold(tx, live)
        break
      case 'remove':
        await removeHeldItem(tx, { ...live, reason })
        break
      case 'limit':
        await limitPosting(tx, authorId!, until!)
        break
      case 'suspend':
        endedSessions = await suspendAccount(tx, authorId!)
        break
      case 'warn':
      case 'ban_from_club':
        break
    }
    const appealable = action !== 'dismiss' && action !== 'restore'
    const actionId = await logAction(tx, { action, kind, itemId: id, authorId, actorId: viewer.userId, clubId, reason, until, appealable, now })
    await closeReports(tx, kind, id, action, now)
    // Kept after its author's erasure only until decided: it goes now, with the decision.
    await releaseKeptItem(tx, kind, id, now)
    // A dismissal of reports the author never saw tells them nothing; a restored item was hidden from them before.
    const wasHeld = await tx.execute(sql`select 1 from ${moderationActions} where item_kind = ${kind} and item_id = ${id} and action in ('hide', 'remove') limit 1`)
    const authorTold = authorId !== null && authorId !== viewer.userId && (appealable || wasHeld.length > 0)
    if (authorTold) {
      await notify(tx, { recipientId: authorId, kind: 'moderation_action', ...authorNotice(action, kind, reason, until), link: '/settings/moderation', now })
    }
    return { actionId, action, endedSessions, authorTold }
  })
}

