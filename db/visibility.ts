import { sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { follows, privacySettings, profiles, users } from './schema/index'
import { qualified } from './sql'
import type { Viewer } from './viewer'

/*
 * The privacy rules for people, as SQL conditions, so every query that shows
 * a person applies the same rule in the database:
 *
 *  - a full profile (bio, city, interests, lists, activity) shows to its owner,
 *    to any signed-in doctor when public, and to approved followers when private;
 *  - a person appears in someone else's list (followers, following, members)
 *    when public, or to themselves and their approved followers when private;
 *  - a deactivated account is seen by its owner only, and an erased one by no one:
 *    to everyone else they do not exist (no profile, no place in any list, count,
 *    leaderboard or export);
 *  - a person's own followers/following lists also follow their privacy
 *    setting: everyone the profile rule allows, approved followers, or only them.
 */

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
  return sql`(${userId} = ${viewer.userId} or ${activeUserSql(userId)})`
}

export function isApprovedFollowerSql(viewer: NonNullable<Viewer>, userId: AnyPgColumn | SQL) {
  return sql`exists (select 1 from ${follows} f where f.follower_id = ${viewer.userId} and f.followee_id = ${qualified(userId)} and f.status = 'approved')`
}

export function fullProfileVisibleSql(viewer: Viewer, userId: AnyPgColumn | SQL, visibility: AnyPgColumn | SQL): SQL {
  if (!viewer) return sql`false`
  return sql`(${presentToViewerSql(viewer, userId)} and (${visibility} = 'public' or ${userId} = ${viewer.userId} or ${isApprovedFollowerSql(viewer, userId)}))`
}

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
