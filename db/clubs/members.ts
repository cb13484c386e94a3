import { and, desc, eq } from 'drizzle-orm'
import { activeUserSql, canActOn, canGrant, requireClubPermission, type ClubRole } from '../access/index'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { clubBans, clubFollows, clubInvitations, clubMembers, clubs, profiles } from '../schema/index'
import type { Viewer } from '../viewer'
import { recordAccessChange } from '../access-changes'
import { audit } from './audit'
import { cardOf } from './people'
import { findUserIdByHandle } from './invitations'

// Member management: roles, removal and bans, and the hand-over of ownership.

async function requireMember(tx: Transaction, clubId: string, handle: string) {
  const userId = await findUserIdByHandle(tx, handle)
  const [member] = await tx
    .select({ role: clubMembers.role })
    .from(clubMembers)
    .where(and(eq(clubMembers.clubId, clubId), eq(clubMembers.userId, userId)))
    .for('update')
  if (!member) throw new PublicError('That doctor is not a member of this club.', 404, 'handle')
  return { userId, role: member.role }
}

export async function changeMemberRole(viewer: Viewer, slug: string, handle: string, role: ClubRole) {
  await db.transaction(async (tx) => {
    const access = await requireClubPermission(viewer, slug, 'manage:roles', tx)
    const target = await requireMember(tx, access.club.id, handle)
    if (target.userId === viewer!.userId) throw new PublicError('You cannot change your own role.', 403)
    if (!canActOn(access.role, target.role) || !canGrant(access.role, role)) {
      throw new PublicError(role === 'owner' ? 'Use “Transfer ownership” to hand the club over.' : 'Your role cannot give or change that role.', 403)
    }
    if (target.role === role) return
    await tx.update(clubMembers).set({ role }).where(and(eq(clubMembers.clubId, access.club.id), eq(clubMembers.userId, target.userId)))
    await recordAccessChange(tx, { kind: 'club', clubId: access.club.id, userId: target.userId })
    await audit(tx, {
      clubId: access.club.id,
      actorId: viewer!.userId,
      action: 'member.role_changed',
      targetUserId: target.userId,
      details: { from: target.role, to: role },
    })
  })
}

export async function removeMember(viewer: Viewer, slug: string, handle: string, options: { ban: boolean }) {
  return db.transaction(async (tx) => {
    const access = await requireClubPermission(viewer, slug, 'manage:members', tx)
    const userId = await findUserIdByHandle(tx, handle)
    if (userId === viewer!.userId) throw new PublicError('To leave the club, use Leave on the club page.', 403)
    const [member] = await tx
      .select({ role: clubMembers.role })
      .from(clubMembers)
      .where(and(eq(clubMembers.clubId, access.club.id), eq(clubMembers.userId, userId)))
      .for('update')
    if (member && !canActOn(access.role, member.role)) throw new PublicError('Your role cannot remove that member.', 403)
    if (!member && !options.ban) throw new PublicError('That doctor is not a member of this club.', 404, 'handle')
    await tx.delete(clubMembers).where(and(eq(clubMembers.clubId, access.club.id), eq(clubMembers.userId, userId)))
    // Someone who may no longer see the club must not keep following it.
    if (options.ban || access.club.visibility === 'private') {
      await tx.delete(clubFollows).where(and(eq(clubFollows.clubId, access.club.id), eq(clubFollows.userId, userId)))
    }
    if (options.ban) {
      await tx.insert(clubBans).values({ clubId: access.club.id, userId, bannedBy: viewer!.userId }).onConflictDoNothing()
      await tx
        .update(clubInvitations)
        .set({ status: 'revoked', respondedAt: new Date() })
        .where(and(eq(clubInvitations.clubId, access.club.id), eq(clubInvitations.userId, userId), eq(clubInvitations.status, 'pending')))
    }
    await recordAccessChange(tx, { kind: 'club', clubId: access.club.id, userId })
    await audit(tx, {
      clubId: access.club.id,
      actorId: viewer!.userId,
      action: options.ban ? 'member.banned' : 'member.removed',
      targetUserId: userId,
    })
    return { userId }
  })
}

export async function liftBan(viewer: Viewer, slug: string, handle: string) {
  await db.transaction(async (tx) => {
    const access = await requireClubPermission(viewer, slug, 'manage:members', tx)
    const userId = await findUserIdByHandle(tx, handle)
    const rows = await tx
      .delete(clubBans)
      .where(and(eq(clubBans.clubId, access.club.id), eq(clubBans.userId, userId)))
      .returning({ userId: clubBans.userId })
    if (rows.length === 0) throw new PublicError('That doctor is not banned from this club.', 404, 'handle')
    await audit(tx, { clubId: access.club.id, actorId: viewer!.userId, action: 'member.unbanned', targetUserId: userId })
  })
}

export async function listBans(viewer: Viewer, slug: string) {
  const access = await requireClubPermission(viewer, slug, 'manage:members')
  const rows = await db
    .select({ profile: profiles, createdAt: clubBans.createdAt })
    .from(clubBans)
    .innerJoin(profiles, eq(profiles.userId, clubBans.userId))
    .where(and(eq(clubBans.clubId, access.club.id), activeUserSql(profiles.userId)))
    .orderBy(desc(clubBans.createdAt))
  return rows.map((r) => ({ person: cardOf(r.profile), createdAt: r.createdAt }))
}

/** The owner hands the club to another member, and becomes an admin. */
export async function transferOwnership(viewer: Viewer, slug: string, handle: string) {
  await db.transaction(async (tx) => {
    const access = await requireClubPermission(viewer, slug, 'transfer:club', tx)
    const target = await requireMember(tx, access.club.id, handle)
    if (target.userId === viewer!.userId) throw new PublicError('You already own this club.', 400, 'handle')
    await recordAccessChange(tx, [
      { kind: 'club', clubId: access.club.id, userId: viewer!.userId },
      { kind: 'club', clubId: access.club.id, userId: target.userId },
    ])
    await passOwnership(tx, { clubId: access.club.id, to: target.userId, from: viewer!.userId, actorId: viewer!.userId })
  })
}

/**
 * Makes a member the club's owner and writes it in the club's audit log: the one hand-over,
 * whether the owner chooses it (`transferOwnership`) or leaves Rounds (erasure, with no actor).
 * `from`, the owner who stays a member, becomes an admin; without it the old owner's
 * membership is left to the caller. The caller has checked who may do this.
 */
export async function passOwnership(
  tx: Transaction,
  input: { clubId: string; to: string; from: string | null; actorId: string | null; details?: Record<string, unknown>; at?: Date },
) {
  if (input.from) {
    await tx.update(clubMembers).set({ role: 'admin' }).where(and(eq(clubMembers.clubId, input.clubId), eq(clubMembers.userId, input.from)))
  }
  await tx.update(clubMembers).set({ role: 'owner' }).where(and(eq(clubMembers.clubId, input.clubId), eq(clubMembers.userId, input.to)))
  await tx.update(clubs).set({ ownerId: input.to }).where(eq(clubs.id, input.clubId))
  await audit(tx, {
    clubId: input.clubId,
    actorId: input.actorId,
    action: 'club.ownership_transferred',
    targetUserId: input.to,
    details: input.details,
    at: input.at,
  })
}
