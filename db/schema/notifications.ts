import { sql } from 'drizzle-orm'
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { users } from './users'

/*
 * The notification centre (db/notifications/). A notice names its recipient, what happened
 * (`kind`), what it is about (`target_type`/`target_id`) and who did it (`actor_ids`), never a
 * name or a title that could outlive the person's or the club's visibility: the words are made
 * when the notice is read or mailed, with the rules of db/access applied then.
 *
 * Notices written before the centre (policy changes, an export ready, a club hand-over) carry
 * a stored `title`/`body`; they name no one else.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    /** The recipient. */
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    /** Unique per person and kind: a policy version, a request id, or a fresh id for each group. */
    subject: text('subject').notNull(),
    /** Stored words, for notices that need none made at read time; empty otherwise. */
    title: text('title').notNull().default(''),
    body: text('body').notNull().default(''),
    link: text('link'),
    /** What the notice is about: 'user', 'club', 'data_request'. */
    targetType: text('target_type'),
    targetId: text('target_id'),
    /** Who did it, oldest first; several when repeated events were grouped. */
    actorIds: text('actor_ids').array().notNull().default(sql`'{}'::text[]`),
    /** Set on a notice that later events of the same kind and target join while its window is open. */
    groupKey: text('group_key'),
    /** How many events the notice stands for. */
    count: integer('count').notNull().default(1),
    /** Facts the words need that are not names: a date, a request's state. */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When the last event joined the notice; the list is ordered by it. */
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    index('notifications_unread_idx').on(t.userId, t.createdAt).where(sql`read_at is null`),
    uniqueIndex('notifications_subject_key').on(t.userId, t.kind, t.subject),
    index('notifications_user_updated_idx').on(t.userId, t.updatedAt, t.id),
    index('notifications_group_idx').on(t.userId, t.groupKey, t.createdAt).where(sql`group_key is not null and read_at is null`),
  ],
)

/**
 * One row per notice and channel it is sent on (email today): its status, every attempt
 * counted, the provider's id for the message and the last error. Kept for
 * NOTIFICATION_DELIVERY_RETENTION_DAYS (db/notifications/deliveries.ts), then deleted.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: text('id').primaryKey(),
    notificationId: text('notification_id')
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    /** The recipient, so the delivery log is found for their export and erasure. */
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    channel: text('channel').notNull(),
    /** Where on the channel, when a person has several (a push subscription's id); '' for email. */
    destination: text('destination').notNull().default(''),
    /** 'queued', 'sending', 'sent', 'skipped' (not allowed or nothing left to tell) or 'failed'. */
    status: text('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    /** The message id the provider knows the message by. */
    providerId: text('provider_id'),
    /** The last attempt's error, or why it was skipped. */
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('notification_deliveries_channel_key').on(t.notificationId, t.channel, t.destination),
    index('notification_deliveries_user_idx').on(t.userId),
    index('notification_deliveries_created_idx').on(t.createdAt),
  ],
)

/**
 * Whether a person takes activity emails that can wait (follows, invitations) once a day in one
 * digest instead of one mail each, and when the last digest went. No row: one mail each.
 */
export const emailDigestChoices = pgTable('email_digest_choices', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  daily: boolean('daily').notNull().default(false),
  lastSentAt: timestamp('last_sent_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})
