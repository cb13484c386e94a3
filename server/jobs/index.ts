import { scheduleJob } from '../../db/connection'
import { sendMail } from '../mail/index'
import { NOTIFICATION_EMAIL_QUEUE, NOTIFICATION_PUSH_QUEUE, NOTIFICATION_TEXT_QUEUE, pruneNotificationDeliveries } from '../../db/notifications'
import { lapseOverdueVerifications } from '../../db/verification'
import { NOTIFICATION_DIGEST_QUEUE } from '../../db/notifications/digest'
import { sendDueDigests } from '../notifications/digest'
import { sendNotificationEmail } from '../notifications/email'
import { sendNotificationPush } from '../notifications/push'
import { sendNotificationText } from '../notifications/text'
import { flushAdEvents } from '../../db/ads/index'
import { runAdsRollup } from './ads-rollup'
import { deleteExpiredOauthRecords } from '../../db/apps/oidc-adapter'
import { runErasure } from './erasure'
import { buildExport, pruneExports } from './exports'
import { reminderQueues, wakeForLiveNow } from './reminders'
import { RETENTION_QUEUE, applyRetention, scheduleRetention } from './retention'
import { runQueues, startRunner, type QueueSpec, type RunOptions, type Runner } from './runner'

/** Every queue and what works it. */
export const queues: Record<string, QueueSpec> = {
  ...reminderQueues,
  'export.build': { handler: (payload, { now, signal }) => buildExport(payload, now, signal) },
  'exports.prune': { handler: (_payload, { now }) => pruneExports(now) },
  'erasure.run': { handler: async (payload, { now }) => void (await runErasure(payload, now)) },
  [NOTIFICATION_EMAIL_QUEUE]: { handler: sendNotificationEmail },
  [NOTIFICATION_PUSH_QUEUE]: { handler: sendNotificationPush },
  [NOTIFICATION_TEXT_QUEUE]: { handler: sendNotificationText },
  // Hourly: the daily digests that are due where their people live.
  [NOTIFICATION_DIGEST_QUEUE]: { handler: sendDueDigests },
  // No longer scheduled: the daily retention job deletes old delivery logs. Kept for a job already queued.
  'notifications.prune': { handler: async (_payload, { now }) => void (await pruneNotificationDeliveries(now)) },
  [RETENTION_QUEUE]: { handler: applyRetention },
  'verification.lapse': { handler: async (_payload, { now }) => void (await lapseOverdueVerifications(now)) },
  'ads.rollup': { handler: async (_payload, { now }) => void (await runAdsRollup(now)) },
  // Expired codes and tokens of third-party apps (db/apps/oidc-adapter.ts).
  'oauth.prune': { handler: async (_payload, { now }) => void (await deleteExpiredOauthRecords(now)) },
  'mail.send': {
    // Only service messages go through this queue (export ready, erasure receipt, club hand-over).
    handler: async (payload) => {
      await sendMail({ to: String(payload.to), subject: String(payload.subject), text: String(payload.text), kind: 'service' })
    },
    forgetPayloadOnFailure: true,
  },
}

/** Runs every due job now (tests, scripts). */
export function runDueJobs(options: RunOptions = {}) {
  return runQueues(queues, options)
}

const state: { runner?: Runner; prune?: NodeJS.Timeout; wake?: Promise<{ stop: () => Promise<void> } | null> } = {}

const HOUR_MS = 60 * 60 * 1000

/** Starts working jobs in this process. Call after the database is open. */
export function startJobs(options: { log?: (message: string, error?: unknown) => void; intervalMs?: number } = {}) {
  if (state.runner) return
  state.runner = startRunner(queues, options)
  // "Live now" notices are wanted within a second of the room opening, not at the next poll.
  state.wake = wakeForLiveNow(options).catch((error: unknown) => {
    ;(options.log ?? console.error)('The "live now" runner could not listen; it falls back to the poll:', error)
    return null
  })
  const schedulePrune = () => {
    void scheduleJob({ queue: 'exports.prune', singletonKey: 'exports.prune' }).catch(() => {})
    void scheduleRetention().catch(() => {})
    void scheduleJob({ queue: 'verification.lapse', singletonKey: 'verification.lapse' }).catch(() => {})
    void scheduleJob({ queue: 'ads.rollup', singletonKey: 'ads.rollup' }).catch(() => {})
    void scheduleJob({ queue: 'oauth.prune', singletonKey: 'oauth.prune' }).catch(() => {})
    void scheduleJob({ queue: NOTIFICATION_DIGEST_QUEUE, singletonKey: NOTIFICATION_DIGEST_QUEUE }).catch(() => {})
  }
  schedulePrune()
  state.prune = setInterval(schedulePrune, HOUR_MS)
  state.prune.unref()
}

/** Lets the job in hand finish, then stops. Call before closing the database. */
export async function stopJobs() {
  clearInterval(state.prune)
  const runner = state.runner
  state.runner = undefined
  const wake = state.wake
  state.wake = undefined
  await (await wake)?.stop()
  await runner?.stop()
  // Impressions and clicks still in the buffer are written before the database closes.
  await flushAdEvents().catch(() => {})
}
