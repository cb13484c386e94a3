import { sql } from 'drizzle-orm'
import {
  boolean,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { profileSearchColumns, profileSearchIndexes, userSearchIndexes } from './search'

export const userRole = pgEnum('user_role', ['member', 'staff'])
export const profileVisibility = pgEnum('profile_visibility', ['public', 'private'])

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    passwordHash: text('password_hash').notNull(),
    dateOfBirth: date('date_of_birth', { mode: 'string' }).notNull(),
    role: userRole('role').notNull().default('member'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set while the person has hidden their account (settings → deactivate); see db/visibility.ts. */
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true }),
    /** The IANA zone pages show times in, when chosen in settings; otherwise the browser's (db/time-zone-preference.ts). */
    timeZone: text('time_zone'),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`), ...userSearchIndexes(t)],
)

export const profiles = pgTable(
  'profiles',
  {
    userId: text('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    handle: text('handle').notNull(),
    name: text('name').notNull(),
    photoPath: text('photo_path'),
    speciality: text('speciality'),
    city: text('city'),
    interests: text('interests').array().notNull().default(sql`'{}'::text[]`),
    bio: text('bio'),
    registrationNumber: text('registration_number'),
    visibility: profileVisibility('visibility').notNull().default('public'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    ...profileSearchColumns,
  },
  (t) => [
    uniqueIndex('profiles_handle_key').on(sql`lower(${t.handle})`),
    index('profiles_speciality_idx').on(t.speciality),
    ...profileSearchIndexes(t),
  ],
)

export const sessions = pgTable(
  'sessions',
  {
    /** The SHA-256 (hex) of the token in the session cookie; the token itself is never stored. */
    id: text('id').primaryKey(),
    /** Names the session on the devices page, to end it by; it signs no one in. */
    publicId: text('public_id')
      .notNull()
      .unique()
      .default(sql`gen_random_uuid()::text`),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    userAgent: text('user_agent'),
    ipAddress: text('ip_address'),
    /** When a page was last loaded with this session, to a few minutes (db/session-devices.ts). */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
)

export const emailVerifications = pgTable(
  'email_verifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('email_verifications_user_idx').on(t.userId, t.createdAt)],
)

export const devMailbox = pgTable(
  'dev_mailbox',
  {
    id: text('id').primaryKey(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
    read: boolean('read').notNull().default(false),
  },
  (t) => [index('dev_mailbox_sent_idx').on(t.sentAt)],
)
