import { randomBytes, randomUUID } from 'node:crypto'
import { and, desc, eq, sql } from 'drizzle-orm'
import { loadClubAccess, requireClubPermission, requireSignedIn } from '../access/index'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { notifyClubAdmins } from '../notifications'
import { clubInvitations, clubInviteLinks, clubMembers, clubs } from '../schema/index'
import type { Viewer } from '../viewer'
import { memberCountSql, type ClubVisibility } from './summaries'
import { audit } from './audit'

// Invite links: admins make, list, revoke and rotate them; their holders preview and join.

export type InviteLink = {
  id: string
  token: string
  talkId: string | null
  createdAt: Date
  expiresAt: Date | null
  maxUses: number | null
  uses: number
  revokedAt: Date | null
  state: 'active' | 'expired' | 'used-up' | 'revoked'
}

function linkState(link: typeof clubInviteLinks.$inferSelect, now = new Date()): InviteLink['state'] {
  if (link.revokedAt) return 'revoked'
  if (link.expiresAt && link.expiresAt <= now) return 'expired'
  if (link.maxUses !== null && link.uses >= link.maxUses) return 'used-up'
  return 'active'
}

/** 192 random bits, URL-safe. */
const newToken = () => randomBytes(24).toString('base64url')

export async function createInviteLink(
  viewer: Viewer,
  slug: string,
  options: { expiresAt: Date | null; maxUses: number | null; talkId?: string | null },
) {
  return db.transaction(async (tx) => {
    const access = await requireClubPermission(viewer, slug, 'manage:invites', tx)
    const link = {
      id: randomUUID(),
      clubId: access.club.id,
      token: newToken(),
      talkId: options.talkId ?? null,
      createdBy: viewer!.userId,
      expiresAt: options.expiresAt,
      maxUses: options.maxUses,
    }
    await tx.insert(clubInviteLinks).values(link)
    await audit(tx, {
      clubId: access.club.id,
      actorId: viewer!.userId,
      action: 'invite_link.created',
      details: { linkId: link.id, expiresAt: options.expiresAt?.toISOString() ?? null, maxUses: options.maxUses },
    })
    return { id: link.id, token: link.token }
  })
}

export async function listInviteLinks(viewer: Viewer, slug: string): Promise<InviteLink[]> {
  const access = await requireClubPermission(viewer, slug, 'manage:invites')
  const rows = await db
    .select()
    .from(clubInviteLinks)
    .where(eq(clubInviteLinks.clubId, access.club.id))
    .orderBy(desc(clubInviteLinks.createdAt))
  return rows.map((r) => ({
    id: r.id,
    token: r.token,
    talkId: r.talkId,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    maxUses: r.maxUses,
    uses: r.uses,
    revokedAt: r.revokedAt,
    state: linkState(r),
  }))
}

async function requireOwnLink(tx: Transaction, clubId: string, linkId: string) {
  const [link] = await tx
    .select()
    .from(clubInviteLinks)
    .where(and(eq(clubInviteLinks.id, linkId), eq(clubInviteLinks.clubId, clubId)))
    .for('update')
  if (!link) throw new PublicError('That invite link does not belong to this club.', 404)
  return link
}

export async function revokeInviteLink(viewer: Viewer, slug: string, linkId: string) {
  await db.transaction(async (tx) => {
    const access = await requireClubPermission(viewer, slug, 'manage:invites', tx)
    const link = await requireOwnLink(tx, access.club.id, linkId)
    if (link.revokedAt) return
    await tx.update(clubInviteLinks).set({ revokedAt: new Date() }).where(eq(clubInviteLinks.id, link.id))
    await audit(tx, { clubId: access.club.id, actorId: viewer!.userId, action: 'invite_link.revoked', details: { linkId } })
  })
}

/** Revokes a link and issues a new one with the same limits. */
export async function rotateInviteLink(viewer: Viewer, slug: string, linkId: string) {
  return db.transaction(async (tx) => {
    const access = await requireClubPermission(viewer, slug, 'manage:invites', tx)
    const link = await requireOwnLink(tx, access.club.id, linkId)
    const now = new Date()
    if (!link.revokedAt) await tx.update(clubInviteLinks).set({ revokedAt: now }).where(eq(clubInviteLinks.id, link.id))
    const fresh = {
      id: randomUUID(),
      clubId: access.club.id,
      token: newToken(),
      talkId: link.talkId,
      createdBy: viewer!.userId,
      expiresAt: link.expiresAt && link.expiresAt > now ? link.expiresAt : null,
      maxUses: link.maxUses,
    }
    await tx.insert(clubInviteLinks).values(fresh)
    await audit(tx, {
      clubId: access.club.id,
      actorId: viewer!.userId,
      action: 'invite_link.rotated',
      details: { oldLinkId: link.id, newLinkId: fresh.id },
    })
    return { id: fresh.id, token: fresh.token }
  })
}

