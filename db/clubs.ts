import { and, asc, eq, or, sql } from 'drizzle-orm'
import { db } from './client'
import { clubMembers, clubs } from './schema/index'
import type { Viewer } from './viewer'

export type ClubSummary = {
  id: string
  slug: string
  name: string
  description: string
  specialities: string[]
  visibility: 'public' | 'private'
  memberCount: number
  isMember: boolean
}

/** A club is visible to a viewer when it is public, or when the viewer is a member. */
export function visibleClubCondition(viewer: Viewer) {
  if (!viewer) return eq(clubs.visibility, 'public')
  return or(
    eq(clubs.visibility, 'public'),
    sql`exists (select 1 from ${clubMembers} m where m.club_id = "clubs"."id" and m.user_id = ${viewer.userId})`,
  )
}

export async function listClubsForViewer(viewer: Viewer, limit = 24): Promise<ClubSummary[]> {
  const isMember = viewer
    ? sql<boolean>`exists (select 1 from ${clubMembers} m where m.club_id = "clubs"."id" and m.user_id = ${viewer.userId})`
    : sql<boolean>`false`
  return db
    .select({
      id: clubs.id,
      slug: clubs.slug,
      name: clubs.name,
      description: clubs.description,
      specialities: clubs.specialities,
      visibility: clubs.visibility,
      memberCount: sql<number>`(select count(*)::int from ${clubMembers} m where m.club_id = "clubs"."id")`,
      isMember,
    })
    .from(clubs)
    .where(and(visibleClubCondition(viewer)))
    .orderBy(...(viewer ? [sql`${isMember} desc`, asc(clubs.name)] : [asc(clubs.name)]))
    .limit(limit)
}
