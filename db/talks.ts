import { randomUUID } from 'node:crypto'
import { and, asc, desc, eq, gte, isNull, lt, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { activeUserSql, can, presentToViewerSql, talkEntrySql, visibleClubCondition, type ClubRole } from './access/index'
import { qualified } from './sql'
import { db, type Transaction } from './client'
import { PublicError } from './errors'
import { notify } from './notifications'
import { dropTalkReminders, moveTalkReminders, remindOnRsvp, scheduleTalkReminders } from './notifications/reminders'
import { clubMembers, clubs, profiles, talkRoles, talkRsvps, talks } from './schema/index'
import { recordWatchedWordHit, screenText } from './moderation/watched-words'
import { enqueueSearchUpdate } from './search'
import type { Viewer } from './viewer'

import type { TalkType } from './live/types'
export type { TalkType }

export type TalkSummary = {
  id: string
  title: string
  type: TalkType
  startsAt: Date
  durationMinutes: number
  status: 'scheduled' | 'live' | 'ended'
  club: { slug: string; name: string; visibility: 'public' | 'private' }
  host: { handle: string; name: string }
  rsvpCount: number
}

export const talkColumns = {
  id: talks.id,
  title: talks.title,
  type: talks.type,
  startsAt: talks.startsAt,
  durationMinutes: talks.durationMinutes,
  status: talks.status,
  club: { slug: clubs.slug, name: clubs.name, visibility: clubs.visibility },
  host: { handle: profiles.handle, name: profiles.name },
  rsvpCount: sql<number>`(select count(*)::int from ${talkRsvps} r where r.talk_id = ${qualified(talks.id)})`,
}

/**
 * Talks in clubs the viewer may see, with whatever extra condition the caller adds. A talk whose
 * host deactivated their account is hidden with them (its host does not exist for anyone else).
 */
export function selectVisibleTalks(viewer: Viewer, where?: SQL) {
  return db
    .select(talkColumns)
    .from(talks)
    .innerJoin(clubs, eq(clubs.id, talks.clubId))
    .innerJoin(profiles, eq(profiles.userId, talks.hostId))
    .where(and(visibleClubCondition(viewer), presentToViewerSql(viewer, talks.hostId), where))
    .$dynamic()
}

const RECENT_START = 3 * 60 * 60 * 1000

/** Upcoming and live talks in clubs the viewer may see, soonest first. */
export async function listUpcomingTalks(viewer: Viewer, limit = 8, now = new Date()): Promise<TalkSummary[]> {
  return selectVisibleTalks(viewer, and(gte(talks.startsAt, new Date(now.getTime() - RECENT_START)), sql`${talks.status} <> 'ended'`))
    .orderBy(asc(talks.startsAt))
    .limit(limit)
}

export async function listPastTalks(viewer: Viewer, limit = 8, now = new Date()): Promise<TalkSummary[]> {
  return selectVisibleTalks(viewer, and(lt(talks.startsAt, now), eq(talks.status, 'ended'), isNull(talks.cancelledAt)))
    .orderBy(desc(talks.startsAt))
    .limit(limit)
}

/** A club's talks; the caller has already checked the viewer may see the club. */
export async function listClubTalks(viewer: Viewer, clubId: string, when: 'upcoming' | 'past', limit = 20, now = new Date()) {
  const inClub = eq(talks.clubId, clubId)
  return when === 'upcoming'
    ? selectVisibleTalks(viewer, and(inClub, sql`${talks.status} <> 'ended'`, gte(talks.startsAt, new Date(now.getTime() - RECENT_START))))
        .orderBy(asc(talks.startsAt))
        .limit(limit)
    : selectVisibleTalks(viewer, and(inClub, eq(talks.status, 'ended'), isNull(talks.cancelledAt)))
        .orderBy(desc(talks.startsAt))
        .limit(limit)
}

/** A talk the viewer may see (its club is public, or the viewer is a member). */
export async function getTalkForViewer(viewer: Viewer, talkId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(talkId)) return null
  const [row] = await selectVisibleTalks(viewer, eq(talks.id, talkId)).limit(1)
  if (!row) return null
  const [detail] = await db
    .select({
      description: talks.description,
      recorded: talks.recorded,
      cancelledAt: talks.cancelledAt,
      cancelReason: talks.cancelReason,
      sequence: talks.sequence,
      updatedAt: talks.updatedAt,
      going: viewer
        ? sql<boolean>`exists (select 1 from ${talkRsvps} r where r.talk_id = ${qualified(talks.id)} and r.user_id = ${viewer.userId})`
        : sql<boolean>`false`,
    })
    .from(talks)
    .where(eq(talks.id, talkId))
  if (!detail) return null
  return {
    ...row,
    description: detail.description,
    recorded: detail.recorded,
    going: detail.going,
    /** A cancelled talk is also 'ended': nothing opens, joins or attaches to it. */
    cancelled: detail.cancelledAt !== null,
    cancelledAt: detail.cancelledAt,
    cancelReason: detail.cancelReason,
    sequence: detail.sequence,
    updatedAt: detail.updatedAt,
  }
}

