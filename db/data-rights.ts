import { randomUUID } from 'node:crypto'
import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import { db, type Database, type Transaction } from './client'
import { PublicError } from './errors'
import { recordAccessChange } from './access-changes'
import { enqueueJob, type JobInput } from './jobs'
import { enqueueSearchUpdate, type SearchDocRef } from './search'
import { columnKey, exportExcludedTables, exportRedactedColumns, retentionList, userColumns, type Retained } from './retention'
import {
  clubAuditLog,
  clubMembers,
  clubs,
  dataRequestEvents,
  dataRequests,
  erasureReceipts,
  jobs,
  legalHolds,
  notifications,
  personalDataAccessLog,
  profiles,
  sessions,
  talks,
  users,
} from './schema/index'
import type { Viewer } from './viewer'

/*
 * Data rights: export, correction, erasure and the privacy officer's console.
 * Every request has a status, a deadline (30 days from receipt) and a history
 * (data_request_events). What erasure does to each table, and what it keeps,
 * is declared in db/retention.ts; the tables themselves are read from the
 * database catalogue, so a new table that points at people is never missed.
 */

const DAY_MS = 24 * 60 * 60 * 1000
export const REQUEST_DEADLINE_DAYS = 30
export const ERASURE_GRACE_DAYS = 7
export const EXPORT_LINK_DAYS = 7
export const RECEIPT_LINK_DAYS = 30
/** More than this many exports in a day is refused: each one is a full copy on disk. */
export const EXPORTS_PER_DAY = 3

export type RequestKind = 'export' | 'correction' | 'erasure' | 'nominee'
export type RequestStatus = 'received' | 'in_progress' | 'completed' | 'rejected' | 'cancelled'
const OPEN: RequestStatus[] = ['received', 'in_progress']

type Executor = Database | Transaction

// ---------------------------------------------------------------------------
// The catalogue: every column that points at a person
// ---------------------------------------------------------------------------

export type UserColumn = { table: string; column: string; nullable: boolean }

/**
 * Columns that refer to a person, read from the database itself: foreign keys to
 * users(id), text columns named like user references (`*user_id`, `*_by`,
 * `author_id`, `host_id`, `owner_id`, `actor_id`, `follower_id`, `followee_id`),
 * and users.id. Only tables in the public schema.
 */
export async function listUserColumns(executor: Executor = db): Promise<UserColumn[]> {
  const rows = await executor.execute<{ table: string; column: string; nullable: boolean }>(sql`
    with fk as (
      select cl.relname::text as table_name, a.attname::text as column_name
      from pg_constraint c
      join pg_class cl on cl.oid = c.conrelid
      join pg_namespace n on n.oid = cl.relnamespace
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
      where c.contype = 'f' and c.confrelid = 'public.users'::regclass and n.nspname = 'public'
    ),
    named as (
      select c.table_name::text, c.column_name::text
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
        and c.data_type in ('text', 'character varying', 'uuid')
        and (c.column_name like '%user\\_id' or c.column_name like '%\\_by'
          or c.column_name in ('author_id', 'host_id', 'owner_id', 'actor_id', 'follower_id', 'followee_id', 'target_user_id'))
    ),
    found as (select * from fk union select * from named union select 'users', 'id')
    select f.table_name as "table", f.column_name as "column", (c.is_nullable = 'YES') as nullable
    from found f
    join information_schema.columns c on c.table_schema = 'public' and c.table_name = f.table_name and c.column_name = f.column_name
    order by 1, 2`)
  return rows.map((r) => ({ table: r.table, column: r.column, nullable: r.nullable }))
}

