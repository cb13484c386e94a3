import { sql } from 'drizzle-orm'
import { check, index, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { users } from './users'

export const followStatus = pgEnum('follow_status', ['pending', 'approved'])

/** Following a private profile starts as a request ('pending') the owner approves. */
export const follows = pgTable(
  'follows',
  {
    followerId: text('follower_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    followeeId: text('followee_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: followStatus('status').notNull().default('approved'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.followeeId] }),
    index('follows_followee_idx').on(t.followeeId, t.status),
  ],
)

export const personRelationKind = pgEnum('person_relation_kind', ['block', 'mute'])

/**
 * One member's choice about another: a block hides each from the other everywhere (both ways,
 * whoever made it); a mute hides the muted person's live comments and questions from the muter
 * only. At most one row per ordered pair: blocking someone you had muted turns the mute into a block.
 */
export const personRelations = pgTable(
  'person_relations',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    otherId: text('other_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: personRelationKind('kind').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.otherId] }),
    index('person_relations_other_idx').on(t.otherId, t.kind),
    check('person_relations_not_self', sql`${t.userId} <> ${t.otherId}`),
  ],
)
