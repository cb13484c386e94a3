import { randomUUID } from 'node:crypto'
import { and, asc, desc, eq, isNull, lte, ne, or, sql } from 'drizzle-orm'
import { db, type Transaction } from './client'
import { recordAccessChange } from './access-changes'
import { PublicError } from './errors'
import { CHANNELS, OPTIONAL_KINDS, type Channel, type InvitesFrom, type ListsVisibility, type MessageKind, type OptionalKind } from './privacy-choices'
import {
  activityEvents,
  adInterests,
  clubFollows,
  clubs,
  communicationPreferences,
  cookieConsents,
  nominees,
  notifications,
  policyAcknowledgements,
  policyVersions,
  privacySettings,
  profiles,
  sessions,
  unsubscribeTokenUses,
  users,
} from './schema/index'
import { enqueueSearchUpdate } from './search'

/*
 * The privacy centre's rules: each person's settings, and the checks other
 * modules call before they process personal data (recommendations, ads,
 * analytics, messages). Visibility of people (deactivation, list settings) and
 * who may invite whom are written in db/access/people.ts.
 */

export * from './privacy-choices'

type Executor = Transaction | typeof db

const notFound = () => new PublicError('We could not find your account.', 404)

// ------------------------------------------------------------------ settings


export type PrivacySettings = {
  profileVisibility: 'public' | 'private'
  discoverable: boolean
  listsVisibility: ListsVisibility
  invitesFrom: InvitesFrom
  objectPersonalisation: boolean
  objectAnalytics: boolean
}

export type PrivacySettingsUpdate = Omit<PrivacySettings, 'profileVisibility'>

export async function getPrivacySettings(userId: string): Promise<PrivacySettings> {
  const [row] = await db
    .select({ visibility: profiles.visibility, discoverable: profiles.discoverable, settings: privacySettings })
    .from(profiles)
    .leftJoin(privacySettings, eq(privacySettings.userId, profiles.userId))
    .where(eq(profiles.userId, userId))
  if (!row) throw notFound()
  return {
    profileVisibility: row.visibility,
    discoverable: row.discoverable,
    listsVisibility: row.settings?.listsVisibility ?? 'signed_in',
    invitesFrom: row.settings?.invitesFrom ?? 'anyone',
    objectPersonalisation: row.settings?.objectPersonalisation ?? false,
    objectAnalytics: row.settings?.objectAnalytics ?? false,
  }
}

async function upsertSettings(tx: Executor, userId: string, values: Partial<Omit<typeof privacySettings.$inferInsert, 'userId'>>) {
  const now = new Date()
  await tx
    .insert(privacySettings)
    .values({ userId, ...values, updatedAt: now })
    .onConflictDoUpdate({ target: privacySettings.userId, set: { ...values, updatedAt: now } })
}

/**
 * Saves the privacy settings in one transaction. An objection stops that
 * processing at once: objecting to personalisation removes the inferred ad
 * interests; objecting to analytics deletes the activity already recorded.
 */
export async function updatePrivacySettings(userId: string, update: PrivacySettingsUpdate) {
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select({ discoverable: profiles.discoverable })
      .from(profiles)
      .where(eq(profiles.userId, userId))
      .for('update')
    if (!before) throw notFound()
    if (before.discoverable !== update.discoverable) {
      await tx.update(profiles).set({ discoverable: update.discoverable, updatedAt: new Date() }).where(eq(profiles.userId, userId))
      await enqueueSearchUpdate(tx, { kind: 'profile', id: userId })
    }
    await upsertSettings(tx, userId, {
      listsVisibility: update.listsVisibility,
      invitesFrom: update.invitesFrom,
      objectPersonalisation: update.objectPersonalisation,
      objectAnalytics: update.objectAnalytics,
    })
    if (update.objectPersonalisation) await clearInferredInterests(tx, userId)
    if (update.objectAnalytics) await tx.delete(activityEvents).where(eq(activityEvents.userId, userId))
  })
}

