import { claimJob, completeJob, failJob, type Job } from '../../db/jobs'

/*
 * A small job runner on Postgres (docs/decisions/007-jobs.md): jobs are rows in
 * `jobs`, taken with `for update skip locked`, retried with backoff, deleted when
 * done. Tests call `runDueJobs` directly, with a clock of their choosing.
 */

/** `now` is the runner's clock, so a test that moves time moves the job's too. */
export type JobHandler = (payload: Record<string, unknown>, context: { job: Job; now: Date }) => Promise<void>

export type QueueSpec = {
  handler: JobHandler
  /** On the last failed attempt, replace the payload (it holds an address, say) with nothing. */
  forgetPayloadOnFailure?: boolean
}

export type RunOptions = {
  now?: () => Date
  /** At most this many jobs in one call (a safety net against a job that re-enqueues itself). */
  limit?: number
  log?: (message: string, error?: unknown) => void
}

const defaultLog = (message: string, error?: unknown) => console.error(`[rounds] ${message}`, error ?? '')

/** Works through every job that is due, one at a time; returns how many ran and failed. */
export async function runQueues(queues: Record<string, QueueSpec>, options: RunOptions = {}) {
  const now = options.now ?? (() => new Date())
  const log = options.log ?? defaultLog
  const names = Object.keys(queues)
  let ran = 0
  let failed = 0
  for (let i = 0; i < (options.limit ?? 1000); i++) {
    const job = await claimJob(now(), names)
    if (!job) break
    ran++
    const spec = queues[job.queue]
    try {
      await spec.handler(job.payload, { job, now: now() })
      await completeJob(job.id)
    } catch (error) {
      failed++
      const message = error instanceof Error ? error.message : String(error)
      const { willRetry } = await failJob(job, message, now(), { forgetPayload: spec.forgetPayloadOnFailure })
      log(`Job ${job.queue} #${job.id} failed (attempt ${job.attempts} of ${job.maxAttempts}${willRetry ? ', will retry' : ', giving up'}):`, error)
    }
  }
  return { ran, failed }
}

export type Runner = { stop(): Promise<void> }

/** Polls for due jobs every `intervalMs` until stopped. */
export function startRunner(queues: Record<string, QueueSpec>, options: RunOptions & { intervalMs?: number } = {}): Runner {
  const interval = options.intervalMs ?? 2000
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let current: Promise<unknown> = Promise.resolve()
  const tick = () => {
    if (stopped) return
    current = runQueues(queues, options)
      .catch((error: unknown) => (options.log ?? defaultLog)('The job runner could not reach the database:', error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, interval)
      })
  }
  timer = setTimeout(tick, 0)
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await current
    },
  }
}
