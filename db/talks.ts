import { and, asc, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm'
import { qualified } from './sql'
import { db } from './client'
import { visibleClubCondition } from './clubs'
import { PublicError } from './errors'
import { clubs, profiles, talkRsvps, talks } from './schema/index'
import type { Viewer } from './viewer'

export type TalkType = 'talk' | 'case_discussion' | 'surgery' | 'quiz'

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

/** Talks in clubs the viewer may see, with whatever extra condition the caller adds. */
export function selectVisibleTalks(viewer: Viewer, where?: SQL) {
  return db
    .select(talkColumns)
    .from(talks)
    .innerJoin(clubs, eq(clubs.id, talks.clubId))
    .innerJoin(profiles, eq(profiles.userId, talks.hostId))
    .where(and(visibleClubCondition(viewer), where))
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
  return selectVisibleTalks(viewer, and(lt(talks.startsAt, now), eq(talks.status, 'ended')))
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
    : selectVisibleTalks(viewer, and(inClub, eq(talks.status, 'ended')))
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
      going: viewer
        ? sql<boolean>`exists (select 1 from ${talkRsvps} r where r.talk_id = ${qualified(talks.id)} and r.user_id = ${viewer.userId})`
        : sql<boolean>`false`,
    })
    .from(talks)
    .where(eq(talks.id, talkId))
  return { ...row, description: detail?.description ?? '', going: detail?.going ?? false }
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
  if (going && talk.status === 'ended') throw new PublicError('This talk has ended.', 409)
  if (going) {
    await db.insert(talkRsvps).values({ talkId, userId: viewer.userId }).onConflictDoNothing()
  } else {
    await db.delete(talkRsvps).where(and(eq(talkRsvps.talkId, talkId), eq(talkRsvps.userId, viewer.userId)))
  }
}