const linkRefusal = (state: InviteLink['state']) =>
  ({
    revoked: new PublicError('This invite link has been revoked. Ask the club’s admins for a new one.', 410),
    expired: new PublicError('This invite link has expired. Ask the club’s admins for a new one.', 410),
    'used-up': new PublicError('This invite link has been used as many times as allowed. Ask the club’s admins for a new one.', 410),
    active: null,
  })[state]

export type InvitePreview = {
  club: { slug: string; name: string; description: string; visibility: ClubVisibility; memberCount: number }
  talkId: string | null
  alreadyMember: boolean
}

/** What the holder of an invite link may see before joining. */
export async function previewInviteLink(viewer: Viewer, token: string): Promise<InvitePreview> {
  if (token.length > 100) throw new PublicError('This invite link is not valid. Check that you copied all of it.', 404)
  const [row] = await db
    .select({ link: clubInviteLinks, club: clubs, memberCount: memberCountSql })
    .from(clubInviteLinks)
    .innerJoin(clubs, eq(clubs.id, clubInviteLinks.clubId))
    .where(eq(clubInviteLinks.token, token))
  if (!row) throw new PublicError('This invite link is not valid. Check that you copied all of it.', 404)
  let alreadyMember = false
  if (viewer) {
    const access = await loadClubAccess(viewer, eq(clubs.id, row.club.id))
    alreadyMember = access?.role != null
    if (access?.banned) throw new PublicError('The club’s admins have removed you from this club, so this link does not work for you.', 403)
  }
  // A member reopening an old link is simply sent on to the club.
  const refusal = alreadyMember ? null : linkRefusal(linkState(row.link))
  if (refusal) throw refusal
  return {
    club: {
      slug: row.club.slug,
      name: row.club.name,
      description: row.club.description,
      visibility: row.club.visibility,
      memberCount: row.memberCount,
    },
    talkId: row.link.talkId,
    alreadyMember,
  }
}

/** Joins the club behind an invite link; the link's use is counted once per new member. */
export async function joinByInviteLink(viewer: Viewer, token: string) {
  requireSignedIn(viewer)
  if (token.length > 100) throw new PublicError('This invite link is not valid. Check that you copied all of it.', 404)
  return db.transaction(async (tx) => {
    const [link] = await tx.select().from(clubInviteLinks).where(eq(clubInviteLinks.token, token)).for('update')
    if (!link) throw new PublicError('This invite link is not valid. Check that you copied all of it.', 404)
    const access = await loadClubAccess(viewer, eq(clubs.id, link.clubId), tx)
    if (!access) throw new PublicError('This invite link is not valid. Check that you copied all of it.', 404)
    if (access.role) return { slug: access.club.slug, talkId: link.talkId, joined: false }
    const refusal = linkRefusal(linkState(link))
    if (refusal) throw refusal
    if (access.banned) throw new PublicError('The club’s admins have removed you from this club, so this link does not work for you.', 403)
    await tx.update(clubInviteLinks).set({ uses: sql`${clubInviteLinks.uses} + 1` }).where(eq(clubInviteLinks.id, link.id))
    await tx.insert(clubMembers).values({ clubId: link.clubId, userId: viewer.userId })
    await tx
      .update(clubInvitations)
      .set({ status: 'accepted', respondedAt: new Date() })
      .where(and(eq(clubInvitations.clubId, link.clubId), eq(clubInvitations.userId, viewer.userId), eq(clubInvitations.status, 'pending')))
    await audit(tx, {
      clubId: link.clubId,
      actorId: viewer.userId,
      action: 'member.joined_by_link',
      targetUserId: viewer.userId,
      details: { linkId: link.id },
    })
    await notifyClubAdmins(tx, { clubId: link.clubId, kind: 'club_joined_by_link', actorId: viewer.userId })
    return { slug: access.club.slug, talkId: link.talkId, joined: true }
  })
}
