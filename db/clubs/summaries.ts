import { asc, eq, sql } from 'drizzle-orm'
import { clubMemberSql, visibleClubCondition, type ClubRole } from '../access/index'
import { qualified } from '../sql'
import { db } from '../client'
import { photoUrl } from '../profiles'
import { clubMembers, clubs } from '../schema/index'
import type { Viewer } from '../viewer'

// Clubs in lists: the directory, the viewer's own clubs, and the columns every list shows.

export type ClubVisibility = 'public' | 'private'

export type ClubSummary = {
  id: string
  slug: string
  name: string
  description: string
  specialities: string[]
  visibility: ClubVisibility
  coverUrl: string | null
  memberCount: number
  isMember: boolean
}

export const memberCountSql = sql<number>`(select count(*)::int from ${clubMembers} m where m.club_id = ${qualified(clubs.id)})`


export function summaryColumns(viewer: Viewer) {
  return {
    id: clubs.id,
    slug: clubs.slug,
    name: clubs.name,
    description: clubs.description,
    specialities: clubs.specialities,
    visibility: clubs.visibility,
    coverPath: clubs.coverPath,
    memberCount: memberCountSql,
    isMember: clubMemberSql(viewer),
  }
}

type SummaryRow = { coverPath: string | null } & Omit<ClubSummary, 'coverUrl'>
export const toSummary = ({ coverPath, ...row }: SummaryRow): ClubSummary => ({ ...row, coverUrl: photoUrl(coverPath) })

export async function listClubsForViewer(viewer: Viewer, limit = 24): Promise<ClubSummary[]> {
  const rows = await db
    .select(summaryColumns(viewer))
    .from(clubs)
    .where(visibleClubCondition(viewer))
    .orderBy(...(viewer ? [sql`${clubMemberSql(viewer)} desc`, asc(clubs.name)] : [asc(clubs.name)]))
    .limit(limit)
  return rows.map(toSummary)
}

export async function listMyClubs(viewer: Viewer): Promise<(ClubSummary & { role: ClubRole })[]> {
  if (!viewer) return []
  const rows = await db
    .select({ ...summaryColumns(viewer), role: clubMembers.role })
    .from(clubMembers)
    .innerJoin(clubs, eq(clubs.id, clubMembers.clubId))
    .where(eq(clubMembers.userId, viewer.userId))
    .orderBy(asc(clubs.name))
  return rows.map(({ role, ...row }) => ({ ...toSummary(row), role }))
}
