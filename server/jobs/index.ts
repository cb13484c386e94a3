import { scheduleJob } from '../../db/connection'
import { sendMail } from '../mail/index'
import { NOTIFICATION_EMAIL_QUEUE, pruneNotificationDeliveries } from '../../db/notifications'
import { lapseOverdueVerifications } from '../../db/verification'
import { sendNotificationEmail } from '../notifications/email'
import { runErasure } from './erasure'
import { buildExport, pruneExports } from './exports'
import { runQueues, startRunner, type QueueSpec, type RunOptions, type Runner } from './runner'

/** Every queue and what works it. */
export const queues: Record<string, QueueSpec> = {
  'export.build': { handler: (payload, { now, signal }) => buildExport(payload, now, signal) },
  'exports.prune': { handler: (_payload, { now }) => pruneExports(now) },
  'erasure.run': { handler: async (payload, { now }) => void (await runErasure(payload, now)) },
  [NOTIFICATION_EMAIL_QUEUE]: { handler: sendNotificationEmail },
  'notifications.prune': { handler: async (_payload, { now }) => void (await pruneNotificationDeliveries(now)) },
  'verification.lapse': { handler: async (_payload, { now }) => void (await lapseOverdueVerifications(now)) },
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

const state: { runner?: Runner; prune?: NodeJS.Timeout } = {}

const HOUR_MS = 60 * 60 * 1000

/** Starts working jobs in this process. Call after the database is open. */
export function startJobs(options: { log?: (message: string, error?: unknown) => void; intervalMs?: number } = {}) {
  if (state.runner) return
  state.runner = startRunner(queues, options)
  const schedulePrune = () => {
    void scheduleJob({ queue: 'exports.prune', singletonKey: 'exports.prune' }).catch(() => {})
    void scheduleJob({ queue: 'notifications.prune', singletonKey: 'notifications.prune' }).catch(() => {})
    void scheduleJob({ queue: 'verification.lapse', singletonKey: 'verification.lapse' }).catch(() => {})
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
  await runner?.stop()
}
