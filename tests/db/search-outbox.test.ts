import { eq } from 'drizzle-orm'
import { beforeEach, describe, expect, it } from 'vitest'
import { updateClub } from '../../db/clubs'
import { db, rawSql } from '../../db/client'
import { updateProfile } from '../../db/profiles'
import { cancelTalk, scheduleTalk, updateTalk } from '../../db/talks'
import { enqueueSearchUpdate, pendingSearchUpdates, retryDelaySeconds } from '../../db/search'
import { users } from '../../db/schema/index'
import { drainSearchOutbox, processOutboxOnce, startSearchWorker, waitForSearchSync } from '../../server/search/outbox'
import type { IndexBatch, SearchEngine } from '../../server/search/types'
import { createDoctor, createTestClub, setDiscoverable, viewerOf } from '../support/factories'

/*
 * The outbox that keeps an external index in step with the database. The engine
 * here is a test double of our own port (server/search/types.ts), so failures
 * and slowness can be staged.
 */

type FakeEngine = SearchEngine & { batches: IndexBatch[]; fail: Error | null }

function fakeEngine(options: { apply?: (batch: IndexBatch) => Promise<void> } = {}): FakeEngine {
  const engine: FakeEngine = {
    name: 'meilisearch',
    batches: [],
    fail: null,
    search: () => Promise.reject(new Error('not used')),
    apply: async (batch) => {
      if (engine.fail) throw engine.fail
      await options.apply?.(batch)
      engine.batches.push(batch)
    },
  }
  return engine
}

async function outboxRows() {
  return rawSql()<{ id: number; kind: string; entity_id: string; attempts: number; due_in: number; last_error: string | null }[]>`
    select id, kind, entity_id, attempts, extract(epoch from next_attempt_at - now())::float8 as due_in, last_error
    from search_outbox order by id`
}

const profileEdit = (handle: string, visibility: 'public' | 'private' = 'public') => ({
  handle,
  name: 'Dr Outbox Test',
  speciality: 'Cardiology',
  city: 'Leeds',
  interests: ['Echo'],
  bio: null,
  registrationNumber: null,
  visibility,
})

beforeEach(async () => {
  // Each test starts from an empty outbox (fixtures such as createClub enqueue too).
  await rawSql()`delete from search_outbox`
})

describe('writes enqueue in their own transaction', () => {
  it('a profile update adds a row; a refused update adds none', async () => {
    const a = await createDoctor()
    const b = await createDoctor()
    await updateProfile(a.id, profileEdit(a.handle))
    expect(await pendingSearchUpdates([{ kind: 'profile', id: a.id }])).toBe(1)
    await expect(updateProfile(b.id, profileEdit(a.handle))).rejects.toThrow(/taken/)
    expect(await pendingSearchUpdates([{ kind: 'profile', id: b.id }])).toBe(0)
  })

  it('creating and editing a club, and opting out of search, add rows', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    expect(await pendingSearchUpdates([{ kind: 'club', id: club.id }])).toBe(1)
    await updateClub(viewerOf(owner), club.slug, { name: 'Renamed Club', slug: club.slug, description: '', specialities: [], visibility: 'private' })
    expect(await pendingSearchUpdates([{ kind: 'club', id: club.id }])).toBe(2)
    await setDiscoverable(owner.id, false)
    expect(await pendingSearchUpdates([{ kind: 'profile', id: owner.id }])).toBe(1)
  })

  it('scheduling, changing and cancelling a talk add rows', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const input = { type: 'talk' as const, title: 'Outbox talk', description: '', startsAt: new Date(Date.now() + 86_400_000), durationMinutes: 60, cohostHandles: [], speakerHandles: [] }
    const { id } = await scheduleTalk(viewerOf(owner), club.slug, input)
    expect(await pendingSearchUpdates([{ kind: 'talk', id }])).toBe(1)
    await updateTalk(viewerOf(owner), id, { ...input, title: 'Outbox talk, renamed' })
    await cancelTalk(viewerOf(owner), id)
    expect(await pendingSearchUpdates([{ kind: 'talk', id }])).toBe(3)
    // Processed after the cancellation, the talk is a delete.
    const engine = fakeEngine()
    await drainSearchOutbox(engine)
    expect(engine.batches.flatMap((b) => b.remove.talks)).toEqual([id])
  })
})

describe('processing', () => {
  it('sends the current state once per document, and deletes the rows', async () => {
    const doctor = await createDoctor({ name: 'Dr Twice Changed' })
    await updateProfile(doctor.id, profileEdit(doctor.handle))
    await updateProfile(doctor.id, profileEdit(doctor.handle, 'private'))
    const engine = fakeEngine()
    const round = await processOutboxOnce(engine)
    expect(round).toMatchObject({ ok: true, claimed: 2, documents: 1 })
    expect(engine.batches).toHaveLength(1)
    const [doc] = engine.batches[0].upsert.doctors
    // The state when processed: private, so the card only.
    expect(doc).toMatchObject({ id: doctor.id, visibility: 'private' })
    expect(doc).not.toHaveProperty('city')
    expect(await outboxRows()).toEqual([])
  })

  it('is idempotent: the same document processed again gives the same document', async () => {
    const doctor = await createDoctor()
    await updateProfile(doctor.id, profileEdit(doctor.handle))
    const engine = fakeEngine()
    await drainSearchOutbox(engine)
    await enqueueSearchUpdate(db, { kind: 'profile', id: doctor.id })
    await drainSearchOutbox(engine)
    expect(engine.batches).toHaveLength(2)
    expect(engine.batches[1]).toEqual(engine.batches[0])
    // Nothing left: a further run sends nothing.
    await drainSearchOutbox(engine)
    expect(engine.batches).toHaveLength(2)
  })

  it('an opted-out doctor and an erased one become deletes', async () => {
    const optedOut = await createDoctor()
    const erased = await createDoctor()
    await setDiscoverable(optedOut.id, false)
    await db.transaction(async (tx) => {
      await tx.delete(users).where(eq(users.id, erased.id))
      await enqueueSearchUpdate(tx, { kind: 'profile', id: erased.id })
    })
    const engine = fakeEngine()
    await drainSearchOutbox(engine)
    expect(engine.batches.flatMap((b) => b.remove.doctors).sort()).toEqual([optedOut.id, erased.id].sort())
    expect(engine.batches.flatMap((b) => b.upsert.doctors)).toEqual([])
  })
})

