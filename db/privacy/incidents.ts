import { randomUUID } from 'node:crypto'
import { desc, eq, sql, type SQL } from 'drizzle-orm'
import { requireSignedIn } from '../access/people'
import { requireStaff } from '../access/staff'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { clubMembers, clubs, privacyIncidentRecipients, privacyIncidents, profiles, sessions, users, type IncidentAudience } from '../schema/index'
import type { Viewer } from '../viewer'

export type { IncidentAudience }
import { fanOutNotice } from './fan-out'

/*
 * Personal-data incidents. The privacy officer records what happened and chooses who it
 * concerns by a query (signed in during a time window, the members of a club, a list of email
 * addresses); everyone it concerns is told at once, in the app and by email, and sees it in
 * their privacy centre. The report to the Data Protection Board is due 72 hours after the
 * incident was found; the console shows the deadline until a report is recorded.
 *
 * A deactivated account is told (its data is still ours); an erased one no longer exists.
 */

export const BOARD_REPORT_HOURS = 72

export const INCIDENT_DATA_KINDS = {
  email: 'Email address',
  profile: 'Name, photo and profile',
  date_of_birth: 'Date of birth',
  registration: 'Medical registration number',
  verification_documents: 'Verification documents',
  sign_in: 'Sign-in sessions and devices (IP address, browser)',
  content: 'Comments, questions and chat',
  recordings: 'Recordings of talks',
  activity: 'Activity and attendance',
  password: 'Password (scrambled)',
} as const

export type IncidentDataKind = keyof typeof INCIDENT_DATA_KINDS

export type AudienceQuery =
  | { kind: 'sessions'; from: Date; to: Date }
  | { kind: 'club'; slug: string }
  | { kind: 'emails'; emails: string[] }

export type IncidentInput = {
  title: string
  whatHappened: string
  foundAt: Date
  dataKinds: IncidentDataKind[]
  whatWeDid: string
  whatYouCanDo: string
  audience: AudienceQuery
  /** The count the officer saw in the preview: if the choice now reaches a different number, nothing is sent. */
  expectedCount?: number
}

const MAX_EMAILS = 5000

/** A person who still exists: erased accounts have no profile. */
const existsSql = (userId: SQL) => sql`exists (select 1 from ${profiles} ep where ep.user_id = ${userId})`

type Resolved = { recipients: SQL; audience: IncidentAudience; unmatched: number }

/** The query behind the officer's choice, as one column of user ids. */
async function resolveAudience(executor: Transaction | typeof db, query: AudienceQuery, now: Date): Promise<Resolved> {
  if (query.kind === 'sessions') {
    if (!(query.from.getTime() < query.to.getTime())) throw new PublicError('The window must end after it starts.', 400, 'to')
    if (query.from.getTime() > now.getTime()) throw new PublicError('The window starts in the future.', 400, 'from')
    const from = sql`${query.from.toISOString()}::timestamptz`
    const to = sql`${query.to.toISOString()}::timestamptz`
    return {
      // A session that began before the window ended and was last used after it began.
      recipients: sql`select s.user_id from ${sessions} s
        where s.created_at <= ${to} and coalesce(s.last_seen_at, s.created_at) >= ${from} and ${existsSql(sql`s.user_id`)}`,
      audience: { kind: 'sessions', from: query.from.toISOString(), to: query.to.toISOString() },
      unmatched: 0,
    }
  }
  if (query.kind === 'club') {
    const slug = query.slug.trim().replace(/^\/?c\//, '').toLowerCase()
    const [club] = await executor.select({ id: clubs.id, slug: clubs.slug, name: clubs.name }).from(clubs).where(sql`lower(${clubs.slug}) = ${slug}`)
    if (!club) throw new PublicError('No club has that address. Use the part after /c/ in the club’s link.', 400, 'club')
    return {
      recipients: sql`select cm.user_id from ${clubMembers} cm where cm.club_id = ${club.id} and ${existsSql(sql`cm.user_id`)}`,
      audience: { kind: 'club', slug: club.slug, name: club.name },
      unmatched: 0,
    }
  }
  const emails = [...new Set(query.emails.map((e) => e.trim().toLowerCase()).filter(Boolean))]
  if (emails.length === 0) throw new PublicError('List at least one email address.', 400, 'emails')
  if (emails.length > MAX_EMAILS) throw new PublicError(`List at most ${MAX_EMAILS} email addresses at a time.`, 400, 'emails')
  const bad = emails.find((e) => e.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e))
  if (bad) throw new PublicError(`“${bad.slice(0, 60)}” is not an email address.`, 400, 'emails')
  const list = sql`(select unnest(${sql.param(emails)}::text[]))`
  const [found] = await executor.execute<{ n: number }>(sql`
    select count(*)::int as n from ${users} u where lower(u.email) in ${list} and ${existsSql(sql`u.id`)}`)
  return {
    recipients: sql`select u.id from ${users} u where lower(u.email) in ${list} and ${existsSql(sql`u.id`)}`,
    audience: { kind: 'emails', listed: emails.length },
    unmatched: emails.length - (found?.n ?? 0),
  }
}

