import { eq, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Transaction } from '../client'
import { PublicError } from '../errors'
import { follows, personRelations, privacySettings, profiles, users } from '../schema/index'
import { qualified } from '../sql'
import type { Viewer } from '../viewer'

/*
 * Who may see whom, as SQL conditions, so every query that shows a person applies the same
 * rule in the database (docs/who-sees-what.md lists who reads each one):
 *
 *  - a full profile (bio, city, interests, lists, activity) shows to its owner,
 *    to any signed-in doctor when public, and to approved followers when private;
 *  - a person appears in someone else's list (followers, following, members)
 *    when public, or to themselves and their approved followers when private;
 *  - a deactivated account is seen by its owner only, and an erased one by no one:
 *    to everyone else they do not exist (no profile, no place in any list, count,
 *    leaderboard or export);
 *  - a person's own followers/following lists also follow their privacy
 *    setting: everyone the profile rule allows, approved followers, or only them;
 *  - search finds only verified, active doctors who have not opted out, and search
 *    engines list only the public ones among them;
 *  - a block hides each from the other, whoever made it: to each, the other does not exist
 *    (as a deactivated account), and neither receives the other's live comments or questions;
 *  - a mute hides the muted person's live comments and questions from the muter only.
 */

/** Whether either of the two has blocked the other. */
export function blockedBetweenSql(viewerId: string | SQL, userId: AnyPgColumn | SQL): SQL {
  const other = qualified(userId)
  return sql`exists (select 1 from ${personRelations} pr where pr.kind = 'block' and ((pr.user_id = ${viewerId} and pr.other_id = ${other}) or (pr.user_id = ${other} and pr.other_id = ${viewerId})))`
}

/**
 * Serialises what two people do to each other (a block, a follow, an invitation) inside the
 * caller's transaction, so a follow or an invitation cannot slip in beside a block being made.
 */
