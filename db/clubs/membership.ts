import { and, eq } from 'drizzle-orm'
import { clubNotFound, requireSignedIn, requireVisibleClub } from '../access/index'
import { db } from '../client'
import { PublicError } from '../errors'
import { clubFollows, clubInvitations, clubMembers } from '../schema/index'
import type { Viewer } from '../viewer'
import { recordAccessChange } from '../access-changes'
import { audit } from './audit'

// Joining, leaving and following a club, done by the member themself.

/** Joins a public club, or a private one the viewer was invited to. */
export async function joinClub(viewer: Viewer, slug: string) {
  requireSignedIn(viewer)
  return db.transaction(async (tx) => {
    const access = await requireVisibleClub(viewer, slug, tx)
    if (access.role) return { slug: access.club.slug, joined: false }
    if (access.banned) throw new PublicError('The club’s admins have removed you from this club, so you cannot join it again.', 403)
    if (access.club.visibility === 'private' && !access.invited) throw clubNotFound()
    await tx.insert(clubMembers).values({ clubId: access.club.id, userId: viewer.userId }).onConflictDoNothing()
    if (access.invited) {
      await tx
        .update(clubInvitations)
        .set({ status: 'accepted', respondedAt: new Date() })
        .where(and(eq(clubInvitations.clubId, access.club.id), eq(clubInvitations.userId, viewer.userId), eq(clubInvitations.status, 'pending')))
    }
    await audit(tx, { clubId: access.club.id, actorId: viewer.userId, action: 'member.joined', targetUserId: viewer.userId })
    return { slug: access.club.slug, joined: true }
  })
}

export async function leaveClub(viewer: Viewer, slug: string) {
  requireSignedIn(viewer)
  await db.transaction(async (tx) => {
    const access = await requireVisibleClub(viewer, slug, tx)
    if (!access.role) return
    if (access.role === 'owner') {
      throw new PublicError('You own this club. Hand it over to another member before you leave.', 409)
    }
    await tx.delete(clubMembers).where(and(eq(clubMembers.clubId, access.club.id), eq(clubMembers.userId, viewer.userId)))
    await recordAccessChange(tx, { kind: 'club', clubId: access.club.id, userId: viewer.userId })
    await audit(tx, { clubId: access.club.id, actorId: viewer.userId, action: 'member.left', targetUserId: viewer.userId })
  })
}

export async function followClub(viewer: Viewer, slug: string) {
  requireSignedIn(viewer)
  const access = await requireVisibleClub(viewer, slug)
  if (access.banned) throw new PublicError('The club’s admins have removed you from this club, so you cannot follow it.', 403)
  await db.insert(clubFollows).values({ clubId: access.club.id, userId: viewer.userId }).onConflictDoNothing()
}

export async function unfollowClub(viewer: Viewer, slug: string) {
  requireSignedIn(viewer)
  const access = await requireVisibleClub(viewer, slug)
  await db.delete(clubFollows).where(and(eq(clubFollows.clubId, access.club.id), eq(clubFollows.userId, viewer.userId)))
}
