import { and, eq, sql } from 'drizzle-orm'
import { insertAccount } from './accounts'
import { db } from './client'
import { PublicError, isUniqueViolation } from './errors'
import { oauthAccounts, users } from './schema/index'

/*
 * Signing in through another service (Google). A link is keyed by the service's `sub` and is made
 * only by a new account created through the service, or by someone already signed in: an email
 * address alone never joins a service's identity to an account.
 */

export type OAuthProvider = (typeof oauthAccounts.provider.enumValues)[number]

/** What a provider vouched for after checking its ID token. */
export type ProviderIdentity = { provider: OAuthProvider; subject: string; email: string }

/**
 * The password hash of an account made through a provider, until its owner sets a password.
 * No password matches it (argon2 refuses it), like the '!erased' of an erased account.
 */
export const NO_PASSWORD = '!no-password'

/** A real password hash is argon2's `$argon2id$…`; the markers above start with '!'. */
const hasPasswordSql = sql<boolean>`(${users.passwordHash} not like '!%')`

export type LinkedAccount = { userId: string; deactivated: boolean }

/** The account a provider's `sub` signs in to, or null. */
export async function findLinkedAccount(provider: OAuthProvider, subject: string): Promise<LinkedAccount | null> {
  const [row] = await db
    .select({ userId: users.id, deactivatedAt: users.deactivatedAt })
    .from(oauthAccounts)
    .innerJoin(users, eq(users.id, oauthAccounts.userId))
    .where(and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.subject, subject)))
  return row ? { userId: row.userId, deactivated: row.deactivatedAt !== null } : null
}

export type SignInMethods = {
  password: boolean
  google: { email: string; linkedAt: Date } | null
}

/** How the person can sign in: with a password, and through which linked services. */
export async function signInMethods(userId: string): Promise<SignInMethods> {
  const [account] = await db.select({ password: hasPasswordSql }).from(users).where(eq(users.id, userId))
  if (!account) throw new PublicError('That account no longer exists.', 404)
  const links = await db
    .select({ provider: oauthAccounts.provider, email: oauthAccounts.email, linkedAt: oauthAccounts.createdAt })
    .from(oauthAccounts)
    .where(eq(oauthAccounts.userId, userId))
  const google = links.find((l) => l.provider === 'google')
  return { password: account.password, google: google ? { email: google.email, linkedAt: google.linkedAt } : null }
}

const linkedElsewhere = () =>
  new PublicError('This Google account is already linked to another Rounds account. Nothing was changed.', 409)

/**
 * Links a provider's identity to the signed-in person's account. Refused, changing nothing, when
 * the identity is linked to someone else or the account already has another identity there.
 */
export async function linkProvider(userId: string, identity: ProviderIdentity, now = new Date()): Promise<'linked' | 'already-linked'> {
  return db.transaction(async (tx) => {
    // One link change per account at a time, so two quick links cannot both pass the checks.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'oauth-link:' + userId}))`)
    const existing = await tx
      .select({ subject: oauthAccounts.subject, userId: oauthAccounts.userId })
      .from(oauthAccounts)
      .where(
        and(
          eq(oauthAccounts.provider, identity.provider),
          sql`(${oauthAccounts.subject} = ${identity.subject} or ${oauthAccounts.userId} = ${userId})`,
        ),
      )
    if (existing.some((l) => l.subject === identity.subject && l.userId === userId)) return 'already-linked' as const
    if (existing.some((l) => l.subject === identity.subject)) throw linkedElsewhere()
    if (existing.length > 0) {
      throw new PublicError('Your account is already linked to another Google account. Unlink it first. Nothing was changed.', 409)
    }
    try {
      await tx.insert(oauthAccounts).values({ ...identity, userId, createdAt: now })
    } catch (error) {
      if (isUniqueViolation(error)) throw linkedElsewhere()
      throw error
    }
    return 'linked' as const
  })
}

/** Removes the link, only while the account keeps another way in (a password). */
export async function unlinkProvider(userId: string, provider: OAuthProvider) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'oauth-link:' + userId}))`)
    const [account] = await tx.select({ password: hasPasswordSql }).from(users).where(eq(users.id, userId)).for('update')
    if (!account) throw new PublicError('That account no longer exists.', 404)
    if (!account.password) {
      throw new PublicError(
        'Google is your only way to sign in. Set a password first (“Forgot password?” on the sign-in page), then unlink Google.',
        409,
      )
    }
    const removed = await tx
      .delete(oauthAccounts)
      .where(and(eq(oauthAccounts.userId, userId), eq(oauthAccounts.provider, provider)))
      .returning({ subject: oauthAccounts.subject })
    if (removed.length === 0) throw new PublicError('Google is not linked to your account.', 404)
  })
}

/**
 * A new account for someone a provider vouched for: the address counts as confirmed, there is no
 * password, and the link is made in the same transaction. Refused when the address already has
 * an account (its owner links the service after signing in) or the identity is linked already.
 */
export async function createAccountWithProvider(
  identity: ProviderIdentity,
  details: { name: string; dateOfBirth: string },
  now = new Date(),
): Promise<{ userId: string }> {
  try {
    return await db.transaction(async (tx) => {
      const userId = await insertAccount(tx, {
        email: identity.email,
        passwordHash: NO_PASSWORD,
        dateOfBirth: details.dateOfBirth,
        name: details.name,
        emailVerifiedAt: now,
      })
      await tx.insert(oauthAccounts).values({ ...identity, userId, createdAt: now })
      return { userId }
    })
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) throw emailHasAccount(identity.email)
    if (isUniqueViolation(error, 'oauth_accounts_pkey')) throw linkedElsewhere()
    throw error
  }
}

/** Said when a provider's address belongs to an account the identity is not linked to. */
export function emailHasAccount(email: string) {
  return new PublicError(
    `A Rounds account already uses ${email}. Sign in with your email and password, then link Google in Settings → Sign-in methods.`,
    409,
  )
}
