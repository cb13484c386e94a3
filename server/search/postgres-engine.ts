import { correctionsFor, MIN_CORRECTED_LENGTH } from '../../db/search-vocabulary'
import { addSearchTerms, searchClubs, searchDoctors, searchTalks, type SearchMatch } from '../../db/search'
import type { Viewer } from '../../db/viewer'
import { highlighter, segmentsOf } from './highlight'
import { expandTokens, toTsquery } from './query'
import { COUNT_CAP, type GroupResult, type SearchEngine, type SearchRequest, type SearchResponse } from './types'

/**
 * The embedded engine: queries the live tables (generated tsvector columns, GIN
 * indexes), with visibility applied in SQL by db/search.ts, so it is always as
 * fresh as the database. Typos are corrected against a vocabulary (search_terms):
 * `apply` adds the words of changed documents to it at once, and
 * refreshSearchTerms rebuilds it now and then so that words nobody shows any
 * more leave it.
 */
export function createPostgresEngine(): SearchEngine {
  return {
    name: 'postgres',
    apply: async (batch) => {
      const texts = [
        ...batch.upsert.doctors.map((d) => [d.name, d.speciality, d.city, ...(d.interests ?? [])].join(' ')),
        ...batch.upsert.clubs.filter((c) => c.visibility === 'public').map((c) => [c.name, c.description, ...c.specialities].join(' ')),
        ...batch.upsert.talks.filter((t) => t.clubVisibility === 'public').map((t) => `${t.title} ${t.description}`),
      ]
      await addSearchTerms(texts)
    },
    search: (viewer, request) => searchPostgres(viewer, request),
  }
}

const capped = <H>(hits: H[], total: number): GroupResult<H> => ({ hits, total: Math.min(total, COUNT_CAP), capped: total > COUNT_CAP })

async function searchPostgres(viewer: Viewer, request: SearchRequest): Promise<SearchResponse> {
  // A word of four letters or more that starts no word in the vocabulary is taken for a typo
  // and searched together with its closest words; asking the vocabulary (in memory,
  // db/search-vocabulary.ts) first means a typo costs one round of searches, not two.
  // Synonyms' own words are known words and never corrected.
  const words = expandTokens(request.tokens).flatMap((g) => (g[0].includes(' ') ? [] : [g[0]]))
  const corrections = words.some((w) => w.length >= MIN_CORRECTED_LENGTH) ? await correctionsFor(words) : new Map<string, string[]>()
  return runGroups(viewer, request, corrections)
}

async function runGroups(viewer: Viewer, request: SearchRequest, corrections: ReadonlyMap<string, string[]>): Promise<SearchResponse> {
  const match: SearchMatch = { tsquery: toTsquery(request.tokens, corrections) }
  const page = { limit: request.perPage, offset: (request.page - 1) * request.perPage, cap: COUNT_CAP }
  const marker = highlighter(request.tokens, [...corrections.values()].flat())
  const f = request.filters
  const wants = (g: SearchRequest['groups'][number]) => request.groups.includes(g)

  const [doctors, clubs, talks] = await Promise.all([
    wants('doctors') ? searchDoctors(viewer, match, { speciality: f.speciality, city: f.city, verified: f.verified }, page, request.now) : null,
    wants('clubs') ? searchClubs(viewer, match, { speciality: f.speciality }, page) : null,
    wants('talks')
      ? searchTalks(
          viewer,
          match,
          { speciality: f.speciality, talkType: f.talkType, when: f.when, from: f.from, to: f.to },
          page,
          { now: request.now, sort: request.sort },
        )
      : null,
  ])

  const response: SearchResponse = { engine: 'postgres', groups: {} }
  if (doctors) {
    response.groups.doctors = capped(
      doctors.rows.map((d) => ({
        ...d,
        highlight: {
          name: segmentsOf(d.name, marker),
          speciality: segmentsOf(d.speciality, marker),
          // Only fields the row shows: a card has no city or interests to mark.
          city: d.view === 'full' ? segmentsOf(d.city, marker) : undefined,
          interests: d.view === 'full' ? segmentsOf(d.interests.join(', '), marker) : undefined,
        },
      })),
      doctors.total,
    )
  }
  if (clubs) {
    response.groups.clubs = capped(
      clubs.rows.map((c) => ({
        ...c,
        description: c.description.slice(0, 240),
        highlight: {
          name: segmentsOf(c.name, marker),
          description: segmentsOf(c.description.slice(0, 240), marker),
          specialities: segmentsOf(c.specialities.join(', '), marker),
        },
      })),
      clubs.total,
    )
  }
  if (talks) {
    response.groups.talks = capped(
      talks.rows.map((t) => ({
        id: t.id,
        title: t.title,
        type: t.type,
        startsAt: new Date(t.startsAt).toISOString(),
        durationMinutes: t.durationMinutes,
        club: { slug: t.clubSlug, name: t.clubName },
        highlight: { title: segmentsOf(t.title, marker) },
      })),
      talks.total,
    )
  }
  return response
}
