import { randomUUID } from 'node:crypto'
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import {
  checkDocument,
  deleteDocument,
  readDocument,
  storeDocument,
  type DocumentType,
} from '../server/verification-documents'
import { config } from '../server/config'
import { requireSignedIn, requireVerifier } from './access/index'
import { REVERIFY_GRACE_DAYS } from './access/verification'
import { db, type Transaction } from './client'
import { PublicError } from './errors'
import { notify } from './notifications'
import { enqueueSearchUpdate } from './search'
import { doctorVerifications, personalDataAccessLog, profiles } from './schema/index'
import { councilName, isCouncilCode, normaliseRegistrationNumber, registerSearchUrl, registrationNumberRule } from './verification-councils'
import { decryptRegistrationNumber, encryptRegistrationNumber, maskRegistrationNumber } from './verification-crypto'
import type { Viewer } from './viewer'

/*
 * Verified doctors. A doctor applies with their council, year, registration number and a
 * document; a verifier compares them with the council's public register and approves or rejects
 * with a reason. The states:
 *
 *   unverified (no row) → pending → verified → re-verification due → lapsed
 *                                 ↘ rejected            verified → revoked (with a reason)
 *
 * A verification is due again 5 years after it was approved (Indian registrations are renewed
 * every 5 years); the badge stays for a 90-day grace while the doctor applies again, then the
 * verification lapses. The document is deleted as soon as a decision is made: the decision keeps
 * only what db/retention.ts `verificationDecisionKeeps` lists.
 */

export const REVERIFY_AFTER_YEARS = 5
export { REVERIFY_GRACE_DAYS }
const DAY_MS = 24 * 60 * 60 * 1000
const MIN_REGISTRATION_YEAR = 1940

export type VerificationState = 'unverified' | 'pending' | 'verified' | 'reverification_due' | 'lapsed' | 'rejected' | 'revoked'

type Row = typeof doctorVerifications.$inferSelect

function addYears(date: Date, years: number) {
  const next = new Date(date)
  next.setUTCFullYear(next.getUTCFullYear() + years)
  return next
}

const graceEnds = (dueAt: Date) => new Date(dueAt.getTime() + REVERIFY_GRACE_DAYS * DAY_MS)

/** The state a row is in at `now`: a verified row past its due date is due, past its grace lapsed. */
export function stateOf(row: Pick<Row, 'status' | 'reverifyDueAt'> | null | undefined, now = new Date()): VerificationState {
  if (!row) return 'unverified'
  if (row.status !== 'verified') return row.status
  if (row.reverifyDueAt && row.reverifyDueAt.getTime() <= now.getTime()) {
    return graceEnds(row.reverifyDueAt).getTime() <= now.getTime() ? 'lapsed' : 'reverification_due'
  }
  return 'verified'
}

const showsBadge = (state: VerificationState) => state === 'verified' || state === 'reverification_due'

export type ApplicationInput = {
  council: string
  regulatorName?: string | null
  registrationYear: string | number
  registrationNumber: string
  document: Uint8Array
}

type Checked = { council: string; regulatorName: string | null; registrationYear: number; number: string; documentType: DocumentType }

/** Every check before anything is written; a refusal names the field it is about. */
function checkApplication(input: ApplicationInput, now: Date): Checked {
  if (!isCouncilCode(input.council)) throw new PublicError('Choose the council that registered you.', 400, 'council')
  const regulatorName = input.council === 'other' ? (input.regulatorName ?? '').trim() : null
  if (regulatorName !== null && (regulatorName.length < 3 || regulatorName.length > 200)) {
    throw new PublicError('Name the regulator that registered you (3 to 200 characters).', 400, 'regulatorName')
  }
  const year = Number(input.registrationYear)
  if (!Number.isInteger(year) || year < MIN_REGISTRATION_YEAR || year > now.getUTCFullYear()) {
    throw new PublicError(`Give the year you were registered, between ${MIN_REGISTRATION_YEAR} and ${now.getUTCFullYear()}.`, 400, 'registrationYear')
  }
  const number = normaliseRegistrationNumber(input.council, input.registrationNumber)
  if (!number) {
    throw new PublicError(`That registration number does not look right for this council. ${registrationNumberRule(input.council)}`, 400, 'registrationNumber')
  }
  const documentType = checkDocument(input.document)
  return { council: input.council, regulatorName, registrationYear: year, number, documentType }
}

