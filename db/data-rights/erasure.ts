import { randomUUID } from 'node:crypto'
import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import { recordAccessChange } from '../access-changes'
import { db, type Transaction } from '../client'
import { passOwnership } from '../clubs'
import { enqueueJob, type JobInput } from '../jobs'
import { keepReportedContent, takeReportedContent } from '../moderation/kept'
import { columnKey, retentionList, userColumns, type Retained } from '../retention'
import {
  clubAuditLog,
  clubMembers,
  clubs,
  dataRequestEvents,
  dataRequests,
  erasureReceipts,
  legalHolds,
  notifications,
  profiles,
  sessions,
  talks,
  users,
} from '../schema/index'
import { enqueueSearchUpdate, type SearchDocRef } from '../search'
import { listUserColumns, unruledColumns } from './catalogue'
import { OPEN, RECEIPT_LINK_DAYS, DAY_MS, addEvent } from './requests'

/*
 * Erasure, once the grace period ends. What it does to each table, and what it keeps, is
 * declared in db/retention.ts; the tables themselves are read from the database catalogue
 * (catalogue.ts), so a new table that points at people is never missed.
 */

export type ClubHandover = {
  clubId: string
  clubName: string
  newOwnerId: string | null
  closed: boolean
  /** The club's owner and admins after the hand-over, to be told. */
  notify: { email: string; name: string | null; isNewOwner: boolean }[]
}

export type ErasureResult = {
  requestId: string
  userId: string
  /** The address the account had, for the receipt (then forgotten). */
  email: string
  receiptId: string
  underLegalHold: boolean
  removed: Record<string, number>
  unlinked: Record<string, number>
  anonymised: Record<string, number>
  handedOver: { clubs: number; clubsClosed: number; talks: number; quizzes: number }
  kept: Retained[]
  /** Items an open report names, kept (unlinked) until a moderator decides; the erasure completes then. */
  keptForReports: number
  clubs: ClubHandover[]
  sessionIds: string[]
  files: { photo: string | null; exports: string[] }
}

export type ErasureReceiptContent = {
  erasedAt: string
  removed: Record<string, number>
  unlinked: Record<string, number>
  anonymised: Record<string, number>
  handedOver: ErasureResult['handedOver']
  also: string[]
  kept: { table: string; what: string; why: string }[]
  /** Items kept until a moderator decides on open reports about them (absent on older receipts). */
  keptForReports?: number
}

/** Run inside the erasure transaction, for data kept outside the core tables (e.g. recordings). */
export type ErasureStep = (tx: Transaction, userId: string) => Promise<Record<string, number>>

const HANDED_OVER = new Set(['clubs.owner_id', 'talks.host_id', 'quizzes.author_id'])
const ANONYMISED = new Set(['data_requests.user_id'])

const add = (map: Record<string, number>, table: string, n: number) => {
  if (n > 0) map[table] = (map[table] ?? 0) + n
}

const affected = (result: unknown) => (result as { count?: number }).count ?? 0

/**
 * Erases an account whose grace period has ended, in one transaction: hands
 * over what belongs to clubs, applies the rule in db/retention.ts to every
 * column the catalogue shows pointing at the person, deletes (or, under a legal
 * hold, anonymises) the account, writes the receipt and queues the mails.
 * Returns null when there is nothing to do (cancelled, already done, not due).
 */
