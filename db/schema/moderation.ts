import { sql } from 'drizzle-orm'
import { boolean, index, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { clubs } from './clubs'
import { dataRequests } from './data-rights'
import { users } from './users'

/*
 * Trust and safety: reports, the items they hold back, what moderators decide (an append-only
 * log), appeals, watched words and posting limits. An item is named by its kind and id, since it
 * may be a person, a comment, a question, a talk, a club or a quiz.
 */

export const moderationItemKind = pgEnum('moderation_item_kind', ['person', 'comment', 'question', 'talk', 'club', 'quiz'])

export const reportReason = pgEnum('report_reason', [
  'patient_information',
  'misinformation',
  'undisclosed_promotion',
  'impersonation',
  'harassment',
  'spam',
  'other',
  /** Raised by the watched-words list, not by a person. */
  'watched_word',
])

export const reportStatus = pgEnum('report_status', ['open', 'dismissed', 'actioned'])

/**
 * One person's report of one item (or the watched-words list's flag, with no reporter). The
 * moderation queue groups them by item. The item's author and club are copied in at report
 * time, so the queue can be scoped to a club's moderators and show prior actions on the author.
 */
export const moderationReports = pgTable(
  'moderation_reports',
  {
    id: text('id').primaryKey(),
    reporterId: text('reporter_id').references(() => users.id, { onDelete: 'set null' }),
    itemKind: moderationItemKind('item_kind').notNull(),
    itemId: text('item_id').notNull(),
    authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
    clubId: text('club_id').references(() => clubs.id, { onDelete: 'set null' }),
    reason: reportReason('reason').notNull(),
    details: text('details'),
    status: reportStatus('status').notNull().default('open'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** What the reporter is told: the outcome, never the moderator's name. */
    outcome: text('outcome'),
  },
  (t) => [
    index('moderation_reports_item_idx').on(t.itemKind, t.itemId, t.status),
    index('moderation_reports_open_idx').on(t.status, t.createdAt),
    index('moderation_reports_reporter_idx').on(t.reporterId, t.createdAt),
    uniqueIndex('moderation_reports_once_key').on(t.reporterId, t.itemKind, t.itemId).where(sql`reporter_id is not null`),
  ],
)

export const itemHoldState = pgEnum('item_hold_state', ['hidden', 'removed'])

/**
 * An item held back from everyone but its author and moderators: 'hidden' until a moderator
 * decides (a patient-information report, a watched word held for approval), 'removed' once a
 * moderator removed it. Restoring an item deletes its row.
 */
export const moderationHolds = pgTable(
  'moderation_holds',
  {
    itemKind: moderationItemKind('item_kind').notNull(),
    itemId: text('item_id').notNull(),
    authorId: text('author_id').references(() => users.id, { onDelete: 'cascade' }),
    state: itemHoldState('state').notNull(),
    reason: text('reason').notNull(),
    since: timestamp('since', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Page text held by a watched word (a bio, a club's description, a talk's title): the text
     * that awaits approval. The item's own column keeps what everyone else sees meanwhile; lifting
     * the hold writes this text there.
     */
    pendingText: text('pending_text'),
  },
  (t) => [primaryKey({ columns: [t.itemKind, t.itemId] })],
)

export const moderationActionKind = pgEnum('moderation_action_kind', [
  'dismiss',
  'hide',
  'restore',
  'remove',
  'warn',
  'limit',
  'suspend',
  'ban_from_club',
  'appeal_upheld',
  'appeal_overturned',
])

/**
 * The moderation log: every decision, append-only (no update or delete is ever issued on it; the
 * author's own view and staff read it). `actorId` is null for the watched-words list.
 */
export const moderationActions = pgTable(
  'moderation_actions',
  {
    id: text('id').primaryKey(),
    action: moderationActionKind('action').notNull(),
    itemKind: moderationItemKind('item_kind'),
    itemId: text('item_id'),
    authorId: text('author_id').references(() => users.id, { onDelete: 'cascade' }),
    actorId: text('actor_id').references(() => users.id, { onDelete: 'set null' }),
    clubId: text('club_id').references(() => clubs.id, { onDelete: 'set null' }),
    reason: text('reason').notNull(),
    /** For 'limit': posting is refused until then. */
    until: timestamp('until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** The author may appeal until then (30 days); null for actions that cannot be appealed. */
    appealBy: timestamp('appeal_by', { withTimezone: true }),
  },
  (t) => [index('moderation_actions_author_idx').on(t.authorId, t.createdAt), index('moderation_actions_item_idx').on(t.itemKind, t.itemId)],
)

export const appealStatus = pgEnum('appeal_status', ['open', 'upheld', 'overturned'])

/** An author's appeal against one action, once. */
export const moderationAppeals = pgTable(
  'moderation_appeals',
  {
    id: text('id').primaryKey(),
    actionId: text('action_id')
      .notNull()
      .unique()
      .references(() => moderationActions.id, { onDelete: 'cascade' }),
    authorId: text('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    status: appealStatus('status').notNull().default('open'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
  },
  (t) => [index('moderation_appeals_open_idx').on(t.status, t.createdAt)],
)

/** A posting limit or a suspension in force; the newest row per person decides. */
export const accountRestrictions = pgTable(
  'account_restrictions',
  {
    userId: text('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Posting (comments, questions, follows, invitations) refused until then. */
    postingLimitedUntil: timestamp('posting_limited_until', { withTimezone: true }),
    /** Suspended by staff: signed out everywhere and unable to sign in, until lifted. */
    suspended: boolean('suspended').notNull().default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
)

export const watchedWordAction = pgEnum('watched_word_action', ['block', 'hold', 'flag'])

/**
 * Staff's watched words: a pattern (`*` matches any run of letters; any script), matched as a whole
 * word, case- and accent-insensitively, in comments, questions, bios, club descriptions and talk
 * titles, with what to do on a match.
 */
export const watchedWords = pgTable(
  'watched_words',
  {
    id: text('id').primaryKey(),
    pattern: text('pattern').notNull(),
    action: watchedWordAction('action').notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('watched_words_pattern_key').on(sql`lower(${t.pattern})`)],
)

/**
 * What an erased account wrote that an open report names, kept for the moderators deciding it
 * (docs/decisions/027-moderation.md): a copy of its words and where it was said, linked to no
 * one, shown only in the moderation queue. The item itself was erased with the account; this row
 * is deleted in the transaction of the decision that closes the item's last open report.
 */
export const moderationKeptItems = pgTable(
  'moderation_kept_items',
  {
    itemKind: moderationItemKind('item_kind').notNull(),
    itemId: text('item_id').notNull(),
    /** The erasure that kept it; completed when its last kept item goes. */
    erasureRequestId: text('erasure_request_id').references(() => dataRequests.id, { onDelete: 'set null' }),
    clubId: text('club_id').references(() => clubs.id, { onDelete: 'set null' }),
    talkId: text('talk_id'),
    /** What it said (a comment's or question's body, a bio, a description). */
    text: text('text').notNull(),
    /** Where it was said: a talk's title, a club's or quiz's name. */
    context: text('context'),
    writtenAt: timestamp('written_at', { withTimezone: true }),
    keptSince: timestamp('kept_since', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.itemKind, t.itemId] }), index('moderation_kept_items_request_idx').on(t.erasureRequestId)],
)