/**
 * Applies (or applies again, after a rejection, revocation or lapse, or when re-verification is
 * due). Nothing is written unless every field is right; the document is stored, then the row.
 */
export async function applyForVerification(viewer: Viewer, input: ApplicationInput, options: { now?: Date; key?: Buffer } = {}) {
  requireSignedIn(viewer)
  const now = options.now ?? new Date()
  const checked = checkApplication(input, now)
  const [existing] = await db.select().from(doctorVerifications).where(eq(doctorVerifications.userId, viewer.userId))
  const state = stateOf(existing, now)
  if (state === 'pending') throw new PublicError('Your application is already waiting for review. Withdraw it first to change it.', 409)
  if (state === 'verified') throw new PublicError('You are already verified.', 409)
  const numberCipher = encryptRegistrationNumber(checked.number, options.key ?? config().registrationNumberKey)
  const documentPath = await storeDocument(viewer.userId, input.document, checked.documentType)
  const values = {
    id: randomUUID(),
    userId: viewer.userId,
    status: 'pending' as const,
    council: checked.council,
    regulatorName: checked.regulatorName,
    registrationYear: checked.registrationYear,
    numberCipher,
    numberMasked: maskRegistrationNumber(checked.number),
    documentPath,
    documentType: checked.documentType,
    appliedAt: now,
    method: null,
    decidedAt: null,
    decidedBy: null,
    verifiedAt: null,
    reverifyDueAt: null,
    reason: null,
  }
  try {
    await db.insert(doctorVerifications).values(values).onConflictDoUpdate({ target: doctorVerifications.userId, set: values })
  } catch (error) {
    await deleteDocument(viewer.userId, documentPath)
    throw error
  }
  // A replaced application had no document left (decided ones lose it), but a crash may have left one.
  if (existing?.documentPath) await deleteDocument(viewer.userId, existing.documentPath)
  return { id: values.id }
}

/** Withdraws a pending application: back to unverified, the document deleted. */
export async function withdrawApplication(viewer: Viewer) {
  requireSignedIn(viewer)
  const [row] = await db
    .delete(doctorVerifications)
    .where(and(eq(doctorVerifications.userId, viewer.userId), eq(doctorVerifications.status, 'pending')))
    .returning({ documentPath: doctorVerifications.documentPath })
  if (!row) throw new PublicError('You have no application waiting for review.', 409)
  await deleteDocument(viewer.userId, row.documentPath)
}

export type MyVerification = {
  state: VerificationState
  council: string | null
  registrationYear: number | null
  numberMasked: string | null
  appliedAt: Date | null
  verifiedAt: Date | null
  reverifyDueAt: Date | null
  reason: string | null
}

/** The owner's own view: the state, and the number masked. */
export async function getMyVerification(viewer: Viewer, now = new Date()): Promise<MyVerification> {
  requireSignedIn(viewer)
  const [row] = await db.select().from(doctorVerifications).where(eq(doctorVerifications.userId, viewer.userId))
  return {
    state: stateOf(row, now),
    council: row ? councilName(row.council, row.regulatorName) : null,
    registrationYear: row?.registrationYear ?? null,
    numberMasked: row?.numberMasked ?? null,
    appliedAt: row?.appliedAt ?? null,
    verifiedAt: row?.verifiedAt ?? null,
    reverifyDueAt: row?.reverifyDueAt ?? null,
    reason: row?.reason ?? null,
  }
}

export type VerificationBadge = { council: string; since: number }

/** The yes/no badge others see: council and year of registration, never the number. */
export async function verificationBadges(userIds: string[], now = new Date()): Promise<Map<string, VerificationBadge>> {
  const badges = new Map<string, VerificationBadge>()
  if (userIds.length === 0) return badges
  const rows = await db
    .select({
      userId: doctorVerifications.userId,
      status: doctorVerifications.status,
      reverifyDueAt: doctorVerifications.reverifyDueAt,
      council: doctorVerifications.council,
      regulatorName: doctorVerifications.regulatorName,
      registrationYear: doctorVerifications.registrationYear,
    })
    .from(doctorVerifications)
    .where(and(inArray(doctorVerifications.userId, userIds), eq(doctorVerifications.status, 'verified')))
  for (const row of rows) {
    if (showsBadge(stateOf(row, now))) badges.set(row.userId, { council: councilName(row.council, row.regulatorName), since: row.registrationYear })
  }
  return badges
}

