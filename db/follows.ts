import { and, asc, desc, eq, sql } from 'drizzle-orm'
import { db } from './client'
import { PublicError } from './errors'
import { checkPostingAllowed } from './moderation/limits'
import { notify } from './notifications'
import { photoUrl, type BasicCard, type FollowState } from './profiles'

export type { FollowState }
import { follows, profiles } from './schema/index'
import type { Viewer } from './viewer'
import { activeUserSql, blockedBetweenSql, listedToViewerSql, listsVisibleSql, lockPersonPair, presentToViewerSql } from './access/index'


/** A doctor by handle; a deactivated account is found only by its owner. */
async function findPerson(handle: string, viewer: Viewer = null) {
  const [row] = await db
    .select({ userId: profiles.userId, visibility: profiles.visibility, name: profiles.name })
    .from(profiles)
    .where(and(sql`lower(${profiles.handle}) = lower(${handle})`, presentToViewerSql(viewer, profiles.userId)))
    .limit(1)
  if (!row) throw new PublicError('No doctor on Rounds has that handle.', 404)
  return row
}

function requireSignedIn(viewer: Viewer): asserts viewer is NonNullable<Viewer> {
  if (!viewer) throw new PublicError('Sign in to follow doctors and clubs.', 401)
}

export async function getFollowState(viewer: Viewer, handle: string): Promise<FollowState> {
  if (!viewer) return 'none'
  const person = await findPerson(handle, viewer)
  if (person.userId === viewer.userId) return 'self'
  const [row] = await db
    .select({ status: follows.status })
    .from(follows)
    .where(and(eq(follows.followerId, viewer.userId), eq(follows.followeeId, person.userId)))
  if (!row) return 'none'
  return row.status === 'approved' ? 'following' : 'pending'
}

/** Follows a doctor; a private profile gets a request instead. Repeating it changes nothing. */
export async function followUser(viewer: Viewer, handle: string): Promise<FollowState> {
  requireSignedIn(viewer)
  const person = await findPerson(handle, viewer)
  if (person.userId === viewer.userId) throw new PublicError('You cannot follow yourself.', 400)
  const status = person.visibility === 'private' ? 'pending' : 'approved'
  await db.transaction(async (tx) => {
    await checkPostingAllowed(tx, viewer.userId, 'follow')
    // A block made since the look-up above wins: read again after the pair's lock (db/blocks.ts).
    await lockPersonPair(tx, viewer.userId, person.userId)
    const [blocked] = await tx.execute<{ yes: boolean }>(sql`select ${blockedBetweenSql(viewer.userId, sql`${person.userId}::text`)} as yes`)
    if (blocked?.yes) throw new PublicError('No doctor on Rounds has that handle.', 404)
    const inserted = await tx
      .insert(follows)
      .values({
        followerId: viewer.userId,
        followeeId: person.userId,
        status,
        approvedAt: status === 'approved' ? new Date() : null,
      })
      .onConflictDoNothing()
      .returning({ followerId: follows.followerId })
    if (inserted.length === 0) return
    await notify(tx, {
      recipientId: person.userId,
      kind: status === 'approved' ? 'follow' : 'follow_request',
      actorId: viewer.userId,
      target: { type: 'user', id: person.userId },
    })
  })
  return getFollowState(viewer, handle)
}

/** Unfollows, or withdraws a pending request. */
export async function unfollowUser(viewer: Viewer, handle: string) {
  requireSignedIn(viewer)
  const person = await findPerson(handle, viewer)
  await db.delete(follows).where(and(eq(follows.followerId, viewer.userId), eq(follows.followeeId, person.userId)))
}

export type FollowRequest = BasicCard & { requestedAt: Date }

export async function listFollowRequests(viewer: Viewer): Promise<FollowRequest[]> {
  requireSignedIn(viewer)
  const rows = await db
    .select({ profile: profiles, requestedAt: follows.createdAt })
    .from(follows)
    .innerJoin(profiles, eq(profiles.userId, follows.followerId))
    .where(and(eq(follows.followeeId, viewer.userId), eq(follows.status, 'pending'), activeUserSql(follows.followerId)))
    .orderBy(desc(follows.createdAt))
  return rows.map((r) => ({
    handle: r.profile.handle,
    name: r.profile.name,
    photoUrl: photoUrl(r.profile.photoPath),
    speciality: r.profile.speciality,
    requestedAt: r.requestedAt,
  }))
}

export async function countFollowRequests(viewer: Viewer) {
  if (!viewer) return 0
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(follows)
    .where(and(eq(follows.followeeId, viewer.userId), eq(follows.status, 'pending'), activeUserSql(follows.followerId)))
  return row?.n ?? 0
}

