import { scheduleJob } from '../../db/connection'
import { applyRetentionSchedule } from '../../db/retention-apply'
import type { JobHandler } from './runner'

/*
 * The daily `retention.apply` job: the retention schedule (db/retention-schedule.ts), applied in
 * short batches. It runs once a day at RETENTION_HOUR_UTC, when Rounds is quietest in India.
 */

export const RETENTION_QUEUE = 'retention.apply'

/** 03:00 in India (UTC+5:30). */
export const RETENTION_HOUR_UTC = 21
export const RETENTION_MINUTE_UTC = 30

export const applyRetention: JobHandler = async (_payload, { now, signal }) => {
  await applyRetentionSchedule(now, { signal })
}

/** The next daily run after `now`. */
export function nextRetentionRun(now: Date): Date {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), RETENTION_HOUR_UTC, RETENTION_MINUTE_UTC))
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1)
  return next
}

/** Queues the next run unless one is waiting (one waiting job per singleton key). */
export function scheduleRetention(now = new Date()) {
  return scheduleJob({ queue: RETENTION_QUEUE, singletonKey: RETENTION_QUEUE, runAt: nextRetentionRun(now) })
}
