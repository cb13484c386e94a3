import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import { db } from '../client'
import { PublicError } from '../errors'
import { adInterests, clubFollows, clubs, privacySettings, profiles, users } from '../schema/index'
import { consentedSql } from './cookies'
import { clearInferredInterests, notFound, upsertSettings, type Executor } from './writes'

// Ad preferences: personalised ads by choice and consent, never for under-18s, and the inferred interests.

export type AdInterest = { key: string; label: string; source: 'club' | 'interest' }

export type AdPreferences = {
  /** The person's choice; false until they choose. */
  personalisedAds: boolean
  chosen: boolean
  adult: boolean
  targetingConsent: boolean
  objectedToPersonalisation: boolean
  /** Every condition holds, so ads may be personalised. */
  active: boolean
  interests: AdInterest[]
}

const MAX_INTERESTS = 30
const ADULT_SQL = sql<boolean>`(${users.dateOfBirth} <= (current_date - interval '18 years')::date)`

async function adConditions(tx: Executor, userId: string, consentId?: string | null) {
  const [row] = await tx
    .select({
      adult: ADULT_SQL,
      personalisedAds: privacySettings.personalisedAds,
      objected: privacySettings.objectPersonalisation,
      targeting: consentedSql('targeting', { userId, consentId }),
    })
    .from(users)
    .leftJoin(privacySettings, eq(privacySettings.userId, users.id))
    .where(eq(users.id, userId))
  if (!row) throw notFound()
  const personalisedAds = row.personalisedAds === true
  const objected = row.objected === true
  return {
    adult: row.adult,
    personalisedAds,
    chosen: row.personalisedAds !== null,
    objected,
    targeting: row.targeting,
    // Never for under-18s, whatever is stored.
    active: row.adult && personalisedAds && row.targeting && !objected,
  }
}

/** Whether ads shown to this person may be personalised; otherwise ads are contextual only. */
export async function personalisedAdsAllowed(userId: string, consentId?: string | null) {
  return (await adConditions(db, userId, consentId)).active
}

export async function getAdPreferences(userId: string, consentId?: string | null): Promise<AdPreferences> {
  const conditions = await adConditions(db, userId, consentId)
  return {
    personalisedAds: conditions.personalisedAds,
    chosen: conditions.chosen,
    adult: conditions.adult,
    targetingConsent: conditions.targeting,
    objectedToPersonalisation: conditions.objected,
    active: conditions.active,
    interests: conditions.active ? await listAdInterests(db, userId) : [],
  }
}

async function listAdInterests(tx: Executor, userId: string): Promise<AdInterest[]> {
  return tx
    .select({ key: adInterests.key, label: adInterests.label, source: adInterests.source })
    .from(adInterests)
    .where(and(eq(adInterests.userId, userId), isNull(adInterests.removedAt)))
    .orderBy(asc(adInterests.label))
}

export async function setPersonalisedAds(userId: string, on: boolean) {
  await db.transaction(async (tx) => {
    const [user] = await tx.select({ adult: ADULT_SQL }).from(users).where(eq(users.id, userId))
    if (!user) throw notFound()
    if (on && !user.adult) throw new PublicError('Personalised ads are never shown to doctors under 18.', 403, 'personalisedAds')
    await upsertSettings(tx, userId, { personalisedAds: on, personalisedAdsChosenAt: new Date() })
    if (!on) await clearInferredInterests(tx, userId)
  })
}

/**
 * Infers ad interest categories from the specialities of the clubs the person
 * follows and the interests on their profile — only while personalised ads are
 * on, targeting cookies are accepted, personalisation is not objected to and
 * the person is 18 or over. Otherwise nothing is recorded (and anything inferred
 * before is removed). Returns the interests now on record.
 */
export async function inferAdInterests(userId: string, options: { consentId?: string | null } = {}): Promise<AdInterest[]> {
  return db.transaction(async (tx) => {
    // One inference at a time per person, so a withdrawal cannot interleave with it.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'ad-interests:' + userId}))`)
    const conditions = await adConditions(tx, userId, options.consentId)
    if (!conditions.active) {
      await clearInferredInterests(tx, userId)
      return []
    }
    const [profile] = await tx.select({ interests: profiles.interests }).from(profiles).where(eq(profiles.userId, userId))
    const followed = await tx
      .select({ specialities: clubs.specialities })
      .from(clubFollows)
      .innerJoin(clubs, eq(clubs.id, clubFollows.clubId))
      .where(eq(clubFollows.userId, userId))
    const candidates = new Map<string, AdInterest>()
    const add = (label: string, source: AdInterest['source']) => {
      const clean = label.trim().slice(0, 60)
      const key = clean.toLowerCase()
      if (clean && !candidates.has(key) && candidates.size < MAX_INTERESTS) candidates.set(key, { key, label: clean, source })
    }
    for (const club of followed) for (const speciality of club.specialities) add(speciality, 'club')
    for (const interest of profile?.interests ?? []) add(interest, 'interest')
    if (candidates.size > 0) {
      // A category the person removed stays removed: the conflict keeps their row as it is.
      await tx
        .insert(adInterests)
        .values([...candidates.values()].map((c) => ({ userId, ...c })))
        .onConflictDoNothing()
    }
    return listAdInterests(tx, userId)
  })
}

export async function removeAdInterest(userId: string, key: string) {
  const rows = await db
    .update(adInterests)
    .set({ removedAt: new Date() })
    .where(and(eq(adInterests.userId, userId), eq(adInterests.key, key), isNull(adInterests.removedAt)))
    .returning({ key: adInterests.key })
  if (rows.length === 0) throw new PublicError('That interest is not on your list.', 404, 'key')
}
