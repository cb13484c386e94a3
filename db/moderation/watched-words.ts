import { randomUUID } from 'node:crypto'
import { remember } from '@epic-web/remember'
import { asc, eq, sql } from 'drizzle-orm'
import type { ModerationItemKind } from '../access/moderation'
import { hasStaffDuty, type StaffViewer } from '../access/staff'
import { db, rawSql, type Database, type Transaction } from '../client'
import { PublicError, isUniqueViolation } from '../errors'
import { moderationActions, moderationReports, profiles, watchedWords } from '../schema/index'
import { holdPageText, isPageTextKind, placeHold, supersedePendingText } from './holds'
import type { Viewer } from '../viewer'

/*
 * Staff's watched words (table watched_words): a pattern of letters in any script, `*` for any
 * run of letters, matched as a whole word, case- and accent-insensitively, in comments,
 * questions, bios, club descriptions and talk titles. On a match:
 *   block → refused with 422 naming the word, nothing written;
 *   hold  → written, held back from everyone but its author (moderation_holds), reported to the
 *           moderation queue (a 'watched_word' report with no reporter), a 'hide' logged with no actor;
 *   flag  → written and shown, and reported to the queue.
 * Several matches: the strictest action wins.
 *
 * The list is compiled into one RegExp per process. A change made here is seen at once by this
 * process; other processes reload the list when their copy is older than WATCHED_WORDS_TTL_MS, so
 * a change reaches every node within a few seconds without a query per post.
 */

export type WatchedWordAction = (typeof watchedWords.$inferSelect)['action']
export const watchedWordActions = ['block', 'hold', 'flag'] as const satisfies readonly WatchedWordAction[]

/** How long a process trusts its compiled list before reading it again. */
export const WATCHED_WORDS_TTL_MS = 5000
export const PATTERN_MAX = 100
/** Letters (not `*`) a pattern needs, so it cannot match nearly every word. */
export const PATTERN_MIN_LETTERS = 2
/** More wildcards than this make a pattern slow to match and rarely mean anything. */
export const PATTERN_MAX_WILDCARDS = 2

const strictness: Record<WatchedWordAction, number> = { block: 0, hold: 1, flag: 2 }

// Letters, combining marks (Devanagari and Tamil vowel signs, viramas) and digits make a word;
// format characters (zero-width joiners, soft hyphens) stay inside it and are dropped when folded.
const WORD = /[\p{L}\p{M}\p{N}\p{Cf}]+/gu
const LETTERS = '[\\p{L}\\p{M}\\p{N}]*'

/**
 * A word as it is compared: lower case, compatibility forms unfolded (NFKD: fullwidth and
 * ligature letters become plain ones), format characters dropped, and accents taken off Latin
 * letters only — in Indic scripts the marks are vowels and viramas, part of the word itself.
 */
export function foldWord(word: string): string {
  return word
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{Cf}/gu, '')
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
}

/**
 * A pattern as typed, checked: refused with a 400 saying why when it is empty, too long, not one
 * word of letters and `*`, or so short it would match nearly every word. Returns it tidied (NFC,
 * repeated `*` as one) and its folded form, which decides duplicates.
 */
export function checkedPattern(input: unknown): { pattern: string; folded: string } {
  if (typeof input !== 'string' || input.trim() === '') throw new PublicError('Write the word to watch for.', 400, 'pattern')
  if (input.includes('\0')) throw new PublicError('A pattern cannot contain a null character.', 400, 'pattern')
  const pattern = input.trim().normalize('NFC').replace(/\*{2,}/g, '*')
  if (pattern.length > PATTERN_MAX) throw new PublicError(`A pattern can be at most ${PATTERN_MAX} characters.`, 400, 'pattern')
  if (!/^[\p{L}\p{M}\p{N}*]+$/u.test(pattern)) {
    throw new PublicError('Use one word of letters, with * for any run of letters: no spaces or punctuation.', 400, 'pattern')
  }
  const letters = pattern.match(/[\p{L}\p{N}]/gu)?.length ?? 0
  if (letters === 0) throw new PublicError('A pattern of only * would match every word. Add at least 2 letters.', 400, 'pattern')
  if (letters < PATTERN_MIN_LETTERS) {
    throw new PublicError(`Give at least ${PATTERN_MIN_LETTERS} letters besides *, so the pattern does not match nearly every word.`, 400, 'pattern')
  }
  if ((pattern.match(/\*/g)?.length ?? 0) > PATTERN_MAX_WILDCARDS) {
    throw new PublicError(`Use * at most ${PATTERN_MAX_WILDCARDS} times in a pattern.`, 400, 'pattern')
  }
  return { pattern, folded: foldWord(pattern) }
}

/** The pattern as a regular expression source, over folded words. */
function patternSource(folded: string) {
  return folded
    .split('*')
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join(LETTERS)
}

type Entry = { pattern: string; action: WatchedWordAction }
type Compiled = { regex: RegExp | null; entries: Entry[] }