/** Columns the catalogue shows that db/retention.ts has no rule for. Erasure refuses to run while any exist. */
export function unruledColumns(columns: UserColumn[]) {
  return columns.filter((c) => !userColumns[columnKey(c.table, c.column)])
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

async function addEvent(executor: Executor, requestId: string, actorId: string | null, action: string, note: string | null = null, at = new Date()) {
  await executor.insert(dataRequestEvents).values({ id: randomUUID(), requestId, actorId, action, note, createdAt: at })
}

async function createRequest(
  tx: Transaction,
  input: { userId: string; kind: RequestKind; details?: Record<string, unknown>; now: Date; scheduledFor?: Date; actorId?: string | null },
) {
  const id = randomUUID()
  await tx.insert(dataRequests).values({
    id,
    userId: input.userId,
    kind: input.kind,
    details: input.details ?? {},
    receivedAt: input.now,
    dueAt: new Date(input.now.getTime() + REQUEST_DEADLINE_DAYS * DAY_MS),
    scheduledFor: input.scheduledFor ?? null,
  })
  await addEvent(tx, id, input.actorId === undefined ? input.userId : input.actorId, 'received', null, input.now)
  return id
}

function requireSignedIn(viewer: Viewer): asserts viewer is NonNullable<Viewer> {
  if (!viewer) throw new PublicError('Sign in to do that.', 401)
}

/**
 * A data-rights request from another part of Rounds (e.g. a nominee's request,
 * db/privacy.ts), so it shows in the privacy officer's console with a deadline.
 */
export async function recordDataRequest(input: { userId: string; kind: RequestKind; details?: Record<string, unknown>; actorId?: string | null; now?: Date }) {
  return db.transaction((tx) => createRequest(tx, { ...input, now: input.now ?? new Date() }))
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
  })
}

export async function getPendingErasure(userId: string) {
  const [row] = await db
    .select({ id: dataRequests.id, scheduledFor: dataRequests.scheduledFor, receivedAt: dataRequests.receivedAt })
    .from(dataRequests)
    .where(and(eq(dataRequests.userId, userId), eq(dataRequests.kind, 'erasure'), inArray(dataRequests.status, OPEN)))
  return row ? { id: row.id, scheduledFor: row.scheduledFor!, receivedAt: row.receivedAt } : null
}

// ---------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------

/** Marks an export as being built; null when it was cancelled or already done. */
export async function beginExport(requestId: string, now = new Date()) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ userId: dataRequests.userId, status: dataRequests.status, kind: dataRequests.kind })
      .from(dataRequests)
      .where(eq(dataRequests.id, requestId))
      .for('update')
    if (!row || row.kind !== 'export' || !row.userId || !OPEN.includes(row.status)) return null
    if (row.status === 'received') {
      await tx.update(dataRequests).set({ status: 'in_progress' }).where(eq(dataRequests.id, requestId))
      await addEvent(tx, requestId, null, 'started', null, now)
    }
    return { userId: row.userId }
  })
}

const EXPORT_NOTICE = 'data_export_ready'

export type ExportMail = { email: string; requestId: string; expiresAt: Date }

/** Records the finished ZIP and queues the "your copy is ready" mail in the same transaction. */
export async function finishExport(requestId: string, file: string, now: Date, compose: (mail: ExportMail) => JobInput[]) {
  const expiresAt = new Date(now.getTime() + EXPORT_LINK_DAYS * DAY_MS)
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(dataRequests)
      .set({ status: 'completed', completedAt: now, exportFile: file, exportExpiresAt: expiresAt })
      .where(and(eq(dataRequests.id, requestId), eq(dataRequests.status, 'in_progress')))
      .returning({ userId: dataRequests.userId })
    if (!row?.userId) return null
    await addEvent(tx, requestId, null, 'completed', `Ready to download until ${expiresAt.toISOString()}.`, now)
    // The in-app notice (shown above every page until read); downloading marks it read.
    await tx
      .insert(notifications)
      .values({
        id: randomUUID(),
        userId: row.userId,
        kind: EXPORT_NOTICE,
        subject: requestId,
        title: 'Your copy of your data is ready',
        body: 'Download it from Your data within 7 days.',
        link: '/settings/data',
        createdAt: now,
      })
      .onConflictDoNothing()
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, row.userId))
    if (user) for (const job of compose({ email: user.email, requestId, expiresAt })) await enqueueJob(tx, job)
    return { expiresAt }
  })
}

/**
 * The file behind a download link, for its owner only. Someone else's request,
 * an unknown id or a cancelled one is "not found"; an expired or deleted copy is "gone".
 */
