import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import { db } from '../client'
import { emailDigestChoices, notificationDeliveries, users } from '../schema/index'
import { requireSignedIn } from '../access/index'
import type { Viewer } from '../viewer'
import { KIND_RULES, type NotificationKind } from './kinds'

/*
 * The daily digest. A person may take the activity emails that can wait — follows, follow
 * requests and approvals, club invitations, joins by link — once a day in one mail instead of one
 * each. Their email deliveries are then held ('digest') when their job runs, and the hourly
 * `notification.digest` job gathers what is held into one mail at DIGEST_HOUR in the person's time
 * zone (UTC when they set none). Talk reminders, "live now", talk changes and every service or
 * security notice never wait: they go as they happen.
 *
 * Exactly once: a digest is claimed by moving `last_sent_at` from the value read to now (another
 * worker's claim then matches nothing) and its deliveries from 'digest' to 'sending' in the same
 * transaction; they become 'sent' with the digest's message id, or go back to 'digest' (and
 * `last_sent_at` back) when the mail could not be sent, for the next hour's run.
 */

/** The local hour from which the day's digest goes. */
export const DIGEST_HOUR = 8

export const NOTIFICATION_DIGEST_QUEUE = 'notification.digest'

/** What the held deliveries say while they wait. */
const HELD = 'Waiting for the daily digest.'

export function isDigestKind(kind: NotificationKind) {
  return KIND_RULES[kind]?.digest === true
}

export async function getDailyDigest(viewer: Viewer) {
  requireSignedIn(viewer, 'Sign in to change your notifications.')
  const [row] = await db.select({ daily: emailDigestChoices.daily }).from(emailDigestChoices).where(eq(emailDigestChoices.userId, viewer.userId))
  return row?.daily ?? false
}

export async function setDailyDigest(viewer: Viewer, daily: boolean, now = new Date()) {
  requireSignedIn(viewer, 'Sign in to change your notifications.')
  await db
    .insert(emailDigestChoices)
    .values({ userId: viewer.userId, daily, updatedAt: now })
    .onConflictDoUpdate({ target: emailDigestChoices.userId, set: { daily, updatedAt: now } })
}

/** Whether this notice's email waits for the person's digest (read at send time: a change since wins). */
export async function holdsForDigest(userId: string, kind: NotificationKind) {
  if (!isDigestKind(kind)) return false
  const [row] = await db.select({ daily: emailDigestChoices.daily }).from(emailDigestChoices).where(eq(emailDigestChoices.userId, userId))
  return row?.daily === true
}

export async function holdDeliveryForDigest(deliveryId: string) {
  await db
    .update(notificationDeliveries)
    .set({ status: 'digest', error: HELD })
    .where(and(eq(notificationDeliveries.id, deliveryId), eq(notificationDeliveries.status, 'sending')))
}

