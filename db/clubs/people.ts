import { and, asc, eq, sql } from 'drizzle-orm'
import { can, clubNotFound, listedToViewerSql, presentToViewerSql, requireVisibleClub, type ClubRole } from '../access/index'
import { db } from '../client'
import { photoUrl, type BasicCard } from '../profiles'
import { clubFollows, clubMembers, profiles } from '../schema/index'
import type { Viewer } from '../viewer'

// Members and followers of a club as the viewer may see them.

export type ClubPerson = BasicCard & { role?: ClubRole; since: Date }
export type ClubPeopleList = { people: ClubPerson[]; hiddenCount: number; total: number }

/**
 * Members as the viewer may see them. Admins and moderators see everyone;
 * others see public profiles and the private ones they follow, plus a count.
 */
export async function listClubMembers(viewer: Viewer, slug: string, page = { limit: 100, offset: 0 }): Promise<ClubPeopleList> {
  const access = await requireVisibleClub(viewer, slug)
  if (!access.seesPeople) throw clubNotFound()
  const seesAll = can(access.role, 'read:members-all')
  const listed = seesAll ? sql`true` : listedToViewerSql(viewer, profiles.userId, profiles.visibility)
  // Deactivated accounts are left out of the list and its counts, for admins too.
  const base = and(eq(clubMembers.clubId, access.club.id), presentToViewerSql(viewer, profiles.userId))
  const [counts] = await db
    .select({ total: sql<number>`count(*)::int`, listed: sql<number>`count(*) filter (where ${listed})::int` })
    .from(clubMembers)
    .innerJoin(profiles, eq(profiles.userId, clubMembers.userId))
    .where(base)
  const rows = await db
    .select({ profile: profiles, role: clubMembers.role, since: clubMembers.joinedAt })
    .from(clubMembers)
    .innerJoin(profiles, eq(profiles.userId, clubMembers.userId))
    .where(and(base, listed))
    .orderBy(sql`case ${clubMembers.role} when 'owner' then 0 when 'admin' then 1 when 'moderator' then 2 else 3 end`, asc(profiles.name))
    .limit(page.limit)
    .offset(page.offset)
  return {
    people: rows.map((r) => ({ ...cardOf(r.profile), role: r.role, since: r.since })),
    hiddenCount: (counts?.total ?? 0) - (counts?.listed ?? 0),
    total: counts?.total ?? 0,
  }
}

export async function listClubFollowers(viewer: Viewer, slug: string, page = { limit: 100, offset: 0 }): Promise<ClubPeopleList> {
  const access = await requireVisibleClub(viewer, slug)
  if (!access.seesPeople) throw clubNotFound()
  const listed = listedToViewerSql(viewer, profiles.userId, profiles.visibility)
  const base = and(eq(clubFollows.clubId, access.club.id), presentToViewerSql(viewer, profiles.userId))
  const [counts] = await db
    .select({ total: sql<number>`count(*)::int`, listed: sql<number>`count(*) filter (where ${listed})::int` })
    .from(clubFollows)
    .innerJoin(profiles, eq(profiles.userId, clubFollows.userId))
    .where(base)
  const rows = await db
    .select({ profile: profiles, since: clubFollows.createdAt })
    .from(clubFollows)
    .innerJoin(profiles, eq(profiles.userId, clubFollows.userId))
    .where(and(base, listed))
    .orderBy(asc(profiles.name))
    .limit(page.limit)
    .offset(page.offset)
  return {
    people: rows.map((r) => ({ ...cardOf(r.profile), since: r.since })),
    hiddenCount: (counts?.total ?? 0) - (counts?.listed ?? 0),
    total: counts?.total ?? 0,
  }
}

export function cardOf(profile: typeof profiles.$inferSelect): BasicCard {
  return { handle: profile.handle, name: profile.name, photoUrl: photoUrl(profile.photoPath), speciality: profile.speciality }
}
