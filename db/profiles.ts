import { and, asc, eq, ne, sql } from 'drizzle-orm'
import { qualified } from './sql'
import { db, preparedStatement, type Database } from './client'
import { PublicError, isUniqueViolation } from './errors'
import { follows, personRelations, profiles, users } from './schema/index'
import { recordWatchedWordHit, screenText } from './moderation/watched-words'
import { enqueueSearchUpdate } from './search'
import type { Viewer } from './viewer'
import { activeUserSql, fullProfileVisibleSql, indexableProfileSql, listsVisibleSql, presentToViewerSql } from './access/index'
import { photoUrl } from './photos'

export type ProfileVisibility = 'public' | 'private'

/** What anyone may see of any profile: name, photo, speciality. */
export type BasicCard = {
  handle: string
  name: string
  photoUrl: string | null
  speciality: string | null
}

export type FullProfile = BasicCard & {
  city: string | null
  interests: string[]
  bio: string | null
  visibility: ProfileVisibility
}

export type OwnProfile = FullProfile & { registrationNumber: string | null; email: string }

export type ProfileView =
  | { kind: 'own'; profile: OwnProfile }
  | { kind: 'full'; profile: FullProfile }
  | { kind: 'card'; profile: BasicCard; reason: 'private' | 'signed-out' }

export { photoUrl }

type ProfileRow = typeof profiles.$inferSelect

const toCard = (row: ProfileRow): BasicCard => ({
  handle: row.handle,
  name: row.name,
  photoUrl: photoUrl(row.photoPath),
  speciality: row.speciality,
})

const toFull = (row: ProfileRow): FullProfile => ({
  ...toCard(row),
  city: row.city,
  interests: row.interests,
  bio: row.bio,
  visibility: row.visibility,
})

/**
 * How a profile reads to a viewer: the one rule (see db/access/people.ts), read by the profile
 * page's query below. The registration number never leaves this module except to its owner; a
 * private profile is a basic card to everyone but its approved followers.
 */
export async function getProfileForViewer(viewer: Viewer, handle: string): Promise<ProfileView | null> {
  return (await getProfilePage(viewer, handle))?.view ?? null
}

export async function getOwnProfile(userId: string): Promise<OwnProfile> {
  const [row] = await db
    .select({ profile: profiles, email: users.email })
    .from(profiles)
    .innerJoin(users, eq(users.id, profiles.userId))
    .where(eq(profiles.userId, userId))
  if (!row) throw new PublicError('We could not find your profile.', 404)
  return { ...toFull(row.profile), registrationNumber: row.profile.registrationNumber, email: row.email }
}

export type ProfileUpdate = {
  handle: string
  name: string
  speciality: string | null
  city: string | null
  interests: string[]
  bio: string | null
  registrationNumber: string | null
  visibility: ProfileVisibility
}

/**
 * Saves the profile and, when given, the new photo, in one transaction.
 * Returns the previous photo's file name when it was replaced, for the caller to delete, and
 * `held` when a watched word in the bio holds the profile back for review.
 */
export async function updateProfile(
  userId: string,
  update: ProfileUpdate,
  photo?: { photoPath: string | null },
): Promise<{ replacedPhoto: string | null; held?: true }> {
  // A watched word in the bio: blocked before anything is written, or held or flagged once saved.
  const hit = await screenText([update.bio], 'bio')
  try {
    return await db.transaction(async (tx) => {
      const [clash] = await tx
        .select({ userId: profiles.userId })
        .from(profiles)
        .where(and(sql`lower(${profiles.handle}) = lower(${update.handle})`, ne(profiles.userId, userId)))
      if (clash) throw new PublicError('That handle is taken. Try another.', 409, 'handle')
      const [before] = await tx
        .select({ photoPath: profiles.photoPath, bio: profiles.bio })
        .from(profiles)
        .where(eq(profiles.userId, userId))
        .for('update')
      if (!before) throw new PublicError('We could not find your profile.', 404)
      await tx
        .update(profiles)
        .set({ ...update, ...(photo ?? {}), updatedAt: new Date() })
        .where(eq(profiles.userId, userId))
      await enqueueSearchUpdate(tx, { kind: 'profile', id: userId })
      const { held } = await recordWatchedWordHit(tx, hit, {
        kind: 'person',
        id: userId,
        authorId: userId,
        clubId: null,
        talkId: null,
        pageText: { next: update.bio ?? '', shownMeanwhile: before.bio },
      })
      const replaced = photo && before.photoPath !== photo.photoPath ? before.photoPath : null
      return held ? { replacedPhoto: replaced, held: true as const } : { replacedPhoto: replaced }
    })
  } catch (error) {
    if (isUniqueViolation(error, 'profiles_handle_key')) {
      throw new PublicError('That handle is taken. Try another.', 409, 'handle')
    }
    throw error
  }
}

/** Doctors to show on the front page: everyone the viewer may know of, as a basic card, in name order. */
export async function listDoctorCards(viewer: Viewer, limit = 12): Promise<BasicCard[]> {
  const rows = await db
    .select()
    .from(profiles)
    .innerJoin(users, eq(users.id, profiles.userId))
    .where(and(sql`${users.emailVerifiedAt} is not null`, presentToViewerSql(viewer, profiles.userId), eq(profiles.discoverable, true)))
    .orderBy(asc(profiles.name))
    .limit(limit)
  return rows.map((r) => toCard(r.profiles))
}

