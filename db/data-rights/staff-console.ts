import { randomUUID } from 'node:crypto'
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { requireStaff } from '../access/index'
import { db } from '../client'
import { PublicError } from '../errors'
import { dataRequestEvents, dataRequests, legalHolds, personalDataAccessLog, profiles, users } from '../schema/index'
import type { Viewer } from '../viewer'
import { groupByTable, listUserColumns, matchAny } from './catalogue'
import { OPEN, addEvent, type RequestKind, type RequestStatus } from './requests'

// The privacy officer console: staff only; everyone else gets "not found" (db/access/staff.ts).

export type StaffRequestRow = {
  id: string
  kind: RequestKind
  status: RequestStatus
  subject: { handle: string; name: string } | null
  receivedAt: Date
  dueAt: Date
  scheduledFor: Date | null
  overdue: boolean
}

export async function listRequestsForStaff(viewer: Viewer, filter: 'open' | 'all' = 'open', now = new Date()): Promise<StaffRequestRow[]> {
  requireStaff(viewer)
  const rows = await db
    .select({ request: dataRequests, handle: profiles.handle, name: profiles.name })
    .from(dataRequests)
    .leftJoin(profiles, eq(profiles.userId, dataRequests.userId))
    .where(filter === 'open' ? inArray(dataRequests.status, OPEN) : undefined)
    .orderBy(filter === 'open' ? dataRequests.dueAt : desc(dataRequests.receivedAt))
    .limit(500)
  return rows.map(({ request: r, handle, name }) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    subject: handle ? { handle, name: name ?? '' } : null,
    receivedAt: r.receivedAt,
    dueAt: r.dueAt,
    scheduledFor: r.scheduledFor,
    overdue: OPEN.includes(r.status) && r.dueAt.getTime() < now.getTime(),
  }))
}

const requestNotFound = () => new PublicError('We could not find that request.', 404)

export async function getRequestForStaff(viewer: Viewer, requestId: string, now = new Date()) {
  requireStaff(viewer)
  const [row] = await db
    .select({ request: dataRequests, handle: profiles.handle, name: profiles.name })
    .from(dataRequests)
    .leftJoin(profiles, eq(profiles.userId, dataRequests.userId))
    .where(eq(dataRequests.id, requestId))
  if (!row) throw requestNotFound()
  const events = await db
    .select({ action: dataRequestEvents.action, note: dataRequestEvents.note, at: dataRequestEvents.createdAt, actorName: profiles.name })
    .from(dataRequestEvents)
    .leftJoin(profiles, eq(profiles.userId, dataRequestEvents.actorId))
    .where(eq(dataRequestEvents.requestId, requestId))
    .orderBy(dataRequestEvents.createdAt)
  const r = row.request
  const held = r.userId
    ? (await db.select({ id: legalHolds.id }).from(legalHolds).where(and(eq(legalHolds.userId, r.userId), isNull(legalHolds.releasedAt)))).length > 0
    : false
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    details: r.details,
    subject: row.handle ? { handle: row.handle, name: row.name ?? '' } : null,
    receivedAt: r.receivedAt,
    dueAt: r.dueAt,
    scheduledFor: r.scheduledFor,
    completedAt: r.completedAt,
    resolution: r.resolution,
    overdue: OPEN.includes(r.status) && r.dueAt.getTime() < now.getTime(),
    open: OPEN.includes(r.status),
    held,
    events: events.map((e) => ({ action: e.action, note: e.note, at: e.at, actor: e.actorName })),
  }
}

export async function addRequestNote(viewer: Viewer, requestId: string, note: string, now = new Date()) {
  requireStaff(viewer)
  await db.transaction(async (tx) => {
    const [row] = await tx.select({ id: dataRequests.id }).from(dataRequests).where(eq(dataRequests.id, requestId))
    if (!row) throw requestNotFound()
    await addEvent(tx, requestId, viewer.userId, 'note', note, now)
  })
}

/**
 * Moves a request staff handle by hand (corrections, nominee requests) along.
 * Exports and erasures are done by jobs; staff only add notes to them.
 */
export async function setRequestStatus(
  viewer: Viewer,
  requestId: string,
  status: 'in_progress' | 'completed' | 'rejected',
  resolution: string | null,
  options: { applyDateOfBirth?: boolean; now?: Date } = {},
) {
  requireStaff(viewer)
  const now = options.now ?? new Date()
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(dataRequests).where(eq(dataRequests.id, requestId)).for('update')
    if (!row) throw requestNotFound()
    if (row.kind === 'export' || row.kind === 'erasure') {
      throw new PublicError('Exports and erasures run by themselves. Add a note instead.', 409)
    }
    if (!OPEN.includes(row.status)) throw new PublicError('This request is already closed.', 409)
    if (status !== 'in_progress' && !resolution) throw new PublicError('Say what was done, for the person who asked.', 400, 'resolution')
    if (options.applyDateOfBirth) {
      const requested = String(row.details.requested ?? '').trim()
      if (status !== 'completed' || row.kind !== 'correction' || row.details.field !== 'date_of_birth' || !row.userId) {
        throw new PublicError('Only a completed date-of-birth correction can be applied.', 400, 'apply')
      }
      if (!isPlausibleBirthDate(requested, now)) {
        throw new PublicError('The requested value is not a date of birth (YYYY-MM-DD). Correct it by hand or decline.', 400, 'apply')
      }
      await tx.update(users).set({ dateOfBirth: requested }).where(eq(users.id, row.userId))
      await addEvent(tx, requestId, viewer.userId, 'applied', `Date of birth set to ${requested}.`, now)
    }
    await tx
      .update(dataRequests)
      .set({
        status,
        handledBy: viewer.userId,
        resolution: resolution ?? row.resolution,
        completedAt: status === 'in_progress' ? null : now,
      })
      .where(eq(dataRequests.id, requestId))
    await addEvent(tx, requestId, viewer.userId, status === 'in_progress' ? 'started' : status, resolution, now)
  })
}