export async function verificationBadge(userId: string, now = new Date()) {
  return (await verificationBadges([userId], now)).get(userId) ?? null
}

/** The badge of the person with this handle (a profile page the viewer may already open). */
export async function verificationBadgeForHandle(handle: string, now = new Date()) {
  const [row] = await db.select({ userId: profiles.userId }).from(profiles).where(sql`lower(${profiles.handle}) = lower(${handle})`)
  return row ? verificationBadge(row.userId, now) : null
}

/** The badges of people by handle (people the caller already found the viewer may see). */
export async function verificationBadgesForHandles(handles: string[], now = new Date()): Promise<Map<string, VerificationBadge>> {
  const rows = handles.length
    ? await db.select({ userId: profiles.userId, handle: profiles.handle }).from(profiles).where(inArray(profiles.handle, handles))
    : []
  const badges = await verificationBadges(rows.map((r) => r.userId), now)
  const byHandle = new Map<string, VerificationBadge>()
  for (const r of rows) {
    const badge = badges.get(r.userId)
    if (badge) byHandle.set(r.handle, badge)
  }
  return byHandle
}

/** A list of people (already filtered for the viewer) with each one's badge, for people cards. */
export async function withVerifiedBadges<T extends { handle: string }, L extends { people: T[] }>(list: L, now = new Date()) {
  const byHandle = await verificationBadgesForHandles(list.people.map((p) => p.handle), now)
  return { ...list, people: list.people.map((p) => ({ ...p, verified: byHandle.get(p.handle) ?? null })) }
}

// Staff: the verifier's queue and decisions.

export async function listPendingApplications(viewer: Viewer) {
  await requireVerifier(viewer)
  return db
    .select({ id: doctorVerifications.id, appliedAt: doctorVerifications.appliedAt, name: profiles.name, handle: profiles.handle })
    .from(doctorVerifications)
    .innerJoin(profiles, eq(profiles.userId, doctorVerifications.userId))
    .where(eq(doctorVerifications.status, 'pending'))
    .orderBy(asc(doctorVerifications.appliedAt))
    .limit(200)
}

const notFound = () => new PublicError('We could not find that application.', 404)

async function logView(tx: Transaction | typeof db, subjectUserId: string, staffId: string, reason: string, now: Date) {
  await tx.insert(personalDataAccessLog).values({ id: randomUUID(), subjectUserId, staffId, requestId: null, reason, viewedAt: now })
}

/**
 * One application beside what a verifier needs to check it: the number in full, the council's
 * register to search by hand. Every opening is logged, and the doctor sees it under
 * "Who accessed my data".
 */
export async function openApplication(viewer: Viewer, id: string, options: { now?: Date; key?: Buffer } = {}) {
  const staff = await requireVerifier(viewer)
  const now = options.now ?? new Date()
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ application: doctorVerifications, name: profiles.name, handle: profiles.handle })
      .from(doctorVerifications)
      .innerJoin(profiles, eq(profiles.userId, doctorVerifications.userId))
      .where(eq(doctorVerifications.id, id))
    if (!row) throw notFound()
    const a = row.application
    await logView(tx, a.userId, staff.userId, 'Checked your registration to verify you as a doctor.', now)
    return {
      id: a.id,
      name: row.name,
      handle: row.handle,
      state: stateOf(a, now),
      council: councilName(a.council, a.regulatorName),
      registerUrl: registerSearchUrl(a.council),
      registrationYear: a.registrationYear,
      registrationNumber: decryptRegistrationNumber(a.numberCipher, options.key ?? config().registrationNumberKey),
      appliedAt: a.appliedAt,
      hasDocument: Boolean(a.documentPath),
      documentType: a.documentType,
      reason: a.reason,
      isOwn: a.userId === staff.userId,
    }
  })
}

/** The uploaded document, for a verifier only; logged like any other view. */
export async function readApplicationDocument(viewer: Viewer, id: string, now = new Date()) {
  const staff = await requireVerifier(viewer)
  const [row] = await db
    .select({ userId: doctorVerifications.userId, path: doctorVerifications.documentPath, type: doctorVerifications.documentType })
    .from(doctorVerifications)
    .where(eq(doctorVerifications.id, id))
  if (!row?.path || !row.type) throw new PublicError('This document has been deleted.', 404)
  const bytes = await readDocument(row.userId, row.path).catch(() => null)
  if (!bytes) throw new PublicError('This document has been deleted.', 404)
  await logView(db, row.userId, staff.userId, 'Opened the registration document you uploaded to be verified.', now)
  return { bytes, type: row.type }
}

