import { pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { users } from './users'

export const oauthProvider = pgEnum('oauth_provider', ['google'])

/**
 * A way to sign in through another service, keyed by that service's stable id for the person
 * (an OpenID Connect `sub`), never by email: an address can change hands, a `sub` cannot.
 * One link per provider and account.
 */
export const oauthAccounts = pgTable(
  'oauth_accounts',
  {
    provider: oauthProvider('provider').notNull(),
    subject: text('subject').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The address the provider gave when the link was made, to name the link in settings. */
    email: text('email').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'oauth_accounts_pkey', columns: [t.provider, t.subject] }), uniqueIndex('oauth_accounts_user_provider_key').on(t.userId, t.provider)],
)
