import { eq, sql, type SQL } from 'drizzle-orm'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { clubBans, clubFollows, clubInvitations, clubMembers, clubs } from '../schema/index'
import type { Viewer } from '../viewer'
import { can, type ClubPermission, type ClubRole } from './club-permissions'
import { requireSignedIn } from './people'

export * from './club-permissions'

/*
 * Who sees a club, as one family of SQL conditions over a row of `clubs`. Each check below is
 * written from the same four facts about the viewer (member, banned, invited, signed in), so the
 * page, the lists, search and the live rooms cannot drift apart:
 *
 *  - listed (lists, search, the feed, a club's talks): public, or the viewer is a member;
 *  - page: what is listed, and a private club the viewer holds a pending invitation to — unless
 *    banned. An invitee sees the club's name, description, cover, counts and the invitation,
 *    and not its people: a private club's people show to its members only;
 *  - room (the club's real-time room): a signed-in viewer not banned from a listed club.
 *
 * An invitee finds a private club through the invitation, never in a list or search.
 */

// Qualified by hand: in a single-table select drizzle renders clubs.id as a bare "id", which
// inside a subquery on club_invitations (it has its own id) would mean the invitation's id.
const clubId = sql`${clubs}.id`
const isPublic = sql`${clubs}.visibility = 'public'`

/** The viewer is a member of the club, in any role. */
export function clubMemberSql(viewer: Viewer): SQL<boolean> {
  if (!viewer) return sql<boolean>`false`
  return sql<boolean>`exists (select 1 from ${clubMembers} m where m.club_id = ${clubId} and m.user_id = ${viewer.userId})`
}

/** The club's admins removed the viewer with a ban. */
export function clubBannedSql(viewer: Viewer): SQL<boolean> {
  if (!viewer) return sql<boolean>`false`
  return sql<boolean>`exists (select 1 from ${clubBans} b where b.club_id = ${clubId} and b.user_id = ${viewer.userId})`
}

/** The viewer holds a pending invitation to the club. */
export function clubInvitedSql(viewer: Viewer): SQL<boolean> {
  if (!viewer) return sql<boolean>`false`
  return sql<boolean>`exists (select 1 from ${clubInvitations} i where i.club_id = ${clubId} and i.user_id = ${viewer.userId} and i.status = 'pending')`
}

/** Lists, search, the feed and a club's talks: public, or the viewer is a member. Also: who sees a club's people. */
export function visibleClubCondition(viewer: Viewer): SQL<boolean> {
  if (!viewer) return sql<boolean>`${isPublic}`
  return sql<boolean>`(${isPublic} or ${clubMemberSql(viewer)})`
}

/** The club's page: public, or a member or invitee who is not banned. */
export function clubPageVisibleSql(viewer: Viewer): SQL<boolean> {
  if (!viewer) return sql<boolean>`${isPublic}`
  return sql<boolean>`(${isPublic} or (not ${clubBannedSql(viewer)} and (${clubMemberSql(viewer)} or ${clubInvitedSql(viewer)})))`
}

/** The club's real-time room: a signed-in viewer, not banned, of a club listed to them. */
export function clubRoomOpenSql(viewer: Viewer): SQL<boolean> {
  if (!viewer) return sql<boolean>`false`
  return sql<boolean>`(${visibleClubCondition(viewer)} and not ${clubBannedSql(viewer)})`
}

/** The viewer's standing in one club, with the checks above already decided by the database. */
export type ClubAccess = {
  club: typeof clubs.$inferSelect
  role: ClubRole | null
  banned: boolean
  invited: boolean
  following: boolean
  /** clubPageVisibleSql */
  pageVisible: boolean
  /** visibleClubCondition: the club's people show to this viewer. */
  seesPeople: boolean
}

export async function loadClubAccess(viewer: Viewer, where: SQL, tx: Transaction | Database = db): Promise<ClubAccess | null> {
  const [row] = await tx
    .select({
      club: clubs,
      role: viewer
        ? sql<ClubRole | null>`(select m.role from ${clubMembers} m where m.club_id = ${clubId} and m.user_id = ${viewer.userId})`
        : sql<ClubRole | null>`null`,
      banned: clubBannedSql(viewer),
      invited: clubInvitedSql(viewer),
      following: viewer
        ? sql<boolean>`exists (select 1 from ${clubFollows} f where f.club_id = ${clubId} and f.user_id = ${viewer.userId})`
        : sql<boolean>`false`,
      pageVisible: clubPageVisibleSql(viewer),
      seesPeople: visibleClubCondition(viewer),
    })
    .from(clubs)
    .where(where)
    .limit(1)
  return row ?? null
}

export const clubNotFound = () => new PublicError('We could not find that club. It may be private or the link may be wrong.', 404)

export const clubBySlug = (slug: string) => sql`lower(${clubs.slug}) = lower(${slug})`

/** Loads a club whose page the viewer may see, or answers 404 as if it did not exist. */
export async function requireVisibleClub(viewer: Viewer, slug: string, tx: Transaction | Database = db) {
  if (slug.length > 60) throw clubNotFound()
  const access = await loadClubAccess(viewer, clubBySlug(slug), tx)
  if (!access?.pageVisible) throw clubNotFound()
  return access
}

/** Loads a club the viewer may see and holds a role in that grants the permission; 401, 404 or 403 otherwise. */
export async function requireClubPermission(viewer: Viewer, slug: string, permission: ClubPermission, tx: Transaction | Database = db) {
  requireSignedIn(viewer)
  const access = await requireVisibleClub(viewer, slug, tx)
  if (!can(access.role, permission)) throw new PublicError('Only the club’s admins can do that.', 403)
  return access as ClubAccess & { role: ClubRole }
}

/** Whether a viewer may join the real-time room of a club (used by sockets, and re-checked on access changes). */
export async function canEnterClubRoom(viewer: Viewer, id: string) {
  if (!viewer || id.length > 60) return false
  const [row] = await db
    .select({ open: clubRoomOpenSql(viewer) })
    .from(clubs)
    .where(eq(clubs.id, id))
    .limit(1)
  return row?.open === true
}
