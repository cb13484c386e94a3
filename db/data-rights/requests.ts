import { randomUUID } from 'node:crypto'
import { and, desc, eq, gt, inArray, sql } from 'drizzle-orm'
import { requireSignedIn } from '../access/index'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { enqueueJob } from '../jobs'
import { notify } from '../notifications'
import { dataRequestEvents, dataRequests, jobs } from '../schema/index'
import type { Viewer } from '../viewer'

/*
 * Data rights: export, correction, erasure and the privacy officer's console.
 * Every request has a status, a deadline (30 days from receipt) and a history
 * (data_request_events). This module holds what a person asks for and the
 * history every part writes to; export.ts, staff-console.ts, erasure.ts and
 * receipts.ts carry a request through.
 */

export const DAY_MS = 24 * 60 * 60 * 1000
export const REQUEST_DEADLINE_DAYS = 30
export const ERASURE_GRACE_DAYS = 7
export const EXPORT_LINK_DAYS = 7
export const RECEIPT_LINK_DAYS = 30
/** More than this many exports in a day is refused: each one is a full copy on disk. */
export const EXPORTS_PER_DAY = 3

export type RequestKind = 'export' | 'correction' | 'erasure' | 'nominee' | 'grievance'
export type RequestStatus = 'received' | 'in_progress' | 'completed' | 'rejected' | 'cancelled'
export const OPEN: RequestStatus[] = ['received', 'in_progress']

export type Executor = Database | Transaction

export async function addEvent(executor: Executor, requestId: string, actorId: string | null, action: string, note: string | null = null, at = new Date()) {
  await executor.insert(dataRequestEvents).values({ id: randomUUID(), requestId, actorId, action, note, createdAt: at })
}

async function createRequest(
  tx: Transaction,
  input: { userId: string; kind: RequestKind; details?: Record<string, unknown>; now: Date; scheduledFor?: Date; deadlineDays?: number },
) {
  const id = randomUUID()
  await tx.insert(dataRequests).values({
    id,
    userId: input.userId,
    kind: input.kind,
    details: input.details ?? {},
    receivedAt: input.now,
    dueAt: new Date(input.now.getTime() + (input.deadlineDays ?? REQUEST_DEADLINE_DAYS) * DAY_MS),
    scheduledFor: input.scheduledFor ?? null,
  })
  await addEvent(tx, id, input.userId, 'received', null, input.now)
  return id
}

/** Notes a job's failure in the request's history, so the privacy officer sees a stuck request. */
export async function recordRequestFailure(requestId: string, message: string, now = new Date()) {
  const [row] = await db.select({ id: dataRequests.id }).from(dataRequests).where(eq(dataRequests.id, requestId))
  if (row) await addEvent(db, requestId, null, 'failed', message.slice(0, 500), now)
}

export type MyRequest = {
  id: string
  kind: RequestKind
  status: RequestStatus
  details: Record<string, unknown>
  receivedAt: Date
  dueAt: Date
  scheduledFor: Date | null
  completedAt: Date | null
  resolution: string | null
  exportReady: boolean
  exportExpiresAt: Date | null
}

export async function listMyRequests(userId: string, now = new Date()): Promise<MyRequest[]> {
  const rows = await db
    .select()
    .from(dataRequests)
    .where(eq(dataRequests.userId, userId))
    .orderBy(desc(dataRequests.receivedAt))
    .limit(50)
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    details: r.details,
    receivedAt: r.receivedAt,
    dueAt: r.dueAt,
    scheduledFor: r.scheduledFor,
    completedAt: r.completedAt,
    resolution: r.resolution,
    exportReady: r.kind === 'export' && r.status === 'completed' && r.exportFile !== null && (r.exportExpiresAt?.getTime() ?? 0) > now.getTime(),
    exportExpiresAt: r.exportExpiresAt,
  }))
}