export async function eraseAccount(
  requestId: string,
  options: {
    now?: Date
    steps?: ErasureStep[]
    /** Side effects done after commit, listed on the receipt ("Signed out of 3 devices"). */
    also?: (result: Omit<ErasureResult, 'receiptId'>) => string[]
    /** The mails to send (receipt, club admins), queued in the same transaction. */
    mails?: (result: ErasureResult) => JobInput[]
  } = {},
): Promise<ErasureResult | null> {
  const now = options.now ?? new Date()
  return db.transaction(async (tx) => {
    const [request] = await tx.select().from(dataRequests).where(eq(dataRequests.id, requestId)).for('update')
    if (!request || request.kind !== 'erasure' || request.status !== 'received' || !request.userId) return null
    if (!request.scheduledFor || request.scheduledFor.getTime() > now.getTime()) return null
    const userId = request.userId

    const columns = await listUserColumns(tx)
    const missing = unruledColumns(columns)
    if (missing.length) {
      throw new Error(
        `Erasure stopped: ${missing.map((c) => columnKey(c.table, c.column)).join(', ')} refer to people but have no rule in db/retention.ts.`,
      )
    }
    const [held] = await tx
      .select({ id: legalHolds.id })
      .from(legalHolds)
      .where(and(eq(legalHolds.userId, userId), isNull(legalHolds.releasedAt)))
    const underLegalHold = Boolean(held)
    const [account] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId))
    if (!account) {
      await tx.update(dataRequests).set({ status: 'completed', completedAt: now }).where(eq(dataRequests.id, requestId))
      await addEvent(tx, requestId, null, 'completed', 'The account was already gone.', now)
      return null
    }
    const [profile] = await tx.select({ photoPath: profiles.photoPath }).from(profiles).where(eq(profiles.userId, userId))
    const sessionIds = (await tx.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))).map((s) => s.id)
    // Named by session, not by account, so nothing about the person outlives the erasure.
    await recordAccessChange(tx, sessionIds.map((sessionId) => ({ kind: 'session' as const, sessionId })))
    const exportFiles = (
      await tx
        .select({ file: dataRequests.exportFile })
        .from(dataRequests)
        .where(and(eq(dataRequests.userId, userId), sql`${dataRequests.exportFile} is not null`))
    ).map((r) => r.file!)

    // Read before anything goes: what an open report names is kept for the moderators (db/moderation/kept.ts).
    const reported = await takeReportedContent(tx, userId)
    const removed: Record<string, number> = {}
    const unlinked: Record<string, number> = {}
    const anonymised: Record<string, number> = {}
    const handedOver = { clubs: 0, clubsClosed: 0, talks: 0, quizzes: 0 }
    const clubHandovers = await handOverClubs(tx, userId, now)
    for (const c of clubHandovers) {
      if (c.closed) {
        handedOver.clubsClosed++
        add(removed, 'clubs', 1)
      } else handedOver.clubs++
    }
    const handedTalks = await handOverTalks(tx, userId, now)
    handedOver.talks = handedTalks.length
    handedOver.quizzes = await handOverQuizzes(tx, userId, now)

    const keep = (key: string) => underLegalHold && userColumns[key].keptUnderHold === true
    const byAction = (action: string) =>
      columns.filter((c) => userColumns[columnKey(c.table, c.column)].erase === action && !keep(columnKey(c.table, c.column)))
    for (const c of columns) {
      const key = columnKey(c.table, c.column)
      const rule = userColumns[key]
      if (rule.erase === 'hand-over' && !HANDED_OVER.has(key)) throw new Error(`Erasure stopped: no hand-over step for ${key}.`)
      if (rule.erase === 'anonymise' && !ANONYMISED.has(key)) throw new Error(`Erasure stopped: no anonymising step for ${key}.`)
      if (rule.erase === 'not-a-person' && !rule.note) throw new Error(`Erasure stopped: say in a note why ${key} is not a person.`)
      if (rule.erase === 'clear' && !c.nullable) throw new Error(`Erasure stopped: ${key} cannot be cleared (not null); give it another rule.`)
    }
    for (const c of byAction('clear')) {
      const also = (userColumns[columnKey(c.table, c.column)].alsoClear ?? []).map((other) => sql`, ${sql.identifier(other)} = null`)
      const result = await tx.execute(
        sql`update ${sql.identifier(c.table)} set ${sql.identifier(c.column)} = null${sql.join(also)} where ${sql.identifier(c.column)} = ${userId}`,
      )
      add(unlinked, c.table, affected(result))
    }
    // Anything else still open can no longer be done for this person.
    const closed = await tx
      .update(dataRequests)
      .set({ status: 'cancelled', completedAt: now })
      .where(and(eq(dataRequests.userId, userId), inArray(dataRequests.status, OPEN), sql`${dataRequests.id} <> ${requestId}`))
      .returning({ id: dataRequests.id })
    for (const r of closed) await addEvent(tx, r.id, null, 'cancelled', 'The account was erased.', now)
    // The request records stay (accountability) without anything that says whose they were.
    await tx.execute(sql`update ${dataRequestEvents} set note = null
      where request_id in (select id from ${dataRequests} where user_id = ${userId})`)
    const anonymisedRequests = await tx
      .update(dataRequests)
      .set({ userId: null, details: {}, resolution: null, exportFile: null })
      .where(eq(dataRequests.userId, userId))
      .returning({ id: dataRequests.id })
    add(anonymised, 'data_requests', anonymisedRequests.length)
    for (const c of byAction('delete')) {
      const result = await tx.execute(sql`delete from ${sql.identifier(c.table)} where ${sql.identifier(c.column)} = ${userId}`)
      add(removed, c.table, affected(result))
    }
    for (const step of options.steps ?? []) {
      for (const [table, n] of Object.entries(await step(tx, userId))) add(removed, table, n)
    }
    const keptForReports = await keepReportedContent(tx, userId, reported, requestId, now)
    if (underLegalHold) {
      await tx
        .update(users)
        .set({
          email: `erased-${randomUUID()}@erased.invalid`,
          passwordHash: '!erased',
          dateOfBirth: '1900-01-01',
          emailVerifiedAt: null,
          role: 'member',
        })
        .where(eq(users.id, userId))
      add(anonymised, 'users', 1)
    } else {
      await tx.delete(users).where(eq(users.id, userId))
      add(removed, 'users', 1)
    }

    // Search forgets the profile, and re-reads the clubs and talks that changed hands.
    const searchRefs: SearchDocRef[] = [{ kind: 'profile', id: userId }, ...clubHandovers.map((c) => ({ kind: 'club' as const, id: c.clubId }))]
    await enqueueSearchUpdate(tx, [...searchRefs, ...handedTalks.map((id) => ({ kind: 'talk' as const, id }))])

    const kept = retentionList
      .filter((r) => r.when === 'always' || (r.when === 'legal-hold' && underLegalHold) || (r.when === 'open-report' && keptForReports > 0))
      .map((r) => (r.when === 'open-report' ? { ...r, what: `${keptForReportsLine(keptForReports)} ${r.what}` } : r))
    const partial: Omit<ErasureResult, 'receiptId'> = {
      requestId,
      userId,
      email: account.email,
      underLegalHold,
      removed,
      unlinked,
      anonymised,
      handedOver,
      kept,
      keptForReports,
      clubs: clubHandovers,
      sessionIds,
      files: { photo: profile?.photoPath ?? null, exports: exportFiles },
    }
    const receiptId = randomUUID()
    const content: ErasureReceiptContent = {
      erasedAt: now.toISOString(),
      removed,
      unlinked,
      anonymised,
      handedOver,
      also: options.also?.(partial) ?? [],
      kept: kept.map(({ table, what, why }) => ({ table, what, why })),
      keptForReports,
    }
    await tx.insert(erasureReceipts).values({
      id: receiptId,
      requestId,
      content,
      createdAt: now,
      expiresAt: new Date(now.getTime() + RECEIPT_LINK_DAYS * DAY_MS),
    })
    const total = Object.values(removed).reduce((a, b) => a + b, 0)
    if (keptForReports > 0) {
      // Complete once moderators decide the open reports (db/moderation/kept.ts releaseKeptItem).
      await tx.update(dataRequests).set({ status: 'in_progress' }).where(eq(dataRequests.id, requestId))
      await addEvent(tx, requestId, null, 'erased', `Erased: ${total} rows removed; receipt ${receiptId}.`, now)
      await addEvent(tx, requestId, null, 'kept_for_open_reports', keptForReportsLine(keptForReports), now)
    } else {
      await tx.update(dataRequests).set({ status: 'completed', completedAt: now }).where(eq(dataRequests.id, requestId))
      await addEvent(tx, requestId, null, 'completed', `Erased: ${total} rows removed; receipt ${receiptId}.`, now)
    }
    if (underLegalHold) await addEvent(tx, requestId, null, 'kept_under_legal_hold', 'The account row (anonymised) and held items were kept.', now)
    const result: ErasureResult = { ...partial, receiptId }
    for (const job of options.mails?.(result) ?? []) await enqueueJob(tx, job)
    return result
  })
}