/** Share-card data for a talk: only when its club is public. */
export async function getTalkShareInfo(talkId: string) {
  const talk = await getTalkForViewer(null, talkId)
  return talk ? { title: talk.title, clubName: talk.club.name, startsAt: talk.startsAt, description: talk.description } : null
}

export async function setRsvp(viewer: Viewer, talkId: string, going: boolean) {
  if (!viewer) throw new PublicError('Sign in to say you are going.', 401)
  const talk = await getTalkForViewer(viewer, talkId)
  if (!talk) throw new PublicError('We could not find that talk.', 404)
  if (going && talk.cancelled) throw new PublicError('This talk is cancelled.', 409)
  if (going && talk.status === 'ended') throw new PublicError('This talk has ended.', 409)
  if (going) {
    // The RSVP and its reminders commit together (docs/decisions/028-talk-reminders.md).
    await db.transaction(async (tx) => {
      await tx.insert(talkRsvps).values({ talkId, userId: viewer.userId }).onConflictDoNothing()
      await remindOnRsvp(tx, viewer.userId, talkId)
    })
  } else {
    // Reminders are worked out from who is going when they are due: this person's go with the RSVP.
    await db.delete(talkRsvps).where(and(eq(talkRsvps.talkId, talkId), eq(talkRsvps.userId, viewer.userId)))
  }
}

// ---------------------------------------------------------------- scheduling

// The same characters app/utils/validation.ts refuses: control characters (other than tab and
// newline), lone surrogates, bidi overrides, BOM and U+FFFD. Sockets and jobs reach the data
// layer without the form schema, so the rule is enforced here too.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Text a person typed, made safe to store: NFC, trimmed, within its length, no hidden
 * characters. Refuses with a 400 naming the field; nothing is written by the caller.
 */
export function checkedText(
  value: unknown,
  label: string,
  options: { min?: number; max: number; multiline?: boolean; field?: string },
): string {
  const field = options.field ?? label
  if (typeof value !== 'string') throw new PublicError(`Write your ${label} first.`, 400, field)
  // Refuse huge input before normalising it.
  if (value.length > options.max * 4 + 100) throw new PublicError(`Your ${label} can be at most ${options.max} characters.`, 400, field)
  const v = value.normalize('NFC').trim()
  if (UNSAFE_TEXT.test(v)) throw new PublicError(`Your ${label} contains characters we cannot show.`, 400, field)
  if (!options.multiline && /[\n\r\t]/.test(v)) throw new PublicError(`Your ${label} must be on one line.`, 400, field)
  if (v.length > options.max) throw new PublicError(`Your ${label} can be at most ${options.max} characters.`, 400, field)
  const min = options.min ?? 0
  if (v.length < min) {
    throw new PublicError(min <= 1 ? `Write your ${label} first.` : `Your ${label} needs at least ${min} characters.`, 400, field)
  }
  return v
}

