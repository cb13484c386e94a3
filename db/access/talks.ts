import { sql, type SQL } from 'drizzle-orm'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { clubMembers, clubs, talkRemovals, talkRoles, talks } from '../schema/index'
import type { Viewer } from '../viewer'
import { can, clubRoles } from './club-permissions'
import { clubBannedSql, clubRoomOpenSql, visibleClubCondition } from './clubs'

/*
 * Who may enter a talk — its live room, its comments, questions and stage, and the quizzes run in
 * it — as one family of SQL conditions over a talk row `t` joined to its club (`clubs`, under its
 * own name, so the club rules of clubs.ts apply). Three facts about the viewer:
 *
 *  - visible: the club is listed to them (visibleClubCondition: public, or they are a member);
 *  - banned: the club's admins banned them (clubBannedSql);
 *  - removed: the talk's hosts removed them from this talk (talkRemovedSql);
 *
 * and the rule: visible, not banned, not removed — the club's room (clubRoomOpenSql) less a
 * removal. A quiz of a club without a talk follows the same rule with nothing to be removed from.
 *
 * The rule comes in three forms that say the same thing (tests/db/talk-access.test.ts checks they
 * do): talkEntrySql for a query that has the talk and club rows in scope; talkEntryAllowedSql over
 * the three facts once a statement has read them as columns (talkEntryColumns); and mayEnterTalk /
 * checkTalkEntry in JavaScript over a row holding them, which also say why someone may not enter.
 */

export type TalkRoleName = 'host' | 'cohost' | 'speaker' | 'audience'
export type TalkStatus = 'scheduled' | 'live' | 'ended'

/** Refusals of the live room, worded once (the live room's modules and db/recordings.ts). */
export const refuse = {
  signIn: () => new PublicError('Sign in to join the talk.', 401),
  notFound: () => new PublicError('We could not find that talk.', 404),
  banned: () => new PublicError('The club’s admins have removed you from this club, so you cannot join its talks.', 403),
  removed: () => new PublicError('The hosts removed you from this talk, so you cannot rejoin it.', 403),
  notHost: () => new PublicError('Only the talk’s hosts can do that.', 403),
  ended: () => new PublicError('This talk has ended.', 409),
  policyChanged: () => new PublicError('The recording policy has changed. Read it again and accept.', 409),
  notStarted: () => new PublicError('This talk has not started yet.', 409),
  noPerson: () => new PublicError('We could not find that person.', 404),
}

// ---------------------------------------------------------------- the entry rule in SQL

/** The talk's hosts removed the viewer from talk `talkId` (a removal outlives the talk's end). */
export function talkRemovedSql(viewer: NonNullable<Viewer>, talkId: SQL): SQL<boolean> {
  return sql<boolean>`exists (select 1 from ${talkRemovals} x where x.talk_id = ${talkId} and x.user_id = ${viewer.userId})`
}

/** The viewer may enter talk `talkId`, whose club is the `clubs` row in scope: signed in, the club listed, not banned, not removed. */
export function talkEntrySql(viewer: Viewer, talkId: SQL): SQL<boolean> {
  if (!viewer) return sql<boolean>`false`
  return sql<boolean>`(${clubRoomOpenSql(viewer)} and not ${talkRemovedSql(viewer, talkId)})`
}

/** The three facts of the entry rule as the columns `visible`, `banned` and `removed`, for a select with the club row in scope. */
export function talkEntryColumns(viewer: NonNullable<Viewer>, talkId: SQL): SQL {
  return sql`${visibleClubCondition(viewer)} as visible, ${clubBannedSql(viewer)} as banned, ${talkRemovedSql(viewer, talkId)} as removed`
}

/** The entry rule over the columns talkEntryColumns wrote, of the row `row` (a table or CTE name). */
export function talkEntryAllowedSql(row: SQL): SQL<boolean> {
  return sql<boolean>`(${row}.visible and not ${row}.banned and not ${row}.removed)`
}

// ---------------------------------------------------------------- the talk role

// Club roles that moderate talks count as co-hosts: read from the one permission table.
const moderatingClubRoles = sql.join(
  clubRoles.filter((role) => can(role, 'moderate:talks')).map((role) => sql`${role}`),
  sql`, `,
)

