import type { Settings } from 'meilisearch'
import { SYNONYM_GROUPS } from './synonyms'
import type { SearchGroup } from './types'

/*
 * Index settings for Meilisearch, one index per group. Searchable attributes are
 * in order of importance; filterable ones are exactly what the per-viewer filter
 * (server/search/meili-filter.ts) and the search page's filters use.
 */

/** Meilisearch synonyms from our groups: each entry maps to the others of its group. */
export function meiliSynonyms(): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const group of SYNONYM_GROUPS) {
    for (const entry of group) out[entry] = [...new Set([...(out[entry] ?? []), ...group.filter((e) => e !== entry)])]
  }
  return out
}

const typoTolerance: Settings['typoTolerance'] = {
  enabled: true,
  // "card" → "cardiology" is a prefix; one typo from 4 letters ("neurolgy"), two from 8 ("cardiolgoy").
  minWordSizeForTypos: { oneTypo: 4, twoTypos: 8 },
  disableOnNumbers: true,
}

export function indexSettings(group: SearchGroup): Settings {
  const common = { synonyms: meiliSynonyms(), typoTolerance, pagination: { maxTotalHits: 1000 } }
  switch (group) {
    case 'doctors':
      return {
        ...common,
        // A private profile's document has no city or interests: they cannot match it.
        searchableAttributes: ['name', 'speciality', 'city', 'interests'],
        filterableAttributes: ['speciality', 'city', 'visibility', 'verifiedUntil'],
        sortableAttributes: ['name'],
      }
    case 'clubs':
      return {
        ...common,
        searchableAttributes: ['name', 'specialities', 'description'],
        filterableAttributes: ['id', 'visibility', 'specialities'],
        sortableAttributes: ['name'],
      }
    case 'talks':
      return {
        ...common,
        searchableAttributes: ['title', 'description'],
        filterableAttributes: ['clubId', 'clubVisibility', 'type', 'startsAt', 'endsAt', 'specialities'],
        sortableAttributes: ['startsAt'],
      }
  }
}

/** Searchable fields a visitor's (or any card-only) search may use on doctors. */
export const CARD_ATTRIBUTES = ['name', 'speciality'] as const
