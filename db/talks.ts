import { and, asc, desc, eq, gte, lt } from 'drizzle-orm'
import { db } from './client'
import { visibleClubCondition } from './clubs'
import { clubs, profiles, talks } from './schema/index'
import type { Viewer } from './viewer'

export type TalkSummary = {
  id: string
  title: string
  type: 'talk' | 'case_discussion' | 'surgery' | 'quiz'
  startsAt: Date
  durationMinutes: number
  status: 'scheduled' | 'live' | 'ended'
  club: { slug: string; name: string; visibility: 'public' | 'private' }
  host: { handle: string; name: string }
}

function selectTalks(viewer: Viewer) {
  return db
    .select({
      id: talks.id,
      title: talks.title,
      type: talks.type,
      startsAt: talks.startsAt,
      durationMinutes: talks.durationMinutes,
      status: talks.status,
      club: { slug: clubs.slug, name: clubs.name, visibility: clubs.visibility },
      host: { handle: profiles.handle, name: profiles.name },
    })
    .from(talks)
    .innerJoin(clubs, eq(clubs.id, talks.clubId))
    .innerJoin(profiles, eq(profiles.userId, talks.hostId))
    .where(and(visibleClubCondition(viewer)))
    .$dynamic()
}

/** Upcoming and live talks in clubs the viewer may see, soonest first. */
export async function listUpcomingTalks(viewer: Viewer, limit = 8, now = new Date()): Promise<TalkSummary[]> {
  return selectTalks(viewer)
    .where(and(visibleClubCondition(viewer), gte(talks.startsAt, new Date(now.getTime() - 3 * 60 * 60 * 1000)), eq(talks.status, 'scheduled')))
    .orderBy(asc(talks.startsAt))
    .limit(limit)
}

export async function listPastTalks(viewer: Viewer, limit = 8, now = new Date()): Promise<TalkSummary[]> {
  return selectTalks(viewer)
    .where(and(visibleClubCondition(viewer), lt(talks.startsAt, now), eq(talks.status, 'ended')))
    .orderBy(desc(talks.startsAt))
    .limit(limit)
}