export const talkTypes = ['talk', 'case_discussion', 'surgery', 'quiz'] as const satisfies readonly TalkType[]

export type ScheduleInput = {
  type: TalkType
  title: string
  description: string
  startsAt: Date
  durationMinutes: number
  cohostHandles: string[]
  speakerHandles: string[]
  /** Marks the talk as recorded (form field `recorded`); left out, scheduling says no and an update keeps it. */
  recorded?: boolean
}

const START_GRACE_MS = 5 * 60 * 1000
const MAX_LISTED = 20

function checkedSchedule(input: ScheduleInput, now = Date.now(), currentStart?: Date) {
  if (!talkTypes.includes(input.type)) throw new PublicError('Choose what kind of session this is.', 400, 'type')
  const title = checkedText(input.title, 'title', { min: 3, max: 120 })
  const description = checkedText(input.description ?? '', 'description', { max: 5000, multiline: true })
  const startsAt = input.startsAt
  if (!(startsAt instanceof Date) || Number.isNaN(startsAt.getTime())) {
    throw new PublicError('Enter when the talk starts.', 400, 'startsAt')
  }
  // A talk whose start has passed but which is not open yet keeps its start through an edit.
  if (startsAt.getTime() <= now - START_GRACE_MS && startsAt.getTime() !== currentStart?.getTime()) {
    throw new PublicError('That start is in the past. Choose a time from now on.', 400, 'startsAt')
  }
  const duration = input.durationMinutes
  if (!Number.isInteger(duration) || duration < 10 || duration > 480) {
    throw new PublicError('A session runs from 10 minutes to 8 hours (480 minutes).', 400, 'durationMinutes')
  }
  const handles = (list: unknown, field: string, who: string) => {
    if (!Array.isArray(list)) return []
    if (list.length > MAX_LISTED) throw new PublicError(`Add at most ${MAX_LISTED} ${who}.`, 400, field)
    const out = list.map((h) => (typeof h === 'string' ? h.trim().replace(/^@/, '').toLowerCase() : ''))
    const bad = out.find((h) => !/^[a-z0-9_-]{1,60}$/.test(h))
    if (bad !== undefined) throw new PublicError(`Write ${who} as handles, such as asha-rao.`, 400, field)
    return [...new Set(out)]
  }
  const cohosts = handles(input.cohostHandles, 'cohostHandles', 'co-hosts')
  const speakers = handles(input.speakerHandles, 'speakerHandles', 'speakers')
  const both = speakers.find((h) => cohosts.includes(h))
  if (both) throw new PublicError(`@${both} is listed as a co-host and as a speaker. Choose one.`, 400, 'speakerHandles')
  if (input.recorded !== undefined && typeof input.recorded !== 'boolean') {
    throw new PublicError('Say whether the talk is recorded.', 400, 'recorded')
  }
  return { type: input.type, title, description, startsAt, durationMinutes: duration, cohosts, speakers, recorded: input.recorded }
}

/** Co-hosts and speakers by handle; each must be a member of the club (400 naming the first who is not). */
async function resolveTalkPeople(tx: Transaction, clubId: string, hostId: string, lists: { cohosts: string[]; speakers: string[] }) {
  const all = [...lists.cohosts, ...lists.speakers]
  if (all.length === 0) return []
  const rows = await tx
    .select({
      userId: profiles.userId,
      handle: sql<string>`lower(${profiles.handle})`,
      member: sql<boolean>`exists (select 1 from ${clubMembers} m where m.club_id = ${clubId} and m.user_id = ${qualified(profiles.userId)})`,
    })
    .from(profiles)
    // A deactivated or erased account is "not a member", exactly as an unknown handle is.
    .where(and(sql`lower(${profiles.handle}) in (${sql.join(all.map((h) => sql`${h}`), sql`, `)})`, activeUserSql(profiles.userId)))
  const byHandle = new Map(rows.map((r) => [r.handle, r]))
  const people: { userId: string; role: 'cohost' | 'speaker' }[] = []
  for (const [role, list, field] of [
    ['cohost', lists.cohosts, 'cohostHandles'],
    ['speaker', lists.speakers, 'speakerHandles'],
  ] as const) {
    for (const handle of list) {
      const row = byHandle.get(handle)
      if (!row?.member) {
        throw new PublicError(`@${handle} is not a member of this club. Invite them to the club first.`, 400, field)
      }
      // The host hosts already; listing them again changes nothing.
      if (row.userId !== hostId) people.push({ userId: row.userId, role })
    }
  }
  return people
}

