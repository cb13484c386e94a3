/**
 * The typo vocabulary (table search_terms) held in memory, for correcting query words as
 * people type. In Postgres the same lookup — every word sharing trigrams with the typed one,
 * ranked by similarity — scanned the whole vocabulary on each search (tens of milliseconds at
 * 100k doctors); here it is a trigram index in a Map, well under a millisecond.
 *
 * The table stays the source: words added on this node are added here at once, a rebuild here
 * reloads, and every node reloads in the background when its copy is older than RELOAD_AFTER_MS.
 * Similarity is pg_trgm's: shared trigrams over all trigrams of both words, threshold 0.3.
 */
import { remember } from '@epic-web/remember'
import { db } from './client'
import { searchTerms } from './schema/index'

export const RELOAD_AFTER_MS = 30_000
const SIMILARITY_THRESHOLD = 0.3
const MAX_LENGTH_DIFFERENCE = 3
const PER_WORD = 3
export const MIN_CORRECTED_LENGTH = 4

type Vocabulary = {
  /** Every term, in code-unit order, for the prefix check. */
  sorted: string[]
  /** Term → its index in `terms`. */
  ids: Map<string, number>
  terms: string[]
  trigramCounts: number[]
  postings: Map<string, number[]>
  loadedAt: number
}

// One copy per process: the server and the Remix build load this module separately.
const state = remember('rounds:search-vocabulary', () => ({
  current: null as Vocabulary | null,
  loading: null as Promise<Vocabulary> | null,
  stale: true,
}))

/** pg_trgm's trigrams of one word: lower case, two spaces before and one after, no repeats. */
export function trigramsOf(word: string): Set<string> {
  const out = new Set<string>()
  for (const part of word.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (!part) continue
    const padded = `  ${part} `
    const chars = [...padded]
    for (let i = 0; i + 3 <= chars.length; i++) out.add(chars.slice(i, i + 3).join(''))
  }
  return out
}

function emptyVocabulary(): Vocabulary {
  return { sorted: [], ids: new Map(), terms: [], trigramCounts: [], postings: new Map(), loadedAt: Date.now() }
}

function addTo(vocabulary: Vocabulary, term: string) {
  if (vocabulary.ids.has(term)) return false
  const id = vocabulary.terms.length
  vocabulary.ids.set(term, id)
  vocabulary.terms.push(term)
  const grams = trigramsOf(term)
  vocabulary.trigramCounts.push(grams.size)
  for (const gram of grams) {
    const list = vocabulary.postings.get(gram)
    if (list) list.push(id)
    else vocabulary.postings.set(gram, [id])
  }
  return true
}

async function load(): Promise<Vocabulary> {
  state.stale = false
  const rows = await db.select({ term: searchTerms.term }).from(searchTerms)
  const vocabulary = emptyVocabulary()
  for (const { term } of rows) addTo(vocabulary, term)
  vocabulary.sorted = [...vocabulary.terms].sort()
  return vocabulary
}

function reload(): Promise<Vocabulary> {
  state.loading ??= load()
    .then((vocabulary) => {
      state.current = vocabulary
      return vocabulary
    })
    .finally(() => {
      state.loading = null
    })
  return state.loading
}

/** The vocabulary, loading it when there is none or it was rebuilt; refreshed in the background when old. */
async function vocabulary(): Promise<Vocabulary> {
  const { current } = state
  if (!current || state.stale) return reload()
  if (Date.now() - current.loadedAt > RELOAD_AFTER_MS && !state.loading) {
    reload().catch((error: unknown) => console.error('[rounds] Reloading the search vocabulary failed.', error))
  }
  return current
}

/** The table was rebuilt (words may have left it): the next search reloads. */
export function vocabularyRebuilt() {
  state.stale = true
}

/** Words just written to the table by this node. */
export function vocabularyAdded(terms: string[]) {
  const { current } = state
  if (!current || terms.length === 0) return
  for (const term of terms) {
    if (addTo(current, term)) current.sorted.splice(firstAtOrAfter(current.sorted, term), 0, term)
  }
}

/** Where `word` is, or would go, in the sorted terms. */
function firstAtOrAfter(sorted: string[], word: string) {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid] < word) lo = mid + 1
    else hi = mid
  }
  return lo
}

function startsAWord(v: Vocabulary, prefix: string) {
  const at = firstAtOrAfter(v.sorted, prefix)
  return at < v.sorted.length && v.sorted[at].startsWith(prefix)
}

function closestTerms(v: Vocabulary, token: string): string[] {
  const grams = trigramsOf(token)
  const shared = new Map<number, number>()
  for (const gram of grams) {
    for (const id of v.postings.get(gram) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1)
  }
  const length = [...token].length
  const scored: { term: string; similarity: number }[] = []
  for (const [id, common] of shared) {
    const similarity = common / (grams.size + v.trigramCounts[id] - common)
    if (similarity < SIMILARITY_THRESHOLD) continue
    const term = v.terms[id]
    if (Math.abs([...term].length - length) > MAX_LENGTH_DIFFERENCE) continue
    scored.push({ term, similarity })
  }
  scored.sort((a, b) => b.similarity - a.similarity || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0))
  return scored.slice(0, PER_WORD).map((s) => s.term)
}

/**
 * Words of the vocabulary close to each query word that is not itself the start of a known
 * word: "cardiolgy" → cardiology. At most three per word, closest first.
 */
export async function correctionsFor(tokens: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  const candidates = tokens.filter((t) => [...t].length >= MIN_CORRECTED_LENGTH)
  if (candidates.length === 0) return out
  const v = await vocabulary()
  for (const token of candidates) {
    const word = token.toLowerCase()
    if (out.has(token) || startsAWord(v, word)) continue
    const closest = closestTerms(v, word)
    if (closest.length > 0) out.set(token, closest)
  }
  return out
}

/** For tests: forget the copy, as a fresh process would. */
export function forgetVocabulary() {
  state.current = null
  state.stale = true
}
