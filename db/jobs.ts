import { sql } from 'drizzle-orm'
import { db, type Database, type Transaction } from './client'
import { jobs } from './schema/index'

/*
 * The queries behind the job runner (server/jobs/runner.ts). Enqueue inside the
 * transaction that makes the change, so a job exists exactly when its change does.
 */

export type Job = {
  id: number
  queue: string
  payload: Record<string, unknown>
  attempts: number
  maxAttempts: number
}

export type JobInput = {
  queue: string
  payload?: Record<string, unknown>
  runAt?: Date
  /** At most one waiting job per key; a second enqueue with the same key is ignored. */
  singletonKey?: string
  maxAttempts?: number
}

/**
 * How long a claimed job stays with its worker without a heartbeat. The worker renews it every
 * JOB_HEARTBEAT_MS while the job runs, so a long job keeps it and a crashed worker's job is taken
 * over within this time.
 */
export const JOB_LEASE_MS = 30_000
export const JOB_HEARTBEAT_MS = 10_000

export async function enqueueJob(executor: Database | Transaction, input: JobInput) {
  await executor
    .insert(jobs)
    .values({
      queue: input.queue,
      payload: input.payload ?? {},
      runAt: input.runAt ?? new Date(),
      singletonKey: input.singletonKey ?? null,
      maxAttempts: input.maxAttempts ?? 5,
    })
    .onConflictDoNothing({
      target: jobs.singletonKey,
      where: sql`singleton_key is not null and failed_at is null`,
    })
}

const stamp = (at: Date) => sql`${at.toISOString()}::timestamptz`

/**
 * Takes the next due job off the queue, or null. Concurrent workers never take the same one.
 * The claim's `attempts` is also its lock token: a later claim of the same job increments it, so
 * the earlier worker's heartbeat, completion or failure no longer matches and changes nothing.
 */
export async function claimJob(now: Date, queues: string[], leaseMs = JOB_LEASE_MS): Promise<Job | null> {
  if (queues.length === 0) return null
  const rows = await db.execute<{ id: string; queue: string; payload: Record<string, unknown>; attempts: number; max_attempts: number }>(sql`
    update ${jobs} set attempts = attempts + 1, locked_until = ${stamp(new Date(now.getTime() + leaseMs))}
    where id = (
      select id from ${jobs}
      where failed_at is null and run_at <= ${stamp(now)}
        and (locked_until is null or locked_until < ${stamp(now)})
        and queue in ${queues}
      order by run_at, id
      limit 1
      for update skip locked
    )
    returning id, queue, payload, attempts, max_attempts`)
  const row = rows[0]
  if (!row) return null
  return { id: Number(row.id), queue: row.queue, payload: row.payload, attempts: row.attempts, maxAttempts: row.max_attempts }
}

const heldBy = (job: Job) => sql`${jobs.id} = ${job.id} and ${jobs.attempts} = ${job.attempts} and ${jobs.failedAt} is null`

/**
 * The heartbeat: pushes the job's lease to `now + leaseMs`. False when the job is no longer this
 * worker's (another worker claimed it after the lease ran out, or it was cancelled): stop working it.
 */
export async function renewJobLease(job: Job, now: Date, leaseMs = JOB_LEASE_MS) {
  const rows = await db
    .update(jobs)
    .set({ lockedUntil: new Date(now.getTime() + leaseMs) })
    .where(heldBy(job))
    .returning({ id: jobs.id })
  return rows.length > 0
}

/** A finished job leaves the table: its payload (an address, a request id) is not kept. */
export async function completeJob(job: Job) {
  await db.delete(jobs).where(heldBy(job))
}

/** Backoff: 10 s, 40 s, 2.7 min, 10.7 min… capped at an hour. */
export function retryDelayMs(attempts: number) {
  return Math.min(60 * 60 * 1000, 10_000 * 4 ** Math.max(0, attempts - 1))
}

/** Schedules a retry, or marks the job failed for good after its last attempt. */
export async function failJob(job: Job, error: string, now: Date, options: { forgetPayload?: boolean } = {}) {
  const last = job.attempts >= job.maxAttempts
  await db
    .update(jobs)
    .set(
      last
        ? // A mail that never went out should not keep the address it was for.
          { failedAt: now, lockedUntil: null, lastError: error.slice(0, 2000), ...(options.forgetPayload ? { payload: { forgotten: true } } : {}) }
        : { runAt: new Date(now.getTime() + retryDelayMs(job.attempts)), lockedUntil: null, lastError: error.slice(0, 2000) },
    )
    .where(heldBy(job))
  return { willRetry: !last }
}