export async function lockPersonPair(tx: Transaction, a: string, b: string) {
  const pair = [a, b].sort().join(':')
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`person-pair:${pair}`}))`)
}

/** Whether the viewer should not see what the person says live: a block either way, or the viewer's mute. */
export function silencedForViewerSql(viewer: Viewer, userId: AnyPgColumn | SQL): SQL {
  if (!viewer) return sql`false`
  const other = qualified(userId)
  return sql`exists (select 1 from ${personRelations} pr where (pr.user_id = ${viewer.userId} and pr.other_id = ${other}) or (pr.kind = 'block' and pr.user_id = ${other} and pr.other_id = ${viewer.userId}))`
}

/** Acting for someone needs someone: a visitor is asked to sign in. */
export function requireSignedIn(viewer: Viewer, message = 'Sign in to do that.'): asserts viewer is NonNullable<Viewer> {
  if (!viewer) throw new PublicError(message, 401)
}

/**
 * The one "active account" rule: the person has a profile (erasure deletes it, and keeps no
 * profile for an account held under a legal hold) and has not hidden their account
 * (settings → deactivate). Every query that shows or counts other people applies it.
 * A null id (an answer unlinked by erasure) is no one.
 */
export function activeUserSql(userId: AnyPgColumn | SQL): SQL {
  const id = qualified(userId)
  return sql`exists (select 1 from ${profiles} ap join ${users} au on au.id = ap.user_id where ap.user_id = ${id} and au.deactivated_at is null)`
}

/** Whether the viewer may know the person exists: always themselves, others only while active. */
export function presentToViewerSql(viewer: Viewer, userId: AnyPgColumn | SQL): SQL {
  if (!viewer) return activeUserSql(userId)
  return sql`(${userId} = ${viewer.userId} or (${activeUserSql(userId)} and not ${blockedBetweenSql(viewer.userId, userId)}))`
}

export function isApprovedFollowerSql(viewer: NonNullable<Viewer>, userId: AnyPgColumn | SQL) {
  return sql`exists (select 1 from ${follows} f where f.follower_id = ${viewer.userId} and f.followee_id = ${qualified(userId)} and f.status = 'approved')`
}

/** The full profile rather than the basic card (name, photo, speciality). */
export function fullProfileVisibleSql(viewer: Viewer, userId: AnyPgColumn | SQL, visibility: AnyPgColumn | SQL): SQL {
  if (!viewer) return sql`false`
  return sql`(${presentToViewerSql(viewer, userId)} and (${visibility} = 'public' or ${userId} = ${viewer.userId} or ${isApprovedFollowerSql(viewer, userId)}))`
}

/** Whether the person appears, by name, in a list of people the viewer opens (members, followers, following). */
export function listedToViewerSql(viewer: Viewer, userId: AnyPgColumn | SQL, visibility: AnyPgColumn | SQL): SQL {
  if (!viewer) return sql`(${visibility} = 'public' and ${activeUserSql(userId)})`
  return sql`(${presentToViewerSql(viewer, userId)} and (${visibility} = 'public' or ${userId} = ${viewer.userId} or ${isApprovedFollowerSql(viewer, userId)}))`
}

/** Whether the viewer may open the person's followers and following lists. */
export function listsVisibleSql(viewer: Viewer, userId: AnyPgColumn | SQL, visibility: AnyPgColumn | SQL): SQL {
  if (!viewer) return sql`false`
  const setting = sql`coalesce((select ps.lists_visibility::text from ${privacySettings} ps where ps.user_id = ${qualified(userId)}), 'signed_in')`
  return sql`(${userId} = ${viewer.userId} or (${fullProfileVisibleSql(viewer, userId, visibility)} and (${setting} = 'signed_in' or (${setting} = 'followers' and ${isApprovedFollowerSql(viewer, userId)}))))`
}

/**
 * Accounts search leaves out whatever their profile says: unverified, or deactivated
 * (deactivated accounts do not exist to others). Written to use the small partial index
 * users_unsearchable_idx. The person's own opt-out is `profiles.discoverable`, checked beside it.
 */
export const searchableAccountSql = (userId: AnyPgColumn) =>
  sql`not exists (select 1 from ${users} su where su.id = ${qualified(userId)} and (su.email_verified_at is null or su.deactivated_at is not null))`

/**
 * Whether search engines may list a profile: public, its owner allows search, and the account
 * is verified and not deactivated (an erased account has no profile). For queries joining
 * `profiles` and `users`; the profile page's `noindex` and the sitemap both read it.
 */
export const indexableProfileSql = sql<boolean>`(${profiles.visibility} = 'public' and ${profiles.discoverable} and ${users.emailVerifiedAt} is not null and ${users.deactivatedAt} is null)`

/**
 * Whether the viewer may invite the person to a club: a deactivated account, or someone with a
 * block between them and the viewer (either way), cannot be found, and the person's "who may
 * invite me" setting is honoured. Read inside the inviting transaction.
 */
export async function assertMayInviteToClub(tx: Transaction, viewer: NonNullable<Viewer>, inviteeId: string) {
  await lockPersonPair(tx, viewer.userId, inviteeId)
  const [row] = await tx
    .select({
      deactivatedAt: users.deactivatedAt,
      invitesFrom: privacySettings.invitesFrom,
      followsInviter: sql<boolean>`exists (select 1 from ${follows} f where f.follower_id = ${inviteeId} and f.followee_id = ${viewer.userId} and f.status = 'approved')`,
      blocked: sql<boolean>`${blockedBetweenSql(viewer.userId, users.id)}`,
    })
    .from(users)
    .leftJoin(privacySettings, eq(privacySettings.userId, users.id))
    .where(eq(users.id, inviteeId))
  if (!row || row.deactivatedAt || row.blocked) throw new PublicError('No doctor on Rounds has that handle.', 404, 'handle')
  const setting = row.invitesFrom ?? 'anyone'
  if (setting === 'nobody') throw new PublicError('That doctor does not accept club invitations.', 403, 'handle')
  if (setting === 'following' && !row.followsInviter) {
    throw new PublicError('That doctor accepts club invitations only from people they follow.', 403, 'handle')
  }
}
