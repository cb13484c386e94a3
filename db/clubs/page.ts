import { sql } from 'drizzle-orm'
import { activeUserSql, clubBySlug, loadClubAccess, permissionsOf, requireVisibleClub, type ClubPermission, type ClubRole } from '../access/index'
import { db } from '../client'
import { photoUrl } from '../profiles'
import { clubFollows, clubMembers, profiles } from '../schema/index'
import type { Viewer } from '../viewer'
import type { ClubSummary } from './summaries'

// The club page as the viewer may see it, and the share card.

export type ClubPage = {
  /** ownerHandle: only for those who see the club's people (public club, or a member), and while the owner is active. */
  club: ClubSummary & { ownerHandle: string | null; createdAt: Date }
  role: ClubRole | null
  permissions: ClubPermission[]
  following: boolean
  followerCount: number
  invited: boolean
  banned: boolean
}

export async function getClubPage(viewer: Viewer, slug: string): Promise<ClubPage> {
  const access = await requireVisibleClub(viewer, slug)
  // An invited non-member of a private club sees its name, description, cover, counts and the
  // invitation: not its people, so not even who owns it.
  const ownerHandle = access.seesPeople
    ? sql<string | null>`(select p.handle from ${profiles} p where p.user_id = ${access.club.ownerId} and ${activeUserSql(sql`p.user_id`)})`
    : sql<string | null>`null::text`
  const [extra] = await db
    .select({
      memberCount: sql<number>`(select count(*)::int from ${clubMembers} m where m.club_id = ${access.club.id})`,
      followerCount: sql<number>`(select count(*)::int from ${clubFollows} f where f.club_id = ${access.club.id})`,
      ownerHandle,
    })
    .from(sql`(select 1) as one`)
  const c = access.club
  return {
    club: {
      id: c.id,
      slug: c.slug,
      name: c.name,
      description: c.description,
      specialities: c.specialities,
      visibility: c.visibility,
      coverUrl: photoUrl(c.coverPath),
      memberCount: extra?.memberCount ?? 0,
      isMember: access.role !== null,
      ownerHandle: extra?.ownerHandle ?? null,
      createdAt: c.createdAt,
    },
    role: access.role,
    permissions: permissionsOf(access.role),
    following: access.following,
    followerCount: extra?.followerCount ?? 0,
    invited: access.invited,
    banned: access.banned,
  }
}

/** Share-card data: nothing at all for a club the viewer may not see, or for a private club. */
export async function getClubShareInfo(viewer: Viewer, slug: string) {
  const access = slug.length <= 60 ? await loadClubAccess(viewer, clubBySlug(slug)) : null
  if (!access || access.club.visibility !== 'public') return null
  return { name: access.club.name, description: access.club.description, slug: access.club.slug }
}
