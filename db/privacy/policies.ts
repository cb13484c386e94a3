import { and, asc, desc, eq, isNull, lte, sql } from 'drizzle-orm'
import { db } from '../client'
import { PublicError } from '../errors'
import { notifications, policyAcknowledgements, policyVersions, users } from '../schema/index'

// Privacy policy versions, their acknowledgements, and the in-app notices that announce them.

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
