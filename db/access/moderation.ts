import { sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { moderationHolds } from '../schema/index'
import { qualified } from '../sql'
import type { Viewer } from '../viewer'

/*
 * Items held back by moderation (table moderation_holds): hidden while a report of patient
 * information or a watched word awaits a moderator, or removed by one. Such an item shows to its
 * author only (with the reason); moderators read it through the moderation queue, never inline.
 */

export type ModerationItemKind = (typeof moderationHolds.$inferSelect)['itemKind']

/** Whether the item is held back from the viewer: held, and the viewer is not its author. */
export function heldFromViewerSql(viewer: Viewer, kind: ModerationItemKind, itemId: AnyPgColumn | SQL): SQL {
  const id = qualified(itemId)
  const notAuthor = viewer ? sql`and h.author_id is distinct from ${viewer.userId}` : sql``
  return sql`exists (select 1 from ${moderationHolds} h where h.item_kind = ${kind} and h.item_id = ${id} ${notAuthor})`
}