/** "2 items kept until a moderator decides on open reports about them." */
export const keptForReportsLine = (n: number) =>
  `${n} ${n === 1 ? 'item' : 'items'} kept until a moderator decides on open reports about ${n === 1 ? 'it' : 'them'}.`

/**
 * Clubs the person owns pass to the longest-standing admin, else moderator, else
 * member; a club with nobody else in it is deleted. Each hand-over is in the club's
 * audit log, and its admins (and the new owner) are told.
 */
async function handOverClubs(tx: Transaction, userId: string, now: Date): Promise<ClubHandover[]> {
  const owned = await tx.select({ id: clubs.id, name: clubs.name }).from(clubs).where(eq(clubs.ownerId, userId)).for('update')
  const out: ClubHandover[] = []
  for (const club of owned) {
    const [successor] = await tx.execute<{ user_id: string }>(sql`
      select user_id from ${clubMembers}
      where club_id = ${club.id} and user_id <> ${userId}
      order by case role when 'owner' then 0 when 'admin' then 1 when 'moderator' then 2 else 3 end, joined_at, user_id
      limit 1`)
    if (!successor) {
      await tx.delete(clubs).where(eq(clubs.id, club.id))
      out.push({ clubId: club.id, clubName: club.name, newOwnerId: null, closed: true, notify: [] })
      continue
    }
    // The erased owner's membership goes with the rest of their rows.
    await passOwnership(tx, { clubId: club.id, to: successor.user_id, from: null, actorId: null, details: { reason: 'previous_owner_erased_account' }, at: now })
    const admins = await tx
      .select({ userId: clubMembers.userId, email: users.email, name: profiles.name })
      .from(clubMembers)
      .innerJoin(users, eq(users.id, clubMembers.userId))
      .leftJoin(profiles, eq(profiles.userId, clubMembers.userId))
      .where(and(eq(clubMembers.clubId, club.id), sql`${clubMembers.role} in ('owner', 'admin')`, sql`${clubMembers.userId} <> ${userId}`))
    for (const a of admins) {
      await tx.insert(notifications).values({
        id: randomUUID(),
        userId: a.userId,
        kind: 'club_handover',
        subject: `${club.id}:${now.getTime()}`,
        title: a.userId === successor.user_id ? `You now own ${club.name}` : `${club.name} has a new owner`,
        body: 'The previous owner closed their Rounds account. The club’s audit log shows the hand-over.',
        link: null,
        createdAt: now,
      })
    }
    out.push({
      clubId: club.id,
      clubName: club.name,
      newOwnerId: successor.user_id,
      closed: false,
      notify: admins.map((a) => ({ email: a.email, name: a.name, isNewOwner: a.userId === successor.user_id })),
    })
  }
  return out
}

