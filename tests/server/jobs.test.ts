import { describe, expect, it } from 'vitest'
import { db, rawSql } from '../../db/client'
import { claimJob, enqueueJob, JOB_LEASE_MS, retryDelayMs } from '../../db/jobs'
import { runQueues, startRunner } from '../../server/jobs/runner'

const queue = (name: string) => `test.${name}.${Math.random().toString(36).slice(2, 8)}`

describe('the job runner', () => {
  it('runs due jobs once, deletes them, and leaves future ones alone', async () => {
    const name = queue('once')
    const seen: unknown[] = []
    await enqueueJob(db, { queue: name, payload: { n: 1 } })
    await enqueueJob(db, { queue: name, payload: { n: 2 }, runAt: new Date(Date.now() + 60_000) })
    const result = await runQueues({ [name]: { handler: async (payload) => void seen.push(payload.n) } })
    expect(result).toEqual({ ran: 1, failed: 0 })
    expect(seen).toEqual([1])
    expect(await rawSql()`select payload from jobs where queue = ${name}`).toEqual([{ payload: { n: 2 } }])
  })

  it('ignores a second job with the same singleton key', async () => {
    const name = queue('single')
    await enqueueJob(db, { queue: name, singletonKey: `${name}:1` })
    await enqueueJob(db, { queue: name, singletonKey: `${name}:1` })
    expect(await rawSql()`select id from jobs where queue = ${name}`).toHaveLength(1)
  })

  it('retries with growing delays, then gives up and forgets the payload when asked to', async () => {
    const name = queue('fail')
    await enqueueJob(db, { queue: name, payload: { to: 'someone@hospital.test' }, maxAttempts: 3 })
    let clock = Date.now()
    const logged: string[] = []
    const spec = { [name]: { handler: async () => Promise.reject(new Error('SMTP is down')), forgetPayloadOnFailure: true } }
    for (let attempt = 1; attempt <= 3; attempt++) {
      const run = await runQueues(spec, { now: () => new Date(clock), log: (m) => logged.push(m) })
      expect(run).toEqual({ ran: 1, failed: 1 })
      const [job] = await rawSql()`select attempts, run_at, failed_at, payload, last_error from jobs where queue = ${name}`
      expect(job.attempts).toBe(attempt)
      expect(job.last_error).toBe('SMTP is down')
      if (attempt < 3) {
        expect(job.failed_at).toBeNull()
        expect(new Date(job.run_at).getTime() - clock).toBe(retryDelayMs(attempt))
        // Not due yet.
        expect(await runQueues(spec, { now: () => new Date(clock + 1000), log: () => {} })).toEqual({ ran: 0, failed: 0 })
        clock += retryDelayMs(attempt)
      } else {
        expect(job.failed_at).not.toBeNull()
        expect(job.payload).toEqual({ forgotten: true })
      }
    }
    expect(logged[2]).toMatch(/giving up/)
    expect(await runQueues(spec, { now: () => new Date(clock + 10 * 60 * 60 * 1000) })).toEqual({ ran: 0, failed: 0 })
  })

  it('never hands the same job to two workers', async () => {
    const name = queue('race')
    for (let i = 0; i < 20; i++) await enqueueJob(db, { queue: name, payload: { i } })
    const now = new Date()
    const claims = await Promise.all(Array.from({ length: 30 }, () => claimJob(now, [name])))
    const ids = claims.filter((c) => c !== null).map((c) => c.id)
    expect(ids).toHaveLength(20)
    expect(new Set(ids).size).toBe(20)
  })

  it('lets another worker take a job whose worker died', async () => {
    const name = queue('dead')
    await enqueueJob(db, { queue: name })
    const now = new Date()
    expect(await claimJob(now, [name])).not.toBeNull()
    expect(await claimJob(now, [name])).toBeNull()
    expect(await claimJob(new Date(now.getTime() + 6 * 60 * 1000), [name])).not.toBeNull()
  })

  it('keeps a job that runs longer than its lease with a heartbeat, so no other worker runs it too', async () => {
    const name = queue('long')
    await enqueueJob(db, { queue: name })
    const lease = { leaseMs: 400, heartbeatMs: 100, log: () => {} }
    let runs = 0
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    const spec = {
      [name]: {
        handler: async () => {
          runs++
          started()
          await new Promise((resolve) => setTimeout(resolve, 1500))
        },
      },
    }
    const first = runQueues(spec, lease)
    await running
    // A second worker polls all the while the first works: ~3 leases go by.
    const second = startRunner(spec, { ...lease, intervalMs: 50 })
    expect(await first).toEqual({ ran: 1, failed: 0 })
    await second.stop()
    expect(runs).toBe(1)
    expect(await rawSql()`select id from jobs where queue = ${name}`).toHaveLength(0)
  })

  it('hands a crashed worker’s job to another within the lease', async () => {
    const name = queue('crashed')
    await enqueueJob(db, { queue: name })
    // The default lease: free once 30 s pass without a heartbeat, not before.
    const claimedAt = new Date()
    expect(await claimJob(claimedAt, [name])).toMatchObject({ attempts: 1 })
    expect(await claimJob(new Date(claimedAt.getTime() + JOB_LEASE_MS - 1000), [name])).toBeNull()
    expect(await claimJob(new Date(claimedAt.getTime() + JOB_LEASE_MS + 1), [name])).toMatchObject({ attempts: 2 })

    // In real time, with a short lease: a worker claims and dies (no heartbeat); a live one takes over.
    const again = queue('crashed-live')
    await enqueueJob(db, { queue: again })
    const leaseMs = 800
    const died = Date.now()
    expect(await claimJob(new Date(died), [again], leaseMs)).not.toBeNull()
    let tookOverAfter = -1
    const taken = new Promise<void>((resolve) => {
      const runner = startRunner(
        { [again]: { handler: async () => void (tookOverAfter = Date.now() - died) } },
        { leaseMs, intervalMs: 50, log: () => {} },
      )
      const poll = setInterval(() => {
        if (tookOverAfter < 0) return
        clearInterval(poll)
        void runner.stop().then(resolve)
      }, 20)
    })
    await taken
    console.log(`A crashed worker's job ran again ${tookOverAfter} ms after its claim (lease ${leaseMs} ms).`)
    expect(tookOverAfter).toBeGreaterThanOrEqual(leaseMs)
    expect(tookOverAfter).toBeLessThan(leaseMs + 1000)
    expect(await rawSql()`select id from jobs where queue = ${again}`).toHaveLength(0)
  })

  it('stops a job whose lease another worker took, and leaves the job to that worker', async () => {
    const name = queue('lost')
    await enqueueJob(db, { queue: name })
    const logged: string[] = []
    let aborted: unknown = null
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    const run = runQueues(
      {
        [name]: {
          handler: async (_payload, { signal }) => {
            started()
            await new Promise<void>((resolve) => {
              const timeout = setTimeout(resolve, 5000)
              signal.addEventListener('abort', () => {
                clearTimeout(timeout)
                aborted = signal.reason
                resolve()
              })
            })
            signal.throwIfAborted()
          },
        },
      },
      { leaseMs: 3000, heartbeatMs: 50, log: (m) => logged.push(m) },
    )
    await running
    // As if this worker had stalled past its lease and another had claimed the job (what claimJob writes).
    const [other] = await rawSql()`update jobs set attempts = attempts + 1, locked_until = now() + interval '30 seconds' where queue = ${name} returning attempts`
    expect(other).toMatchObject({ attempts: 2 })
    expect(await run).toEqual({ ran: 1, failed: 1 })
    expect(String(aborted)).toMatch(/lost its lease/)
    expect(logged.join('\n')).toMatch(/lost its lease and stopped/)
    // Still there, still the other worker's: neither completed nor failed by the first.
    const [row] = await rawSql()`select attempts, failed_at, last_error from jobs where queue = ${name}`
    expect(row).toMatchObject({ attempts: 2, failed_at: null, last_error: null })
  })

  it('gives up on a job whose workers keep dying', async () => {
    const name = queue('dies')
    await enqueueJob(db, { queue: name, maxAttempts: 2 })
    let clock = Date.now()
    for (let i = 0; i < 2; i++) {
      expect(await claimJob(new Date(clock), [name])).not.toBeNull()
      clock += JOB_LEASE_MS + 1
    }
    let ran = false
    const logged: string[] = []
    const result = await runQueues({ [name]: { handler: async () => void (ran = true) } }, { now: () => new Date(clock), log: (m) => logged.push(m) })
    expect(result).toEqual({ ran: 1, failed: 1 })
    expect(ran).toBe(false)
    const [row] = await rawSql()`select failed_at, last_error from jobs where queue = ${name}`
    expect(row.failed_at).not.toBeNull()
    expect(row.last_error).toMatch(/stopped without finishing/)
  })
})