const clubNotFound = () => new PublicError('We could not find that club. It may be private or the link may be wrong.', 404)
const talkNotFound = () => new PublicError('We could not find that talk.', 404)

function viewerClubRoleSql(viewer: NonNullable<Viewer>, clubId: SQL | AnyPgColumn) {
  return sql<ClubRole | null>`(select m.role from ${clubMembers} m where m.club_id = ${clubId} and m.user_id = ${viewer.userId})`
}

/** Schedules a talk in a club; the viewer hosts it. Needs the club permission 'schedule:talks'. */
export async function scheduleTalk(viewer: Viewer, clubSlug: string, input: ScheduleInput): Promise<{ id: string; held?: true }> {
  if (!viewer) throw new PublicError('Sign in to schedule a talk.', 401)
  const value = checkedSchedule(input)
  if (typeof clubSlug !== 'string' || clubSlug.length > 60) throw clubNotFound()
  // A watched word in the title: blocked before anything is written, or held or flagged once saved.
  const hit = await screenText([value.title], 'title')
  return db.transaction(async (tx) => {
    const [club] = await tx
      .select({ id: clubs.id, visibility: clubs.visibility, role: viewerClubRoleSql(viewer, sql`${clubs}.id`) })
      .from(clubs)
      .where(sql`lower(${clubs.slug}) = lower(${clubSlug})`)
    if (!club || (club.visibility === 'private' && !club.role)) throw clubNotFound()
    if (!can(club.role, 'schedule:talks')) throw new PublicError('Only the club’s owner and admins can schedule talks here.', 403)
    const people = await resolveTalkPeople(tx, club.id, viewer.userId, value)
    const id = randomUUID()
    await tx.insert(talks).values({
      id,
      clubId: club.id,
      hostId: viewer.userId,
      type: value.type,
      title: value.title,
      description: value.description,
      startsAt: value.startsAt,
      durationMinutes: value.durationMinutes,
      recorded: value.recorded ?? false,
    })
    if (people.length > 0) await tx.insert(talkRoles).values(people.map((p) => ({ talkId: id, ...p })))
    await scheduleTalkReminders(tx, { id, startsAt: value.startsAt })
    await enqueueSearchUpdate(tx, { kind: 'talk', id })
    const pageText = { next: value.title, shownMeanwhile: null }
    const { held } = await recordWatchedWordHit(tx, hit, { kind: 'talk', id, authorId: viewer.userId, clubId: club.id, talkId: id, pageText })
    return held ? { id, held: true as const } : { id }
  })
}

/** A scheduled talk the viewer may change: its host, or a club admin who may schedule talks. */
async function requireTalkEditor(tx: Transaction, viewer: NonNullable<Viewer>, talkId: string) {
  if (typeof talkId !== 'string' || !/^[0-9a-f-]{36}$/i.test(talkId)) throw talkNotFound()
  const [row] = await tx
    .select({
      id: talks.id,
      clubId: talks.clubId,
      hostId: talks.hostId,
      title: talks.title,
      status: talks.status,
      startsAt: talks.startsAt,
      durationMinutes: talks.durationMinutes,
      cancelled: sql<boolean>`${talks.cancelledAt} is not null`,
      visible: sql<boolean>`${visibleClubCondition(viewer)}`,
      role: viewerClubRoleSql(viewer, qualified(talks.clubId)),
    })
    .from(talks)
    .innerJoin(clubs, eq(clubs.id, talks.clubId))
    .where(eq(talks.id, talkId))
    .for('update', { of: talks })
  if (!row || !row.visible) throw talkNotFound()
  if (row.hostId !== viewer.userId && !can(row.role, 'schedule:talks')) {
    throw new PublicError('Only the talk’s host and the club’s admins can change it.', 403)
  }
  if (row.cancelled) throw new PublicError('This talk is cancelled, so it can no longer be changed.', 409)
  if (row.status !== 'scheduled') {
    throw new PublicError(
      row.status === 'live'
        ? 'This talk is live, so it can no longer be changed or rescheduled.'
        : 'This talk has ended, so it can no longer be changed.',
      409,
    )
  }
  return row
}

