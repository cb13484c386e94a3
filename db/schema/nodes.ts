import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * The server nodes that have run against this database, each with its last heartbeat. A node
 * stamps the live-room stays it opens with its tag; when its heartbeat stops, the stays it left
 * open are closed at that heartbeat, not at whatever time someone notices (db/nodes.ts).
 */
export const nodes = pgTable(
  'nodes',
  {
    /** The short hash of the node's name that prefixes its stays' socket ids (`<tag>|…`). */
    tag: text('tag').primaryKey(),
    name: text('name').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('nodes_last_seen_idx').on(t.lastSeenAt)],
)