/** A person's role in talk `t` (the talks row must be in scope as `t`). */
export function talkRoleSql(userId: SQL): SQL<TalkRoleName> {
  return sql<TalkRoleName>`(case
    when t.host_id = ${userId} then 'host'
    when exists (select 1 from ${talkRoles} r where r.talk_id = t.id and r.user_id = ${userId} and r.role in ('host', 'cohost'))
      or exists (select 1 from ${clubMembers} m where m.club_id = t.club_id and m.user_id = ${userId} and m.role::text in (${moderatingClubRoles}))
      then 'cohost'
    when exists (select 1 from ${talkRoles} r where r.talk_id = t.id and r.user_id = ${userId} and r.role = 'speaker') then 'speaker'
    else 'audience' end)`
}

/** The entry facts and the viewer's role in talk `t`, as columns (`visible`, `banned`, `removed`, `role`). */
export function talkStandingColumns(viewer: NonNullable<Viewer>): SQL {
  return sql`${talkEntryColumns(viewer, sql`t.id`)}, ${talkRoleSql(sql`${viewer.userId}`)} as role`
}

/** Hosts and co-hosts moderate a talk: they run its stage, questions, comments and quizzes. */
export const isModerator = (role: TalkRoleName) => role === 'host' || role === 'cohost'

export function requireModerator(access: { role: TalkRoleName }) {
  if (!isModerator(access.role)) throw refuse.notHost()
}

/** The talk is live: not still scheduled, not ended. */
export function requireLive(access: { status: TalkStatus }) {
  if (access.status === 'ended') throw refuse.ended()
  if (access.status === 'scheduled') throw refuse.notStarted()
}

// ---------------------------------------------------------------- the entry rule in JavaScript, over a row of facts

export type TalkEntryFacts = { visible: boolean; banned: boolean; removed: boolean }

/** The entry rule over a row holding its facts; no row (no such talk) is no entry. */
export function mayEnterTalk<Row extends TalkEntryFacts>(row: Row | null | undefined): row is Row {
  return Boolean(row && row.visible && !row.banned && !row.removed)
}

/** The row, when the viewer may enter; else the refusal a join gives: not found (as if there were no such talk), banned, removed. */
export function checkTalkEntryFacts<Row extends TalkEntryFacts>(row: Row | null | undefined): Row {
  if (!row || !row.visible) throw refuse.notFound()
  if (row.banned) throw refuse.banned()
  if (row.removed) throw refuse.removed()
  return row
}

// ---------------------------------------------------------------- guards

export type TalkEntry = TalkEntryFacts & { id: string; status: TalkStatus; clubId: string; hostId: string; role: TalkRoleName }

/** The talk and the viewer's standing in it, read in one row; undefined for a visitor, a malformed id or no such talk. */
export async function loadTalkEntry(viewer: Viewer, talkId: string, q: Transaction | Database = db): Promise<TalkEntry | undefined> {
  if (!viewer || !isId(talkId)) return undefined
  const [row] = await q.execute<TalkEntry>(sql`
    select t.id, t.status, t.club_id as "clubId", t.host_id as "hostId", ${talkStandingColumns(viewer)}
    from ${talks} t join ${clubs} on ${clubs}.id = t.club_id
    where t.id = ${talkId}`)
  return row
}

/** Whether the viewer may enter the talk. */
export async function canEnterTalk(viewer: Viewer, talkId: string): Promise<boolean> {
  return mayEnterTalk(await loadTalkEntry(viewer, talkId))
}

/** The viewer's standing in a talk they may enter; refuses as a join would otherwise. */
export async function requireTalkEntry(viewer: Viewer, talkId: string, q: Transaction | Database = db): Promise<TalkEntry> {
  if (!viewer) throw refuse.signIn()
  if (!isId(talkId)) throw refuse.notFound()
  return checkTalkEntryFacts(await loadTalkEntry(viewer, talkId, q))
}

export type TalkStanding = { mayEnter: true; moderator: boolean } | { mayEnter: false; message: string }

/**
 * Whether someone already in a talk's rooms may stay, and whether as a moderator (host or
 * co-host): the rule of a join, read again after an access change (server/realtime/access-changes.ts),
 * told as what changed.
 */
export async function talkStanding(viewer: Viewer, talkId: string): Promise<TalkStanding> {
  if (!viewer || !isId(talkId)) return { mayEnter: false, message: refuse.notFound().message }
  const row = await loadTalkEntry(viewer, talkId)
  if (!row) return { mayEnter: false, message: 'This talk no longer exists.' }
  if (row.banned) return { mayEnter: false, message: refuse.banned().message }
  if (row.removed) return { mayEnter: false, message: 'The hosts removed you from this talk.' }
  if (!row.visible) return { mayEnter: false, message: 'This talk is now for its club’s members only.' }
  return { mayEnter: true, moderator: isModerator(row.role) }
}
