import { sql } from 'drizzle-orm'
import { index, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { users } from './users'

/** development: only its developer and named testers may authorise it; public: anyone; suspended: no one, no token works. */
export const appStatus = pgEnum('app_status', ['development', 'public', 'suspended'])

/**
 * A third-party application a developer registered at /developers. Its client secret is not
 * stored: it is derived from the server secret and `secret_salt` (db/apps/secrets.ts), so a copy
 * of the database alone cannot act as any app. Rotating the secret replaces the salt.
 */
export const apps = pgTable(
  'apps',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id').notNull(),
    developerId: text('developer_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull(),
    homepageUrl: text('homepage_url').notNull(),
    privacyUrl: text('privacy_url').notNull(),
    logoUrl: text('logo_url'),
    redirectUris: text('redirect_uris').array().notNull(),
    status: appStatus('status').notNull().default('development'),
    secretSalt: text('secret_salt').notNull(),
    secretRotatedAt: timestamp('secret_rotated_at', { withTimezone: true }).notNull().defaultNow(),
    reviewedBy: text('reviewed_by').references(() => users.id, { onDelete: 'set null' }),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    suspendedReason: text('suspended_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('apps_client_id_key').on(t.clientId), index('apps_developer_idx').on(t.developerId)],
)

/** Who, besides its developer, may authorise an app still in development (at most 10). */
export const appTesters = pgTable(
  'app_testers',
  {
    appId: text('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.appId, t.userId] })],
)

/**
 * What a member allowed an app: the scopes and which of their private clubs it may list. One row
 * per app and member; revoking deletes it with every token of its grant (oauth_records.grant_id).
 */
export const appAuthorisations = pgTable(
  'app_authorisations',
  {
    appId: text('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    scopes: text('scopes').array().notNull(),
    sharedClubIds: text('shared_club_ids').array().notNull().default(sql`'{}'::text[]`),
    grantId: text('grant_id'),
    authorisedAt: timestamp('authorised_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    /** "Pune, India": where the app last called from, when a GeoIP database is configured. */
    lastUsedPlace: text('last_used_place'),
  },
  (t) => [primaryKey({ columns: [t.appId, t.userId] }), index('app_authorisations_user_idx').on(t.userId)],
)

/** Each time an app read a member's data through the API, shown to the member beside staff views. */
export const appDataReads = pgTable(
  'app_data_reads',
  {
    id: text('id').primaryKey(),
    appId: text('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    what: text('what').notNull(),
    readAt: timestamp('read_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('app_data_reads_user_idx').on(t.userId, t.readAt)],
)

/**
 * The authorisation server's own records (oidc-provider's adapter, db/apps/oidc-adapter.ts):
 * authorisation codes, access and refresh tokens, grants, interactions, sessions. `user_id` is
 * the member a record acts for, so revoking and erasing reach every token at once.
 */
export const oauthRecords = pgTable(
  'oauth_records',
  {
    kind: text('kind').notNull(),
    id: text('id').notNull(),
    payload: jsonb('payload').notNull(),
    grantId: text('grant_id'),
    userCode: text('user_code'),
    uid: text('uid'),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    clientId: text('client_id'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.id] }),
    index('oauth_records_grant_idx').on(t.grantId),
    index('oauth_records_uid_idx').on(t.uid),
    index('oauth_records_user_idx').on(t.userId),
    index('oauth_records_client_idx').on(t.clientId),
  ],
)
