import type { Viewer } from '../../db/viewer'

/*
 * The search port: one contract, two engines (server/search/postgres-engine.ts,
 * server/search/meili-engine.ts). Both must return only what the viewer may see
 * — tests/server/search-contract.ts runs the same suite against each.
 */

export const SEARCH_GROUPS = ['doctors', 'clubs', 'talks'] as const
export type SearchGroup = (typeof SEARCH_GROUPS)[number]

export const TALK_TYPES = ['talk', 'case_discussion', 'surgery', 'quiz'] as const
export type TalkType = (typeof TALK_TYPES)[number]

export type SearchFilters = {
  speciality?: string
  /** Matches public profiles only: a private profile's city is hidden. */
  city?: string
  /** Doctors showing the "Verified doctor" badge only. */
  verified?: true
  talkType?: TalkType
  /** By the talk's scheduled end: upcoming ends after `now`, past ended before it. */
  when?: 'upcoming' | 'past'
  /** Talks starting on or after this instant. */
  from?: Date
  /** Talks starting before this instant. */
  to?: Date
}

/** What the caller asks; built by parseSearchInput (server/search/query.ts). */
export type SearchRequest = {
  /** The normalised query text (may be empty when only filters are given). */
  text: string
  /** Lowercased words of the query, letters and digits only. */
  tokens: string[]
  groups: SearchGroup[]
  filters: SearchFilters
  /** 1-based. */
  page: number
  perPage: number
  sort: 'relevance' | 'date'
  now: Date
}

/** A piece of a field: `match` marks the part the query matched. */
export type Segment = { text: string; match: boolean }

export type DoctorHit = {
  handle: string
  name: string
  photoUrl: string | null
  speciality: string | null
  /** 'card': a private profile, or a visitor's view — name, photo and speciality only. */
  view: 'full' | 'card'
  city: string | null
  interests: string[]
  highlight: Partial<Record<'name' | 'speciality' | 'city' | 'interests', Segment[]>>
  /** The "Verified doctor" badge (added by runSearch, whichever engine answered). */
  verified?: { council: string; since: number } | null
}

export type ClubHit = {
  slug: string
  name: string
  description: string
  specialities: string[]
  visibility: 'public' | 'private'
  highlight: Partial<Record<'name' | 'description' | 'specialities', Segment[]>>
}

export type TalkHit = {
  id: string
  title: string
  type: TalkType
  startsAt: string
  durationMinutes: number
  club: { slug: string; name: string }
  highlight: Partial<Record<'title', Segment[]>>
}

export type HitOf<G extends SearchGroup> = G extends 'doctors' ? DoctorHit : G extends 'clubs' ? ClubHit : TalkHit

export type GroupResult<H> = {
  hits: H[]
  /** Matches the viewer may see, counted up to COUNT_CAP. */
  total: number
  /** True when there are more than `total` (the count stopped at the cap). */
  capped: boolean
}

export type SearchResponse = {
  engine: EngineName
  groups: { doctors?: GroupResult<DoctorHit>; clubs?: GroupResult<ClubHit>; talks?: GroupResult<TalkHit> }
}

/** Counts stop here, as Meilisearch's own maxTotalHits does by default. */
export const COUNT_CAP = 1000

export type EngineName = 'postgres' | 'meilisearch'

// ---------------------------------------------------------------- documents (what an index holds)

export type DoctorDocument = {
  id: string
  handle: string
  name: string
  photoUrl: string | null
  speciality: string | null
  visibility: 'public' | 'private'
  /** Unix seconds until which the "Verified doctor" badge shows; 0 when it does not. */
  verifiedUntil: number
  /** Present only on public profiles: a private profile's document never holds them. */
  city?: string | null
  interests?: string[]
}

export type ClubDocument = {
  id: string
  slug: string
  name: string
  description: string
  specialities: string[]
  visibility: 'public' | 'private'
}

export type TalkDocument = {
  id: string
  title: string
  description: string
  type: TalkType
  /** Unix seconds, so ranges can be filtered and sorted. */
  startsAt: number
  endsAt: number
  durationMinutes: number
  clubId: string
  clubSlug: string
  clubName: string
  clubVisibility: 'public' | 'private'
  specialities: string[]
}

/** One batch of index changes, applied together. */
export type IndexBatch = {
  upsert: { doctors: DoctorDocument[]; clubs: ClubDocument[]; talks: TalkDocument[] }
  remove: { doctors: string[]; clubs: string[]; talks: string[] }
  /** Clubs that are gone: their talks go too (the database deleted them by cascade). */
  removeTalksOfClubs: string[]
}

export interface SearchEngine {
  readonly name: EngineName
  search(viewer: Viewer, request: SearchRequest): Promise<SearchResponse>
  /** Resolves once the engine has confirmed every change (a delete is then really gone). */
  apply(batch: IndexBatch): Promise<void>
}

export const emptyBatch = (): IndexBatch => ({
  upsert: { doctors: [], clubs: [], talks: [] },
  remove: { doctors: [], clubs: [], talks: [] },
  removeTalksOfClubs: [],
})

export const batchSize = (b: IndexBatch) =>
  b.upsert.doctors.length +
  b.upsert.clubs.length +
  b.upsert.talks.length +
  b.remove.doctors.length +
  b.remove.clubs.length +
  b.remove.talks.length +
  b.removeTalksOfClubs.length
