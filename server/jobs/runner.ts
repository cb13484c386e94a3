import { claimJob, completeJob, failJob, JOB_HEARTBEAT_MS, JOB_LEASE_MS, renewJobLease, type Job } from '../../db/jobs'

/*
 * A small job runner on Postgres (docs/decisions/007-jobs.md): jobs are rows in
 * `jobs`, taken with `for update skip locked`, kept with a heartbeat while they run,
 * retried with backoff, deleted when done. Tests call `runDueJobs` directly, with a
 * clock of their choosing.
 */

/**
 * `now` is the runner's clock, so a test that moves time moves the job's too. `signal` aborts when
 * the job is no longer this worker's (its lease ran out and another worker may have it): a long
 * job checks it between steps and stops.
 */
export type JobHandler = (payload: Record<string, unknown>, context: { job: Job; now: Date; signal: AbortSignal }) => Promise<void>

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
  /** How long a claim lasts without a heartbeat (JOB_LEASE_MS). */
  leaseMs?: number
  /** How often a running job renews its lease (JOB_HEARTBEAT_MS); well under `leaseMs`. */
  heartbeatMs?: number
}

const defaultLog = (message: string, error?: unknown) => console.error(`[rounds] ${message}`, error ?? '')

export class JobLeaseLost extends Error {
  constructor(job: Job) {
    super(`Job ${job.queue} #${job.id} lost its lease; another worker takes it over.`)
  }
}

/**
 * Renews the job's lease every `heartbeatMs` while it runs. Aborts the signal when the lease is
 * gone (another claim matched) or could not be renewed before it ran out (the database is away,
 * so another worker may take the job once it is back).
 */
function keepLease(job: Job, now: () => Date, leaseMs: number, heartbeatMs: number, log: NonNullable<RunOptions['log']>) {
  const controller = new AbortController()
  let leaseEnds = now().getTime() + leaseMs
  let renewing = false
  const timer = setInterval(() => {
    if (renewing || controller.signal.aborted) return
    renewing = true
    const at = now()
    renewJobLease(job, at, leaseMs)
      .then((held) => {
        if (held) leaseEnds = at.getTime() + leaseMs
        else controller.abort(new JobLeaseLost(job))
      })
      .catch((error: unknown) => {
        if (now().getTime() >= leaseEnds) controller.abort(new JobLeaseLost(job))
        else log(`Job ${job.queue} #${job.id}: could not renew its lease, will try again:`, error)
      })
      .finally(() => {
        renewing = false
      })
  }, heartbeatMs)
  timer.unref()
  return {
    signal: controller.signal,
    stop() {
      clearInterval(timer)
    },
  }
}

/** Works through every job that is due, one at a time; returns how many ran and failed. */
export async function runQueues(queues: Record<string, QueueSpec>, options: RunOptions = {}) {
  const now = options.now ?? (() => new Date())
  const log = options.log ?? defaultLog
  const leaseMs = options.leaseMs ?? JOB_LEASE_MS
  const heartbeatMs = options.heartbeatMs ?? Math.min(JOB_HEARTBEAT_MS, leaseMs / 3)
  const names = Object.keys(queues)
  let ran = 0
  let failed = 0
  for (let i = 0; i < (options.limit ?? 1000); i++) {
    const job = await claimJob(now(), names, leaseMs)
    if (!job) break
    ran++
    const spec = queues[job.queue]
    if (job.attempts > job.maxAttempts) {
      // Its workers kept dying mid-job (a crash, a kill): stop handing it out.
      failed++
      await failJob(job, 'The job stopped without finishing on every attempt.', now(), { forgetPayload: spec.forgetPayloadOnFailure })
      log(`Job ${job.queue} #${job.id} gave up: its worker stopped without finishing ${job.maxAttempts} times.`)
      continue
    }
    const lease = keepLease(job, now, leaseMs, heartbeatMs, log)
    try {
      await spec.handler(job.payload, { job, now: now(), signal: lease.signal })
      lease.stop()
      if (lease.signal.aborted) throw lease.signal.reason
      await completeJob(job)
    } catch (error) {
      lease.stop()
      failed++
      if (lease.signal.aborted) {
        // Not ours any more: the worker that holds it now decides what happens to it.
        log(`Job ${job.queue} #${job.id} lost its lease and stopped (attempt ${job.attempts}).`)
        continue
      }
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
