import { boolean, index, integer, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { clubs } from './clubs'
import { talkSearchColumns, talkSearchIndexes } from './search'
import { users } from './users'

export const talkType = pgEnum('talk_type', ['talk', 'case_discussion', 'surgery', 'quiz'])
export const talkStatus = pgEnum('talk_status', ['scheduled', 'live', 'ended'])

export const talks = pgTable(
  'talks',
  {
    id: text('id').primaryKey(),
    clubId: text('club_id')
      .notNull()
      .references(() => clubs.id, { onDelete: 'cascade' }),
    hostId: text('host_id')
      .notNull()
      .references(() => users.id),
    type: talkType('type').notNull().default('talk'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    durationMinutes: integer('duration_minutes').notNull().default(60),
    status: talkStatus('status').notNull().default('scheduled'),
    /** Marked by the creator: people are told at once, and must consent before going on stage. */
    recorded: boolean('recorded').notNull().default(false),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /**
     * A cancelled talk stays as a record, so calendars that hold it can be told (STATUS:CANCELLED).
     * Its status is 'ended' as well, so nothing can open, join or attach to it.
     */
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    cancelReason: text('cancel_reason'),
    /** The iCalendar SEQUENCE (RFC 5545 §3.8.7.4): raised by every change the host makes. */
    sequence: integer('sequence').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    ...talkSearchColumns,
  },
  (t) => [
    index('talks_club_starts_idx').on(t.clubId, t.startsAt),
    index('talks_starts_idx').on(t.startsAt),
    index('talks_host_starts_idx').on(t.hostId, t.startsAt),
    ...talkSearchIndexes(t),
  ],
)

export const talkRsvps = pgTable(
  'talk_rsvps',
  {
    talkId: text('talk_id')
      .notNull()
      .references(() => talks.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.talkId, t.userId] }), index('talk_rsvps_user_idx').on(t.userId)],
)