/**
 * One RegExp for the whole list, tried on each folded word: `^(?:(p1)|(p2)|…)$`, the strictest
 * patterns first, so the group that matched is the strictest pattern matching that word.
 */
export function compileWatchedWords(list: Entry[]): Compiled {
  const entries = [...list].sort((a, b) => strictness[a.action] - strictness[b.action])
  if (entries.length === 0) return { regex: null, entries }
  const source = entries.map((e) => `(${patternSource(foldWord(e.pattern))})`).join('|')
  return { regex: new RegExp(`^(?:${source})$`, 'u'), entries }
}

export type WatchedWordHit = {
  action: WatchedWordAction
  /** The word as it was written. */
  word: string
  pattern: string
}

/** The strictest match in the texts, or null. */
export function matchCompiled(compiled: Compiled, texts: readonly (string | null | undefined)[]): WatchedWordHit | null {
  const { regex, entries } = compiled
  if (!regex) return null
  let best: WatchedWordHit | null = null
  for (const text of texts) {
    if (typeof text !== 'string') continue
    for (const [word] of text.matchAll(WORD)) {
      const found = regex.exec(foldWord(word))
      if (!found) continue
      const index = found.findIndex((group, i) => i > 0 && group !== undefined)
      const entry = entries[index - 1]
      if (!best || strictness[entry.action] < strictness[best.action]) best = { action: entry.action, word, pattern: entry.pattern }
      if (best.action === 'block') return best
    }
  }
  return best
}

// In one globalThis slot, as the database connection is (db/client.ts): in development the routes
// and the socket layer load their own copies of this module, and a change must reach both.
type Cache = {
  generation: number
  /** `source`: the connection it was read through; another database (a test's) reads its own list. */
  value?: { compiled: Compiled; loadedAt: number; generation: number; source: unknown }
  loading?: { generation: number; promise: Promise<Compiled> }
}
const cache = remember('rounds:watched-words', (): Cache => ({ generation: 0 }))

/** Makes the next match read the list again: called once a change commits. */
export function forgetWatchedWords() {
  cache.generation++
}

async function compiledWatchedWords(now: number): Promise<Compiled> {
  const source = rawSql()
  if (cache.value && cache.value.source !== source) {
    cache.value = undefined
    cache.generation++
  }
  const { value, generation } = cache
  if (value && value.generation === generation && now - value.loadedAt < WATCHED_WORDS_TTL_MS) return value.compiled
  let loading = cache.loading
  if (loading?.generation !== generation) {
    const promise = db
      .select({ pattern: watchedWords.pattern, action: watchedWords.action })
      .from(watchedWords)
      .then((rows) => {
        const compiled = compileWatchedWords(rows)
        if (cache.generation === generation) cache.value = { compiled, loadedAt: now, generation, source }
        return compiled
      })
      .finally(() => {
        if (cache.loading?.promise === promise) cache.loading = undefined
      })
    loading = { generation, promise }
    cache.loading = loading
  }
  return loading.promise
}

/** The strictest watched word in the texts, or null. `now` decides whether the cached list is still fresh. */
export async function findWatchedWord(texts: readonly (string | null | undefined)[], now = Date.now()): Promise<WatchedWordHit | null> {
  if (texts.every((t) => typeof t !== 'string' || t === '')) return null
  return matchCompiled(await compiledWatchedWords(now), texts)
}

/**
 * Screens text before it is written: a blocked word is refused with 422 naming it (nothing is
 * written); a word to hold or flag is returned, for `recordWatchedWordHit` once the item exists.
 */
export async function screenText(texts: readonly (string | null | undefined)[], field?: string): Promise<WatchedWordHit | null> {
  const hit = await findWatchedWord(texts)
  if (hit?.action === 'block') throw new PublicError(`This contains a word Rounds does not allow: “${hit.word}”.`, 422, field)
  return hit
}

export type ScreenedItem = {
  kind: ModerationItemKind
  id: string
  authorId: string | null
  clubId: string | null
  talkId: string | null
  /**
   * For page text (a bio, a club's description, a talk's title): the text just saved and what
   * others saw before it. Held, the new text waits for approval and the old one stays on show.
   */
  pageText?: { next: string; shownMeanwhile: string | null }
}

/** The reason a held item shows its author, and the hold's and the log's reason. */
export const WATCHED_WORD_REASON = 'watched word'

/**
 * After writing an item that matched a word to hold or flag, in the same transaction: a
 * 'watched_word' report with no reporter (one open at a time per item), so it reaches the
 * moderation queue; for 'hold', also the hold and a 'hide' in the log with no actor. A hold
 * awaiting review is not appealable: the moderator's decision on it is.
 */
