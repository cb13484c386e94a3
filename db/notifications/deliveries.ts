import { randomUUID } from 'node:crypto'
import { and, eq, inArray, lt, sql, type SQL } from 'drizzle-orm'
import { db, type Database, type Transaction } from '../client'
import { enqueueJob } from '../jobs'
import { retentionRule } from '../retention-schedule'
import type { MessageKind } from '../privacy-choices'
import { jobs, notificationDeliveries, notifications, phoneNumbers, pushSubscriptions } from '../schema/index'
import { pushSubscriptionIdsOf } from './push-subscriptions'
import { mayMessageSql } from '../privacy/communication'

/*
 * The delivery log: one row per notice and channel, with every attempt counted. The email job
 * (server/notifications/email.ts) claims a row before it sends and records the outcome after,
 * so a retried job never sends a message that already went.
 */

/** Delivery logs are kept this long (db/retention-schedule.ts), then deleted by the daily retention job. */
export const NOTIFICATION_DELIVERY_RETENTION_DAYS = retentionRule('notification-deliveries').days

export const NOTIFICATION_EMAIL_QUEUE = 'notification.email'

/** Grouped kinds wait this long before mailing, so a burst of follows becomes one mail. */
export const GROUPED_EMAIL_DELAY_MS = 5 * 60 * 1000

export type DeliveryChannel = 'email' | 'push' | 'sms' | 'whatsapp'

/** Records an email to send and queues its job, in the transaction that wrote the notice. */
export async function queueEmailDelivery(tx: Transaction, input: { notificationId: string; userId: string; runAt: Date }) {
  const id = randomUUID()
  const inserted = await tx
    .insert(notificationDeliveries)
    .values({ id, notificationId: input.notificationId, userId: input.userId, channel: 'email', createdAt: input.runAt })
    .onConflictDoNothing()
    .returning({ id: notificationDeliveries.id })
  if (inserted.length === 0) return null
  await enqueueJob(tx, { queue: NOTIFICATION_EMAIL_QUEUE, payload: { deliveryId: id }, runAt: input.runAt, singletonKey: `notification-email:${id}` })
  return id
}

export const NOTIFICATION_PUSH_QUEUE = 'notification.push'

/**
 * Records a push to each of the person's subscribed browsers and queues one job per browser, in
 * the transaction that wrote the notice: one browser's failure never holds up, or resends to,
 * another. `expiresAt`: when the notice stops meaning anything (a reminder, once the talk starts);
 * the push service is told to drop it by then. Returns how many were queued.
 */
export async function queuePushDeliveries(tx: Transaction, input: { notificationId: string; userId: string; runAt: Date; expiresAt?: Date | null }) {
  let queued = 0
  for (const subscriptionId of await pushSubscriptionIdsOf(tx, input.userId)) {
    const id = randomUUID()
    const inserted = await tx
      .insert(notificationDeliveries)
      .values({ id, notificationId: input.notificationId, userId: input.userId, channel: 'push', destination: subscriptionId, createdAt: input.runAt })
      .onConflictDoNothing()
      .returning({ id: notificationDeliveries.id })
    if (inserted.length === 0) continue
    const payload = { deliveryId: id, ...(input.expiresAt ? { expiresAt: input.expiresAt.toISOString() } : {}) }
    await enqueueJob(tx, { queue: NOTIFICATION_PUSH_QUEUE, payload, runAt: input.runAt, singletonKey: `notification-push:${id}` })
    queued += 1
  }
  return queued
}

/**
 * The same as `queuePushDeliveries`, set-based, for notices written many at a time (a talk's
 * reminders): a delivery and a job for every browser of every recipient whose push preference
 * for `category` allows it (on by default for engagement, as db/privacy/communication.ts says).
 * Returns how many were queued.
 */
export async function queuePushDeliveriesForNotices(
  tx: Transaction,
  input: { notificationIds: string[]; category: MessageKind; runAt: Date; expiresAt?: Date | null },
) {
  if (input.notificationIds.length === 0) return 0
  const stamp = sql`${input.runAt.toISOString()}::timestamptz`
  const allowed = mayMessageSql(sql`n.user_id`, 'push', input.category)
  const expires = input.expiresAt ? sql`, 'expiresAt', ${input.expiresAt.toISOString()}::text` : sql``
  const [row] = await tx.execute<{ queued: number }>(sql`
    with deliveries as (
      insert into ${notificationDeliveries} (id, notification_id, user_id, channel, destination, created_at)
      select gen_random_uuid()::text, n.id, n.user_id, 'push', s.id, ${stamp}
      from ${notifications} n join ${pushSubscriptions} s on s.user_id = n.user_id
      where n.id in ${input.notificationIds} and ${allowed}
      on conflict do nothing
      returning id
    ),
    queued as (
      insert into ${jobs} (queue, payload, run_at, singleton_key)
      select ${NOTIFICATION_PUSH_QUEUE}, jsonb_build_object('deliveryId', d.id ${expires}), ${stamp}, 'notification-push:' || d.id from deliveries d
      returning id
    )
    select count(*)::int as queued from queued`)
  return row?.queued ?? 0
}

