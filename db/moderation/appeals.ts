import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { inModerationScope, requireModerationScope, requireSignedIn, type ModerationItemKind } from '../access/index'
import { liftBan } from '../clubs/members'
import { db } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { notify } from '../notifications'
import { accountRestrictions, clubs, moderationActions, moderationAppeals, profiles } from '../schema/index'
import type { Viewer } from '../viewer'
import { lockItem, logAction } from './actions'
import { liftHold } from './holds'
import { readItem } from './queue'
import { DETAILS_MAX, REASON_MAX, itemKindLabel } from './reasons'

/*
 * Appeals: the author of an item a moderator acted on (or that a report held back) may appeal
 * once, within 30 days of the decision; a moderator who may decide about the item decides the
 * appeal. Overturning undoes what the decision did — the hold lifted, the limit or suspension
 * ended, the club ban lifted — and both decisions stay in the log.
 */

const notFound = () => new PublicError('We could not find that decision.', 404)

export type ActionOnMe = {
  id: string
  action: string
  kind: ModerationItemKind | null
  itemId: string | null
  /** The item as its author sees it (their own words), when it still exists. */
  itemText: string | null
  reason: string
  until: Date | null
  createdAt: Date
  appealBy: Date | null
  mayAppeal: boolean
  appeal: { status: 'open' | 'upheld' | 'overturned'; body: string; createdAt: Date; decidedAt: Date | null } | null
}

/** What moderators decided about the viewer's content and account, newest first (never who decided, never who reported). */
export async function listActionsOnMe(viewer: Viewer, now = new Date()): Promise<ActionOnMe[]> {
  requireSignedIn(viewer)
  const rows = await db.execute<{
    id: string
    action: string
    kind: ModerationItemKind | null
    itemId: string | null
    reason: string
    until: string | Date | null
    createdAt: string | Date
    appealBy: string | Date | null
    appeal: { status: 'open' | 'upheld' | 'overturned'; body: string; createdAt: string; decidedAt: string | null } | null
  }>(sql`
    select m.id, m.action, m.item_kind as kind, m.item_id as "itemId", m.reason, m.until, m.created_at as "createdAt", m.appeal_by as "appealBy",
      (select json_build_object('status', a.status, 'body', a.body, 'createdAt', a.created_at, 'decidedAt', a.decided_at)
        from ${moderationAppeals} a where a.action_id = m.id) as appeal
    from ${moderationActions} m
    where m.author_id = ${viewer.userId} and m.action not in ('dismiss', 'appeal_upheld', 'appeal_overturned')
    order by m.created_at desc limit 200`)
  return Promise.all(
    rows.map(async (r) => {
      const appealBy = r.appealBy ? new Date(r.appealBy) : null
      const item = r.kind && r.itemId ? await readItem(r.kind, r.itemId) : null
      return {
        id: r.id,
        action: r.action,
        kind: r.kind,
        itemId: r.itemId,
        itemText: item && item.author?.userId === viewer.userId ? item.text : null,
        reason: r.reason,
        until: r.until ? new Date(r.until) : null,
        createdAt: new Date(r.createdAt),
        appealBy,
        mayAppeal: !r.appeal && appealBy !== null && appealBy > now,
        appeal: r.appeal
          ? { ...r.appeal, createdAt: new Date(r.appeal.createdAt), decidedAt: r.appeal.decidedAt ? new Date(r.appeal.decidedAt) : null }
          : null,
      }
    }),
  )
}

/** Appeals a decision about the viewer's content, once, within its 30 days. */
export async function appealAction(viewer: Viewer, actionId: unknown, input: { body: unknown }, now = new Date()): Promise<{ id: string }> {
  requireSignedIn(viewer)
  if (!isId(actionId)) throw notFound()
  const body = typeof input?.body === 'string' ? input.body.trim() : ''
  if (!body) throw new PublicError('Say why the decision is wrong.', 400, 'body')
  if (body.length > DETAILS_MAX) throw new PublicError(`Keep your appeal under ${DETAILS_MAX} characters.`, 400, 'body')
  return db.transaction(async (tx) => {
    const [action] = await tx
      .select({ authorId: moderationActions.authorId, appealBy: moderationActions.appealBy })
      .from(moderationActions)
      .where(eq(moderationActions.id, actionId))
    if (!action || action.authorId !== viewer.userId) throw notFound()
    if (!action.appealBy) throw new PublicError('This decision cannot be appealed.', 409)
    if (action.appealBy <= now) throw new PublicError('The 30 days to appeal this decision have passed.', 410)
    const id = randomUUID()
    const rows = await tx
      .insert(moderationAppeals)
      .values({ id, actionId, authorId: viewer.userId, body, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: moderationAppeals.id })
    if (rows.length === 0) throw new PublicError('You have already appealed this decision.', 409)
    return { id }
  })
}

