import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as webPushModule from 'web-push'
import { claimDelivery, markDeliveryFailed, markDeliverySent, markDeliverySkipped, noticeForDelivery } from '../../db/notifications'
import { forgetExpiredPushSubscription, pushSubscriptionById } from '../../db/notifications/push-subscriptions'
import { mayMessage } from '../../db/privacy/index'
import { config, type Config } from '../config'
import type { JobHandler } from '../jobs/runner'

/*
 * Web push (RFC 8030, payloads encrypted per RFC 8291, sender identified by VAPID, RFC 8292),
 * through the `web-push` library. The `notification.push` job sends one notice to one browser;
 * public/sw.js shows it and opens its link on click. Decided at send time, as for email: the
 * person's push preference, what they may still see, whether the browser is still subscribed.
 * A push service's 404 or 410 means the browser unsubscribed: the subscription is removed. A
 * timeout or 5xx fails the job and the runner retries it with backoff; the delivery row records
 * each attempt, and once it is marked sent nothing sends it again. Should a push service accept
 * a message but its answer be lost, the retry arrives with the same `tag`, so the browser
 * replaces the first rather than showing two.
 */

// web-push is CommonJS: under Node's ESM loader its functions sit on the default export.
const webpush = (webPushModule as unknown as { default?: typeof webPushModule }).default ?? webPushModule
const { WebPushError } = webpush

export type VapidKeys = { publicKey: string; privateKey: string; subject: string }

/** How long a push service keeps a notice for a browser that is offline, unless the notice expires sooner. */
export const PUSH_DEFAULT_TTL_SECONDS = 2 * 24 * 60 * 60
/** How long one request to a push service may take before it counts as failed (and is retried). */
export const PUSH_TIMEOUT_MS = 10_000

let localKeys: { dir: string; keys: VapidKeys } | undefined

/**
 * The VAPID keys, or null where push is not offered. In production only from the environment;
 * locally a pair is made once and kept in DATA_DIR, so browsers stay subscribed across restarts
 * (a new key pair would make every subscription useless).
 */
export function vapidKeys(cfg: Config = config()): VapidKeys | null {
  if (cfg.VAPID_PUBLIC_KEY && cfg.VAPID_PRIVATE_KEY && cfg.VAPID_SUBJECT) {
    return { publicKey: cfg.VAPID_PUBLIC_KEY, privateKey: cfg.VAPID_PRIVATE_KEY, subject: cfg.VAPID_SUBJECT }
  }
  if (cfg.isProduction) return null
  const dir = path.resolve(cfg.DATA_DIR)
  if (localKeys?.dir === dir) return localKeys.keys
  const file = path.join(dir, 'vapid-keys.json')
  const subject = `mailto:push@${new URL(cfg.publicUrl).hostname === 'localhost' ? 'rounds.local' : new URL(cfg.publicUrl).hostname}`
  let stored: { publicKey: string; privateKey: string } | undefined
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string }
  } catch {
    mkdirSync(dir, { recursive: true })
    const made = webpush.generateVAPIDKeys()
    try {
      // 'wx': two processes starting at once keep the first pair written.
      writeFileSync(file, JSON.stringify(made), { flag: 'wx', mode: 0o600 })
      stored = made
    } catch {
      stored = JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string }
    }
  }
  localKeys = { dir, keys: { ...stored, subject } }
  return localKeys.keys
}

/** Whether this server can send web push at all (Settings offers it only then). */
export function pushConfigured(cfg: Config = config()) {
  return vapidKeys(cfg) !== null
}

/**
 * The push `Topic` (RFC 8030 §5.4): a newer message with the same topic replaces an older one the
 * push service still holds, so a browser that was offline gets the latest reminder of a talk,
 * not each. At most 32 base64url characters, so a hash of what the notice is about.
 */
export function pushTopic(key: string) {
  return createHash('sha256').update(key).digest('base64url').slice(0, 32)
}

