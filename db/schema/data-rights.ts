import { sql } from 'drizzle-orm'
import { index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { users } from './users'

/*
 * Data rights (GDPR arts. 15–17, 20): every request a person makes, its history,
 * legal holds, and each time staff looked at someone's personal data. The rules
 * live in db/data-rights.ts; what erasure keeps, and why, in db/retention.ts.
 */

export const dataRequestKind = pgEnum('data_request_kind', ['export', 'correction', 'erasure', 'nominee', 'grievance'])
export const dataRequestStatus = pgEnum('data_request_status', ['received', 'in_progress', 'completed', 'rejected', 'cancelled'])

export const dataRequests = pgTable(
  'data_requests',
  {
    id: text('id').primaryKey(),
    /** Null once the person's account is erased: the request record itself is kept (db/retention.ts). */
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    kind: dataRequestKind('kind').notNull(),
    status: dataRequestStatus('status').notNull().default('received'),
    /** What was asked, such as `{ field, requested }` for a correction. Cleared on erasure. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** The legal deadline: one month from receipt (GDPR art. 12(3)); we use 30 days. */
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    /** Erasure only: when the grace period ends and the erasure job runs. */
    scheduledFor: timestamp('scheduled_for', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** The privacy officer who closed it (corrections, nominee requests). */
    handledBy: text('handled_by').references(() => users.id, { onDelete: 'set null' }),
    /** What we tell the person when the request is closed. */
    resolution: text('resolution'),
    /** Export only: the ZIP's file name under `${DATA_DIR}/exports`, and when the link stops working. */
    exportFile: text('export_file'),
    exportExpiresAt: timestamp('export_expires_at', { withTimezone: true }),
    downloadedAt: timestamp('downloaded_at', { withTimezone: true }),
  },
  (t) => [
    index('data_requests_user_idx').on(t.userId, t.receivedAt),
    index('data_requests_open_idx').on(t.dueAt).where(sql`status in ('received', 'in_progress')`),
    uniqueIndex('data_requests_open_erasure_key').on(t.userId).where(sql`kind = 'erasure' and status in ('received', 'in_progress')`),
  ],
)

/** The audit trail of a request: who did what, when. */
export const dataRequestEvents = pgTable(
  'data_request_events',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => dataRequests.id, { onDelete: 'cascade' }),
    /** Null for the system (jobs) and once the actor's account is erased. */
    actorId: text('actor_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('data_request_events_request_idx').on(t.requestId, t.createdAt)],
)

/** Keeps the minimum needed (a claim, an investigation) when the person asks to be erased. */
export const legalHolds = pgTable(
  'legal_holds',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: text('reason').notNull(),
    setBy: text('set_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    releasedAt: timestamp('released_at', { withTimezone: true }),
    releasedBy: text('released_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [index('legal_holds_user_idx').on(t.userId).where(sql`released_at is null`)],
)

/** Every time staff opened someone's personal data, with the reason and the request it served. */
export const personalDataAccessLog = pgTable(
  'personal_data_access_log',
  {
    id: text('id').primaryKey(),
    subjectUserId: text('subject_user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    staffId: text('staff_id').references(() => users.id, { onDelete: 'set null' }),
    requestId: text('request_id').references(() => dataRequests.id, { onDelete: 'set null' }),
    reason: text('reason').notNull(),
    viewedAt: timestamp('viewed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('personal_data_access_log_subject_idx').on(t.subjectUserId, t.viewedAt)],
)

/**
 * What an erasure removed and kept: table names and counts only, nothing about the person.
 * Readable once through a signed link mailed to the address the account had.
 */
export const erasureReceipts = pgTable('erasure_receipts', {
  id: text('id').primaryKey(),
  requestId: text('request_id').references(() => dataRequests.id, { onDelete: 'set null' }),
  content: jsonb('content').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  viewedAt: timestamp('viewed_at', { withTimezone: true }),
})