/** Approves or declines someone's request to follow the viewer. */
export async function respondToFollowRequest(viewer: Viewer, followerHandle: string, approve: boolean) {
  requireSignedIn(viewer)
  const follower = await findPerson(followerHandle, viewer)
  const where = and(
    eq(follows.followerId, follower.userId),
    eq(follows.followeeId, viewer.userId),
    eq(follows.status, 'pending'),
  )
  await db.transaction(async (tx) => {
    const rows = approve
      ? await tx.update(follows).set({ status: 'approved', approvedAt: new Date() }).where(where).returning({ id: follows.followerId })
      : await tx.delete(follows).where(where).returning({ id: follows.followerId })
    if (rows.length === 0) throw new PublicError('That request is no longer waiting for you.', 404)
    if (approve) {
      await notify(tx, { recipientId: follower.userId, kind: 'follow_approved', actorId: viewer.userId, target: { type: 'user', id: follower.userId } })
    }
  })
}

/** Removes someone from the viewer's followers. */
export async function removeFollower(viewer: Viewer, followerHandle: string) {
  requireSignedIn(viewer)
  const follower = await findPerson(followerHandle, viewer)
  await db.delete(follows).where(and(eq(follows.followerId, follower.userId), eq(follows.followeeId, viewer.userId)))
}

export type PersonList = { people: BasicCard[]; hiddenCount: number; total: number }

/**
 * Followers or following of a doctor, as the viewer may see them: a private
 * profile's lists only to itself and its approved followers; inside any list,
 * people with private profiles only to themselves and their approved followers.
 */
async function listPeople(
  viewer: Viewer,
  handle: string,
  direction: 'followers' | 'following',
  page: { limit: number; offset: number },
): Promise<PersonList | null> {
  const [owner] = await db
    .select({
      userId: profiles.userId,
      listsVisible: sql<boolean>`${listsVisibleSql(viewer, profiles.userId, profiles.visibility)}`,
    })
    .from(profiles)
    .where(and(sql`lower(${profiles.handle}) = lower(${handle})`, presentToViewerSql(viewer, profiles.userId)))
  if (!owner) throw new PublicError('No doctor on Rounds has that handle.', 404)
  if (!owner.listsVisible) return null
  const anchor = direction === 'followers' ? follows.followeeId : follows.followerId
  const other = direction === 'followers' ? follows.followerId : follows.followeeId
  // The owner of the lists knows everyone in them; others see what db/visibility.ts allows.
  const listed = viewer?.userId === owner.userId ? sql`true` : listedToViewerSql(viewer, profiles.userId, profiles.visibility)
  // Deactivated accounts are not in anyone's list, nor in its counts.
  const base = and(eq(anchor, owner.userId), eq(follows.status, 'approved'), presentToViewerSql(viewer, profiles.userId))
  const [counts] = await db
    .select({
      total: sql<number>`count(*)::int`,
      listed: sql<number>`count(*) filter (where ${listed})::int`,
    })
    .from(follows)
    .innerJoin(profiles, eq(profiles.userId, other))
    .where(base)
  const rows = await db
    .select({ profile: profiles })
    .from(follows)
    .innerJoin(profiles, eq(profiles.userId, other))
    .where(and(base, listed))
    .orderBy(asc(profiles.name))
    .limit(page.limit)
    .offset(page.offset)
  return {
    people: rows.map(({ profile }) => ({
      handle: profile.handle,
      name: profile.name,
      photoUrl: photoUrl(profile.photoPath),
      speciality: profile.speciality,
    })),
    hiddenCount: (counts?.total ?? 0) - (counts?.listed ?? 0),
    total: counts?.total ?? 0,
  }
}

export function listFollowers(viewer: Viewer, handle: string, page = { limit: 50, offset: 0 }) {
  return listPeople(viewer, handle, 'followers', page)
}

export function listFollowing(viewer: Viewer, handle: string, page = { limit: 50, offset: 0 }) {
  return listPeople(viewer, handle, 'following', page)
}

export async function followCounts(handle: string) {
  const person = await findPerson(handle)
  const [row] = await db
    .select({
      followers: sql<number>`count(*) filter (where ${follows.followeeId} = ${person.userId})::int`,
      following: sql<number>`count(*) filter (where ${follows.followerId} = ${person.userId})::int`,
    })
    .from(follows)
    .where(
      and(
        eq(follows.status, 'approved'),
        sql`(${follows.followeeId} = ${person.userId} or ${follows.followerId} = ${person.userId})`,
      ),
    )
  return row ?? { followers: 0, following: 0 }
}
