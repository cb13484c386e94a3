import { sql } from 'drizzle-orm'
import { index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { talks } from './talks'
import { users } from './users'

/*
 * The live room, kept in Postgres so a restart or a reconnect restores it
 * exactly. Socket handlers change it only through db/live.ts.
 */

export const talkRole = pgEnum('talk_role', ['host', 'cohost', 'speaker'])

/** Who may go on stage without raising a hand: the host, co-hosts, invited speakers. */
export const talkRoles = pgTable(
  'talk_roles',
  {
    talkId: text('talk_id')
      .notNull()
      .references(() => talks.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: talkRole('role').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.talkId, t.userId] })],
)

export const stageStatus = pgEnum('stage_status', ['raised', 'invited', 'on_stage'])

/**
 * One row per person the stage knows about: a raised hand (ordered by raisedAt),
 * a pending invitation, or someone on stage. No row = in the audience.
 */
export const talkStage = pgTable(
  'talk_stage',
  {
    talkId: text('talk_id')
      .notNull()
      .references(() => talks.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: stageStatus('status').notNull(),
    raisedAt: timestamp('raised_at', { withTimezone: true }),
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.talkId, t.userId] })],
)

/** People removed from a talk by its hosts: kept out until the talk ends. */
export const talkRemovals = pgTable(
  'talk_removals',
  {
    talkId: text('talk_id')
      .notNull()
      .references(() => talks.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    removedBy: text('removed_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.talkId, t.userId] })],
)

export const talkComments = pgTable(
  'talk_comments',
  {
    id: text('id').primaryKey(),
    talkId: text('talk_id')
      .notNull()
      .references(() => talks.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    /** Client-chosen id so a retried send is stored once. */
    clientId: text('client_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    pinnedAt: timestamp('pinned_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    deletedBy: text('deleted_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [
    index('talk_comments_talk_idx').on(t.talkId, t.createdAt),
    // A new account's comments over the last minute and day (db/moderation/limits.ts).
    index('talk_comments_user_idx').on(t.userId, t.createdAt),
    uniqueIndex('talk_comments_client_key').on(t.talkId, t.userId, t.clientId).where(sql`client_id is not null`),
  ],
)

export const questionStatus = pgEnum('question_status', ['open', 'answered', 'hidden'])

export const talkQuestions = pgTable(
  'talk_questions',
  {
    id: text('id').primaryKey(),
    talkId: text('talk_id')
      .notNull()
      .references(() => talks.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    clientId: text('client_id'),
    status: questionStatus('status').notNull().default('open'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('talk_questions_talk_idx').on(t.talkId, t.createdAt),
    index('talk_questions_user_idx').on(t.userId, t.createdAt),
    uniqueIndex('talk_questions_client_key').on(t.talkId, t.userId, t.clientId).where(sql`client_id is not null`),
  ],
)

export const talkQuestionVotes = pgTable(
  'talk_question_votes',
  {
    questionId: text('question_id')
      .notNull()
      .references(() => talkQuestions.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.questionId, t.userId] }), index('talk_question_votes_user_idx').on(t.userId)],
)

/** One row per stay in the room: join and leave times, for attendance and certificates. */
export const talkAttendance = pgTable(
  'talk_attendance',
  {
    id: text('id').primaryKey(),
    talkId: text('talk_id')
      .notNull()
      .references(() => talks.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    socketId: text('socket_id').notNull(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp('left_at', { withTimezone: true }),
  },
  (t) => [
    index('talk_attendance_talk_idx').on(t.talkId, t.joinedAt),
    index('talk_attendance_user_idx').on(t.userId),
    uniqueIndex('talk_attendance_socket_key').on(t.talkId, t.socketId),
    // The open stays only: what the sweep for stopped nodes reads (db/nodes.ts).
    index('talk_attendance_open_idx').on(t.socketId).where(sql`left_at is null`),
  ],
)

export const talkReactionTotals = pgTable(
  'talk_reaction_totals',
  {
    talkId: text('talk_id')
      .notNull()
      .references(() => talks.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.talkId, t.kind] })],
)
