import { describe, expect, it } from 'vitest'
import { db, rawSql } from '../../db/client'
import { claimJob, enqueueJob, retryDelayMs } from '../../db/jobs'
import { runQueues } from '../../server/jobs/runner'

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
})
