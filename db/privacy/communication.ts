import { and, eq, sql, type SQL } from 'drizzle-orm'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { CHANNELS, OPTIONAL_KINDS, type Channel, type MessageKind, type OptionalKind } from '../privacy-choices'
import { communicationPreferences, unsubscribeTokenUses, users } from '../schema/index'
import { notFound } from './writes'

// Communication preferences, read at send time, and one-time unsubscribe links.

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
export async function mayMessage(userId: string, channel: Channel, kind: MessageKind, executor: Database | Transaction = db) {
  if (kind === 'service') return true
  const [row] = await executor
    .select({ enabled: communicationPreferences.enabled })
    .from(communicationPreferences)
    .where(and(eq(communicationPreferences.userId, userId), eq(communicationPreferences.channel, channel), eq(communicationPreferences.kind, kind)))
  return row ? row.enabled : DEFAULT_CHOICES[channel][kind]
}

/**
 * `mayMessage` inside a statement, for notices written many at a time: whether a message of this
 * kind may go to the person `userId` (a column) on `channel` (a literal or a column), with the same
 * defaults when nothing is stored.
 */
export function mayMessageSql(userId: SQL, channel: Channel | SQL, kind: MessageKind): SQL {
  if (kind === 'service') return sql`true`
  const on = sql`${channel}::text`
  const fallback = sql.join(
    CHANNELS.map((c) => sql`when ${c}::text then ${sql.raw(String(DEFAULT_CHOICES[c][kind]))}`),
    sql` `,
  )
  return sql`coalesce((select cp.enabled from ${communicationPreferences} cp
    where cp.user_id = ${userId} and cp.channel::text = ${on} and cp.kind = ${kind}), case ${on} ${fallback} else false end)`
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
