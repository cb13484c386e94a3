import type { SearchFilters, SearchGroup } from './types'

/*
 * Meilisearch filter strings, built per viewer on our server (the browser never
 * talks to Meilisearch, so a filter per query does what a tenant token would).
 * Every value is quoted and escaped: whatever a person types stays a value and
 * never becomes filter syntax (`x" OR visibility = "private`).
 */

/**
 * A filter value: double-quoted, with backslashes and double quotes escaped. Since
 * Meilisearch 1.4 a backslash in a filter must itself be escaped
 * (https://www.meilisearch.com/docs/changelog/v1.4).
 */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/** What the filter needs to know about the viewer. */
export type ViewerScope = {
  signedIn: boolean
  /** Private clubs the viewer is a member of (db/search.ts privateClubIdsOf). */
  privateClubIds: string[]
}

const unix = (d: Date) => Math.floor(d.getTime() / 1000)

function visibleIn(visibilityField: string, idField: string, scope: ViewerScope) {
  const pub = `${visibilityField} = "public"`
  if (scope.privateClubIds.length === 0) return pub
  return `(${pub} OR ${idField} IN [${scope.privateClubIds.map(quote).join(', ')}])`
}

/**
 * The whole filter for one group's query, or `false` when nothing the viewer may
 * see can match (a visitor filtering doctors by city: cities are not theirs to see).
 */
export function filterFor(group: SearchGroup, filters: SearchFilters, scope: ViewerScope, now: Date): string | false | undefined {
  const parts: string[] = []
  if (group === 'doctors') {
    if (filters.speciality !== undefined) parts.push(`speciality = ${quote(filters.speciality)}`)
    if (filters.city !== undefined) {
      if (!scope.signedIn) return false
      parts.push(`visibility = "public"`, `city = ${quote(filters.city)}`)
    }
    if (filters.verified) parts.push(`verifiedUntil > ${unix(now)}`)
  } else if (group === 'clubs') {
    parts.push(visibleIn('visibility', 'id', scope))
    if (filters.speciality !== undefined) parts.push(`specialities = ${quote(filters.speciality)}`)
  } else {
    parts.push(visibleIn('clubVisibility', 'clubId', scope))
    if (filters.speciality !== undefined) parts.push(`specialities = ${quote(filters.speciality)}`)
    if (filters.talkType !== undefined) parts.push(`type = ${quote(filters.talkType)}`)
    if (filters.when === 'upcoming') parts.push(`endsAt > ${unix(now)}`)
    if (filters.when === 'past') parts.push(`endsAt <= ${unix(now)}`)
    if (filters.from) parts.push(`startsAt >= ${unix(filters.from)}`)
    if (filters.to) parts.push(`startsAt < ${unix(filters.to)}`)
  }
  return parts.length ? parts.join(' AND ') : undefined
}