export const NOTIFICATION_TEXT_QUEUE = 'notification.text'

/**
 * Statement parts (common table expressions) that record a text message on each of SMS and
 * WhatsApp for every notice in `inserted` (id, user_id) whose recipient has a confirmed number
 * and turned that channel on for `category` (off unless chosen, db/privacy/communication.ts), and
 * queue one job each. `stamp`: when they are due; `expires`: the reminder's end, if any. The job
 * (server/notifications/text.ts) checks the number, the choice and the channel again at send time.
 */
export function textDeliveryCtes(input: { category: MessageKind; stamp: SQL; expiresAt?: Date | null }): SQL {
  const expires = input.expiresAt ? sql`, 'expiresAt', ${input.expiresAt.toISOString()}::text` : sql``
  return sql`
    text_deliveries as (
      insert into ${notificationDeliveries} (id, notification_id, user_id, channel, destination, created_at)
      select gen_random_uuid()::text, i.id, i.user_id, ch.channel, '', ${input.stamp}
      from inserted i
      join ${phoneNumbers} p on p.user_id = i.user_id and p.number is not null
      cross join (values ('sms'), ('whatsapp')) as ch(channel)
      where ${mayMessageSql(sql`i.user_id`, sql`ch.channel`, input.category)}
      on conflict do nothing
      returning id
    ),
    text_queued as (
      insert into ${jobs} (queue, payload, run_at, singleton_key)
      select ${NOTIFICATION_TEXT_QUEUE}, jsonb_build_object('deliveryId', d.id ${expires}), ${input.stamp}, 'notification-text:' || d.id
      from text_deliveries d
      returning id
    )`
}

/** Records and queues the text messages of one notice, in the transaction that wrote it (textDeliveryCtes). Returns how many. */
export async function queueTextDeliveries(tx: Transaction, input: { notificationId: string; userId: string; category: MessageKind; runAt: Date; expiresAt?: Date | null }) {
  const stamp = sql`${input.runAt.toISOString()}::timestamptz`
  const [row] = await tx.execute<{ queued: number }>(sql`
    with inserted as (select ${input.notificationId}::text as id, ${input.userId}::text as user_id),
    ${textDeliveryCtes({ category: input.category, stamp, expiresAt: input.expiresAt })}
    select count(*)::int as queued from text_queued`)
  return row?.queued ?? 0
}

export type ClaimedDelivery = {
  id: string
  notificationId: string
  userId: string
  attempts: number
  channel: DeliveryChannel
  /** Where on the channel ('' for email and texts; a push subscription's id). */
  destination: string
}

/**
 * Takes a delivery for one attempt: counts the attempt and marks it 'sending'. Null when it is
 * already settled (sent, skipped, failed for good): the job then has nothing to do.
 */
export async function claimDelivery(deliveryId: string): Promise<ClaimedDelivery | null> {
  const [row] = await db
    .update(notificationDeliveries)
    .set({ status: 'sending', attempts: sql`${notificationDeliveries.attempts} + 1` })
    .where(and(eq(notificationDeliveries.id, deliveryId), inArray(notificationDeliveries.status, ['queued', 'sending', 'retrying'])))
    .returning({
      id: notificationDeliveries.id,
      notificationId: notificationDeliveries.notificationId,
      userId: notificationDeliveries.userId,
      attempts: notificationDeliveries.attempts,
      channel: notificationDeliveries.channel,
      destination: notificationDeliveries.destination,
    })
  return row ? { ...row, channel: row.channel as DeliveryChannel } : null
}

export async function markDeliverySent(deliveryId: string, providerId: string, at: Date) {
  await db
    .update(notificationDeliveries)
    .set({ status: 'sent', providerId, sentAt: at, error: null })
    .where(eq(notificationDeliveries.id, deliveryId))
}

/** Not sent, on purpose: the person turned it off, or nothing in it may be shown to them any more. */
export async function markDeliverySkipped(deliveryId: string, reason: string) {
  await db.update(notificationDeliveries).set({ status: 'skipped', error: reason }).where(eq(notificationDeliveries.id, deliveryId))
}

/** The provider refused or did not answer: the job runner retries with backoff, or gives up after its last attempt. */
export async function markDeliveryFailed(deliveryId: string, error: string, final: boolean) {
  await db
    .update(notificationDeliveries)
    .set({ status: final ? 'failed' : 'retrying', error: error.slice(0, 500) })
    .where(eq(notificationDeliveries.id, deliveryId))
}

/**
 * Deletes delivery logs past the retention period, whatever their state: a job retries for
 * hours at most, so a row that old is settled or was left by a worker that died mid-send.
 */
export async function pruneNotificationDeliveries(now: Date, executor: Database = db) {
  const before = new Date(now.getTime() - NOTIFICATION_DELIVERY_RETENTION_DAYS * 24 * 60 * 60 * 1000)
  const rows = await executor
    .delete(notificationDeliveries)
    .where(lt(notificationDeliveries.createdAt, before))
    .returning({ id: notificationDeliveries.id })
  return rows.length
}
