import { loadSearchSources, pendingSearchUpdates, processSearchOutbox, type BatchOutcome, type SearchDocRef } from '../../db/search'
import { buildIndexBatch } from './meili-documents'
import { batchSize, type SearchEngine } from './types'

/*
 * The worker that carries the outbox (db/search.ts) to the search engine:
 * take due rows → read the documents' current state → map them
 * (meili-documents.ts) → engine.apply, which resolves only once the engine has
 * confirmed → delete the rows. A failure leaves the rows for a later try with
 * backoff. See docs/decisions/006-search-outbox.md.
 */

export type OutboxRound = BatchOutcome & { mapped: number; ms: number }

class EngineTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EngineTimeout(`The search engine did not confirm within ${ms} ms.`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/** One batch: at most `limit` documents. */
export async function processOutboxOnce(engine: SearchEngine, options: { limit?: number; timeoutMs?: number } = {}): Promise<OutboxRound> {
  const started = performance.now()
  let mapped = 0
  const outcome = await processSearchOutbox(
    async (batch, tx) => {
      const sources = await loadSearchSources(batch.refs, tx)
      const changes = buildIndexBatch(batch.refs, sources)
      mapped = batchSize(changes)
      // The transaction holds the documents' locks while the engine works: bound it.
      await withTimeout(engine.apply(changes), options.timeoutMs ?? 60_000)
    },
    { limit: options.limit },
  )
  return { ...outcome, mapped, ms: performance.now() - started }
}

/** Processes batches until nothing is due (or `maxRounds`); returns the rounds' totals. */
export async function drainSearchOutbox(engine: SearchEngine, options: { limit?: number; maxRounds?: number; timeoutMs?: number } = {}) {
  const total = { rounds: 0, claimed: 0, documents: 0, mapped: 0, failures: 0 }
  for (let i = 0; i < (options.maxRounds ?? Infinity); i++) {
    const round = await processOutboxOnce(engine, options)
    if (round.claimed === 0) break
    total.rounds++
    total.claimed += round.claimed
    total.documents += round.documents
    total.mapped += round.mapped
    if (!round.ok) {
      total.failures++
      break
    }
  }
  return total
}

export type SearchWorker = { stop: () => Promise<void> }

/**
 * Runs the outbox in the background: straight on while there is work, then every
 * `idleMs`. A failing engine is retried per row with backoff (db/search.ts), so
 * the loop itself never stops for it.
 */
export function startSearchWorker(
  engine: SearchEngine,
  options: { idleMs?: number; limit?: number; timeoutMs?: number; log?: (message: string, error?: unknown) => void } = {},
): SearchWorker {
  const idleMs = options.idleMs ?? 500
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[rounds] ${message}`, error ?? ''))
  let running = true
  let wake: (() => void) | null = null
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  const loop = (async () => {
    while (running) {
      let busy = false
      try {
        const round = await processOutboxOnce(engine, options)
        if (!round.ok) log(`Updating the ${engine.name} search index failed for ${round.documents} document(s); will retry.`, round.error)
        busy = round.ok && round.claimed > 0
      } catch (error) {
        // The database itself is unreachable: try again after a pause.
        log('The search outbox could not be read.', error)
      }
      if (!busy && running) await sleep(idleMs)
    }
  })()
  return {
    stop: async () => {
      running = false
      wake?.()
      await loop
    },
  }
}

/**
 * Waits until the outbox holds nothing for these documents: the engine has
 * confirmed them (an erasure's delete is then really gone from the index).
 */
export async function waitForSearchSync(refs: SearchDocRef[], options: { timeoutMs?: number; intervalMs?: number } = {}) {
  if (refs.length === 0) return
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  for (;;) {
    if ((await pendingSearchUpdates(refs)) === 0) return
    if (Date.now() > deadline) throw new Error('The search index has not confirmed the change yet.')
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100))
  }
}