/** How many people a choice reaches, before anything is sent; `unmatched`: listed addresses with no account. */
export async function countIncidentAudience(viewer: Viewer, query: AudienceQuery, now = new Date()) {
  requireStaff(viewer)
  const resolved = await resolveAudience(db, query, now)
  const [row] = await db.execute<{ n: number }>(sql`select count(distinct q.user_id)::int as n from (${resolved.recipients}) q(user_id)`)
  return { count: row?.n ?? 0, audience: resolved.audience, unmatched: resolved.unmatched }
}

function checkText(value: string, field: string, label: string, min: number, max: number) {
  const v = value.trim()
  if (v.length < min) throw new PublicError(`Write ${label} (at least ${min} characters).`, 400, field)
  if (v.length > max) throw new PublicError(`${label[0].toUpperCase()}${label.slice(1)} can be at most ${max} characters.`, 400, field)
  return v
}

export const dataKindLabels = (kinds: string[]) => kinds.map((k) => INCIDENT_DATA_KINDS[k as IncidentDataKind] ?? k)

/**
 * Records an incident and tells everyone it concerns, in one transaction: the incident, one
 * recipient row per person and one notice (with its email) per person, each a single
 * INSERT … SELECT. An incident that concerns no one is refused and nothing is written.
 */
export async function recordIncident(viewer: Viewer, input: IncidentInput, now = new Date()) {
  requireStaff(viewer)
  const title = checkText(input.title, 'title', 'a short title', 3, 120)
  const whatHappened = checkText(input.whatHappened, 'whatHappened', 'what happened', 10, 2000)
  const whatWeDid = checkText(input.whatWeDid, 'whatWeDid', 'what we did', 10, 2000)
  const whatYouCanDo = checkText(input.whatYouCanDo, 'whatYouCanDo', 'what people can do', 10, 2000)
  if (Number.isNaN(input.foundAt.getTime())) throw new PublicError('Enter when the incident was found.', 400, 'foundAt')
  if (input.foundAt.getTime() > now.getTime() + 60_000) throw new PublicError('The incident cannot be found in the future.', 400, 'foundAt')
  const kinds = [...new Set(input.dataKinds)]
  if (kinds.length === 0) throw new PublicError('Choose at least one kind of data affected.', 400, 'dataKinds')
  if (kinds.some((k) => !(k in INCIDENT_DATA_KINDS))) throw new PublicError('Choose the kinds of data from the list.', 400, 'dataKinds')

  return db.transaction(async (tx) => {
    const resolved = await resolveAudience(tx, input.audience, now)
    const id = randomUUID()
    const boardDueAt = new Date(input.foundAt.getTime() + BOARD_REPORT_HOURS * 60 * 60 * 1000)
    await tx.insert(privacyIncidents).values({
      id,
      title,
      whatHappened,
      foundAt: input.foundAt,
      dataKinds: kinds,
      whatWeDid,
      whatYouCanDo,
      audience: resolved.audience,
      affectedCount: 0,
      recordedBy: viewer.userId,
      recordedAt: now,
      boardDueAt,
    })
    const recorded = await tx.execute<{ user_id: string }>(sql`
      insert into ${privacyIncidentRecipients} (incident_id, user_id, notified_at)
      select distinct ${id}, q.user_id, ${now.toISOString()}::timestamptz from (${resolved.recipients}) q(user_id)
      on conflict do nothing
      returning user_id`)
    if (recorded.length === 0) throw new PublicError('No one matches this choice, so there is no one to tell. Check the window, the club or the addresses.', 400, 'audience')
    if (input.expectedCount !== undefined && recorded.length !== input.expectedCount) {
      throw new PublicError(`This choice now reaches ${recorded.length} people, not ${input.expectedCount}. Check the count and send again.`, 409, 'audience')
    }
    await tx.update(privacyIncidents).set({ affectedCount: recorded.length }).where(eq(privacyIncidents.id, id))
    const told = await fanOutNotice(tx, {
      recipients: sql`select r.user_id from ${privacyIncidentRecipients} r where r.incident_id = ${id}`,
      kind: 'privacy_incident',
      subject: id,
      // Words made when read (db/notifications/kinds.ts); an empty title keeps it out of the page banners.
      title: '',
      body: '',
      link: '/privacy#incidents',
      data: { incidentId: id, title: `A data incident concerns you: ${title}`, whatHappened, affected: dataKindLabels(kinds).join(', '), whatWeDid, whatYouCanDo },
      email: true,
      now,
    })
    return { id, affected: recorded.length, ...told }
  })
}

export type StaffIncident = {
  id: string
  title: string
  whatHappened: string
  foundAt: Date
  dataKinds: string[]
  whatWeDid: string
  whatYouCanDo: string
  audience: IncidentAudience
  affectedCount: number
  recordedBy: string | null
  recordedAt: Date
  boardDueAt: Date
  boardReportedAt: Date | null
  boardReportedBy: string | null
  boardReference: string | null
  /** Past the deadline with no report recorded. */
  overdue: boolean
}