function isPlausibleBirthDate(value: string, now: Date) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value && date.getUTCFullYear() >= 1900 && date < now
}

export type StaffDataView = {
  account: { email: string; dateOfBirth: string; createdAt: Date; emailVerified: boolean }
  profile: { handle: string; name: string; speciality: string | null; city: string | null; registrationNumber: string | null; visibility: string } | null
  counts: Record<string, number>
}

/**
 * Opens a person's data for a privacy officer. Allowed only for the subject of an
 * open request, with a stated reason; every view is logged and shown to the person
 * ("Who accessed my data").
 */
export async function viewSubjectData(viewer: Viewer, requestId: string, reason: string, now = new Date()): Promise<StaffDataView> {
  requireStaff(viewer)
  return db.transaction(async (tx) => {
    const [request] = await tx
      .select({ userId: dataRequests.userId, status: dataRequests.status })
      .from(dataRequests)
      .where(eq(dataRequests.id, requestId))
    if (!request) throw requestNotFound()
    if (!request.userId || !OPEN.includes(request.status)) {
      throw new PublicError('Personal data can be opened only for an open request.', 403)
    }
    const userId = request.userId
    await tx.insert(personalDataAccessLog).values({ id: randomUUID(), subjectUserId: userId, staffId: viewer.userId, requestId, reason, viewedAt: now })
    await addEvent(tx, requestId, viewer.userId, 'data_viewed', reason, now)
    const [account] = await tx
      .select({ email: users.email, dateOfBirth: users.dateOfBirth, createdAt: users.createdAt, verifiedAt: users.emailVerifiedAt })
      .from(users)
      .where(eq(users.id, userId))
    const [profile] = await tx
      .select({
        handle: profiles.handle,
        name: profiles.name,
        speciality: profiles.speciality,
        city: profiles.city,
        registrationNumber: profiles.registrationNumber,
        visibility: profiles.visibility,
      })
      .from(profiles)
      .where(eq(profiles.userId, userId))
    const counts: Record<string, number> = {}
    for (const [table, cols] of groupByTable(await listUserColumns(tx))) {
      const [row] = await tx.execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)} where ${matchAny(cols.map((c) => c.column), userId)}`)
      counts[table] = row.n
    }
    return {
      account: { email: account.email, dateOfBirth: account.dateOfBirth, createdAt: account.createdAt, emailVerified: account.verifiedAt !== null },
      profile: profile ?? null,
      counts,
    }
  })
}

export type HoldRow = { id: string; subject: { handle: string; name: string } | null; reason: string; setBy: string | null; createdAt: Date }

export async function listLegalHolds(viewer: Viewer): Promise<HoldRow[]> {
  requireStaff(viewer)
  const rows = await db.execute<{ id: string; handle: string | null; name: string | null; reason: string; set_by: string | null; created_at: Date | string }>(sql`
    select h.id, p.handle, p.name, h.reason, sp.name as set_by, h.created_at
    from ${legalHolds} h
    left join ${profiles} p on p.user_id = h.user_id
    left join ${profiles} sp on sp.user_id = h.set_by
    where h.released_at is null order by h.created_at desc`)
  return rows.map((r) => ({
    id: r.id,
    subject: r.handle ? { handle: r.handle, name: r.name ?? '' } : null,
    reason: r.reason,
    setBy: r.set_by,
    createdAt: new Date(r.created_at),
  }))
}

export async function placeLegalHold(viewer: Viewer, handle: string, reason: string, now = new Date()) {
  requireStaff(viewer)
  return db.transaction(async (tx) => {
    const [person] = await tx.select({ userId: profiles.userId }).from(profiles).where(sql`lower(${profiles.handle}) = lower(${handle})`)
    if (!person) throw new PublicError('No doctor has that handle.', 404, 'handle')
    const [existing] = await tx
      .select({ id: legalHolds.id })
      .from(legalHolds)
      .where(and(eq(legalHolds.userId, person.userId), isNull(legalHolds.releasedAt)))
    if (existing) throw new PublicError('This account is already under a legal hold.', 409, 'handle')
    const id = randomUUID()
    await tx.insert(legalHolds).values({ id, userId: person.userId, reason, setBy: viewer.userId, createdAt: now })
    const open = await tx
      .select({ id: dataRequests.id })
      .from(dataRequests)
      .where(and(eq(dataRequests.userId, person.userId), eq(dataRequests.kind, 'erasure'), inArray(dataRequests.status, OPEN)))
    for (const r of open) await addEvent(tx, r.id, viewer.userId, 'legal_hold_placed', 'Erasure will keep what the hold needs.', now)
    return { id }
  })
}

export async function releaseLegalHold(viewer: Viewer, holdId: string, now = new Date()) {
  requireStaff(viewer)
  const rows = await db
    .update(legalHolds)
    .set({ releasedAt: now, releasedBy: viewer.userId })
    .where(and(eq(legalHolds.id, holdId), isNull(legalHolds.releasedAt)))
    .returning({ id: legalHolds.id })
  if (rows.length === 0) throw new PublicError('That hold does not exist or was already released.', 404)
}
