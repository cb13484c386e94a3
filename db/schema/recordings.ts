import { sql } from 'drizzle-orm'
import { bigserial, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { talks } from './talks'
import { users } from './users'

/*
 * Recording consent, recordings and the stage log they are cut from. Changed only through
 * db/recordings.ts (and the stage functions of db/live.ts for the log).
 */

export const recordingConsentKind = pgEnum('recording_consent_kind', ['given', 'withdrawn'])

/**
 * Append-only: each consent and each withdrawal is a row, with the policy version shown. A
 * person's standing is their latest row for the talk (highest id).
 */
export const recordingConsents = pgTable(
  'recording_consents',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    talkId: text('talk_id')
      .notNull()
      .references(() => talks.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: recordingConsentKind('kind').notNull(),
    policyVersion: text('policy_version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [index('recording_consents_talk_user_idx').on(t.talkId, t.userId, t.id), index('recording_consents_user_idx').on(t.userId)],
)

export const stageEventKind = pgEnum('stage_event_kind', ['joined_stage', 'left_stage'])

/** Every move onto and off the stage, for a recording's chapters and speaker timeline. */
export const stageEvents = pgTable(
  'stage_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    talkId: text('talk_id')
      .notNull()
      .references(() => talks.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: stageEventKind('kind').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [index('stage_events_talk_idx').on(t.talkId, t.at), index('stage_events_user_idx').on(t.userId)],
)

export const recordingStatus = pgEnum('recording_status', ['starting', 'active', 'ending', 'complete', 'failed'])
export const recordingShare = pgEnum('recording_share', ['private', 'attendees', 'members', 'public'])

export const recordings = pgTable(
  'recordings',
  {
    id: text('id').primaryKey(),
    talkId: text('talk_id')
      .notNull()
      .references(() => talks.id, { onDelete: 'cascade' }),
    startedBy: text('started_by').references(() => users.id, { onDelete: 'set null' }),
    status: recordingStatus('status').notNull().default('starting'),
    share: recordingShare('share').notNull().default('private'),
    /** LiveKit's egress id, once the start call returned. */
    egressId: text('egress_id'),
    /** 's3' or 'local': where egress writes the file. */
    storage: text('storage').notNull(),
    /** The object key (S3) or the path under RECORDINGS_DIR (local) egress was told to write. */
    filePath: text('file_path'),
    /** The location egress reports when it ends (an S3 URL, or the path inside its container). */
    fileLocation: text('file_location'),
    contentType: text('content_type').notNull().default('audio/ogg'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    durationSeconds: integer('duration_seconds'),
    error: text('error'),
    /** The createdAt of the latest webhook applied, so an older event delivered late changes nothing. */
    lastEventAt: timestamp('last_event_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('recordings_talk_idx').on(t.talkId, t.createdAt),
    uniqueIndex('recordings_egress_key').on(t.egressId).where(sql`egress_id is not null`),
    // One recording running per talk: two hosts pressing start at once get one.
    uniqueIndex('recordings_running_key').on(t.talkId).where(sql`status in ('starting', 'active')`),
  ],
)

/** LiveKit webhook ids already applied: a redelivered event is recognised and skipped. */
export const liveKitWebhookEvents = pgTable('livekit_webhook_events', {
  id: text('id').primaryKey(),
  event: text('event').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
})