/**
 * Decides an appeal: overturn (the decision is undone) or uphold, with a reason the author is
 * told. An appeal about an item outside the viewer's clubs is not found.
 */
export async function decideAppeal(
  viewer: Viewer,
  appealId: unknown,
  input: { overturn: unknown; reason: unknown },
  now = new Date(),
): Promise<{ overturned: boolean }> {
  const scope = await requireModerationScope(viewer)
  if (!isId(appealId)) throw notFound()
  if (typeof input?.overturn !== 'boolean') throw new PublicError('Choose to accept or turn down the appeal.', 400)
  const reason = typeof input.reason === 'string' ? input.reason.trim() : ''
  if (!reason) throw new PublicError('Write the reason: the author is told it.', 400, 'reason')
  if (reason.length > REASON_MAX) throw new PublicError(`Keep the reason under ${REASON_MAX} characters.`, 400, 'reason')
  const overturned = input.overturn
  const [found] = await db
    .select({ action: moderationActions, status: moderationAppeals.status, clubSlug: clubs.slug, handle: profiles.handle })
    .from(moderationAppeals)
    .innerJoin(moderationActions, eq(moderationActions.id, moderationAppeals.actionId))
    .leftJoin(clubs, eq(clubs.id, moderationActions.clubId))
    .leftJoin(profiles, eq(profiles.userId, moderationActions.authorId))
    .where(eq(moderationAppeals.id, appealId))
  if (!found || !inModerationScope(scope, found.action.clubId)) throw notFound()
  if (found.status !== 'open') throw new PublicError('This appeal has been decided already.', 409)
  const decided = found.action
  if (overturned && decided.action === 'ban_from_club' && found.clubSlug && found.handle) {
    await liftBan(viewer, found.clubSlug, found.handle).catch((error: unknown) => {
      // Lifted already (from the club's members page) is what overturning asks for.
      if (!(error instanceof PublicError && error.status === 404)) throw error
    })
  }
  return db.transaction(async (tx) => {
    if (decided.itemKind && decided.itemId) await lockItem(tx, decided.itemKind, decided.itemId)
    const updated = await tx
      .update(moderationAppeals)
      .set({ status: overturned ? 'overturned' : 'upheld', decidedAt: now })
      .where(and(eq(moderationAppeals.id, appealId), eq(moderationAppeals.status, 'open')))
      .returning({ id: moderationAppeals.id })
    if (updated.length === 0) throw new PublicError('This appeal has been decided already.', 409)
    if (overturned && decided.authorId) {
      if ((decided.action === 'remove' || decided.action === 'hide') && decided.itemKind && decided.itemId) {
        const item = await readItem(decided.itemKind, decided.itemId, tx)
        await liftHold(tx, { kind: decided.itemKind, id: decided.itemId, authorId: decided.authorId, talkId: item?.talkId ?? null })
      }
      if (decided.action === 'limit') {
        await tx.update(accountRestrictions).set({ postingLimitedUntil: null, updatedAt: now }).where(eq(accountRestrictions.userId, decided.authorId))
      }
      if (decided.action === 'suspend') {
        await tx.update(accountRestrictions).set({ suspended: false, updatedAt: now }).where(eq(accountRestrictions.userId, decided.authorId))
      }
    }
    await logAction(tx, {
      action: overturned ? 'appeal_overturned' : 'appeal_upheld',
      kind: decided.itemKind,
      itemId: decided.itemId,
      authorId: decided.authorId,
      actorId: viewer!.userId,
      clubId: decided.clubId,
      reason,
      appealable: false,
      now,
    })
    if (decided.authorId) {
      const what = decided.itemKind ? itemKindLabel[decided.itemKind] : 'account'
      await notify(tx, {
        recipientId: decided.authorId,
        kind: 'moderation_action',
        title: overturned ? 'Your appeal was accepted' : 'Your appeal was turned down',
        body: `${overturned ? `The decision about your ${what} is undone.` : `The decision about your ${what} stands.`} The moderator wrote: ${reason}`,
        link: '/settings/moderation',
        now,
      })
    }
    return { overturned }
  })
}
