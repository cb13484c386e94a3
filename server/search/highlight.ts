import { expandTokens } from './query'
import type { Segment } from './types'

/*
 * Highlights are made from a field the viewer may see and nothing else: the
 * engines hand over only visible fields, and these functions mark words in them.
 */

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A matcher for the start of any query word or synonym, at a word boundary, ignoring case. */
export function highlighter(tokens: string[], corrections: string[] = []): RegExp | null {
  const words = [...new Set([...expandTokens(tokens).flat(), ...corrections].flatMap((entry) => entry.split(' ')))].filter((w) => w.length > 0)
  if (words.length === 0) return null
  // Longest first, so 'cardiology' wins over 'cardio' at the same place.
  words.sort((a, b) => b.length - a.length)
  return new RegExp(`(?<![\\p{L}\\p{M}\\p{N}])(?:${words.map(escapeRegExp).join('|')})[\\p{M}]*`, 'giu')
}

/** The text cut into segments, matched word starts marked; null when nothing matched. */
export function segmentsOf(text: string | null | undefined, matcher: RegExp | null): Segment[] | undefined {
  if (!text || !matcher) return undefined
  const segments: Segment[] = []
  let last = 0
  for (const m of text.matchAll(matcher)) {
    const start = m.index
    if (m[0].length === 0) continue
    if (start > last) segments.push({ text: text.slice(last, start), match: false })
    segments.push({ text: m[0], match: true })
    last = start + m[0].length
  }
  if (segments.length === 0) return undefined
  if (last < text.length) segments.push({ text: text.slice(last), match: false })
  return segments
}

// Meilisearch marks matches with tags we choose: control characters nobody types
// (server/search/query.ts strips them from queries, and stored text cannot hold them).
export const MEILI_PRE_TAG = '\u0002'
export const MEILI_POST_TAG = '\u0003'

/** Segments from a Meilisearch `_formatted` value; undefined when it marks nothing. */
export function segmentsFromFormatted(formatted: unknown): Segment[] | undefined {
  if (typeof formatted !== 'string' || !formatted.includes(MEILI_PRE_TAG)) return undefined
  const segments: Segment[] = []
  for (const [i, part] of formatted.split(MEILI_PRE_TAG).entries()) {
    if (i === 0) {
      if (part) segments.push({ text: part, match: false })
      continue
    }
    const end = part.indexOf(MEILI_POST_TAG)
    const marked = end === -1 ? part : part.slice(0, end)
    const rest = end === -1 ? '' : part.slice(end + MEILI_POST_TAG.length)
    if (marked) segments.push({ text: marked, match: true })
    if (rest) segments.push({ text: rest, match: false })
  }
  return segments
}
