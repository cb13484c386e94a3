import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { users } from './users'

/*
 * Personal-data incidents (breaches) the privacy officer records, who was told, and the report
 * to the Data Protection Board that is due within 72 hours of the incident being found
 * (db/privacy/incidents.ts, docs/decisions/031-policy-changes-and-breach-notices.md).
 */

/** How the affected people were chosen; never the people themselves (they are the recipients). */
export type IncidentAudience =
  | { kind: 'sessions'; from: string; to: string }
  | { kind: 'club'; slug: string; name: string }
  | { kind: 'emails'; listed: number }

export const privacyIncidents = pgTable(
  'privacy_incidents',
  {
    id: text('id').primaryKey(),
    /** A short name for the console and the notice's title. */
    title: text('title').notNull(),
    whatHappened: text('what_happened').notNull(),
    /** When we found out: the 72-hour clock for the Board starts here. */
    foundAt: timestamp('found_at', { withTimezone: true }).notNull(),
    /** Keys of INCIDENT_DATA_KINDS. */
    dataKinds: text('data_kinds').array().notNull(),
    whatWeDid: text('what_we_did').notNull(),
    whatYouCanDo: text('what_you_can_do').notNull(),
    audience: jsonb('audience').$type<IncidentAudience>().notNull(),
    affectedCount: integer('affected_count').notNull(),
    recordedBy: text('recorded_by').references(() => users.id, { onDelete: 'set null' }),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    /** found_at + 72 hours. */
    boardDueAt: timestamp('board_due_at', { withTimezone: true }).notNull(),
    boardReportedAt: timestamp('board_reported_at', { withTimezone: true }),
    boardReportedBy: text('board_reported_by').references(() => users.id, { onDelete: 'set null' }),
    /** The Board's reference or how it was sent, as the officer wrote it. */
    boardReference: text('board_reference'),
  },
  (t) => [index('privacy_incidents_recorded_idx').on(t.recordedAt)],
)

/** Each person an incident concerns, told in the app and by email when it was recorded. */
export const privacyIncidentRecipients = pgTable(
  'privacy_incident_recipients',
  {
    incidentId: text('incident_id')
      .notNull()
      .references(() => privacyIncidents.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    notifiedAt: timestamp('notified_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.userId] }), index('privacy_incident_recipients_user_idx').on(t.userId)],
)
