import { randomUUID } from 'node:crypto'
import { and, desc, eq, sql } from 'drizzle-orm'
import { activeUserSql, assertMayInviteToClub, requireClubPermission, requireSignedIn } from '../access/index'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { checkPostingAllowed } from '../moderation/limits'
import { notify } from '../notifications'
import { clubBans, clubInvitations, clubMembers, clubs, profiles } from '../schema/index'
import type { Viewer } from '../viewer'
import { audit } from './audit'
import { cardOf } from './people'

// Invitations by handle: admins invite and cancel, the invitee sees and declines them.

/** A person by handle; a deactivated or erased account answers exactly as an unknown handle. */
export async function findUserIdByHandle(tx: Transaction | typeof db, handle: string) {
  const [row] = await tx
    .select({ userId: profiles.userId })
    .from(profiles)
    .where(and(sql`lower(${profiles.handle}) = lower(${handle})`, activeUserSql(profiles.userId)))
  if (!row) throw new PublicError('No doctor on Rounds has that handle.', 404, 'handle')
  return row.userId
}

export async function inviteToClub(viewer: Viewer, slug: string, handle: string) {
  await db.transaction(async (tx) => {
    const access = await requireClubPermission(viewer, slug, 'manage:members', tx)
    await checkPostingAllowed(tx, viewer!.userId, 'club_invitation')
    const userId = await findUserIdByHandle(tx, handle)
    await assertMayInviteToClub(tx, viewer!, userId)
    const [member] = await tx
      .select({ userId: clubMembers.userId })
      .from(clubMembers)
      .where(and(eq(clubMembers.clubId, access.club.id), eq(clubMembers.userId, userId)))
    if (member) throw new PublicError('That doctor is already a member.', 409, 'handle')
    const [banned] = await tx
      .select({ userId: clubBans.userId })
      .from(clubBans)
      .where(and(eq(clubBans.clubId, access.club.id), eq(clubBans.userId, userId)))
    if (banned) throw new PublicError('That doctor is banned from this club. Lift the ban first.', 409, 'handle')
    const inserted = await tx
      .insert(clubInvitations)
      .values({ id: randomUUID(), clubId: access.club.id, userId, invitedBy: viewer!.userId })
      .onConflictDoNothing()
      .returning({ id: clubInvitations.id })
    if (inserted.length === 0) throw new PublicError('That doctor already has an invitation waiting.', 409, 'handle')
    await audit(tx, { clubId: access.club.id, actorId: viewer!.userId, action: 'member.invited', targetUserId: userId })
    await notify(tx, { recipientId: userId, kind: 'club_invitation', actorId: viewer!.userId, target: { type: 'club', id: access.club.id } })
  })
}

export async function listPendingInvitations(viewer: Viewer, slug: string) {
  const access = await requireClubPermission(viewer, slug, 'manage:members')
  const rows = await db
    .select({ id: clubInvitations.id, profile: profiles, createdAt: clubInvitations.createdAt })
    .from(clubInvitations)
    .innerJoin(profiles, eq(profiles.userId, clubInvitations.userId))
    .where(and(eq(clubInvitations.clubId, access.club.id), eq(clubInvitations.status, 'pending'), activeUserSql(profiles.userId)))
    .orderBy(desc(clubInvitations.createdAt))
  return rows.map((r) => ({ id: r.id, person: cardOf(r.profile), createdAt: r.createdAt }))
}

export async function cancelInvitation(viewer: Viewer, slug: string, invitationId: string) {
  await db.transaction(async (tx) => {
    const access = await requireClubPermission(viewer, slug, 'manage:members', tx)
    const rows = await tx
      .update(clubInvitations)
      .set({ status: 'revoked', respondedAt: new Date() })
      .where(and(eq(clubInvitations.id, invitationId), eq(clubInvitations.clubId, access.club.id), eq(clubInvitations.status, 'pending')))
      .returning({ userId: clubInvitations.userId })
    if (rows.length === 0) throw new PublicError('That invitation is not waiting in this club.', 404)
    await audit(tx, { clubId: access.club.id, actorId: viewer!.userId, action: 'member.invitation_cancelled', targetUserId: rows[0].userId })
  })
}

/** Invitations waiting for the viewer. */
export async function listMyInvitations(viewer: Viewer) {
  if (!viewer) return []
  const rows = await db
    .select({ id: clubInvitations.id, club: { slug: clubs.slug, name: clubs.name, visibility: clubs.visibility }, createdAt: clubInvitations.createdAt })
    .from(clubInvitations)
    .innerJoin(clubs, eq(clubs.id, clubInvitations.clubId))
    .where(and(eq(clubInvitations.userId, viewer.userId), eq(clubInvitations.status, 'pending')))
    .orderBy(desc(clubInvitations.createdAt))
  return rows
}

export async function declineInvitation(viewer: Viewer, slug: string) {
  requireSignedIn(viewer)
  const rows = await db
    .update(clubInvitations)
    .set({ status: 'declined', respondedAt: new Date() })
    .where(
      and(
        eq(clubInvitations.userId, viewer.userId),
        eq(clubInvitations.status, 'pending'),
        sql`${clubInvitations.clubId} = (select id from ${clubs} where lower(slug) = lower(${slug}))`,
      ),
    )
    .returning({ id: clubInvitations.id })
  if (rows.length === 0) throw new PublicError('You have no invitation waiting from that club.', 404)
}
