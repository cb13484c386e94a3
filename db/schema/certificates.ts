import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, numeric, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { clubs } from './clubs'
import { talks } from './talks'
import { users } from './users'

/*
 * Attendance certificates (docs/decisions/029-attendance-certificates.md): what a club's admins
 * set per talk, and the certificates issued from people's stays in the live room.
 */

/** Whether a talk issues certificates, the share of it a doctor must attend, and any credits designated for it. */
export const talkCertificateSettings = pgTable(
  'talk_certificate_settings',
  {
    talkId: text('talk_id')
      .primaryKey()
      .references(() => talks.id, { onDelete: 'cascade' }),
    enabled: boolean('enabled').notNull().default(false),
    /** The least share of the talk, in percent, a doctor must attend. */
    minSharePercent: integer('min_share_percent').notNull().default(75),
    /** Credits an accredited provider designated for the talk, with the provider's name; both or neither. */
    credits: numeric('credits', { precision: 5, scale: 2 }),
    creditProvider: text('credit_provider'),
    updatedBy: text('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('talk_certificate_settings_share', sql`${t.minSharePercent} between 1 and 100`),
    check('talk_certificate_settings_credits', sql`(${t.credits} is null) = (${t.creditProvider} is null)`),
  ],
)

/**
 * One certificate per doctor and talk. The facts are copied in when it is issued, so what it
 * certifies never changes afterwards (a renamed talk or person does not rewrite it). The id is
 * the certificate number printed on it: random and unguessable (db/certificates.ts).
 * Erasure empties user_id and holder_name: the number then answers "no longer available".
 */
export const attendanceCertificates = pgTable(
  'attendance_certificates',
  {
    id: text('id').primaryKey(),
    talkId: text('talk_id').references(() => talks.id, { onDelete: 'set null' }),
    clubId: text('club_id').references(() => clubs.id, { onDelete: 'set null' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    holderName: text('holder_name'),
    talkTitle: text('talk_title').notNull(),
    clubName: text('club_name').notNull(),
    /** When the talk took place (the moment its room opened). */
    heldAt: timestamp('held_at', { withTimezone: true }).notNull(),
    minutes: integer('minutes').notNull(),
    credits: numeric('credits', { precision: 5, scale: 2 }),
    creditProvider: text('credit_provider'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: text('revoked_by').references(() => users.id, { onDelete: 'set null' }),
    /** Shown to the doctor and the club's admins; the public verify page shows only that and when it was revoked. */
    revokeReason: text('revoke_reason'),
  },
  (t) => [
    uniqueIndex('attendance_certificates_talk_user_key').on(t.talkId, t.userId),
    index('attendance_certificates_user_idx').on(t.userId),
  ],
)