export async function recordWatchedWordHit(tx: Transaction, hit: WatchedWordHit | null, item: ScreenedItem): Promise<{ held: boolean }> {
  if (!hit || hit.action !== 'hold') {
    // Clean text (or text only flagged) replaces page text that awaited approval.
    if (item.pageText && isPageTextKind(item.kind)) await supersedePendingText(tx, item.kind, item.id)
  }
  if (!hit || hit.action === 'block') return { held: false }
  const details = `Matched the watched word “${hit.pattern}” (${hit.action}): “${hit.word}”.`
  await tx.execute(sql`
    insert into ${moderationReports} (id, reporter_id, item_kind, item_id, author_id, club_id, reason, details)
    select ${randomUUID()}, null, ${item.kind}, ${item.id}, ${item.authorId}, ${item.clubId}, 'watched_word', ${details}
    where not exists (
      select 1 from ${moderationReports} r
      where r.item_kind = ${item.kind} and r.item_id = ${item.id} and r.reason = 'watched_word' and r.status = 'open')`)
  if (hit.action === 'flag') return { held: false }
  // placeHold also tells the live rooms at commit (db/moderation/holds.ts).
  const placed = await placeHold(tx, { kind: item.kind, id: item.id, authorId: item.authorId, talkId: item.talkId, reason: WATCHED_WORD_REASON })
  if (item.pageText && isPageTextKind(item.kind)) await holdPageText(tx, item.kind, item.id, item.pageText)
  if (placed) {
    await tx.insert(moderationActions).values({
      id: randomUUID(),
      action: 'hide',
      itemKind: item.kind,
      itemId: item.id,
      authorId: item.authorId,
      actorId: null,
      clubId: item.clubId,
      reason: `Held for review: the watched word “${hit.word}”.`,
    })
  }
  return { held: true }
}

// Staff with the 'moderator' duty keep the list; everyone else is told there is no such page.

export async function requireWatchedWordsKeeper(viewer: Viewer, executor: Database | Transaction = db): Promise<StaffViewer> {
  if (!(await hasStaffDuty(viewer, 'moderator', executor))) throw new PublicError('We could not find that page.', 404)
  return viewer as StaffViewer
}

export type WatchedWord = { id: string; pattern: string; action: WatchedWordAction; createdAt: Date; addedBy: string | null }

export async function listWatchedWords(viewer: Viewer): Promise<WatchedWord[]> {
  await requireWatchedWordsKeeper(viewer)
  return db
    .select({
      id: watchedWords.id,
      pattern: watchedWords.pattern,
      action: watchedWords.action,
      createdAt: watchedWords.createdAt,
      addedBy: profiles.handle,
    })
    .from(watchedWords)
    .leftJoin(profiles, eq(profiles.userId, watchedWords.createdBy))
    .orderBy(asc(sql`lower(${watchedWords.pattern})`))
}

export type WatchedWordInput = { pattern: unknown; action: unknown }

/** Adds a pattern; refused with a 4xx, writing nothing, when it is malformed or already listed (in any case or accents). */
export async function addWatchedWord(viewer: Viewer, input: WatchedWordInput): Promise<WatchedWord> {
  const staff = await requireWatchedWordsKeeper(viewer)
  const { pattern, folded } = checkedPattern(input.pattern)
  const action = input.action
  if (typeof action !== 'string' || !(watchedWordActions as readonly string[]).includes(action)) {
    throw new PublicError('Choose what happens on a match: block, hold or flag.', 400, 'action')
  }
  const id = randomUUID()
  let added: WatchedWord
  try {
    added = await db.transaction(async (tx) => {
      // Two staff adding "Café" and "cafe" at once: one waits, then sees the other.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('watched-words'))`)
      const existing = await tx.select({ pattern: watchedWords.pattern }).from(watchedWords)
      const same = existing.find((w) => foldWord(w.pattern) === folded)
      if (same) throw new PublicError(`“${same.pattern}” is already on the list.`, 409, 'pattern')
      const [row] = await tx
        .insert(watchedWords)
        .values({ id, pattern, action: action as WatchedWordAction, createdBy: staff.userId })
        .returning({ createdAt: watchedWords.createdAt })
      return { id, pattern, action: action as WatchedWordAction, createdAt: row.createdAt, addedBy: null }
    })
  } catch (error) {
    if (isUniqueViolation(error, 'watched_words_pattern_key')) throw new PublicError(`“${pattern}” is already on the list.`, 409, 'pattern')
    throw error
  }
  forgetWatchedWords()
  return added
}

/** Removes a pattern from the list; what it held or flagged stays in the moderation queue. */
export async function removeWatchedWord(viewer: Viewer, id: unknown): Promise<{ pattern: string }> {
  await requireWatchedWordsKeeper(viewer)
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new PublicError('That word is not on the list.', 404)
  const [removed] = await db.delete(watchedWords).where(eq(watchedWords.id, id)).returning({ pattern: watchedWords.pattern })
  if (!removed) throw new PublicError('That word is not on the list.', 404)
  forgetWatchedWords()
  return removed
}
