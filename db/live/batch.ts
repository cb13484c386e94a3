import { sql } from 'drizzle-orm'
import type { Viewer } from '../viewer'

/**
 * When a talk starts, its audience joins within seconds. Each step of a join (the access check,
 * the room read with the stay, the look for a removal) is gathered per talk and run as one
 * statement for everyone gathered: a batch starts only after each of its joins asked for it, so
 * each read still follows that join's own earlier steps (docs/live-room.md, Joining).
 */

/** Statements of one kind in flight per talk; what arrives meanwhile waits and goes in the next batch. */
const JOIN_BATCH_PARALLEL = 2
const JOIN_BATCH_MAX = 250

type Waiter<O> = { resolve: (out: O) => void; reject: (error: unknown) => void }
type Batches<I, O> = { items: I[]; waiters: Waiter<O>[]; running: number; scheduled: boolean }

/**
 * Runs `run` for the items asked for the same key: at once (on the next turn of the event loop,
 * gathering what arrives in the same turn) while fewer than JOIN_BATCH_PARALLEL batches of the key
 * run, else as soon as one of them finishes, with everything that arrived meanwhile. A quiet talk
 * waits for nothing; a storm of joins makes few, large statements. Items that `clash` with one
 * already gathered go in a later batch.
 */
export function createBatcher<I, O>(run: (key: string, items: I[]) => Promise<O[]>, clash: (a: I, b: I) => boolean = () => false) {
  const keys = new Map<string, Batches<I, O>>()
  function pump(key: string, state: Batches<I, O>) {
    state.scheduled = false
    while (state.items.length > 0 && state.running < JOIN_BATCH_PARALLEL) {
      const items: I[] = []
      const waiters: Waiter<O>[] = []
      const rest: number[] = []
      state.items.forEach((item, i) => {
        if (items.length < JOIN_BATCH_MAX && !items.some((other) => clash(other, item))) {
          items.push(item)
          waiters.push(state.waiters[i])
        } else rest.push(i)
      })
      state.items = rest.map((i) => state.items[i])
      state.waiters = rest.map((i) => state.waiters[i])
      state.running++
      run(key, items)
        .then(
          (outs) => waiters.forEach((waiter, i) => waiter.resolve(outs[i])),
          (error: unknown) => waiters.forEach((waiter) => waiter.reject(error)),
        )
        .finally(() => {
          state.running--
          if (state.items.length > 0) pump(key, state)
          else if (state.running === 0 && !state.scheduled) keys.delete(key)
        })
    }
  }
  return (key: string, item: I) =>
    new Promise<O>((resolve, reject) => {
      let state = keys.get(key)
      if (!state) {
        state = { items: [], waiters: [], running: 0, scheduled: false }
        keys.set(key, state)
      }
      state.items.push(item)
      state.waiters.push({ resolve, reject })
      if (!state.scheduled && state.running < JOIN_BATCH_PARALLEL) {
        state.scheduled = true
        const scheduled = state
        setImmediate(() => pump(key, scheduled))
      }
    })
}


/** The viewer of each row of a batch: `v.uid`, one of the people in the `people` JSON placeholder. */
export const batchViewer = { userId: sql`v.uid` as unknown as string, role: 'member' } as NonNullable<Viewer>
export const batchTalkId = sql.placeholder('talkId') as unknown as string
export const batchPeople = sql`jsonb_to_recordset(${sql.placeholder('people')}::jsonb)`
