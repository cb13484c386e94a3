import { boolean, index, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { users } from './users'

/*
 * The privacy centre: each person's choices, and the records that prove them
 * (cookie consents with time and policy version, policy acknowledgements,
 * used unsubscribe links). The rules that read them live in db/privacy.ts and
 * db/visibility.ts.
 */

export const listsVisibility = pgEnum('lists_visibility', ['signed_in', 'followers', 'only_me'])
export const invitesFrom = pgEnum('invites_from', ['anyone', 'following', 'nobody'])

/** One row per person who changed a default; no row means every default. */
export const privacySettings = pgTable('privacy_settings', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** Who may open my followers and following lists (never more than the profile rule allows). */
  listsVisibility: listsVisibility('lists_visibility').notNull().default('signed_in'),
  /** Who may invite me to a club by name. */
  invitesFrom: invitesFrom('invites_from').notNull().default('anyone'),
  /** Objections (GDPR art. 21): each stops that processing. */
  objectPersonalisation: boolean('object_personalisation').notNull().default(false),
  objectAnalytics: boolean('object_analytics').notNull().default(false),
  /** Null until the person chooses: personalised ads are off by default. */
  personalisedAds: boolean('personalised_ads'),
  personalisedAdsChosenAt: timestamp('personalised_ads_chosen_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})

/**
 * Every cookie choice, kept as a history: the latest row for a person (or for
 * a browser's anonymous consent id) is the one in force.
 */
export const cookieConsents = pgTable(
  'cookie_consents',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /** The anonymous id in the strictly necessary `rounds_consent` cookie. */
    consentId: text('consent_id').notNull(),
    performance: boolean('performance').notNull(),
    functionality: boolean('functionality').notNull(),
    targeting: boolean('targeting').notNull(),
    policyVersion: text('policy_version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('cookie_consents_user_idx').on(t.userId, t.createdAt),
    index('cookie_consents_consent_idx').on(t.consentId, t.createdAt),
  ],
)

/** What a person looked at, kept only with analytics consent and no objection (db/activity.ts). */
export const activityEvents = pgTable(
  'activity_events',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // created_at alone: the daily retention job deletes by age (db/retention-schedule.ts).
  (t) => [index('activity_events_user_idx').on(t.userId, t.createdAt), index('activity_events_created_idx').on(t.createdAt)],
)

export const adInterestSource = pgEnum('ad_interest_source', ['club', 'interest'])

/**
 * Interests inferred for personalised ads. A row the person removed stays as
 * `removed_at`, so inference does not add it back.
 */
export const adInterests = pgTable(
  'ad_interests',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The category, lower-cased: the key a removal matches. */
    key: text('key').notNull(),
    label: text('label').notNull(),
    source: adInterestSource('source').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
)

export const messageChannel = pgEnum('message_channel', ['email', 'sms', 'whatsapp', 'push'])
export const messageKind = pgEnum('message_kind', ['service', 'engagement', 'promotional'])

/** A choice that differs from the default; service messages are never stored (always on). */
export const communicationPreferences = pgTable(
  'communication_preferences',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    channel: messageChannel('channel').notNull(),
    kind: messageKind('kind').notNull(),
    enabled: boolean('enabled').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channel, t.kind] })],
)

/** Unsubscribe links already used, by their signed nonce, so a replay changes nothing. */
export const unsubscribeTokenUses = pgTable('unsubscribe_token_uses', {
  tokenId: text('token_id').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  channel: messageChannel('channel').notNull(),
  kind: messageKind('kind').notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }).notNull().defaultNow(),
})

export const policyVersions = pgTable('policy_versions', {
  version: text('version').primaryKey(),
  effectiveAt: timestamp('effective_at', { withTimezone: true }).notNull(),
  /** A significant change is announced to everyone and asks to be acknowledged. */
  significant: boolean('significant').notNull().default(false),
  body: text('body').notNull(),
  summary: text('summary').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})

export const policyAcknowledgements = pgTable(
  'policy_acknowledgements',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    version: text('version')
      .notNull()
      .references(() => policyVersions.version, { onDelete: 'cascade' }),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.version] })],
)

/** Someone named to exercise these rights on the person's death or incapacity. */
export const nominees = pgTable('nominees', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  email: text('email').notNull(),
  relationship: text('relationship').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})
