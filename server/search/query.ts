import { z } from 'zod'
import { specialities } from '../../db/specialities'
import { LONGEST_SYNONYM, synonymsOf } from './synonyms'
import { SEARCH_GROUPS, TALK_TYPES, type SearchFilters, type SearchGroup, type SearchRequest } from './types'

/*
 * Turning what someone typed into a search request. Everything a person can put
 * in a URL ends here as either a request or a message: never an exception.
 */

export const MAX_QUERY_CHARS = 200
export const MAX_TOKENS = 8
const MAX_TOKEN_CHARS = 40
export const PER_PAGE = 10
export const SUGGEST_PER_GROUP = 5
export const MAX_PAGE = 100

// Control, format (zero-width, bidi marks), private-use and lone surrogate code points:
// invisible, so never part of what someone meant to search for.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu
const WORD = /[\p{L}\p{M}\p{N}]+/gu

/** The query as it will be shown back: NFKC, invisible characters dropped, spaces collapsed. */
export function normaliseQuery(raw: string) {
  return raw.normalize('NFKC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim()
}

/** Lowercased words (letters, marks, digits), at most MAX_TOKENS, each at most 40 characters, no repeats. */
export function tokenize(text: string): string[] {
  const words = text.toLowerCase().match(WORD) ?? []
  return [...new Set(words.map((w) => w.slice(0, MAX_TOKEN_CHARS)))].slice(0, MAX_TOKENS)
}

/**
 * The query words grouped with their synonyms: `[['cardio', 'cardiology', …], ['mumbai']]`.
 * A known phrase ("family medicine") counts as one word. Entries of more than one word
 * must all match.
 */
export function expandTokens(tokens: string[]): string[][] {
  const out: string[][] = []
  for (let i = 0; i < tokens.length; ) {
    let taken = 1
    let group = [tokens[i]]
    for (let n = Math.min(LONGEST_SYNONYM, tokens.length - i); n >= 1; n--) {
      const phrase = tokens.slice(i, i + n).join(' ')
      const others = synonymsOf(phrase)
      if (others.length > 0) {
        taken = n
        group = [phrase, ...others]
        break
      }
    }
    out.push(group)
    i += taken
  }
  return out
}

/**
 * A tsquery in Postgres syntax: every word as a prefix, OR-ed with its synonyms
 * and typo corrections, the words AND-ed. Safe to hand to to_tsquery: tokens and
 * vocabulary terms hold only letters, marks and digits (the vocabulary is made of
 * to_tsvector lexemes, which may hold other characters: those terms are skipped).
 */
export function toTsquery(tokens: string[], corrections: ReadonlyMap<string, string[]> = new Map()): string | null {
  if (tokens.length === 0) return null
  const safe = (w: string) => /^[\p{L}\p{M}\p{N}]+$/u.test(w)
  const term = (entry: string) => {
    const words = entry.split(' ').filter(safe).map((w) => `${w}:*`)
    return words.length === 1 ? words[0] : `(${words.join(' & ')})`
  }
  return expandTokens(tokens)
    .map((group) => {
      const entries = [...new Set([...group, ...group.flatMap((g) => corrections.get(g) ?? [])])].filter((e) => e.split(' ').some(safe))
      return entries.length === 1 ? term(entries[0]) : `(${entries.map(term).join(' | ')})`
    })
    .join(' & ')
}

// ---------------------------------------------------------------- URL parameters

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)
const day = (label: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${label} date as YYYY-MM-DD.`)
      .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), `Enter a real ${label} date.`)
      .optional(),
  )

export const SearchParamsSchema = z.object({
  q: z
    .string()
    .max(MAX_QUERY_CHARS, `Keep your search under ${MAX_QUERY_CHARS} characters.`)
    .default(''),
  in: z.preprocess(blankToUndefined, z.enum(['all', ...SEARCH_GROUPS], { errorMap: () => ({ message: 'Choose doctors, clubs or talks.' }) }).default('all')),
  speciality: z.preprocess(
    blankToUndefined,
    z.enum(specialities, { errorMap: () => ({ message: 'Choose a speciality from the list.' }) }).optional(),
  ),
  city: z.preprocess(blankToUndefined, z.string().trim().max(80, 'A city name can be at most 80 characters.').optional()),
  verified: z.preprocess(
    blankToUndefined,
    z.enum(['1', 'on', 'true'], { errorMap: () => ({ message: 'Tick "Verified doctors only" or leave it out.' }) }).optional(),
  ),
  type: z.preprocess(blankToUndefined, z.enum(TALK_TYPES, { errorMap: () => ({ message: 'Choose a talk type from the list.' }) }).optional()),
  when: z.preprocess(blankToUndefined, z.enum(['upcoming', 'past'], { errorMap: () => ({ message: 'Choose upcoming or past talks.' }) }).optional()),
  from: day('start'),
  to: day('end'),
  sort: z.preprocess(blankToUndefined, z.enum(['relevance', 'date'], { errorMap: () => ({ message: 'Sort by relevance or date.' }) }).default('relevance')),
  page: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ invalid_type_error: 'Pages are numbered from 1.' })
      .int('Pages are numbered from 1.')
      .min(1, 'Pages are numbered from 1.')
      .max(MAX_PAGE, `Refine your search to see beyond page ${MAX_PAGE}.`)
      .default(1),
  ),
})

export type SearchParams = z.infer<typeof SearchParamsSchema>

/** Which groups a set of filters can apply to: a filter a group does not have leaves that group out. */
export function groupsForFilters(filters: SearchFilters): SearchGroup[] {
  const talkOnly = filters.talkType !== undefined || filters.when !== undefined || filters.from !== undefined || filters.to !== undefined
  const doctorOnly = filters.city !== undefined || filters.verified !== undefined
  if (talkOnly && doctorOnly) return []
  if (talkOnly) return ['talks']
  if (doctorOnly) return ['doctors']
  return [...SEARCH_GROUPS]
}

export type ParsedSearch =
  | { ok: true; params: SearchParams; request: SearchRequest }
  | { ok: false; params: Partial<SearchParams>; message: string; field: string | null }

/** The search page's and the suggestions' input, from a URL's parameters. */
export function parseSearchInput(
  query: URLSearchParams,
  options: { perPage?: number; now?: Date; groups?: SearchGroup[] } = {},
): ParsedSearch {
  const raw = Object.fromEntries(
    [...Object.keys(SearchParamsSchema.shape)].flatMap((key) => {
      const value = query.get(key)
      return value === null ? [] : [[key, value]]
    }),
  )
  const parsed = SearchParamsSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const safe = SearchParamsSchema.partial().safeParse(
      Object.fromEntries(Object.entries(raw).filter(([key]) => !parsed.error.issues.some((i) => i.path[0] === key))),
    )
    return {
      ok: false,
      params: safe.success ? safe.data : {},
      message: issue?.message ?? 'That search did not make sense.',
      field: typeof issue?.path[0] === 'string' ? issue.path[0] : null,
    }
  }
  const params = parsed.data
  const from = params.from ? new Date(`${params.from}T00:00:00Z`) : undefined
  // "to" is inclusive as a day: talks starting before the next midnight.
  const to = params.to ? new Date(Date.parse(`${params.to}T00:00:00Z`) + 24 * 60 * 60 * 1000) : undefined
  if (from && to && from >= to) {
    return { ok: false, params, message: 'The start date must come before the end date.', field: 'from' }
  }
  const filters: SearchFilters = {
    speciality: params.speciality,
    city: params.city ? normaliseQuery(params.city) || undefined : undefined,
    verified: params.verified ? true : undefined,
    talkType: params.type,
    when: params.when,
    from,
    to,
  }
  const applicable = groupsForFilters(filters)
  const wanted = options.groups ?? (params.in === 'all' ? [...SEARCH_GROUPS] : [params.in])
  const text = normaliseQuery(params.q)
  return {
    ok: true,
    params,
    request: {
      text,
      tokens: tokenize(text),
      groups: wanted.filter((g) => applicable.includes(g)),
      filters,
      page: params.page,
      perPage: options.perPage ?? PER_PAGE,
      sort: params.sort,
      now: options.now ?? new Date(),
    },
  }
}

/** True when there is nothing to search for: no words and no filters. */
export function isBlank(request: SearchRequest) {
  const f = request.filters
  return request.tokens.length === 0 && !f.speciality && !f.city && !f.verified && !f.talkType && !f.when && !f.from && !f.to
}