/** The local hour and date of `at` in an IANA time zone (UTC for none or one the runtime does not know). */
export function localTime(at: Date, timeZone: string | null) {
  const format = (zone: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(at)
  let parts: Intl.DateTimeFormatPart[]
  try {
    parts = format(timeZone ?? 'UTC')
  } catch {
    parts = format('UTC')
  }
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return { date: `${part('year')}-${part('month')}-${part('day')}`, hour: Number(part('hour')) }
}

/**
 * Whether a person's digest is due at `now`: something is held, and either they no longer want
 * digests (what was held goes at once) or it is past DIGEST_HOUR where they are and none went
 * today, their day.
 */
export function digestDue(input: { daily: boolean; lastSentAt: Date | null; timeZone: string | null }, now: Date) {
  if (!input.daily) return true
  const here = localTime(now, input.timeZone)
  if (here.hour < DIGEST_HOUR) return false
  return !input.lastSentAt || localTime(input.lastSentAt, input.timeZone).date < here.date
}

export type ClaimedDigest = { userId: string; previousSentAt: Date | null; deliveries: { id: string; notificationId: string }[] }

/** People with something held, up to `limit`, whose digest is due now. */
export async function dueDigests(now: Date, limit = 200) {
  const rows = await db
    .selectDistinct({ userId: notificationDeliveries.userId, daily: emailDigestChoices.daily, lastSentAt: emailDigestChoices.lastSentAt, timeZone: users.timeZone })
    .from(notificationDeliveries)
    .innerJoin(users, eq(users.id, notificationDeliveries.userId))
    .leftJoin(emailDigestChoices, eq(emailDigestChoices.userId, notificationDeliveries.userId))
    .where(and(eq(notificationDeliveries.status, 'digest'), eq(notificationDeliveries.channel, 'email')))
    .limit(limit * 4)
  return rows
    .filter((row) => digestDue({ daily: row.daily ?? false, lastSentAt: row.lastSentAt, timeZone: row.timeZone }, now))
    .slice(0, limit)
    .map((row) => ({ userId: row.userId, lastSentAt: row.lastSentAt }))
}

/** Takes one person's digest for sending, or null when another worker already did. */
export async function claimDigest(userId: string, lastSentAt: Date | null, now: Date): Promise<ClaimedDigest | null> {
  return db.transaction(async (tx) => {
    await tx.insert(emailDigestChoices).values({ userId, daily: false, updatedAt: now }).onConflictDoNothing()
    const claimed = await tx
      .update(emailDigestChoices)
      .set({ lastSentAt: now })
      .where(
        and(
          eq(emailDigestChoices.userId, userId),
          lastSentAt ? eq(emailDigestChoices.lastSentAt, lastSentAt) : isNull(emailDigestChoices.lastSentAt),
        ),
      )
      .returning({ userId: emailDigestChoices.userId })
    if (claimed.length === 0) return null
    const deliveries = await tx
      .update(notificationDeliveries)
      .set({ status: 'sending', attempts: sql`${notificationDeliveries.attempts} + 1`, error: null })
      .where(and(eq(notificationDeliveries.userId, userId), eq(notificationDeliveries.channel, 'email'), eq(notificationDeliveries.status, 'digest')))
      .returning({ id: notificationDeliveries.id, notificationId: notificationDeliveries.notificationId })
    return { userId, previousSentAt: lastSentAt, deliveries }
  })
}

/** The digest went: its notices are marked sent with its message id. */
export async function finishDigest(digest: ClaimedDigest, outcome: { sent: string[]; skipped: string[]; messageId: string | null; now: Date }) {
  await db.transaction(async (tx) => {
    if (outcome.sent.length > 0) {
      await tx
        .update(notificationDeliveries)
        .set({ status: 'sent', providerId: outcome.messageId, sentAt: outcome.now, error: null })
        .where(inArray(notificationDeliveries.id, outcome.sent))
    }
    if (outcome.skipped.length > 0) {
      await tx
        .update(notificationDeliveries)
        .set({ status: 'skipped', error: 'Nothing in it may be shown to the recipient any more, or activity emails were turned off.' })
        .where(inArray(notificationDeliveries.id, outcome.skipped))
    }
    // Nothing was mailed: the day's digest has not gone yet.
    if (outcome.sent.length === 0) {
      await tx.update(emailDigestChoices).set({ lastSentAt: digest.previousSentAt }).where(eq(emailDigestChoices.userId, digest.userId))
    }
  })
}

/** The mail could not be sent: everything is held again, for the next run. */
export async function releaseDigest(digest: ClaimedDigest, error: string) {
  await db.transaction(async (tx) => {
    if (digest.deliveries.length > 0) {
      await tx
        .update(notificationDeliveries)
        .set({ status: 'digest', error: `${HELD} The last try failed: ${error}`.slice(0, 500) })
        .where(
          and(
            inArray(
              notificationDeliveries.id,
              digest.deliveries.map((d) => d.id),
            ),
            eq(notificationDeliveries.status, 'sending'),
          ),
        )
    }
    await tx.update(emailDigestChoices).set({ lastSentAt: digest.previousSentAt }).where(eq(emailDigestChoices.userId, digest.userId))
  })
}