// ------------------------------------------------------------------ cookies

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
function consentedSql(category: CookieCategory, who: ConsentHolder) {
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

// ------------------------------------------------------------------ ads

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

/** Removes every inferred interest, keeping the person's own removals so they stay removed. */
async function clearInferredInterests(tx: Executor, userId: string) {
  await tx.delete(adInterests).where(and(eq(adInterests.userId, userId), isNull(adInterests.removedAt)))
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

// ------------------------------------------------------------------ messages

export type CommunicationChoices = Record<Channel, Record<OptionalKind, boolean>>
export type CommunicationPreferences = Record<Channel, Record<MessageKind, boolean>>

/** Promotional messages only by opt-in; engagement (reminders, replies) on for email and push. */
const DEFAULT_CHOICES: CommunicationChoices = {
  email: { engagement: true, promotional: false },
  sms: { engagement: false, promotional: false },
  whatsapp: { engagement: false, promotional: false },
  push: { engagement: true, promotional: false },
}

export async function getCommunicationPreferences(userId: string): Promise<CommunicationPreferences> {
  const rows = await db
    .select({ channel: communicationPreferences.channel, kind: communicationPreferences.kind, enabled: communicationPreferences.enabled })
    .from(communicationPreferences)
    .where(eq(communicationPreferences.userId, userId))
  const stored = new Map(rows.map((r) => [`${r.channel}/${r.kind}`, r.enabled]))
  const result = {} as CommunicationPreferences
  for (const channel of CHANNELS) {
    result[channel] = {
      service: true,
      engagement: stored.get(`${channel}/engagement`) ?? DEFAULT_CHOICES[channel].engagement,
      promotional: stored.get(`${channel}/promotional`) ?? DEFAULT_CHOICES[channel].promotional,
    }
  }
  return result
}

export async function updateCommunicationPreferences(userId: string, choices: CommunicationChoices) {
  await db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId))
    if (!user) throw notFound()
    const now = new Date()
    const values = CHANNELS.flatMap((channel) =>
      OPTIONAL_KINDS.map((kind) => ({ userId, channel, kind, enabled: choices[channel][kind], updatedAt: now })),
    )
    await tx
      .insert(communicationPreferences)
      .values(values)
      .onConflictDoUpdate({
        target: [communicationPreferences.userId, communicationPreferences.channel, communicationPreferences.kind],
        set: { enabled: sql`excluded.enabled`, updatedAt: now },
      })
  })
}

/** Whether a message of this kind may go to the person on this channel. Service messages always may. */
export async function mayMessage(userId: string, channel: Channel, kind: MessageKind) {
  if (kind === 'service') return true
  const [row] = await db
    .select({ enabled: communicationPreferences.enabled })
    .from(communicationPreferences)
    .where(and(eq(communicationPreferences.userId, userId), eq(communicationPreferences.channel, channel), eq(communicationPreferences.kind, kind)))
  return row ? row.enabled : DEFAULT_CHOICES[channel][kind]
}

