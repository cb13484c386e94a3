import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { clubMembers, clubs, moderationHolds, profiles, quizzes, talkComments, talkQuestions, talks } from '../schema/index'
import { qualified } from '../sql'
import type { Viewer } from '../viewer'
import { can, clubRoles } from './club-permissions'
import { clubPageVisibleSql, clubRoomOpenSql, visibleClubCondition } from './clubs'
import { presentToViewerSql, silencedForViewerSql } from './people'
import { hasStaffDuty } from './staff'
import { talkEntrySql, talkRemovedSql, talkRoleSql } from './talks'

/*
 * Items held back by moderation (table moderation_holds): hidden while a report of patient
 * information or a watched word awaits a moderator, or removed by one. Such an item shows to its
 * author only (with the reason); moderators read it through the moderation queue, never inline.
 *
 * Who may report an item: whoever may see it, by the rule of the page or room it is shown in
 * (reportableItemSql). Who may moderate it: staff with the 'moderator' duty, anything; a club's
 * members whose role grants 'moderate:talks' (owner, admins, moderators), what was said or made
 * in their club (moderationScope).
 */

export type ModerationItemKind = (typeof moderationHolds.$inferSelect)['itemKind']
export const moderationItemKinds: readonly ModerationItemKind[] = ['person', 'comment', 'question', 'talk', 'club', 'quiz']

/** Whether the item is held back from the viewer: held, and the viewer is not its author. */
export function heldFromViewerSql(viewer: Viewer, kind: ModerationItemKind, itemId: AnyPgColumn | SQL): SQL {
  const id = qualified(itemId)
  const notAuthor = viewer ? sql`and h.author_id is distinct from ${viewer.userId}` : sql``
  return sql`exists (select 1 from ${moderationHolds} h where h.item_kind = ${kind} and h.item_id = ${id} ${notAuthor})`
}

/** What a report needs to know of an item: who made it, where, and whether the viewer may see it. */
export type ReportableItem = { authorId: string | null; clubId: string | null; talkId: string | null; visible: boolean }

/**
 * One row (or none, for no such item) with the item's author, club and talk, and whether the
 * viewer may see it by the rule of where it is shown: a live comment or question by the talk entry
 * rule (and not from someone silenced for the viewer; a hidden question only for the talk's
 * hosts), a person by presentToViewerSql, a talk by its club being listed, a club by its page, a
 * quiz by the entry rule of its talk or club (a draft by no one else). An item held back from the
 * viewer is not visible to them.
 */
export function reportableItemSql(viewer: NonNullable<Viewer>, kind: ModerationItemKind, itemId: string): SQL {
  const held = (id: SQL) => heldFromViewerSql(viewer, kind, id)
  switch (kind) {
    case 'comment':
      return sql`select c.user_id as "authorId", t.club_id as "clubId", t.id as "talkId",
          (c.deleted_at is null and ${talkEntrySql(viewer, sql`t.id`)} and not ${silencedForViewerSql(viewer, sql`c.user_id`)} and not ${held(sql`c.id`)}) as visible
        from ${talkComments} c join ${talks} t on t.id = c.talk_id join ${clubs} on ${clubs}.id = t.club_id where c.id = ${itemId}`
    case 'question':
      return sql`select q.user_id as "authorId", t.club_id as "clubId", t.id as "talkId",
          (${talkEntrySql(viewer, sql`t.id`)} and not ${silencedForViewerSql(viewer, sql`q.user_id`)} and not ${held(sql`q.id`)}
            and (q.status <> 'hidden' or ${talkRoleSql(sql`${viewer.userId}`)} in ('host', 'cohost'))) as visible
        from ${talkQuestions} q join ${talks} t on t.id = q.talk_id join ${clubs} on ${clubs}.id = t.club_id where q.id = ${itemId}`
    case 'person':
      return sql`select p.user_id as "authorId", null::text as "clubId", null::text as "talkId",
          (${presentToViewerSql(viewer, sql`p.user_id`)} and not ${held(sql`p.user_id`)}) as visible
        from ${profiles} p where p.user_id = ${itemId}`
    case 'talk':
      return sql`select t.host_id as "authorId", t.club_id as "clubId", t.id as "talkId",
          (${visibleClubCondition(viewer)} and ${presentToViewerSql(viewer, sql`t.host_id`)} and not ${held(sql`t.id`)}) as visible
        from ${talks} t join ${clubs} on ${clubs}.id = t.club_id where t.id = ${itemId}`
    case 'club':
      return sql`select ${clubs}.owner_id as "authorId", ${clubs}.id as "clubId", null::text as "talkId",
          (${clubPageVisibleSql(viewer)} and not ${held(sql`${clubs}.id`)}) as visible
        from ${clubs} where ${clubs}.id = ${itemId}`
    case 'quiz':
      return sql`select z.author_id as "authorId", z.club_id as "clubId", z.talk_id as "talkId",
          (z.status <> 'draft' and ${clubRoomOpenSql(viewer)} and (z.talk_id is null or not ${talkRemovedSql(viewer, sql`z.talk_id`)})
            and not ${held(sql`z.id`)}) as visible
        from ${quizzes} z join ${clubs} on ${clubs}.id = z.club_id where z.id = ${itemId}`
  }
}

/** What the viewer may moderate: everything (staff moderators) and the clubs whose role grants 'moderate:talks'. */
export type ModerationScope = { everything: boolean; clubIds: string[] }

const moderatingRoles = clubRoles.filter((role) => can(role, 'moderate:talks'))

/** The viewer's moderation scope, or null when they may moderate nothing. */
export async function moderationScope(viewer: Viewer, executor: Database | Transaction = db): Promise<ModerationScope | null> {
  if (!viewer) return null
  const everything = await hasStaffDuty(viewer, 'moderator', executor)
  const rows = await executor
    .select({ clubId: clubMembers.clubId })
    .from(clubMembers)
    .where(and(eq(clubMembers.userId, viewer.userId), inArray(clubMembers.role, moderatingRoles)))
  const clubIds = rows.map((r) => r.clubId)
  if (!everything && clubIds.length === 0) return null
  return { everything, clubIds }
}

/** The moderation pages exist only for those who may moderate something: everyone else is told there is no such page. */
export async function requireModerationScope(viewer: Viewer, executor: Database | Transaction = db): Promise<ModerationScope> {
  const scope = await moderationScope(viewer, executor)
  if (!scope) throw new PublicError('We could not find that page.', 404)
  return scope
}

/** Whether an item of this club (null: not of a club, such as a person) is within the scope. */
export function inModerationScope(scope: ModerationScope, clubId: string | null) {
  return scope.everything || (clubId !== null && scope.clubIds.includes(clubId))
}

/** The same as SQL over a `club_id` column, for the queue's reads. */
export function moderationScopeSql(scope: ModerationScope, clubId: SQL): SQL<boolean> {
  if (scope.everything) return sql<boolean>`true`
  return sql<boolean>`${clubId} in (${sql.join(
    scope.clubIds.map((id) => sql`${id}`),
    sql`, `,
  )})`
}
