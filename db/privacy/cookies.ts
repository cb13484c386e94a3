import { randomUUID } from 'node:crypto'
import { desc, eq, or, sql } from 'drizzle-orm'
import { db } from '../client'
import { cookieConsents, privacySettings } from '../schema/index'
import { clearInferredInterests } from './writes'

// Cookie consent, for visitors too, and the analytics check that reads it.

/** The version of the cookie notice people consent to; a new one asks everyone again. */
export const COOKIE_POLICY_VERSION = '1'

export const COOKIE_CATEGORIES = ['performance', 'functionality', 'targeting'] as const
export type CookieCategory = (typeof COOKIE_CATEGORIES)[number]
export type CookieChoices = Record<CookieCategory, boolean>
export type CookieConsent = CookieChoices & { policyVersion: string; createdAt: Date; current: boolean }

/** Who is choosing: a signed-in person and/or the browser's anonymous consent id. */
export type ConsentHolder = { userId?: string | null; consentId?: string | null }

function consentHolderSql(who: ConsentHolder) {
  const conditions = [
    who.userId ? eq(cookieConsents.userId, who.userId) : undefined,
    who.consentId ? eq(cookieConsents.consentId, who.consentId) : undefined,
  ].filter((c) => c !== undefined)
  return conditions.length ? or(...conditions) : undefined
}

/** The choice in force: the latest one by this person or from this browser. */
export async function getCookieConsent(who: ConsentHolder): Promise<CookieConsent | null> {
  const holder = consentHolderSql(who)
  if (!holder) return null
  const [row] = await db
    .select()
    .from(cookieConsents)
    .where(holder)
    .orderBy(desc(cookieConsents.createdAt))
    .limit(1)
  if (!row) return null
  return {
    performance: row.performance,
    functionality: row.functionality,
    targeting: row.targeting,
    policyVersion: row.policyVersion,
    createdAt: row.createdAt,
    current: row.policyVersion === COOKIE_POLICY_VERSION,
  }
}

/**
 * Records a cookie choice (kept as history, with time and policy version).
 * Withdrawing targeting consent removes the ad interests inferred under it.
 */
export async function saveCookieConsent(who: { userId: string | null; consentId: string }, choices: CookieChoices) {
  await db.transaction(async (tx) => {
    await tx.insert(cookieConsents).values({
      id: randomUUID(),
      userId: who.userId,
      consentId: who.consentId,
      ...choices,
      policyVersion: COOKIE_POLICY_VERSION,
    })
    if (who.userId && !choices.targeting) await clearInferredInterests(tx, who.userId)
  })
}

/** SQL: the latest choice for one category, false when none was made. */
export function consentedSql(category: CookieCategory, who: ConsentHolder) {
  const holder = consentHolderSql(who)
  if (!holder) return sql<boolean>`false`
  const column = cookieConsents[category]
  return sql<boolean>`coalesce((select ${column} from ${cookieConsents} where ${holder} order by ${cookieConsents.createdAt} desc limit 1), false)`
}

// ------------------------------------------------------------------ analytics

/** Whether activity may be recorded: analytics (performance) consent, and no objection. */
export function analyticsAllowedSql(userId: string, consentId?: string | null) {
  return sql<boolean>`(${consentedSql('performance', { userId, consentId })} and not coalesce((select ${privacySettings.objectAnalytics} from ${privacySettings} where ${privacySettings.userId} = ${userId}), false))`
}
