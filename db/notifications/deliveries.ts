import { randomUUID } from 'node:crypto'
import { and, eq, inArray, lt, sql } from 'drizzle-orm'
import { db, type Database, type Transaction } from '../client'
import { enqueueJob } from '../jobs'
import { notificationDeliveries } from '../schema/index'

/*
 * The delivery log: one row per notice and channel, with every attempt counted. The email job
 * (server/notifications/email.ts) claims a row before it sends and records the outcome after,
 * so a retried job never sends a message that already went.
 */

/** Delivery logs are kept this long, then deleted by the hourly `notifications.prune` job. */
export const NOTIFICATION_DELIVERY_RETENTION_DAYS = 90

export const NOTIFICATION_EMAIL_QUEUE = 'notification.email'

/** Grouped kinds wait this long before mailing, so a burst of follows becomes one mail. */
export const GROUPED_EMAIL_DELAY_MS = 5 * 60 * 1000

export type DeliveryChannel = 'email'

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

export type ClaimedDelivery = { id: string; notificationId: string; userId: string; attempts: number }

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
    })
  return row ?? null
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