const requireReason = (reason: string | null | undefined) => {
  const text = (reason ?? '').trim()
  if (text.length < 3 || text.length > 1000) throw new PublicError('Give the doctor a reason (3 to 1,000 characters).', 400, 'reason')
  return text
}

async function tell(tx: Transaction, recipientId: string, title: string, body: string, now: Date) {
  await notify(tx, { recipientId, kind: 'verification_decided', title, body, link: '/settings/verification', now })
}

export type Decision = { decision: 'approve' | 'reject'; reason?: string | null }

/** Approves or rejects a pending application; the doctor is told, and the document deleted. */
export async function decideApplication(viewer: Viewer, id: string, input: Decision, now = new Date()) {
  const staff = await requireVerifier(viewer)
  const reason = input.decision === 'reject' ? requireReason(input.reason) : null
  const decided = await db.transaction(async (tx) => {
    const [row] = await tx.select().from(doctorVerifications).where(eq(doctorVerifications.id, id)).for('update')
    if (!row) throw notFound()
    if (row.userId === staff.userId) throw new PublicError('Another verifier must decide your own application.', 403)
    if (row.status !== 'pending') throw new PublicError('This application has already been decided.', 409)
    const approved = input.decision === 'approve'
    await tx
      .update(doctorVerifications)
      .set({
        status: approved ? 'verified' : 'rejected',
        method: approved ? 'document' : null,
        decidedAt: now,
        decidedBy: staff.userId,
        verifiedAt: approved ? now : null,
        reverifyDueAt: approved ? addYears(now, REVERIFY_AFTER_YEARS) : null,
        reason,
        documentPath: null,
        documentType: null,
      })
      .where(eq(doctorVerifications.id, id))
    // Search's "verified doctors only" reads the badge from the index when Meilisearch answers.
    if (approved) await enqueueSearchUpdate(tx, { kind: 'profile', id: row.userId })
    const council = councilName(row.council, row.regulatorName)
    if (approved) {
      await tell(tx, row.userId, 'You are a verified doctor on Rounds', `Your registration with ${council} is verified. Your profile now shows the badge.`, now)
    } else {
      await tell(tx, row.userId, 'We could not verify your registration', `Reason: ${reason}. You can apply again from Settings → Verification.`, now)
    }
    return row
  })
  await deleteDocument(decided.userId, decided.documentPath)
}

/** Takes a verification back, with a reason the doctor is shown. */
export async function revokeVerification(viewer: Viewer, id: string, reasonText: string, now = new Date()) {
  const staff = await requireVerifier(viewer)
  const reason = requireReason(reasonText)
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(doctorVerifications).where(eq(doctorVerifications.id, id)).for('update')
    if (!row) throw notFound()
    if (row.status !== 'verified') throw new PublicError('Only a verified doctor’s verification can be revoked.', 409)
    await tx
      .update(doctorVerifications)
      .set({ status: 'revoked', decidedAt: now, decidedBy: staff.userId, reason })
      .where(eq(doctorVerifications.id, id))
    await enqueueSearchUpdate(tx, { kind: 'profile', id: row.userId })
    await tell(tx, row.userId, 'Your verification was revoked', `Reason: ${reason}. You can apply again from Settings → Verification.`, now)
  })
}

/**
 * Marks verifications past their due date and grace as lapsed (a job runs it daily); the badge
 * already stopped showing at the end of the grace. Returns how many lapsed.
 */
export async function lapseOverdueVerifications(now = new Date()) {
  const cutoff = new Date(now.getTime() - REVERIFY_GRACE_DAYS * DAY_MS)
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(doctorVerifications)
      .set({ status: 'lapsed', reason: 'Not verified again within 90 days of the 5-year renewal date.', decidedAt: now, decidedBy: null })
      .where(and(eq(doctorVerifications.status, 'verified'), sql`${doctorVerifications.reverifyDueAt} <= ${cutoff.toISOString()}::timestamptz`))
      .returning({ userId: doctorVerifications.userId })
    if (rows.length) await enqueueSearchUpdate(tx, rows.map((r) => ({ kind: 'profile' as const, id: r.userId })))
    for (const row of rows) {
      await tell(tx, row.userId, 'Your verification has lapsed', 'It was not renewed within 90 days of its 5-year renewal date. Apply again from Settings → Verification.', now)
    }
    return rows.length
  })
}