export async function findExportDownload(viewer: Viewer, requestId: string, now = new Date()) {
  requireSignedIn(viewer)
  const [row] = await db
    .select({ file: dataRequests.exportFile, expiresAt: dataRequests.exportExpiresAt, status: dataRequests.status })
    .from(dataRequests)
    .where(and(eq(dataRequests.id, requestId), eq(dataRequests.userId, viewer.userId), eq(dataRequests.kind, 'export')))
  if (!row || row.status !== 'completed' || !row.expiresAt) throw new PublicError('We could not find that download.', 404)
  if (!row.file || row.expiresAt.getTime() <= now.getTime()) {
    throw new PublicError('This download has expired. Ask for a new copy from Your data.', 410)
  }
  return { file: row.file, expiresAt: row.expiresAt }
}

export async function markExportDownloaded(viewer: NonNullable<Viewer>, requestId: string, now = new Date()) {
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(dataRequests)
      .set({ downloadedAt: now })
      .where(and(eq(dataRequests.id, requestId), eq(dataRequests.userId, viewer.userId), isNull(dataRequests.downloadedAt)))
      .returning({ id: dataRequests.id })
    if (rows.length) await addEvent(tx, requestId, viewer.userId, 'downloaded', null, now)
    await tx
      .update(notifications)
      .set({ readAt: now })
      .where(and(eq(notifications.userId, viewer.userId), eq(notifications.kind, EXPORT_NOTICE), eq(notifications.subject, requestId), isNull(notifications.readAt)))
  })
}

/** Copies whose link has expired: the caller deletes the files, then `forgetExportFile`. */
export async function listExpiredExports(now = new Date()) {
  return db
    .select({ id: dataRequests.id, file: dataRequests.exportFile })
    .from(dataRequests)
    .where(and(eq(dataRequests.kind, 'export'), sql`${dataRequests.exportFile} is not null`, sql`${dataRequests.exportExpiresAt} <= ${now.toISOString()}::timestamptz`))
}

export async function forgetExportFile(requestId: string, now = new Date()) {
  await db.transaction(async (tx) => {
    await tx.update(dataRequests).set({ exportFile: null }).where(eq(dataRequests.id, requestId))
    await addEvent(tx, requestId, null, 'expired', 'The copy was deleted from our server.', now)
  })
}

export type ExportSection = { table: string; matchedBy: string[]; rowCount: number; rowsJson: string }

export type ExportAccount = { id: string; email: string; handle: string | null; name: string | null }

export type ExportData = {
  generatedAt: Date
  account: ExportAccount
  sections: ExportSection[]
  excludedTables: Record<string, string>
  excludedColumns: Record<string, string>
  redactedColumns: Record<string, string>
  requestsHistory: unknown[]
  accesses: DataAccess[]
  sharing: string[]
}

/** What a streamed export says besides the rows: everything in ExportData but the rows themselves. */
export type ExportSummary = Omit<ExportData, 'sections'> & { sections: Omit<ExportSection, 'rowsJson'>[] }

/**
 * Where a streamed export's rows go (server/jobs/exports.ts writes them into the ZIP). Each
 * call's promise resolves when the sink can take more, so a slow disk slows the reading.
 */
export type ExportSink = {
  start(account: ExportAccount): Promise<void>
  startTable(table: string, matchedBy: string[]): Promise<void>
  /** A batch of rows, each the JSON text of one row. */
  rows(rows: string[]): Promise<void>
  endTable(table: string, rowCount: number): Promise<void>
}

/** Rows fetched from the cursor at a time: large enough for few round trips, small enough to hold. */
const EXPORT_BATCH_ROWS = 1000

function groupByTable(columns: UserColumn[]) {
  const tables = new Map<string, UserColumn[]>()
  for (const c of columns) tables.set(c.table, [...(tables.get(c.table) ?? []), c])
  return tables
}

const matchAny = (columns: string[], userId: string) =>
  sql.join(
    columns.map((c) => sql`${sql.identifier(c)} = ${userId}`),
    sql` or `,
  )

/**
 * Everything Rounds holds about a person, table by table, read in one consistent snapshot and
 * handed to `sink` a batch of rows at a time through a cursor, so no table is ever one value in
 * memory or in Postgres (a jsonb value stops at 255 MB; a busy account's comments pass that).
 * Each table the catalogue shows pointing at people is a section unless db/retention.ts excludes
 * it with a reason. `signal` stops the reading between batches.
 */
