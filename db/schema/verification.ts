import { sql } from 'drizzle-orm'
import { index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { users } from './users'

/** Duties a member of staff may hold besides the privacy console (users.role = 'staff'). */
export const staffDuty = pgEnum('staff_duty', ['verifier', 'moderator', 'ads_reviewer'])

/** Which staff may do what: a duty counts only while the account's role is 'staff' (db/access/staff.ts). */
export const staffDuties = pgTable(
  'staff_duties',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    duty: staffDuty('duty').notNull(),
    grantedBy: text('granted_by').references(() => users.id, { onDelete: 'set null' }),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.duty] })],
)

/**
 * Where a doctor's registration stands. No row: unverified. 'verified' becomes due for
 * re-verification after the period in db/verification.ts and 'lapsed' after its grace.
 */
export const verificationStatus = pgEnum('verification_status', ['pending', 'verified', 'rejected', 'revoked', 'lapsed'])

/**
 * A doctor's latest application to be shown as verified (one per person; applying again replaces
 * it). The registration number is stored only encrypted (AES-256-GCM, REGISTRATION_NUMBER_KEY) with
 * its last four characters for the owner's masked view; the document lives in a private directory
 * and is deleted once a decision is made.
 */
export const doctorVerifications = pgTable(
  'doctor_verifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: verificationStatus('status').notNull(),
    /** A code from the list in db/verification-councils.ts. */
    council: text('council').notNull(),
    /** The regulator's name, for a doctor registered outside India. */
    regulatorName: text('regulator_name'),
    registrationYear: integer('registration_year').notNull(),
    /** base64 of iv ‖ tag ‖ ciphertext. */
    numberCipher: text('number_cipher').notNull(),
    /** "•••• 4321": what the owner and their export see. */
    numberMasked: text('number_masked').notNull(),
    /** File name in the private verification directory; null once decided. */
    documentPath: text('document_path'),
    documentType: text('document_type'),
    appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
    /** How the registration was checked ('document': a verifier compared it with the register). */
    method: text('method'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: text('decided_by').references(() => users.id, { onDelete: 'set null' }),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    reverifyDueAt: timestamp('reverify_due_at', { withTimezone: true }),
    /** Why an application was rejected or a verification revoked or lapsed; shown to the doctor. */
    reason: text('reason'),
  },
  (t) => [
    uniqueIndex('doctor_verifications_user_idx').on(t.userId),
    index('doctor_verifications_pending_idx').on(t.appliedAt).where(sql`status = 'pending'`),
  ],
)
