import { randomBytes, randomUUID } from 'node:crypto'
import { and, asc, desc, eq, sql } from 'drizzle-orm'
import {
  activeUserSql,
  assertMayInviteToClub,
  can,
  canActOn,
  canGrant,
  clubBySlug,
  clubMemberSql,
  clubNotFound,
  listedToViewerSql,
  loadClubAccess,
  permissionsOf,
  presentToViewerSql,
  requireClubPermission,
  requireSignedIn,
  requireVisibleClub,
  visibleClubCondition,
  type ClubPermission,
  type ClubRole,
} from './access/index'
import { qualified } from './sql'
import { db, type Transaction } from './client'
import { PublicError, isUniqueViolation } from './errors'
import { photoUrl, type BasicCard } from './profiles'
import {
  clubAuditLog,
  clubBans,
  clubFollows,
  clubInvitations,
  clubInviteLinks,
  clubMembers,
  clubs,
  profiles,
} from './schema/index'
import type { Viewer } from './viewer'
import { recordAccessChange } from './access-changes'
import { enqueueSearchUpdate } from './search'

// The club rules live in db/access/clubs.ts; the talk and quiz modules still read this one from here.
export { visibleClubCondition } from './access/clubs'

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

const memberCountSql = sql<number>`(select count(*)::int from ${clubMembers} m where m.club_id = ${qualified(clubs.id)})`


function summaryColumns(viewer: Viewer) {
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
const toSummary = ({ coverPath, ...row }: SummaryRow): ClubSummary => ({ ...row, coverUrl: photoUrl(coverPath) })

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

async function audit(
  tx: Transaction,
  entry: { clubId: string; actorId: string | null; action: string; targetUserId?: string | null; details?: Record<string, unknown>; at?: Date },
) {
  await tx.insert(clubAuditLog).values({
    id: randomUUID(),
    clubId: entry.clubId,
    actorId: entry.actorId,
    action: entry.action,
    targetUserId: entry.targetUserId ?? null,
    details: entry.details ?? {},
    ...(entry.at ? { createdAt: entry.at } : {}),
  })
}

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

const RESERVED_SLUGS = new Set(['new', 'admin', 'join', 'settings', 'api', 'edit', 'members', 'followers'])

export type ClubInput = {
  name: string
  slug: string
  description: string
  specialities: string[]
  visibility: ClubVisibility
}

export async function createClub(viewer: Viewer, input: ClubInput, coverPath: string | null = null) {
  requireSignedIn(viewer)
  if (RESERVED_SLUGS.has(input.slug.toLowerCase())) throw new PublicError('That address is reserved. Choose another.', 409, 'slug')
  const id = randomUUID()
  try {
    await db.transaction(async (tx) => {
      await tx.insert(clubs).values({ id, ...input, coverPath, ownerId: viewer.userId })
      await tx.insert(clubMembers).values({ clubId: id, userId: viewer.userId, role: 'owner' })
      await audit(tx, { clubId: id, actorId: viewer.userId, action: 'club.created', details: { visibility: input.visibility } })
      await enqueueSearchUpdate(tx, { kind: 'club', id })
    })
  } catch (error) {
    if (isUniqueViolation(error, 'clubs_slug_key')) throw new PublicError('Another club already uses that address.', 409, 'slug')
    throw error
  }
  return { id, slug: input.slug }
}

export async function updateClub(viewer: Viewer, slug: string, input: ClubInput, cover?: { coverPath: string | null }) {
  if (RESERVED_SLUGS.has(input.slug.toLowerCase())) throw new PublicError('That address is reserved. Choose another.', 409, 'slug')
  try {
    return await db.transaction(async (tx) => {
      const access = await requireClubPermission(viewer, slug, 'edit:club', tx)
      await tx
        .update(clubs)
        .set({ ...input, ...(cover ?? {}) })
        .where(eq(clubs.id, access.club.id))
      await enqueueSearchUpdate(tx, { kind: 'club', id: access.club.id })
      // Turned private: whoever is no longer a member leaves its live rooms.
      if (input.visibility !== access.club.visibility) await recordAccessChange(tx, { kind: 'club', clubId: access.club.id })
      await audit(tx, {
        clubId: access.club.id,
        actorId: viewer!.userId,
        action: 'club.updated',
        details: { visibility: input.visibility, slug: input.slug },
      })
      const replaced = cover && access.club.coverPath !== cover.coverPath ? access.club.coverPath : null
      return { slug: input.slug, replacedCover: replaced }
    })
  } catch (error) {
    if (isUniqueViolation(error, 'clubs_slug_key')) throw new PublicError('Another club already uses that address.', 409, 'slug')
    throw error
  }
}

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

function cardOf(profile: typeof profiles.$inferSelect): BasicCard {
  return { handle: profile.handle, name: profile.name, photoUrl: photoUrl(profile.photoPath), speciality: profile.speciality }
}

// ---------------------------------------------------------------- invite links

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
    return { slug: access.club.slug, talkId: link.talkId, joined: true }
  })
}

// ---------------------------------------------------------------- invitations

/** A person by handle; a deactivated or erased account answers exactly as an unknown handle. */
async function findUserIdByHandle(tx: Transaction | typeof db, handle: string) {
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

// ---------------------------------------------------------------- member management

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

export type AuditEntry = {
  id: string
  action: string
  actor: { handle: string; name: string } | null
  target: { handle: string; name: string } | null
  details: Record<string, unknown>
  createdAt: Date
}

export async function listAuditLog(viewer: Viewer, slug: string, limit = 100): Promise<AuditEntry[]> {
  const access = await requireClubPermission(viewer, slug, 'read:audit')
  const rows = await db
    .select({
      id: clubAuditLog.id,
      action: clubAuditLog.action,
      details: clubAuditLog.details,
      createdAt: clubAuditLog.createdAt,
      actorHandle: sql<string | null>`case when ${activeUserSql(clubAuditLog.actorId)} then (select handle from ${profiles} where user_id = ${qualified(clubAuditLog.actorId)}) end`,
      actorName: sql<string | null>`(select name from ${profiles} where user_id = ${qualified(clubAuditLog.actorId)})`,
      targetHandle: sql<string | null>`case when ${activeUserSql(clubAuditLog.targetUserId)} then (select handle from ${profiles} where user_id = ${qualified(clubAuditLog.targetUserId)}) end`,
      targetName: sql<string | null>`(select name from ${profiles} where user_id = ${qualified(clubAuditLog.targetUserId)})`,
    })
    .from(clubAuditLog)
    .where(eq(clubAuditLog.clubId, access.club.id))
    .orderBy(desc(clubAuditLog.createdAt))
    .limit(limit)
  return rows.map((r) => ({
    id: r.id,
    action: r.action,
    details: r.details,
    createdAt: r.createdAt,
    // A deactivated or erased person is no one here: no handle, so no name either.
    actor: r.actorHandle ? { handle: r.actorHandle, name: r.actorName ?? '' } : null,
    target: r.targetHandle ? { handle: r.targetHandle, name: r.targetName ?? '' } : null,
  }))
}
