import { sql } from 'drizzle-orm'
import { activeUserSql, isModerator, refuse } from '../access/index'
import { db } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { profiles, talkAttendance, talkComments, talkQuestions } from '../schema/index'
import type { Viewer } from '../viewer'
import { loadAccess } from './access'
import { iso } from './rows'
import type { AttendanceReport, AttendanceStay } from './types'

/*
 * Attendance: one stay per socket in the room (opened by a join, room.ts), closed when the socket
 * leaves, the talk ends or its server stops; and the report of who attended and for how long.
 */

export function checkedSocketId(socketId: unknown): string {
  if (typeof socketId !== 'string' || socketId.length === 0 || socketId.length > 100) {
    throw new PublicError('That connection is not valid. Reload the page.', 400)
  }
  return socketId
}

/** Closes this socket's attendance row; returns how many people are still in the room. */
export async function leaveTalk(viewer: Viewer, talkId: string, socketId: string): Promise<{ audienceCount: number }> {
  if (!viewer) throw refuse.signIn()
  const socket = checkedSocketId(socketId)
  if (!isId(talkId)) return { audienceCount: 0 }
  const [row] = await db.execute<{ n: number }>(sql`
    with closed as (
      update ${talkAttendance} set left_at = now()
      where talk_id = ${talkId} and socket_id = ${socket} and user_id = ${viewer.userId} and left_at is null
      returning id)
    select count(distinct att.user_id)::int as n from ${talkAttendance} att
    where att.talk_id = ${talkId} and att.left_at is null and not (att.socket_id = ${socket} and att.user_id = ${viewer.userId})`)
  return { audienceCount: row?.n ?? 0 }
}

/**
 * At start-up: closes the stays a stopped server left open, as of `before` (the last moment the
 * old process can have seen them). Each node stamps its stays with its tag (`<tag>|…`), so a
 * node starting up closes only its own, never those of other nodes still serving rooms.
 */
export async function closeOpenAttendance(before: Date, nodeTag?: string): Promise<number> {
  if (!(before instanceof Date) || Number.isNaN(before.getTime())) throw new PublicError('That time is not valid.', 400)
  const at = before.toISOString()
  const ownStays = nodeTag ? sql`and starts_with(socket_id, ${nodeTag + '|'})` : sql``
  const rows = await db.execute<{ id: string }>(sql`
    update ${talkAttendance} set left_at = greatest(joined_at, ${at}::timestamptz)
    where left_at is null and joined_at < ${at}::timestamptz ${ownStays}
    returning id`)
  return rows.length
}

/** Distinct people with a socket in the room now. */
export async function countAudience(talkId: string): Promise<number> {
  if (!isId(talkId)) return 0
  const [row] = await db.execute<{ n: number }>(sql`
    select count(distinct user_id)::int as n from ${talkAttendance} where talk_id = ${talkId} and left_at is null`)
  return row?.n ?? 0
}

// ---------------------------------------------------------------- attendance report

type StayRow = { userId: string; handle: string; name: string; joinedAt: string; leftAt: string | null }

/**
 * Who attended and for how long. Each stay is clipped to the talk's open period (from the
 * moment it opened to its end, or now while live), so time in the room before the host
 * opened it does not count. Two tabs at once count once per person, and a person's stays that
 * overlap are listed as one (a page that held two connections wrote two rows for one visit).
 */
export async function attendanceReport(viewer: Viewer, talkId: string): Promise<AttendanceReport> {
  const access = await loadAccess(db, viewer, talkId)
  if (!isModerator(access.role)) throw new PublicError('Only the talk’s hosts and the club’s admins can see attendance.', 403)
  const [stays, [totals]] = await Promise.all([
    db.execute<StayRow>(sql`
      select att.user_id as "userId", p.handle, p.name, att.joined_at as "joinedAt", att.left_at as "leftAt"
      from ${talkAttendance} att join ${profiles} p on p.user_id = att.user_id
      where att.talk_id = ${access.id} and ${activeUserSql(sql`att.user_id`)}
      order by att.joined_at, att.id`),
    db.execute<{ comments: number; questions: number; now: string }>(sql`
      select (select count(*)::int from ${talkComments} where talk_id = ${access.id} and deleted_at is null) as comments,
        (select count(*)::int from ${talkQuestions} where talk_id = ${access.id}) as questions,
        now() as now`),
  ])
  const now = Date.parse(iso(totals.now))
  const from = access.openedAt ? Date.parse(iso(access.openedAt)) : -Infinity
  const until = access.endedAt ? Date.parse(iso(access.endedAt)) : now
  const people = new Map<string, { handle: string; name: string; spans: Span[] }>()
  for (const stay of stays) {
    const start = Math.max(Date.parse(iso(stay.joinedAt)), from)
    const end = Math.min(stay.leftAt ? Date.parse(iso(stay.leftAt)) : until, until)
    if (!(end > start)) continue
    let person = people.get(stay.userId)
    if (!person) {
      person = { handle: stay.handle, name: stay.name, spans: [] }
      people.set(stay.userId, person)
    }
    person.spans.push({ start, end, open: stay.leftAt === null && !access.endedAt })
  }
  const events: [number, number][] = []
  const report = [...people.values()].map((person) => {
    const merged = mergeSpans(person.spans)
    for (const { start, end } of merged) events.push([start, 1], [end, -1])
    const ms = merged.reduce((sum, { start, end }) => sum + (end - start), 0)
    const stays: AttendanceStay[] = merged.map(({ start, end, open }) => ({ joinedAt: new Date(start).toISOString(), leftAt: open ? null : new Date(end).toISOString() }))
    return { handle: person.handle, name: person.name, stays, totalSeconds: Math.round(ms / 1000) }
  })
  // A leave and a join at the same instant: the leave first, so a hand-over is not a peak.
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1])
  let current = 0
  let peak = 0
  for (const [, delta] of events) {
    current += delta
    peak = Math.max(peak, current)
  }
  const total = report.reduce((sum, p) => sum + p.totalSeconds, 0)
  return {
    uniqueAttendees: report.length,
    peakConcurrent: peak,
    averageSeconds: report.length ? Math.round(total / report.length) : 0,
    comments: totals.comments,
    questions: totals.questions,
    people: report,
  }
}

/** A stay clipped to the talk's open period; `open` while the person is still in the room. */
export type Span = { start: number; end: number; open: boolean }

/** One person's stays with those that overlap or touch merged into one; still open if any of them is. */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start)
  const merged: Span[] = []
  for (const span of sorted) {
    const last = merged.at(-1)
    if (last && span.start <= last.end) {
      last.end = Math.max(last.end, span.end)
      last.open ||= span.open
    } else merged.push({ ...span })
  }
  return merged
}