describe('failures', () => {
  it('keeps the rows and retries with growing backoff, then succeeds', async () => {
    const doctor = await createDoctor()
    await setDiscoverable(doctor.id, false)
    const engine = fakeEngine()
    engine.fail = new Error('Meilisearch is down')

    const first = await processOutboxOnce(engine)
    expect(first).toMatchObject({ ok: false, claimed: 1 })
    let [row] = await outboxRows()
    expect(row).toMatchObject({ attempts: 1, last_error: 'Meilisearch is down' })
    expect(row.due_in).toBeGreaterThan(retryDelaySeconds(1) - 0.5)
    expect(row.due_in).toBeLessThanOrEqual(retryDelaySeconds(1) + 0.5)

    // Not due yet: nothing is taken.
    expect(await processOutboxOnce(engine)).toMatchObject({ claimed: 0 })

    await rawSql()`update search_outbox set next_attempt_at = now()`
    await processOutboxOnce(engine)
    ;[row] = await outboxRows()
    expect(row.attempts).toBe(2)
    expect(row.due_in).toBeGreaterThan(retryDelaySeconds(2) - 0.5)
    expect(retryDelaySeconds(2)).toBe(2)
    expect(retryDelaySeconds(20)).toBe(300)

    engine.fail = null
    await rawSql()`update search_outbox set next_attempt_at = now()`
    expect(await processOutboxOnce(engine)).toMatchObject({ ok: true, claimed: 1 })
    expect(engine.batches.flatMap((b) => b.remove.doctors)).toEqual([doctor.id])
    expect(await outboxRows()).toEqual([])
  })

  it('a document waiting for a retry holds back its later changes, not other documents', async () => {
    const stuck = await createDoctor()
    const other = await createDoctor()
    await setDiscoverable(stuck.id, false)
    const engine = fakeEngine()
    engine.fail = new Error('rejected')
    await processOutboxOnce(engine)
    engine.fail = null
    // A later change to the stuck document, and one to another document.
    await setDiscoverable(stuck.id, true)
    await setDiscoverable(other.id, false)
    const round = await processOutboxOnce(engine)
    expect(round).toMatchObject({ ok: true, documents: 1 })
    expect(engine.batches.flatMap((b) => b.remove.doctors)).toEqual([other.id])
    const left = await outboxRows()
    expect(left.map((r) => [r.entity_id, r.attempts])).toEqual([
      [stuck.id, 1],
      [stuck.id, 0],
    ])
  })
})

describe('in order per document, across workers', () => {
  it('two workers never work the same document at once', async () => {
    const doctors = await Promise.all([createDoctor(), createDoctor(), createDoctor()])
    for (let round = 0; round < 3; round++) {
      for (const d of doctors) await enqueueSearchUpdate(db, { kind: 'profile', id: d.id })
    }
    const inFlight = new Set<string>()
    const overlaps: string[] = []
    const applied: string[] = []
    const engine = fakeEngine({
      apply: async (batch) => {
        const ids = batch.upsert.doctors.map((d) => d.id)
        for (const id of ids) {
          if (inFlight.has(id)) overlaps.push(id)
          inFlight.add(id)
        }
        await new Promise((r) => setTimeout(r, 30))
        for (const id of ids) inFlight.delete(id)
        applied.push(...ids)
      },
    })
    // Small batches, so the two workers interleave.
    await Promise.all([drainSearchOutbox(engine, { limit: 1 }), drainSearchOutbox(engine, { limit: 1 })])
    expect(overlaps).toEqual([])
    expect(await outboxRows()).toEqual([])
    // Each document went at least once, and no more than once per round of changes.
    for (const d of doctors) {
      const n = applied.filter((id) => id === d.id).length
      expect(n).toBeGreaterThanOrEqual(1)
      expect(n).toBeLessThanOrEqual(3)
    }
  })
})

describe('erasure waits for the engine', () => {
  it('waitForSearchSync resolves only once the engine confirmed the delete', async () => {
    const doctor = await createDoctor()
    let confirm: () => void = () => {}
    const confirmed = new Promise<void>((resolve) => (confirm = resolve))
    let deleteSent = false
    const engine = fakeEngine({
      apply: async (batch) => {
        if (batch.remove.doctors.includes(doctor.id)) {
          deleteSent = true
          await confirmed
        }
      },
    })
    await db.transaction(async (tx) => {
      await tx.delete(users).where(eq(users.id, doctor.id))
      await enqueueSearchUpdate(tx, { kind: 'profile', id: doctor.id })
    })
    const worker = startSearchWorker(engine, { idleMs: 20 })
    try {
      let synced = false
      const waiting = waitForSearchSync([{ kind: 'profile', id: doctor.id }], { intervalMs: 20, timeoutMs: 5000 }).then(() => (synced = true))
      await expect.poll(() => deleteSent).toBe(true)
      await new Promise((r) => setTimeout(r, 100))
      expect(synced).toBe(false)
      confirm()
      await waiting
      expect(synced).toBe(true)
    } finally {
      await worker.stop()
    }
  })
})