/** Seconds a push service may hold the message: no longer than the notice means anything. */
export function pushTtlSeconds(now: Date, expiresAt: Date | null) {
  if (!expiresAt) return PUSH_DEFAULT_TTL_SECONDS
  return Math.min(PUSH_DEFAULT_TTL_SECONDS, Math.floor((expiresAt.getTime() - now.getTime()) / 1000))
}

/** What the service worker receives (public/sw.js reads these fields). */
export type PushMessage = { title: string; body: string; url: string; tag: string }

const errorText = (error: unknown) => {
  if (error instanceof WebPushError) return `Push service answered ${error.statusCode}${error.body ? `: ${error.body.slice(0, 200)}` : ''}`
  return error instanceof Error ? error.message : String(error)
}

export const sendNotificationPush: JobHandler = async (payload, { job, now }) => {
  const delivery = await claimDelivery(String(payload.deliveryId))
  if (!delivery) return
  const keys = vapidKeys()
  if (!keys) {
    await markDeliverySkipped(delivery.id, 'Push is not set up on this server.')
    return
  }
  const subscription = await pushSubscriptionById(delivery.destination)
  if (!subscription || subscription.userId !== delivery.userId) {
    await markDeliverySkipped(delivery.id, 'The browser was unsubscribed.')
    return
  }
  const expiresAt = typeof payload.expiresAt === 'string' ? new Date(payload.expiresAt) : null
  const ttl = pushTtlSeconds(now, expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : null)
  if (ttl <= 0) {
    await markDeliverySkipped(delivery.id, 'Too late: the notice no longer applies.')
    return
  }
  const notice = await noticeForDelivery(delivery.notificationId)
  if (!notice) {
    await markDeliverySkipped(delivery.id, 'Nothing in it may be shown to the recipient any more.')
    return
  }
  if (notice.category !== 'service' && !(await mayMessage(notice.userId, 'push', notice.category))) {
    await markDeliverySkipped(delivery.id, 'Turned off in Settings → Notifications.')
    return
  }
  const talkId = typeof notice.facts.data.talkId === 'string' ? notice.facts.data.talkId : null
  const message: PushMessage = {
    title: notice.text.title,
    body: notice.text.body,
    url: notice.text.link ?? '/notifications',
    tag: delivery.notificationId,
  }
  try {
    const sent = await webpush.sendNotification(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      JSON.stringify(message),
      {
        vapidDetails: keys,
        TTL: ttl,
        topic: pushTopic(talkId ? `talk:${talkId}` : `notice:${delivery.notificationId}`),
        urgency: notice.category === 'service' || expiresAt ? 'high' : 'normal',
        timeout: PUSH_TIMEOUT_MS,
      },
    )
    // The push service names the message it accepted by its Location (RFC 8030 §5).
    const location = typeof sent.headers.location === 'string' ? sent.headers.location : ''
    await markDeliverySent(delivery.id, location.slice(0, 500) || `push-${delivery.id}`, now)
  } catch (error) {
    if (error instanceof WebPushError && (error.statusCode === 404 || error.statusCode === 410)) {
      await forgetExpiredPushSubscription(subscription.id)
      await markDeliveryFailed(delivery.id, `${errorText(error)} (the browser unsubscribed; removed)`, true)
      return
    }
    // Keys web-push cannot use (checked when a browser subscribes, so only a row stored some other
    // way): no attempt can ever succeed, so the subscription goes, as for a 410.
    if (!(error instanceof WebPushError) && error instanceof Error && /^The subscription (p256dh|auth|endpoint)/.test(error.message)) {
      await forgetExpiredPushSubscription(subscription.id)
      await markDeliveryFailed(delivery.id, `${error.message} (unusable subscription; removed)`, true)
      return
    }
    if (error instanceof WebPushError && error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 429) {
      // Refused for good (a payload too large, a bad key): trying again would be refused again.
      await markDeliveryFailed(delivery.id, errorText(error), true)
      return
    }
    await markDeliveryFailed(delivery.id, errorText(error), job.attempts >= job.maxAttempts)
    throw error
  }
}