function toStaffIncident(row: typeof privacyIncidents.$inferSelect, recordedBy: string | null, reportedBy: string | null, now: Date): StaffIncident {
  return {
    id: row.id,
    title: row.title,
    whatHappened: row.whatHappened,
    foundAt: row.foundAt,
    dataKinds: dataKindLabels(row.dataKinds),
    whatWeDid: row.whatWeDid,
    whatYouCanDo: row.whatYouCanDo,
    audience: row.audience,
    affectedCount: row.affectedCount,
    recordedBy,
    recordedAt: row.recordedAt,
    boardDueAt: row.boardDueAt,
    boardReportedAt: row.boardReportedAt,
    boardReportedBy: reportedBy,
    boardReference: row.boardReference,
    overdue: row.boardReportedAt === null && row.boardDueAt.getTime() < now.getTime(),
  }
}

const staffNames = () => ({
  recordedBy: sql<string | null>`(select name from ${profiles} where user_id = ${privacyIncidents.recordedBy})`,
  reportedBy: sql<string | null>`(select name from ${profiles} where user_id = ${privacyIncidents.boardReportedBy})`,
})

/** Every incident, unreported first by deadline, then the rest newest first. */
export async function listIncidentsForStaff(viewer: Viewer, now = new Date()): Promise<StaffIncident[]> {
  requireStaff(viewer)
  const rows = await db
    .select({ incident: privacyIncidents, ...staffNames() })
    .from(privacyIncidents)
    .orderBy(sql`${privacyIncidents.boardReportedAt} is not null`, sql`case when ${privacyIncidents.boardReportedAt} is null then ${privacyIncidents.boardDueAt} end`, desc(privacyIncidents.recordedAt))
    .limit(500)
  return rows.map((r) => toStaffIncident(r.incident, r.recordedBy, r.reportedBy, now))
}

const incidentNotFound = () => new PublicError('We could not find that incident.', 404)

export async function getIncidentForStaff(viewer: Viewer, id: string, now = new Date()): Promise<StaffIncident> {
  requireStaff(viewer)
  if (!/^[0-9a-f-]{36}$/.test(id)) throw incidentNotFound()
  const [row] = await db.select({ incident: privacyIncidents, ...staffNames() }).from(privacyIncidents).where(eq(privacyIncidents.id, id))
  if (!row) throw incidentNotFound()
  return toStaffIncident(row.incident, row.recordedBy, row.reportedBy, now)
}

/** Records when (and how) the incident was reported to the Data Protection Board. */
export async function recordBoardReport(viewer: Viewer, id: string, input: { reportedAt: Date; reference: string | null }, now = new Date()) {
  requireStaff(viewer)
  if (!/^[0-9a-f-]{36}$/.test(id)) throw incidentNotFound()
  if (Number.isNaN(input.reportedAt.getTime())) throw new PublicError('Enter when it was reported.', 400, 'reportedAt')
  if (input.reportedAt.getTime() > now.getTime() + 60_000) throw new PublicError('The report date cannot be in the future.', 400, 'reportedAt')
  const reference = input.reference?.trim() || null
  if (reference && reference.length > 200) throw new PublicError('The reference can be at most 200 characters.', 400, 'reference')
  await db.transaction(async (tx) => {
    const [row] = await tx.select({ foundAt: privacyIncidents.foundAt }).from(privacyIncidents).where(eq(privacyIncidents.id, id)).for('update')
    if (!row) throw incidentNotFound()
    if (input.reportedAt.getTime() < row.foundAt.getTime()) throw new PublicError('The report cannot be before the incident was found.', 400, 'reportedAt')
    await tx
      .update(privacyIncidents)
      .set({ boardReportedAt: input.reportedAt, boardReportedBy: viewer.userId, boardReference: reference })
      .where(eq(privacyIncidents.id, id))
  })
}

export type MyIncident = {
  id: string
  title: string
  whatHappened: string
  foundAt: Date
  affected: string[]
  whatWeDid: string
  whatYouCanDo: string
  notifiedAt: Date
}

/** The incidents that concern the viewer, newest first: their privacy centre shows them. */
export async function listMyIncidents(viewer: Viewer): Promise<MyIncident[]> {
  requireSignedIn(viewer, 'Sign in to see the incidents that concern you.')
  const rows = await db
    .select({ incident: privacyIncidents, notifiedAt: privacyIncidentRecipients.notifiedAt })
    .from(privacyIncidentRecipients)
    .innerJoin(privacyIncidents, eq(privacyIncidents.id, privacyIncidentRecipients.incidentId))
    .where(eq(privacyIncidentRecipients.userId, viewer.userId))
    .orderBy(desc(privacyIncidentRecipients.notifiedAt))
  return rows.map(({ incident: i, notifiedAt }) => ({
    id: i.id,
    title: i.title,
    whatHappened: i.whatHappened,
    foundAt: i.foundAt,
    affected: dataKindLabels(i.dataKinds),
    whatWeDid: i.whatWeDid,
    whatYouCanDo: i.whatYouCanDo,
    notifiedAt,
  }))
}