/** Whether the viewer may change or cancel the talk: its host, or someone whose club role may schedule talks. */
export async function mayEditTalk(viewer: Viewer, talkId: string): Promise<boolean> {
  if (!viewer || typeof talkId !== 'string' || !/^[0-9a-f-]{36}$/i.test(talkId)) return false
  const [row] = await db
    .select({ hostId: talks.hostId, role: viewerClubRoleSql(viewer, qualified(talks.clubId)) })
    .from(talks)
    .where(eq(talks.id, talkId))
  return Boolean(row && (row.hostId === viewer.userId || can(row.role, 'schedule:talks')))
}

/** Changes a talk that has not started; the co-host and speaker lists are replaced. */
export async function updateTalk(viewer: Viewer, talkId: string, input: ScheduleInput): Promise<{ id: string; held?: true }> {
  if (!viewer) throw new PublicError('Sign in to change a talk.', 401)
  return db.transaction(async (tx) => {
    const talk = await requireTalkEditor(tx, viewer, talkId)
    const value = checkedSchedule(input, Date.now(), talk.startsAt)
    const hit = await screenText([value.title], 'title')
    const people = await resolveTalkPeople(tx, talk.clubId, talk.hostId, value)
    const now = new Date()
    // Co-hosts taken off the talk by this change hear about it too.
    const formerCohosts = await tx
      .select({ userId: talkRoles.userId })
      .from(talkRoles)
      .where(and(eq(talkRoles.talkId, talk.id), eq(talkRoles.role, 'cohost')))
    await tx
      .update(talks)
      .set({
        type: value.type,
        title: value.title,
        description: value.description,
        startsAt: value.startsAt,
        durationMinutes: value.durationMinutes,
        ...(value.recorded === undefined ? {} : { recorded: value.recorded }),
        sequence: sql`${talks.sequence} + 1`,
        updatedAt: now,
      })
      .where(eq(talks.id, talk.id))
    await tx.delete(talkRoles).where(eq(talkRoles.talkId, talk.id))
    if (people.length > 0) await tx.insert(talkRoles).values(people.map((p) => ({ talkId: talk.id, ...p })))
    await enqueueSearchUpdate(tx, { kind: 'talk', id: talk.id })
    const rescheduled = value.startsAt.getTime() !== talk.startsAt.getTime() || value.durationMinutes !== talk.durationMinutes
    if (value.startsAt.getTime() !== talk.startsAt.getTime()) await moveTalkReminders(tx, { id: talk.id, startsAt: value.startsAt }, now)
    await tellTalkAudience(
      tx,
      talk,
      viewer.userId,
      'talk_changed',
      {
        talkId: talk.id,
        title: value.title,
        startsAt: value.startsAt.toISOString(),
        previousStartsAt: talk.startsAt.toISOString(),
        rescheduled,
      },
      now,
      formerCohosts.map((c) => c.userId),
    )
    // Held back from all but the host, who answers for the talk's page (as for a report of it).
    const pageText = { next: value.title, shownMeanwhile: talk.title }
    const { held } = await recordWatchedWordHit(tx, hit, { kind: 'talk', id: talk.id, authorId: talk.hostId, clubId: talk.clubId, talkId: talk.id, pageText })
    return held ? { id: talk.id, held: true as const } : { id: talk.id }
  })
}

/**
 * Cancels a talk that has not started. It stays as a record — status 'ended', with the time and
 * the reason — so its page and its calendar file can say it is cancelled; its RSVPs stay too.
 */
