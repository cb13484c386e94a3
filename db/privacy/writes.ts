import { and, eq, isNull } from 'drizzle-orm'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { adInterests, privacySettings } from '../schema/index'

// What several privacy choices write alike: the settings row, and the removal of inferred ad interests.

export type Executor = Transaction | typeof db

export const notFound = () => new PublicError('We could not find your account.', 404)

export async function upsertSettings(tx: Executor, userId: string, values: Partial<Omit<typeof privacySettings.$inferInsert, 'userId'>>) {
  const now = new Date()
  await tx
    .insert(privacySettings)
    .values({ userId, ...values, updatedAt: now })
    .onConflictDoUpdate({ target: privacySettings.userId, set: { ...values, updatedAt: now } })
}

/** Removes every inferred interest, keeping the person's own removals so they stay removed. */
export async function clearInferredInterests(tx: Executor, userId: string) {
  await tx.delete(adInterests).where(and(eq(adInterests.userId, userId), isNull(adInterests.removedAt)))
}