/** Talks the person hosts pass to their club's owner, so other people's comments and attendance stay. */
async function handOverTalks(tx: Transaction, userId: string, now: Date) {
  const moved = await tx.execute<{ id: string; club_id: string; title: string; owner_id: string }>(sql`
    update ${talks} t set host_id = c.owner_id from ${clubs} c
    where c.id = t.club_id and t.host_id = ${userId}
    returning t.id, t.club_id, t.title, c.owner_id`)
  for (const t of moved) {
    await tx.insert(clubAuditLog).values({
      id: randomUUID(),
      clubId: t.club_id,
      actorId: null,
      action: 'talk.host_handed_over',
      targetUserId: t.owner_id,
      details: { talkId: t.id, title: t.title, reason: 'previous_host_erased_account' },
      createdAt: now,
    })
  }
  return moved.map((t) => t.id)
}

async function handOverQuizzes(tx: Transaction, userId: string, now: Date) {
  const moved = await tx.execute<{ id: string; club_id: string; owner_id: string }>(sql`
    update quizzes q set author_id = c.owner_id from ${clubs} c
    where c.id = q.club_id and q.author_id = ${userId}
    returning q.id, q.club_id, c.owner_id`)
  for (const q of moved) {
    await tx.insert(clubAuditLog).values({
      id: randomUUID(),
      clubId: q.club_id,
      actorId: null,
      action: 'quiz.author_handed_over',
      targetUserId: q.owner_id,
      details: { quizId: q.id, reason: 'previous_author_erased_account' },
      createdAt: now,
    })
  }
  return moved.length
}