/** Asks for a copy of everything; a job builds the ZIP (server/jobs/export.ts). */
export async function requestExport(viewer: Viewer, now = new Date()): Promise<{ id: string }> {
  requireSignedIn(viewer)
  const userId = viewer.userId
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'data-export:' + userId}))`)
    const recent = await tx
      .select({ status: dataRequests.status })
      .from(dataRequests)
      .where(and(eq(dataRequests.userId, userId), eq(dataRequests.kind, 'export'), gt(dataRequests.receivedAt, new Date(now.getTime() - DAY_MS))))
    if (recent.some((r) => OPEN.includes(r.status))) {
      throw new PublicError('Your copy is already being prepared. We will tell you when it is ready.', 409)
    }
    if (recent.length >= EXPORTS_PER_DAY) {
      throw new PublicError(`You can ask for ${EXPORTS_PER_DAY} copies a day. Use the latest one, or try again tomorrow.`, 429)
    }
    const id = await createRequest(tx, { userId, kind: 'export', now })
    await enqueueJob(tx, { queue: 'export.build', payload: { requestId: id }, singletonKey: `export:${id}` })
    return { id }
  })
}

export const correctableFields = ['date_of_birth', 'email', 'registration', 'other'] as const
export type CorrectableField = (typeof correctableFields)[number]

/** Asks staff to correct something the person cannot change themselves. */
export async function requestCorrection(
  viewer: Viewer,
  input: { field: CorrectableField; requested: string; note: string | null },
  now = new Date(),
): Promise<{ id: string }> {
  requireSignedIn(viewer)
  const userId = viewer.userId
  return db.transaction(async (tx) => {
    const open = await tx
      .select({ id: dataRequests.id })
      .from(dataRequests)
      .where(and(eq(dataRequests.userId, userId), eq(dataRequests.kind, 'correction'), inArray(dataRequests.status, OPEN)))
    if (open.length >= 5) throw new PublicError('You have 5 corrections waiting. We will answer those first.', 429)
    const id = await createRequest(tx, { userId, kind: 'correction', details: { field: input.field, requested: input.requested, note: input.note }, now })
    return { id }
  })
}

/** A grievance is answered within this many days (DPDP Rules, 2025, rule 14(3)). */
export const GRIEVANCE_DEADLINE_DAYS = 90
export const GRIEVANCE_MAX_CHARS = 4000
export const grievanceTopics = ['how_my_data_is_used', 'a_request_i_made', 'consent', 'a_breach', 'something_else'] as const
export type GrievanceTopic = (typeof grievanceTopics)[number]

/**
 * A complaint to the grievance officer about how Rounds handles the person's data: a request
 * with a 90-day deadline, answered from the privacy officer's console like a correction.
 */
export async function fileGrievance(viewer: Viewer, input: { topic: GrievanceTopic; message: string }, now = new Date()): Promise<{ id: string; dueAt: Date }> {
  requireSignedIn(viewer)
  const userId = viewer.userId
  const message = typeof input.message === 'string' ? input.message.trim() : ''
  if (!message) throw new PublicError('Write what your grievance is about.', 400, 'message')
  if (message.length > GRIEVANCE_MAX_CHARS) throw new PublicError(`Keep it under ${GRIEVANCE_MAX_CHARS} characters.`, 400, 'message')
  if (!grievanceTopics.includes(input.topic)) throw new PublicError('Choose what it is about.', 400, 'topic')
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'data-grievance:' + userId}))`)
    const open = await tx
      .select({ id: dataRequests.id })
      .from(dataRequests)
      .where(and(eq(dataRequests.userId, userId), eq(dataRequests.kind, 'grievance'), inArray(dataRequests.status, OPEN)))
    if (open.length >= 5) throw new PublicError('You have 5 grievances waiting. The grievance officer will answer those first.', 429)
    const id = await createRequest(tx, { userId, kind: 'grievance', details: { topic: input.topic, message }, now, deadlineDays: GRIEVANCE_DEADLINE_DAYS })
    return { id, dueAt: new Date(now.getTime() + GRIEVANCE_DEADLINE_DAYS * DAY_MS) }
  })
}

/** The person's own request, or null (someone else's, or no such request). */
export async function getMyRequest(userId: string, requestId: string, now = new Date()): Promise<MyRequest | null> {
  return (await listMyRequests(userId, now)).find((r) => r.id === requestId) ?? null
}

/** When the person last cancelled an erasure, if that is the latest thing that happened to one. */
export async function lastCancelledErasure(userId: string): Promise<Date | null> {
  const [row] = await db
    .select({ status: dataRequests.status, completedAt: dataRequests.completedAt })
    .from(dataRequests)
    .where(and(eq(dataRequests.userId, userId), eq(dataRequests.kind, 'erasure')))
    .orderBy(desc(dataRequests.receivedAt))
    .limit(1)
  return row?.status === 'cancelled' ? row.completedAt : null
}

/** Starts the grace period; the erasure job runs when it ends unless cancelled. */
export async function requestErasure(viewer: Viewer, now = new Date()): Promise<{ id: string; scheduledFor: Date }> {
  requireSignedIn(viewer)
  const userId = viewer.userId
  const scheduledFor = new Date(now.getTime() + ERASURE_GRACE_DAYS * DAY_MS)
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'data-erasure:' + userId}))`)
    const [open] = await tx
      .select({ id: dataRequests.id, scheduledFor: dataRequests.scheduledFor })
      .from(dataRequests)
      .where(and(eq(dataRequests.userId, userId), eq(dataRequests.kind, 'erasure'), inArray(dataRequests.status, OPEN)))
    if (open) throw new PublicError('Your account is already due to be erased. You can cancel that below.', 409)
    const id = await createRequest(tx, { userId, kind: 'erasure', now, scheduledFor })
    await enqueueJob(tx, { queue: 'erasure.run', payload: { requestId: id }, runAt: scheduledFor, singletonKey: `erasure:${id}` })
    await notify(tx, { recipientId: userId, kind: 'erasure_scheduled', subject: id, target: { type: 'data_request', id }, data: { scheduledFor: scheduledFor.toISOString() }, now })
    return { id, scheduledFor }
  })
}

export async function cancelErasure(viewer: Viewer, requestId: string, now = new Date()) {
  requireSignedIn(viewer)
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(dataRequests)
      .set({ status: 'cancelled', completedAt: now })
      .where(
        and(
          eq(dataRequests.id, requestId),
          eq(dataRequests.userId, viewer.userId),
          eq(dataRequests.kind, 'erasure'),
          eq(dataRequests.status, 'received'),
        ),
      )
      .returning({ id: dataRequests.id })
    if (rows.length === 0) throw new PublicError('There is no erasure waiting to be cancelled.', 404)
    await addEvent(tx, requestId, viewer.userId, 'cancelled', null, now)
    await tx.delete(jobs).where(eq(jobs.singletonKey, `erasure:${requestId}`))
    await notify(tx, { recipientId: viewer.userId, kind: 'erasure_cancelled', subject: requestId, target: { type: 'data_request', id: requestId }, now })
  })
}

export async function getPendingErasure(userId: string) {
  const [row] = await db
    .select({ id: dataRequests.id, scheduledFor: dataRequests.scheduledFor, receivedAt: dataRequests.receivedAt })
    .from(dataRequests)
    .where(and(eq(dataRequests.userId, userId), eq(dataRequests.kind, 'erasure'), inArray(dataRequests.status, OPEN)))
  return row ? { id: row.id, scheduledFor: row.scheduledFor!, receivedAt: row.receivedAt } : null
}