/** The account an address belongs to, for mail sent by address. */
export async function userIdByEmail(email: string) {
  const [row] = await db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = lower(${email})`)
  return row?.id ?? null
}

export type UnsubscribeClaims = { tokenId: string; userId: string; channel: Channel; kind: MessageKind }

/**
 * Applies a verified unsubscribe link once. A link already used answers
 * 'already' and changes nothing, even if the person has subscribed again since:
 * an old link must not undo a newer choice.
 */
export async function unsubscribeByToken(claims: UnsubscribeClaims): Promise<'unsubscribed' | 'already'> {
  if (claims.kind === 'service') throw new PublicError('Service messages cannot be turned off.', 400)
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, claims.userId))
    if (!user) throw new PublicError('This link is for an account that no longer exists.', 404)
    const used = await tx
      .insert(unsubscribeTokenUses)
      .values({ tokenId: claims.tokenId, userId: claims.userId, channel: claims.channel, kind: claims.kind })
      .onConflictDoNothing()
      .returning({ tokenId: unsubscribeTokenUses.tokenId })
    if (used.length === 0) return 'already' as const
    const now = new Date()
    await tx
      .insert(communicationPreferences)
      .values({ userId: claims.userId, channel: claims.channel, kind: claims.kind, enabled: false, updatedAt: now })
      .onConflictDoUpdate({
        target: [communicationPreferences.userId, communicationPreferences.channel, communicationPreferences.kind],
        set: { enabled: false, updatedAt: now },
      })
    return 'unsubscribed' as const
  })
}

export async function unsubscribeTokenUsed(tokenId: string) {
  const [row] = await db.select({ id: unsubscribeTokenUses.tokenId }).from(unsubscribeTokenUses).where(eq(unsubscribeTokenUses.tokenId, tokenId))
  return Boolean(row)
}

// ------------------------------------------------------------------ policies

export type PolicyVersion = {
  version: string
  effectiveAt: Date
  significant: boolean
  body: string
  summary: string
}

export type PolicyInput = PolicyVersion

const policyColumns = {
  version: policyVersions.version,
  effectiveAt: policyVersions.effectiveAt,
  significant: policyVersions.significant,
  body: policyVersions.body,
  summary: policyVersions.summary,
}

/** The version in force now: the latest whose effective date has come. */
export async function currentPolicy(now = new Date()): Promise<PolicyVersion | null> {
  const [row] = await db
    .select(policyColumns)
    .from(policyVersions)
    .where(lte(policyVersions.effectiveAt, now))
    .orderBy(desc(policyVersions.effectiveAt))
    .limit(1)
  return row ?? null
}

export async function getPolicyVersion(version: string): Promise<PolicyVersion | null> {
  const [row] = await db.select(policyColumns).from(policyVersions).where(eq(policyVersions.version, version))
  return row ?? null
}

/** Every version, newest first, without the full text. */
export async function listPolicyVersions(): Promise<Omit<PolicyVersion, 'body'>[]> {
  return db
    .select({
      version: policyVersions.version,
      effectiveAt: policyVersions.effectiveAt,
      significant: policyVersions.significant,
      summary: policyVersions.summary,
    })
    .from(policyVersions)
    .orderBy(desc(policyVersions.effectiveAt))
}

export const POLICY_NOTICE = 'policy'

/**
 * Stores a new policy version. A significant one gives every account an in-app
 * notice in the same transaction; the caller emails them (server/privacy.ts).
 */
export async function createPolicyVersion(input: PolicyInput): Promise<{ notified: number }> {
  if (!/^[0-9A-Za-z.-]{1,20}$/.test(input.version)) throw new PublicError('A version is 1–20 letters, digits, dots or hyphens.', 400, 'version')
  if (!input.body.trim() || input.body.length > 200_000) throw new PublicError('The policy text is empty or too long.', 400, 'body')
  if (!input.summary.trim() || input.summary.length > 4000) throw new PublicError('The summary of changes is empty or too long.', 400, 'summary')
  return db.transaction(async (tx) => {
    const inserted = await tx.insert(policyVersions).values(input).onConflictDoNothing().returning({ version: policyVersions.version })
    if (inserted.length === 0) throw new PublicError(`Version ${input.version} already exists.`, 409, 'version')
    if (!input.significant) return { notified: 0 }
    const effective = input.effectiveAt.toISOString().slice(0, 10)
    const rows = await tx.execute<{ id: string }>(sql`
      insert into ${notifications} (id, user_id, kind, subject, title, body, link)
      select gen_random_uuid()::text, u.id, ${POLICY_NOTICE}, ${input.version},
        ${`Our privacy policy changes on ${effective}`}, ${input.summary}, ${`/privacy?version=${encodeURIComponent(input.version)}`}
      from ${users} u
      on conflict do nothing
      returning id`)
    return { notified: rows.length }
  })
}

/** Records that the person has read a version, and clears its notice. */
export async function acknowledgePolicy(userId: string, version: string) {
  await db.transaction(async (tx) => {
    const [policy] = await tx.select({ version: policyVersions.version }).from(policyVersions).where(eq(policyVersions.version, version))
    if (!policy) throw new PublicError('That policy version does not exist.', 404, 'version')
    await tx.insert(policyAcknowledgements).values({ userId, version }).onConflictDoNothing()
    await tx
      .update(notifications)
      .set({ readAt: new Date() })
      .where(and(eq(notifications.userId, userId), eq(notifications.kind, POLICY_NOTICE), eq(notifications.subject, version), isNull(notifications.readAt)))
  })
}

export async function acknowledgedVersions(userId: string): Promise<string[]> {
  const rows = await db
    .select({ version: policyAcknowledgements.version })
    .from(policyAcknowledgements)
    .where(eq(policyAcknowledgements.userId, userId))
  return rows.map((r) => r.version)
}

export type Notice = { id: string; kind: string; subject: string; title: string; body: string; link: string | null; createdAt: Date }

export async function listUnreadNotices(userId: string, limit = 3): Promise<Notice[]> {
  return db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      subject: notifications.subject,
      title: notifications.title,
      body: notifications.body,
      link: notifications.link,
      createdAt: notifications.createdAt,
    })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .orderBy(desc(notifications.createdAt))
    .limit(limit)
}

/** Everyone to email about a policy change, a page at a time (by id). */
export async function listAccountsAfter(afterId: string, limit: number) {
  return db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(sql`${users.id} > ${afterId}`)
    .orderBy(asc(users.id))
    .limit(limit)
}

// ------------------------------------------------------------------ nominee

export type Nominee = { name: string; email: string; relationship: string; updatedAt: Date }
export type NomineeInput = Omit<Nominee, 'updatedAt'>

export async function getNominee(userId: string): Promise<Nominee | null> {
  const [row] = await db
    .select({ name: nominees.name, email: nominees.email, relationship: nominees.relationship, updatedAt: nominees.updatedAt })
    .from(nominees)
    .where(eq(nominees.userId, userId))
  return row ?? null
}

export async function saveNominee(userId: string, input: NomineeInput) {
  await db.transaction(async (tx) => {
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId))
    if (!user) throw notFound()
    if (user.email.toLowerCase() === input.email.toLowerCase()) {
      throw new PublicError('Name someone other than yourself: use their email address.', 400, 'email')
    }
    const now = new Date()
    await tx
      .insert(nominees)
      .values({ userId, ...input, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: nominees.userId, set: { ...input, updatedAt: now } })
  })
}

export async function removeNominee(userId: string) {
  const rows = await db.delete(nominees).where(eq(nominees.userId, userId)).returning({ userId: nominees.userId })
  if (rows.length === 0) throw new PublicError('You have no nominee to remove.', 404)
}

// ------------------------------------------------------------------ deactivation

export async function isDeactivated(userId: string) {
  const [row] = await db.select({ at: users.deactivatedAt }).from(users).where(eq(users.id, userId))
  return Boolean(row?.at)
}

/** For re-authentication before a sensitive change. */
export async function passwordHashOf(userId: string) {
  const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId))
  if (!row) throw notFound()
  return row.hash
}

/**
 * Hides the account (reversibly): to everyone else the profile no longer
 * exists (db/visibility.ts). Ends every session but the current one and
 * returns their ids, for the caller to disconnect their sockets.
 */
export async function deactivateAccount(userId: string, keepSessionId: string): Promise<{ endedSessions: string[] }> {
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(users)
      .set({ deactivatedAt: sql`coalesce(${users.deactivatedAt}, now())` })
      .where(eq(users.id, userId))
      .returning({ id: users.id })
    if (updated.length === 0) throw notFound()
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)))
      .returning({ id: sessions.id })
    await enqueueSearchUpdate(tx, { kind: 'profile', id: userId })
    // To everyone else they no longer exist: their open sockets close, on every node.
    await recordAccessChange(tx, { kind: 'user', userId })
    return { endedSessions: ended.map((s) => s.id) }
  })
}

export async function reactivateAccount(userId: string) {
  await db.transaction(async (tx) => {
    const updated = await tx.update(users).set({ deactivatedAt: null }).where(eq(users.id, userId)).returning({ id: users.id })
    if (updated.length === 0) throw notFound()
    await enqueueSearchUpdate(tx, { kind: 'profile', id: userId })
  })
}
