import { ECDH, randomUUID } from 'node:crypto'
import { and, asc, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { pushSubscriptions } from '../schema/index'

/*
 * The browsers a person turned push notices on in (Settings → Notifications). A subscription is
 * the Push API's `PushSubscription.toJSON()`: an https endpoint at the browser's push service and
 * the keys the message is encrypted to (RFC 8291). Checked before anything is stored: a bad one
 * would only fail at every send. One row per endpoint: the same browser subscribing again, even
 * for another account after a sign-out, moves the row rather than doubling it.
 */

/** A person may keep this many browsers subscribed; the oldest goes when one more subscribes. */
export const MAX_PUSH_SUBSCRIPTIONS = 10

const base64UrlOf = (bytes: number, what: string) =>
  z
    .string({ required_error: `The browser sent no ${what}.` })
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `The browser sent a ${what} Rounds cannot read.`)
    .refine((value) => Buffer.from(value, 'base64url').length === bytes, `The browser sent a ${what} Rounds cannot read.`)

export const PushSubscriptionInput = z.object({
  endpoint: z
    .string({ required_error: 'The browser sent no push address.' })
    .max(2048, 'The browser sent a push address that is too long.')
    .url('The browser sent a push address Rounds cannot read.')
    .refine((value) => value.startsWith('https://'), 'The browser’s push address must be a secure (https) one.'),
  keys: z.object(
    {
      p256dh: base64UrlOf(65, 'encryption key').refine(isP256Point, 'The browser sent an encryption key Rounds cannot read.'),
      auth: base64UrlOf(16, 'authentication secret'),
    },
    { required_error: 'The browser sent no encryption keys.' },
  ),
})
export type PushSubscriptionInput = z.infer<typeof PushSubscriptionInput>

/** Whether the key is an uncompressed point on P-256 (a wrong one would fail every encryption). */
function isP256Point(value: string) {
  try {
    ECDH.convertKey(Buffer.from(value, 'base64url'), 'prime256v1')
    return true
  } catch {
    return false
  }
}

export type PushSubscriptionRow = { id: string; endpoint: string; p256dh: string; auth: string; userId: string }

/** Keeps the browser's subscription for the person (moving it from whoever had that endpoint). */
export async function savePushSubscription(userId: string, input: unknown, userAgent: string | null, now = new Date()) {
  const parsed = PushSubscriptionInput.safeParse(input)
  if (!parsed.success) throw new PublicError(parsed.error.issues[0].message, 400)
  const { endpoint, keys } = parsed.data
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`push-subscriptions:${userId}`}))`)
    const [row] = await tx
      .insert(pushSubscriptions)
      .values({ id: randomUUID(), userId, endpoint, p256dh: keys.p256dh, auth: keys.auth, userAgent: userAgent?.slice(0, 300) ?? null, createdAt: now })
      .onConflictDoUpdate({
        target: pushSubscriptions.endpoint,
        set: { userId, p256dh: keys.p256dh, auth: keys.auth, userAgent: userAgent?.slice(0, 300) ?? null, createdAt: now },
      })
      .returning({ id: pushSubscriptions.id })
    await tx.execute(sql`
      delete from ${pushSubscriptions} where user_id = ${userId} and id in (
        select id from ${pushSubscriptions} where user_id = ${userId}
        order by created_at desc, id desc offset ${MAX_PUSH_SUBSCRIPTIONS})`)
    return row.id
  })
}

/**
 * The browser replaced its subscription (the service worker's `pushsubscriptionchange`): the one
 * at `oldEndpoint` becomes the new one, keeping its place in the list. Only a subscription the
 * person still has is renewed: a browser they removed stays removed. False when there was none.
 */
export async function renewPushSubscription(userId: string, oldEndpoint: string, input: unknown) {
  const parsed = PushSubscriptionInput.safeParse(input)
  if (!parsed.success) throw new PublicError(parsed.error.issues[0].message, 400)
  const { endpoint, keys } = parsed.data
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`push-subscriptions:${userId}`}))`)
    // The new address may already be stored (the page subscribed it first): keep one row.
    if (endpoint !== oldEndpoint) await tx.delete(pushSubscriptions).where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.userId, userId)))
    const rows = await tx
      .update(pushSubscriptions)
      .set({ endpoint, p256dh: keys.p256dh, auth: keys.auth })
      .where(and(eq(pushSubscriptions.endpoint, oldEndpoint), eq(pushSubscriptions.userId, userId)))
      .returning({ id: pushSubscriptions.id })
    return rows.length > 0
  })
}

/** `endpointTag`: the first 16 hex digits of the endpoint's SHA-256, so a browser can find itself in the list. */
export type PushDevice = { id: string; userAgent: string | null; createdAt: Date; endpointTag: string }

/** The person's subscribed browsers, oldest first (never the endpoint or keys: the page needs neither). */
export async function listPushSubscriptions(userId: string): Promise<PushDevice[]> {
  return db
    .select({
      id: pushSubscriptions.id,
      userAgent: pushSubscriptions.userAgent,
      createdAt: pushSubscriptions.createdAt,
      endpointTag: sql<string>`left(encode(sha256(convert_to(${pushSubscriptions.endpoint}, 'UTF8')), 'hex'), 16)`,
    })
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.userId, userId))
    .orderBy(asc(pushSubscriptions.createdAt), asc(pushSubscriptions.id))
}

/** Removes one of the person's own subscriptions; false when it was not theirs or is already gone. */
export async function removePushSubscription(userId: string, id: string) {
  if (!/^[0-9a-f-]{36}$/.test(id)) return false
  const rows = await db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.id, id), eq(pushSubscriptions.userId, userId)))
    .returning({ id: pushSubscriptions.id })
  return rows.length > 0
}

/** Removes every browser of the person ("This wasn't me": a stranger's browser may be among them). */
export async function removeAllPushSubscriptions(tx: Transaction, userId: string) {
  const rows = await tx.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, userId)).returning({ id: pushSubscriptions.id })
  return rows.length
}

/** The push service said the subscription is gone (404/410): it is of no more use. */
export async function forgetExpiredPushSubscription(id: string) {
  await db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, id))
}

/** A subscription as the send job needs it; null when it was removed since the notice was queued. */
export async function pushSubscriptionById(id: string): Promise<PushSubscriptionRow | null> {
  const [row] = await db
    .select({ id: pushSubscriptions.id, endpoint: pushSubscriptions.endpoint, p256dh: pushSubscriptions.p256dh, auth: pushSubscriptions.auth, userId: pushSubscriptions.userId })
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.id, id))
  return row ?? null
}

/** The ids of the person's subscriptions, to queue one delivery each. */
export async function pushSubscriptionIdsOf(executor: Database | Transaction, userId: string) {
  const rows = await executor.select({ id: pushSubscriptions.id }).from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId))
  return rows.map((r) => r.id)
}
