import { sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { follows } from './schema/index'
import { qualified } from './sql'
import type { Viewer } from './viewer'

/*
 * The privacy rules for people, as SQL conditions, so every query that shows
 * a person applies the same rule in the database:
 *
 *  - a full profile (bio, city, interests, lists, activity) shows to its owner,
 *    to any signed-in doctor when public, and to approved followers when private;
 *  - a person appears in someone else's list (followers, following, members)
 *    when public, or to themselves and their approved followers when private.
 */

export function isApprovedFollowerSql(viewer: NonNullable<Viewer>, userId: AnyPgColumn | SQL) {
  return sql`exists (select 1 from ${follows} f where f.follower_id = ${viewer.userId} and f.followee_id = ${qualified(userId)} and f.status = 'approved')`
}

export function fullProfileVisibleSql(viewer: Viewer, userId: AnyPgColumn | SQL, visibility: AnyPgColumn | SQL): SQL {
  if (!viewer) return sql`false`
  return sql`(${visibility} = 'public' or ${userId} = ${viewer.userId} or ${isApprovedFollowerSql(viewer, userId)})`
}

export function listedToViewerSql(viewer: Viewer, userId: AnyPgColumn | SQL, visibility: AnyPgColumn | SQL): SQL {
  if (!viewer) return sql`${visibility} = 'public'`
  return sql`(${visibility} = 'public' or ${userId} = ${viewer.userId} or ${isApprovedFollowerSql(viewer, userId)})`
}