export async function cancelTalk(viewer: Viewer, talkId: string, reason?: string | null): Promise<{ id: string }> {
  if (!viewer) throw new PublicError('Sign in to cancel a talk.', 401)
  const why = reason ? checkedText(reason, 'reason', { max: 500, multiline: true }) : ''
  return db.transaction(async (tx) => {
    const talk = await requireTalkEditor(tx, viewer, talkId)
    const now = new Date()
    await tx
      .update(talks)
      .set({
        status: 'ended',
        cancelledAt: now,
        cancelReason: why || null,
        sequence: sql`${talks.sequence} + 1`,
        updatedAt: now,
      })
      .where(eq(talks.id, talk.id))
    await enqueueSearchUpdate(tx, { kind: 'talk', id: talk.id })
    await dropTalkReminders(tx, talk.id)
    await tellTalkAudience(tx, talk, viewer.userId, 'talk_cancelled', { talkId: talk.id, title: talk.title, reason: why }, now)
    return { id: talk.id }
  })
}

/**
 * Tells those going to the talk, its host and its co-hosts (not the person who made the change)
 * about it, in the transaction that made it. Only people who may still enter the talk are told:
 * someone who left its private club, was banned from the club or removed from the talk hears
 * nothing (db/access/talks.ts). The notice is about the club, so it drops out of the centre if the
 * club's page closes to them later.
 */
async function tellTalkAudience(
  tx: Transaction,
  talk: { id: string; clubId: string; hostId: string },
  changedBy: string,
  kind: 'talk_changed' | 'talk_cancelled',
  data: Record<string, unknown>,
  now: Date,
  also: string[] = [],
) {
  const rows = await tx.execute<{ userId: string }>(sql`
    select r.user_id as "userId" from ${talkRsvps} r where r.talk_id = ${talk.id}
    union
    select x.user_id from ${talkRoles} x where x.talk_id = ${talk.id} and x.role = 'cohost'
    union
    select ${talk.hostId}::text`)
  for (const userId of new Set([...rows.map((r) => r.userId), ...also])) {
    if (userId === changedBy) continue
    const [entry] = await tx.execute<{ ok: boolean }>(sql`
      select (${talkEntrySql({ userId, role: 'member' }, sql`${talk.id}::text`)} and ${activeUserSql(sql`${userId}::text`)}) as ok
      from ${clubs} where ${clubs}.id = ${talk.clubId}`)
    if (!entry?.ok) continue
    await notify(tx, { recipientId: userId, kind, target: { type: 'club', id: talk.clubId }, data, now })
  }
}

export type TalkRoleEntry = { handle: string; name: string; role: 'host' | 'cohost' | 'speaker' }

/**
 * Who presents a talk: the host first, then co-hosts and speakers, leaving out deactivated and
 * erased accounts. The caller has checked the viewer may see the talk.
 */
export async function listTalkRoles(talkId: string): Promise<TalkRoleEntry[]> {
  if (typeof talkId !== 'string' || !/^[0-9a-f-]{36}$/i.test(talkId)) return []
  const rows = await db.execute<{ handle: string; name: string; role: TalkRoleEntry['role'] }>(sql`
    select p.handle, p.name, x.role from (
      select t.host_id as user_id, 'host' as role, 0 as rank, t.created_at from ${talks} t where t.id = ${talkId}
      union all
      select r.user_id, r.role::text, case r.role when 'speaker' then 2 else 1 end, r.created_at
      from ${talkRoles} r join ${talks} t on t.id = r.talk_id
      where r.talk_id = ${talkId} and r.user_id <> t.host_id
    ) x join ${profiles} p on p.user_id = x.user_id
    where ${activeUserSql(sql`x.user_id`)}
    order by x.rank, x.created_at, p.name`)
  return rows.map((r) => ({ handle: r.handle, name: r.name, role: r.role === 'speaker' ? 'speaker' : r.role === 'host' ? 'host' : 'cohost' }))
}
