import { index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { users } from './users'

/*
 * Reaching members beyond email (decision 033): the browsers that asked for push notices, the
 * dev sink for SMS and WhatsApp messages, and the devices each account has signed in from.
 */

/** A browser's push subscription (the Push API's endpoint and keys), one row per endpoint. */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The push service's address for this browser: https, and secret in itself. */
    endpoint: text('endpoint').notNull(),
    /** The browser's P-256 public key and auth secret (RFC 8291), base64url. */
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    /** The browser that subscribed, to name it in Settings ("Chrome on Android"). */
    userAgent: text('user_agent'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('push_subscriptions_endpoint_key').on(t.endpoint), index('push_subscriptions_user_idx').on(t.userId)],
)

/** SMS and WhatsApp messages kept instead of sent, on a local server without a provider (shown at /dev/mailbox). */
export const devTextMessages = pgTable(
  'dev_text_messages',
  {
    id: text('id').primaryKey(),
    /** 'sms' or 'whatsapp'. */
    channel: text('channel').notNull(),
    to: text('to').notNull(),
    text: text('text').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('dev_text_messages_sent_idx').on(t.sentAt)],
)

/**
 * The devices (browser and system, "Chrome on Android") an account has signed in from. A sign-in
 * from one not listed sends a security notice; `disowned_at` is set when its "This wasn't me"
 * link is used, so the link works once.
 */
export const signInDevices = pgTable(
  'sign_in_devices',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** SHA-256 of the device's name, lower-cased: the same browser on the same system is one device. */
    deviceKey: text('device_key').notNull(),
    deviceName: text('device_name').notNull(),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    disownedAt: timestamp('disowned_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('sign_in_devices_user_device_key').on(t.userId, t.deviceKey)],
)

/**
 * The phone number a member confirmed for SMS and WhatsApp notices, and one waiting for its code.
 * Texts go only to `number`, set when a code sent to `pending_number` comes back; a new number
 * replaces it only once confirmed. The code is kept as a SHA-256 hash, and both the codes sent and
 * the tries at each are counted.
 */
export const phoneNumbers = pgTable('phone_numbers', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** The confirmed number, E.164 ("+447700900123"); null until one is confirmed. */
  number: text('number'),
  verifiedAt: timestamp('verified_at', { withTimezone: true }),
  /** A number waiting for its code, with the code's hash, its expiry and the wrong tries at it. */
  pendingNumber: text('pending_number'),
  codeHash: text('code_hash'),
  codeExpiresAt: timestamp('code_expires_at', { withTimezone: true }),
  codeAttempts: integer('code_attempts').notNull().default(0),
  /** Codes sent since `codes_window_started_at`: at most a few an hour. */
  codesSent: integer('codes_sent').notNull().default(0),
  codesWindowStartedAt: timestamp('codes_window_started_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})
