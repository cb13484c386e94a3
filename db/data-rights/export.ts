import { and, eq, isNull, sql } from 'drizzle-orm'
import { activeUserSql, requireSignedIn } from '../access/index'
import { db } from '../client'
import { PublicError } from '../errors'
import { enqueueJob, type JobInput } from '../jobs'
import { notify } from '../notifications'
import { columnKey, exportExcludedTables, exportRedactedColumns, userColumns } from '../retention'
import { clubMembers, clubs, dataRequestEvents, dataRequests, notifications, personRelations, personalDataAccessLog, profiles, talks, users } from '../schema/index'
import type { Viewer } from '../viewer'
import { groupByTable, listUserColumns, matchAny } from './catalogue'
import { appAccessesTo } from '../apps/authorisations'
import { DAY_MS, EXPORT_LINK_DAYS, OPEN, addEvent, type Executor } from './requests'

// A copy of everything Rounds holds about a person, and who has looked at it.

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
    await notify(tx, {
      recipientId: row.userId,
      kind: EXPORT_NOTICE,
      subject: requestId,
      target: { type: 'data_request', id: requestId },
      title: 'Your copy of your data is ready',
      body: 'Download it from Your data within 7 days.',
      link: '/settings/data',
      now,
    })
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

/** Someone the person blocked or muted, by handle (the person_relations section names them by id). */
export type ExportedRelation = { handle: string; name: string; kind: 'block' | 'mute'; since: Date }

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
  blockedAndMuted: ExportedRelation[]
  /** Files the person uploaded, copied into the export as they are stored (server/jobs/exports.ts). */
  files: ExportedFile[]
}

/**
 * An uploaded file the person owns: where it is stored (`uploads` is served at /uploads;
 * `verification` is private, one folder per person) and under what name.
 */
export type ExportedFile = {
  kind: 'profile_photo' | 'club_cover' | 'verification_document'
  store: 'uploads' | 'verification'
  name: string
  /** What it is, for the README. */
  label: string
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
        blockedAndMuted: await blockedAndMutedBy(tx, userId),
        files: await uploadsOf(tx, userId),
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

/** Every file the person uploaded that Rounds still stores: their photo, covers of clubs they own, a registration document awaiting a decision. */
async function uploadsOf(executor: Executor, userId: string): Promise<ExportedFile[]> {
  const rows = await executor.execute<{ kind: ExportedFile['kind']; name: string; label: string }>(sql`
    select 'profile_photo' as kind, photo_path as name, 'Your profile photo' as label
      from ${profiles} where user_id = ${userId} and photo_path is not null
    union all
    select 'club_cover', cover_path, 'Cover image of your club “' || name || '”'
      from ${clubs} where owner_id = ${userId} and cover_path is not null
    union all
    select 'verification_document', document_path, 'The registration document you sent to be verified'
      from doctor_verifications where user_id = ${userId} and document_path is not null`)
  return rows.map((r) => ({ ...r, store: r.kind === 'verification_document' ? 'verification' : 'uploads' }))
}

/** The people the person blocked or muted, while their accounts are active (a deactivated one exists for no one else). */
async function blockedAndMutedBy(executor: Executor, userId: string): Promise<ExportedRelation[]> {
  const rows = await executor.execute<{ handle: string; name: string; kind: 'block' | 'mute'; since: Date | string }>(sql`
    select p.handle, p.name, r.kind::text as kind, r.created_at as since
    from ${personRelations} r join ${profiles} p on p.user_id = r.other_id
    where r.user_id = ${userId} and ${activeUserSql(sql`r.other_id`)}
    order by r.created_at, p.handle`)
  return rows.map((r) => ({ handle: r.handle, name: r.name, kind: r.kind, since: new Date(r.since) }))
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

/** A member of staff or a club moderator opening the data, or an app the person connected reading it (grouped per day: `times`). */
export type DataAccess = { at: Date; who: string; reason: string; request: string | null; times: number }

async function accessesTo(executor: Executor, userId: string): Promise<DataAccess[]> {
  const rows = await executor.execute<{ at: Date | string; name: string | null; staff: boolean | null; reason: string; kind: string | null }>(sql`
    select l.viewed_at as at, p.name, (u.role = 'staff') as staff, l.reason, r.kind::text as kind
    from ${personalDataAccessLog} l
    left join ${profiles} p on p.user_id = l.staff_id
    left join ${users} u on u.id = l.staff_id
    left join ${dataRequests} r on r.id = l.request_id
    where l.subject_user_id = ${userId}
    order by l.viewed_at desc limit 500`)
  const staff = rows.map((r) => ({
    at: new Date(r.at),
    // Staff, or a club's moderator reviewing a report in their club (db/moderation/queue.ts).
    who: r.name ? `${r.name}, ${r.staff ? 'Rounds staff' : 'club moderator'}` : 'Someone whose account has since closed',
    reason: r.reason,
    request: r.kind ? `your ${r.kind} request` : null,
    times: 1,
  }))
  const byApps: DataAccess[] = (await appAccessesTo(executor, userId, 500)).map((a) => ({
    at: a.at,
    who: `${a.app}, an app you connected`,
    reason: a.what ? `read ${a.what}` : 'you revoked its access',
    request: null,
    times: a.times,
  }))
  return [...staff, ...byApps].sort((a, b) => b.at.getTime() - a.at.getTime())
}

export function listAccessesToMyData(userId: string) {
  return accessesTo(db, userId)
}