export async function streamExport(userId: string, sink: ExportSink, options: { now?: Date; signal?: AbortSignal } = {}): Promise<ExportSummary> {
  const now = options.now ?? new Date()
  return db.transaction(
    async (tx) => {
      const [account] = await tx
        .select({ id: users.id, email: users.email, handle: profiles.handle, name: profiles.name })
        .from(users)
        .leftJoin(profiles, eq(profiles.userId, users.id))
        .where(eq(users.id, userId))
      if (!account) throw new PublicError('That account no longer exists.', 404)
      await sink.start(account)
      const columns = await listUserColumns(tx)
      const sections: ExportSummary['sections'] = []
      const excludedTables: Record<string, string> = {}
      const excludedColumns: Record<string, string> = {}
      for (const [table, cols] of groupByTable(columns)) {
        if (exportExcludedTables[table]) {
          excludedTables[table] = exportExcludedTables[table]
          continue
        }
        const matched: string[] = []
        for (const c of cols) {
          const rule = userColumns[columnKey(table, c.column)]
          if (rule?.erase === 'not-a-person') continue
          if (rule?.exportExcluded) excludedColumns[columnKey(table, c.column)] = rule.exportExcluded
          else matched.push(c.column)
        }
        if (matched.length === 0) continue
        const redacted = Object.keys(exportRedactedColumns)
          .filter((key) => key.startsWith(`${table}.`))
          .map((key) => key.slice(table.length + 1))
        const minus = sql.raw(redacted.map((c) => ` - '${c.replace(/'/g, "''")}'`).join(''))
        await sink.startTable(table, matched)
        await tx.execute(sql`
          declare export_rows no scroll cursor for
          select (to_jsonb(t)${minus})::text as row from ${sql.identifier(table)} t where ${matchAny(matched, userId)}`)
        let rowCount = 0
        for (;;) {
          options.signal?.throwIfAborted()
          const batch = await tx.execute<{ row: string }>(sql`fetch forward ${sql.raw(String(EXPORT_BATCH_ROWS))} from export_rows`)
          if (batch.length === 0) break
          rowCount += batch.length
          await sink.rows(batch.map((r) => r.row))
          if (batch.length < EXPORT_BATCH_ROWS) break
        }
        await tx.execute(sql`close export_rows`)
        await sink.endTable(table, rowCount)
        sections.push({ table, matchedBy: matched, rowCount })
      }
      const redactedColumns = Object.fromEntries(
        Object.entries(exportRedactedColumns).filter(([key]) => sections.some((s) => key.startsWith(`${s.table}.`))),
      )
      return {
        generatedAt: now,
        account,
        sections,
        excludedTables,
        excludedColumns,
        redactedColumns,
        requestsHistory: await requestsHistory(tx, userId),
        accesses: await accessesTo(tx, userId),
        sharing: await describeSharing(tx, userId),
      }
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
}

/** The whole export in memory, each section's rows as one JSON array: for small accounts and checks. */
export async function collectExport(userId: string, now = new Date()): Promise<ExportData> {
  const rows = new Map<string, string[]>()
  let current: string[] = []
  const summary = await streamExport(
    userId,
    {
      start: async () => {},
      startTable: async (table) => {
        current = []
        rows.set(table, current)
      },
      rows: async (batch) => void current.push(...batch),
      endTable: async () => {},
    },
    { now },
  )
  return { ...summary, sections: summary.sections.map((s) => ({ ...s, rowsJson: `[${(rows.get(s.table) ?? []).join(',')}]` })) }
}

async function requestsHistory(executor: Executor, userId: string) {
  return executor.execute(sql`
    select r.id, r.kind, r.status, r.details, r.received_at, r.due_at, r.scheduled_for, r.completed_at, r.resolution,
      coalesce((select jsonb_agg(jsonb_build_object('action', e.action, 'note', e.note, 'at', e.created_at,
        'by', case when e.actor_id = r.user_id then 'you' when e.actor_id is null then 'Rounds' else 'a privacy officer' end) order by e.created_at)
        from ${dataRequestEvents} e where e.request_id = r.id), '[]'::jsonb) as events
    from ${dataRequests} r where r.user_id = ${userId} order by r.received_at`)
}

/**
 * Plain sentences saying who could see what, for the README of an export.
 * They follow the rules in db/visibility.ts and db/clubs.ts.
 */
async function describeSharing(executor: Executor, userId: string): Promise<string[]> {
  const lines: string[] = []
  const [me] = await executor.execute<{ visibility: string; followers: number }>(sql`
    select p.visibility::text as visibility,
      (select count(*)::int from follows f where f.followee_id = p.user_id and f.status = 'approved') as followers
    from ${profiles} p where p.user_id = ${userId}`)
  if (me) {
    lines.push(
      me.visibility === 'public'
        ? 'Your full profile (bio, city, interests, whom you follow) could be seen by every doctor signed in to Rounds.'
        : `Your full profile could be seen by your ${me.followers} approved ${me.followers === 1 ? 'follower' : 'followers'}; other doctors saw only your name, photo and speciality.`,
    )
  }
  const clubsRows = await executor.execute<{ name: string; visibility: string; role: string }>(sql`
    select c.name, c.visibility::text as visibility, m.role::text as role
    from ${clubMembers} m join ${clubs} c on c.id = m.club_id where m.user_id = ${userId} order by c.name limit 200`)
  for (const c of clubsRows) {
    const audience = c.visibility === 'public' ? 'doctors who opened the club' : 'the other members of this private club'
    lines.push(
      me?.visibility === 'public'
        ? `Club “${c.name}”: ${audience} could see you in its member list (you are ${c.role === 'member' ? 'a member' : `its ${c.role}`}).`
        : `Club “${c.name}”: its admins and moderators saw your membership; your private profile kept you out of the member list others see.`,
    )
  }
  const talkRows = await executor.execute<{ title: string; club: string; visibility: string; comments: number; questions: number }>(sql`
    with mine as (
      select talk_id, count(*)::int as comments, 0 as questions from talk_comments where user_id = ${userId} group by talk_id
      union all
      select talk_id, 0, count(*)::int from talk_questions where user_id = ${userId} group by talk_id
    )
    select t.title, c.name as club, c.visibility::text as visibility, sum(m.comments)::int as comments, sum(m.questions)::int as questions
    from mine m join ${talks} t on t.id = m.talk_id join ${clubs} c on c.id = t.club_id
    group by t.id, t.title, c.name, c.visibility order by t.title limit 201`)
  for (const t of talkRows.slice(0, 200)) {
    const what = [t.comments ? `${t.comments} ${t.comments === 1 ? 'comment' : 'comments'}` : null, t.questions ? `${t.questions} ${t.questions === 1 ? 'question' : 'questions'}` : null]
      .filter(Boolean)
      .join(' and ')
    lines.push(`Talk “${t.title}” in club “${t.club}”: the people in its live room (${t.visibility === 'public' ? 'any signed-in doctor could join' : 'members of this private club'}) saw your ${what}.`)
  }
  if (talkRows.length > 200) lines.push('…and more talks; every comment and question is in rounds-data.json.')
  const [hosted] = await executor.execute<{ n: number }>(sql`select count(*)::int as n from ${talks} where host_id = ${userId}`)
  if (hosted?.n) lines.push(`The ${hosted.n} ${hosted.n === 1 ? 'talk' : 'talks'} you host show your name as host to everyone who can see the club.`)
  const [viewed] = await executor.execute<{ n: number }>(sql`select count(*)::int as n from ${personalDataAccessLog} where subject_user_id = ${userId}`)
  lines.push(
    viewed?.n
      ? `Rounds privacy staff opened your data ${viewed.n} ${viewed.n === 1 ? 'time' : 'times'}, each for a stated reason tied to a request: see “Who accessed your data”.`
      : 'No Rounds staff opened your personal data.',
  )
  lines.push('No data was sold or shared with advertisers.')
  return lines
}

// ---------------------------------------------------------------------------
// Who accessed my data
// ---------------------------------------------------------------------------

export type DataAccess = { at: Date; who: string; reason: string; request: string | null }

async function accessesTo(executor: Executor, userId: string): Promise<DataAccess[]> {
  const rows = await executor.execute<{ at: Date | string; name: string | null; reason: string; kind: string | null }>(sql`
    select l.viewed_at as at, p.name, l.reason, r.kind::text as kind
    from ${personalDataAccessLog} l
    left join ${profiles} p on p.user_id = l.staff_id
    left join ${dataRequests} r on r.id = l.request_id
    where l.subject_user_id = ${userId}
    order by l.viewed_at desc limit 500`)
  return rows.map((r) => ({
    at: new Date(r.at),
    who: r.name ? `${r.name}, privacy officer` : 'A privacy officer (account since closed)',
    reason: r.reason,
    request: r.kind ? `your ${r.kind} request` : null,
  }))
}

export function listAccessesToMyData(userId: string) {
  return accessesTo(db, userId)
}

// ---------------------------------------------------------------------------
// Privacy officer console (staff only; everyone else gets "not found")
// ---------------------------------------------------------------------------

function requireStaff(viewer: Viewer): asserts viewer is NonNullable<Viewer> {
  if (viewer?.role !== 'staff') throw new PublicError('We could not find that page.', 404)
}

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

// ---------------------------------------------------------------------------
// Erasure
// ---------------------------------------------------------------------------

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

    const kept = retentionList.filter((r) => r.when === 'always' || underLegalHold)
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
    }
    await tx.insert(erasureReceipts).values({
      id: receiptId,
      requestId,
      content,
      createdAt: now,
      expiresAt: new Date(now.getTime() + RECEIPT_LINK_DAYS * DAY_MS),
    })
    await tx.update(dataRequests).set({ status: 'completed', completedAt: now }).where(eq(dataRequests.id, requestId))
    const total = Object.values(removed).reduce((a, b) => a + b, 0)
    await addEvent(tx, requestId, null, 'completed', `Erased: ${total} rows removed; receipt ${receiptId}.`, now)
    if (underLegalHold) await addEvent(tx, requestId, null, 'kept_under_legal_hold', 'The account row (anonymised) and held items were kept.', now)
    const result: ErasureResult = { ...partial, receiptId }
    for (const job of options.mails?.(result) ?? []) await enqueueJob(tx, job)
    return result
  })
}

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
    await tx
      .update(clubMembers)
      .set({ role: 'owner' })
      .where(and(eq(clubMembers.clubId, club.id), eq(clubMembers.userId, successor.user_id)))
    await tx.update(clubs).set({ ownerId: successor.user_id }).where(eq(clubs.id, club.id))
    await tx.insert(clubAuditLog).values({
      id: randomUUID(),
      clubId: club.id,
      actorId: null,
      action: 'club.ownership_transferred',
      targetUserId: successor.user_id,
      details: { reason: 'previous_owner_erased_account' },
      createdAt: now,
    })
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