export async function countDoctors() {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(sql`${users.emailVerifiedAt} is not null`)
  return row?.n ?? 0
}

/** What the page header shows for the signed-in person, in one query. */
export async function getNavIdentity(userId: string) {
  const [row] = await db
    .select({
      handle: profiles.handle,
      name: profiles.name,
      photoPath: profiles.photoPath,
      pendingFollowRequests: sql<number>`(select count(*)::int from ${follows} f where f.followee_id = ${qualified(profiles.userId)} and f.status = 'pending' and ${activeUserSql(sql`f.follower_id`)})`,
    })
    .from(profiles)
    .where(eq(profiles.userId, userId))
  return row
    ? { handle: row.handle, name: row.name, photoUrl: photoUrl(row.photoPath), pendingFollowRequests: row.pendingFollowRequests }
    : null
}

export type FollowState = 'self' | 'none' | 'pending' | 'following'

export type ProfilePage = {
  view: ProfileView
  followState: FollowState
  /** Follower and following counts, only for those who may open the lists. */
  counts: { followers: number; following: number } | null
  /** Pending follow requests, for the owner. */
  pendingRequests: number
  /** A public profile may be described in share tags; a private one never. */
  shareable: boolean
  /** Search engines may list the page (db/access/people.ts `indexableProfileSql`); otherwise it says noindex. */
  indexable: boolean
  /** The viewer has muted this person (db/blocks.ts). */
  muted: boolean
}

/**
 * The profile page's one query, built once for signed-in viewers and once for visitors. The
 * viewer's id is a placeholder: the visibility rules (db/access/people.ts) are the same SQL for
 * everyone, only the value differs.
 */
function profilePageQuery(database: Database, signedIn: boolean) {
  const uid = sql.placeholder('uid')
  const viewer: Viewer = signedIn ? { userId: uid as unknown as string, role: 'member' } : null
  return database
    .select({
      profile: profiles,
      email: users.email,
      indexable: indexableProfileSql,
      fullVisible: sql<boolean>`${fullProfileVisibleSql(viewer, profiles.userId, profiles.visibility)}`,
      listsVisible: sql<boolean>`${listsVisibleSql(viewer, profiles.userId, profiles.visibility)}`,
      followStatus: sql<string | null>`(select f.status::text from ${follows} f where f.follower_id = ${uid} and f.followee_id = ${qualified(profiles.userId)})`,
      // Deactivated, or a block either way: the person is not found, for anyone but themselves.
      present: sql<boolean>`${presentToViewerSql(viewer, profiles.userId)}`,
      muted: signedIn
        ? sql<boolean>`exists (select 1 from ${personRelations} pr where pr.user_id = ${uid} and pr.other_id = ${qualified(profiles.userId)} and pr.kind = 'mute')`
        : sql<boolean>`false`,
      // Counted as the lists count them: without people gone, or hidden from the viewer by a block.
      followers: sql<number>`(select count(*)::int from ${follows} f where f.followee_id = ${qualified(profiles.userId)} and f.status = 'approved' and ${presentToViewerSql(viewer, sql`f.follower_id`)})`,
      following: sql<number>`(select count(*)::int from ${follows} f where f.follower_id = ${qualified(profiles.userId)} and f.status = 'approved' and ${presentToViewerSql(viewer, sql`f.followee_id`)})`,
      pending: sql<number>`case when ${profiles.userId} = ${uid} then (select count(*)::int from ${follows} f where f.followee_id = ${qualified(profiles.userId)} and f.status = 'pending' and ${activeUserSql(sql`f.follower_id`)}) else 0 end`,
    })
    .from(profiles)
    .innerJoin(users, eq(users.id, profiles.userId))
    .where(sql`lower(${profiles.handle}) = lower(${sql.placeholder('handle')})`)
    .limit(1)
    .prepare(signedIn ? 'profile_page_signed_in' : 'profile_page_visitor')
}
const profilePageForMember = preparedStatement((database) => profilePageQuery(database, true))
const profilePageForVisitor = preparedStatement((database) => profilePageQuery(database, false))

export async function getProfilePage(viewer: Viewer, handle: string): Promise<ProfilePage | null> {
  const statement = viewer ? profilePageForMember() : profilePageForVisitor()
  const [row] = await statement.execute({ uid: viewer?.userId ?? '', handle })
  if (!row) return null
  const own = viewer?.userId === row.profile.userId
  if (!row.present && !own) return null
  const view: ProfileView = own
    ? { kind: 'own', profile: { ...toFull(row.profile), registrationNumber: row.profile.registrationNumber, email: row.email } }
    : row.fullVisible
      ? { kind: 'full', profile: toFull(row.profile) }
      : { kind: 'card', profile: toCard(row.profile), reason: viewer ? 'private' : 'signed-out' }
  return {
    view,
    followState: own ? 'self' : row.followStatus === 'approved' ? 'following' : row.followStatus === 'pending' ? 'pending' : 'none',
    counts: view.kind === 'card' || !row.listsVisible ? null : { followers: row.followers, following: row.following },
    pendingRequests: row.pending,
    shareable: row.profile.visibility === 'public',
    indexable: row.indexable,
    muted: !own && row.muted,
  }
}
