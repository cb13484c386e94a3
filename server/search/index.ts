import { hasSearchTerms, refreshSearchTerms } from '../../db/search'
import { verificationBadgesForHandles } from '../../db/verification'
import type { Viewer } from '../../db/viewer'
import { config } from '../config'
import { createMeiliEngine, type MeiliEngine } from './meili-engine'
import { startSearchWorker, type SearchWorker } from './outbox'
import { createPostgresEngine } from './postgres-engine'
import { isBlank } from './query'
import type { SearchEngine, SearchRequest, SearchResponse } from './types'

/*
 * The search service routes call. Postgres full-text is the default; with
 * MEILI_HOST and MEILI_API_KEY set, Meilisearch answers and Postgres stands in
 * whenever Meilisearch cannot (the page says so rather than failing).
 */

const TERMS_REFRESH_MS = 15 * 60 * 1000

type State = { engine?: SearchEngine; fallback?: SearchEngine; worker?: SearchWorker; vocabulary?: Promise<unknown> }
// In development the routes' copy of this module picks its engine the same way; the indexing
// worker runs in the server's.
const state: State = {}

/** The configured engine: Meilisearch when MEILI_HOST and MEILI_API_KEY are set, otherwise Postgres. */
export function searchEngine(): SearchEngine {
  if (!state.engine) {
    const cfg = config()
    state.engine =
      cfg.MEILI_HOST && cfg.MEILI_API_KEY ? createMeiliEngine({ host: cfg.MEILI_HOST, apiKey: cfg.MEILI_API_KEY }) : createPostgresEngine()
  }
  return state.engine
}

/** For tests: answer with this engine (null: back to the configured one). */
export function useSearchEngine(engine: SearchEngine | null) {
  state.engine = engine ?? undefined
}

export type SearchResult = SearchResponse & {
  /** True when the configured engine failed and Postgres answered instead. */
  degraded: boolean
  /** Nothing to search for: the page asks for words or a filter. */
  blank: boolean
}

/**
 * Builds the typo vocabulary once per process when it is empty (a new database,
 * or a process without the indexing worker); searches meanwhile work without
 * typo correction.
 */
function warmVocabulary() {
  state.vocabulary ??= hasSearchTerms()
    .then((has) => (has ? 0 : refreshSearchTerms()))
    .catch((error: unknown) => {
      state.vocabulary = undefined
      console.error('[rounds] Building the search vocabulary failed.', error)
    })
}

export async function runSearch(viewer: Viewer, request: SearchRequest): Promise<SearchResult> {
  const engine = searchEngine()
  warmVocabulary()
  if (isBlank(request) || request.groups.length === 0) {
    return { engine: engine.name, groups: {}, degraded: false, blank: isBlank(request) }
  }
  try {
    return { ...(await withBadges(await engine.search(viewer, request))), degraded: false, blank: false }
  } catch (error) {
    if (engine.name === 'postgres') throw error
    console.error('[rounds] Meilisearch failed; answering from Postgres.', error)
    state.fallback ??= createPostgresEngine()
    return { ...(await withBadges(await state.fallback.search(viewer, request))), degraded: true, blank: false }
  }
}

/** Each doctor found with their "Verified doctor" badge, read now (an index may be a moment behind). */
async function withBadges(response: SearchResponse): Promise<SearchResponse> {
  const doctors = response.groups.doctors
  if (!doctors?.hits.length) return response
  const badges = await verificationBadgesForHandles(doctors.hits.map((h) => h.handle))
  return {
    ...response,
    groups: { ...response.groups, doctors: { ...doctors, hits: doctors.hits.map((h) => ({ ...h, verified: badges.get(h.handle) ?? null })) } },
  }
}

/**
 * Starts carrying the outbox to the engine (call once at start-up; the server
 * stops it on shutdown). With Postgres the rows are only cleared: its index is
 * the tables themselves.
 */
export async function startSearchIndexing(options: { log?: (message: string) => void } = {}): Promise<SearchWorker> {
  if (state.worker) return state.worker
  const engine = searchEngine()
  if (engine.name === 'meilisearch') {
    try {
      await (engine as MeiliEngine).ensureSettings()
      options.log?.('Search: Meilisearch indexes ready.')
    } catch (error) {
      // Searches fall back to Postgres meanwhile; the outbox keeps the changes until Meilisearch is back.
      console.error('[rounds] Meilisearch is not reachable; search answers from Postgres until it is.', error)
    }
  } else {
    options.log?.('Search: Postgres full-text (set MEILI_HOST and MEILI_API_KEY for Meilisearch).')
  }
  const worker = startSearchWorker(engine)
  // The typo vocabulary (also used by the Postgres fallback): rebuilt now and every
  // quarter of an hour, so words nobody shows any more (an erased name) leave it.
  const refresh = () =>
    refreshSearchTerms().catch((error: unknown) => console.error('[rounds] Rebuilding the search vocabulary failed.', error))
  void refresh()
  const timer = setInterval(() => void refresh(), TERMS_REFRESH_MS)
  timer.unref()
  state.worker = {
    stop: async () => {
      state.worker = undefined
      clearInterval(timer)
      await worker.stop()
    },
  }
  return state.worker
}

export { enqueueAllSearchDocuments, refreshSearchTerms } from '../../db/search'
export { drainSearchOutbox, waitForSearchSync } from './outbox'
export { parseSearchInput, MAX_QUERY_CHARS, SUGGEST_PER_GROUP } from './query'
export type * from './types'