// ---------------------------------------------------------------------------
// Receipts
// ---------------------------------------------------------------------------

export type ReceiptState = { state: 'ready'; createdAt: Date } | { state: 'used' } | { state: 'expired' } | null

export async function receiptState(receiptId: string, now = new Date()): Promise<ReceiptState> {
  const [row] = await db
    .select({ createdAt: erasureReceipts.createdAt, viewedAt: erasureReceipts.viewedAt, expiresAt: erasureReceipts.expiresAt })
    .from(erasureReceipts)
    .where(eq(erasureReceipts.id, receiptId))
  if (!row) return null
  if (row.viewedAt) return { state: 'used' }
  if (row.expiresAt.getTime() <= now.getTime()) return { state: 'expired' }
  return { state: 'ready', createdAt: row.createdAt }
}

/** Shows a receipt once: the first call gets it, every later one is "gone". */
export async function openReceipt(receiptId: string, now = new Date()): Promise<ErasureReceiptContent> {
  const [row] = await db
    .update(erasureReceipts)
    .set({ viewedAt: now })
    .where(and(eq(erasureReceipts.id, receiptId), isNull(erasureReceipts.viewedAt), gt(erasureReceipts.expiresAt, now)))
    .returning({ content: erasureReceipts.content })
  if (row) return row.content as ErasureReceiptContent
  const state = await receiptState(receiptId, now)
  if (!state) throw new PublicError('We could not find that receipt.', 404)
  throw new PublicError('This receipt has already been opened, or its link has expired. The email we sent has the same details.', 410)
}
