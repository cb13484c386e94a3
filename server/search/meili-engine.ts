import { Meilisearch, type EnqueuedTaskPromise, type MultiSearchQuery, type MultiSearchResult, type RecordAny } from 'meilisearch'
import { privateClubIdsOf, stillVisible } from '../../db/search'
import type { Viewer } from '../../db/viewer'
import { MEILI_POST_TAG, MEILI_PRE_TAG, segmentsFromFormatted } from './highlight'
import { filterFor, quote, type ViewerScope } from './meili-filter'
import { CARD_ATTRIBUTES, indexSettings } from './meili-settings'
import {
  COUNT_CAP,
  SEARCH_GROUPS,
  batchSize,
  type ClubDocument,
  type ClubHit,
  type DoctorDocument,
  type DoctorHit,
  type GroupResult,
  type IndexBatch,
  type SearchEngine,
  type SearchGroup,
  type SearchRequest,
  type SearchResponse,
  type TalkDocument,
  type TalkHit,
} from './types'

/*
 * The Meilisearch engine. Documents come from the outbox (server/search/outbox.ts)
 * and hold only what their viewers may see (meili-documents.ts); every query gets
 * the viewer's filter (meili-filter.ts); and hits are checked against the
 * database before they are returned, because the index lags the database by
 * the outbox's few seconds.
 */

export type MeiliOptions = {
  host: string
  apiKey: string
  /** Index names are `<prefix>_doctors`, `<prefix>_clubs`, `<prefix>_talks`. */
  indexPrefix?: string
  /** How long to wait for Meilisearch to confirm a change. */
  taskTimeoutMs?: number
  requestTimeoutMs?: number
}

export type MeiliEngine = SearchEngine & {
  indexUid: (group: SearchGroup) => string
  /** Creates the indexes if needed and applies their settings; waits for both. */
  ensureSettings: () => Promise<void>
  /** Deletes the indexes (tests). */
  dropIndexes: () => Promise<void>
}

const DOCTOR_FULL_FIELDS = ['id', 'handle', 'name', 'photoUrl', 'speciality', 'visibility', 'city', 'interests']
const DOCTOR_CARD_FIELDS = ['id', 'handle', 'name', 'photoUrl', 'speciality', 'visibility']

/**
 * One query per group, as Meilisearch's multi-search takes them. Pure, so what
 * each viewer can retrieve, match on and have highlighted is unit-tested.
 * A group whose filter can match nothing has no query (null).
 */
export function buildMeiliQueries(
  request: SearchRequest,
  scope: ViewerScope,
  indexUid: (group: SearchGroup) => string,
): { group: SearchGroup; query: MultiSearchQuery | null }[] {
  // The words alone: Meilisearch reads quotes as phrases and a leading minus as "not".
  const q = request.tokens.join(' ')
  return request.groups.map((group) => {
    const filter = filterFor(group, request.filters, scope, request.now)
    if (filter === false) return { group, query: null }
    const query: MultiSearchQuery = {
      indexUid: indexUid(group),
      q,
      page: request.page,
      hitsPerPage: request.perPage,
      highlightPreTag: MEILI_PRE_TAG,
      highlightPostTag: MEILI_POST_TAG,
      ...(filter ? { filter } : {}),
    }
    if (group === 'doctors') {
      // A visitor sees every doctor as a card: match, retrieve and highlight the card only.
      const fields = scope.signedIn ? DOCTOR_FULL_FIELDS : DOCTOR_CARD_FIELDS
      query.attributesToRetrieve = fields
      query.attributesToHighlight = scope.signedIn ? ['name', 'speciality', 'city', 'interests'] : [...CARD_ATTRIBUTES]
      if (!scope.signedIn) query.attributesToSearchOn = [...CARD_ATTRIBUTES]
      if (!q) query.sort = ['name:asc']
    } else if (group === 'clubs') {
      query.attributesToRetrieve = ['id', 'slug', 'name', 'description', 'specialities', 'visibility']
      query.attributesToHighlight = ['name', 'description', 'specialities']
      query.attributesToCrop = ['description']
      query.cropLength = 40
      if (!q) query.sort = ['name:asc']
    } else {
      query.attributesToRetrieve = ['id', 'title', 'type', 'startsAt', 'durationMinutes', 'clubId', 'clubSlug', 'clubName']
      query.attributesToHighlight = ['title']
      if (request.sort === 'date' || !q) query.sort = [request.filters.when === 'past' ? 'startsAt:desc' : 'startsAt:asc']
    }
    return { group, query }
  })
}

type Formatted = Record<string, unknown> | undefined
const joined = (value: unknown) => (Array.isArray(value) ? value.map(String).join(', ') : value)

/** A doctor hit as the viewer may see it, from a document that holds at most what its owner shows everyone. */
export function toDoctorHit(doc: DoctorDocument & { _formatted?: Formatted }, signedIn: boolean): DoctorHit {
  const full = signedIn && doc.visibility === 'public'
  const f = doc._formatted
  return {
    handle: doc.handle,
    name: doc.name,
    photoUrl: doc.photoUrl ?? null,
    speciality: doc.speciality ?? null,
    view: full ? 'full' : 'card',
    city: full ? (doc.city ?? null) : null,
    interests: full ? (doc.interests ?? []) : [],
    highlight: {
      name: segmentsFromFormatted(f?.name),
      speciality: segmentsFromFormatted(f?.speciality),
      city: full ? segmentsFromFormatted(f?.city) : undefined,
      interests: full ? segmentsFromFormatted(joined(f?.interests)) : undefined,
    },
  }
}

function toClubHit(doc: ClubDocument & { _formatted?: Formatted }): ClubHit {
  const f = doc._formatted
  const cropped = typeof f?.description === 'string' ? f.description.replaceAll(MEILI_PRE_TAG, '').replaceAll(MEILI_POST_TAG, '') : doc.description
  return {
    slug: doc.slug,
    name: doc.name,
    description: cropped.slice(0, 240),
    specialities: doc.specialities ?? [],
    visibility: doc.visibility,
    highlight: {
      name: segmentsFromFormatted(f?.name),
      description: segmentsFromFormatted(f?.description),
      specialities: segmentsFromFormatted(joined(f?.specialities)),
    },
  }
}

function toTalkHit(doc: TalkDocument & { _formatted?: Formatted }): TalkHit {
  return {
    id: doc.id,
    title: doc.title,
    type: doc.type,
    startsAt: new Date(doc.startsAt * 1000).toISOString(),
    durationMinutes: doc.durationMinutes,
    club: { slug: doc.clubSlug, name: doc.clubName },
    highlight: { title: segmentsFromFormatted(doc._formatted?.title) },
  }
}

const group = <H>(hits: H[], totalHits: number, dropped: number): GroupResult<H> => {
  const total = Math.max(hits.length, totalHits - dropped)
  return { hits, total: Math.min(total, COUNT_CAP), capped: total >= COUNT_CAP }
}

export function createMeiliEngine(options: MeiliOptions, client = new Meilisearch({ host: options.host, apiKey: options.apiKey, timeout: options.requestTimeoutMs ?? 5000 })): MeiliEngine {
  const prefix = options.indexPrefix ?? 'rounds'
  const indexUid = (g: SearchGroup) => `${prefix}_${g}`
  const wait = { timeout: options.taskTimeoutMs ?? 30_000, interval: 50 }

  async function confirm(tasks: EnqueuedTaskPromise[]) {
    for (const t of tasks) {
      const done = await t.waitTask(wait)
      if (done.status !== 'succeeded') {
        throw new Error(`Meilisearch task ${done.uid} ${done.status}: ${done.error?.message ?? 'no reason given'}`)
      }
    }
  }

  async function apply(batch: IndexBatch) {
    if (batchSize(batch) === 0) return
    // Documents must not reach an index Meilisearch would create on the fly, without our settings.
    if (!settingsReady) await ensureSettings()
    // Enqueued one after another: Meilisearch runs each index's tasks in that order.
    const tasks: EnqueuedTaskPromise[] = []
    const enqueue = (task: EnqueuedTaskPromise) => {
      tasks.push(task)
      return task
    }
    for (const g of SEARCH_GROUPS) {
      const index = client.index(indexUid(g))
      const upserts = batch.upsert[g] as RecordAny[]
      const removals = batch.remove[g]
      if (removals.length) await enqueue(index.deleteDocuments(removals))
      if (upserts.length) await enqueue(index.addDocuments(upserts, { primaryKey: 'id' }))
    }
    if (batch.removeTalksOfClubs.length) {
      await enqueue(
        client.index(indexUid('talks')).deleteDocuments({ filter: `clubId IN [${batch.removeTalksOfClubs.map(quote).join(', ')}]` }),
      )
    }
    await confirm(tasks)
  }

  async function search(viewer: Viewer, request: SearchRequest): Promise<SearchResponse> {
    const needsClubs = request.groups.some((g) => g !== 'doctors')
    const scope: ViewerScope = { signedIn: viewer !== null, privateClubIds: needsClubs ? await privateClubIdsOf(viewer) : [] }
    const planned = buildMeiliQueries(request, scope, indexUid)
    const queries = planned.flatMap((p) => (p.query ? [p.query] : []))
    const { results } = queries.length ? await client.multiSearch({ queries }) : { results: [] as MultiSearchResult<RecordAny>[] }
    const byIndex = new Map(results.map((r) => [r.indexUid, r]))
    const resultOf = (g: SearchGroup) => byIndex.get(indexUid(g))
    const hitsOf = <T>(g: SearchGroup) => (resultOf(g)?.hits ?? []) as (T & { _formatted?: Formatted })[]
    const totalOf = (g: SearchGroup) => {
      const r = resultOf(g) as { totalHits?: number; estimatedTotalHits?: number } | undefined
      return r?.totalHits ?? r?.estimatedTotalHits ?? 0
    }

    const doctors = hitsOf<DoctorDocument>('doctors')
    const clubs = hitsOf<ClubDocument>('clubs')
    const talks = hitsOf<TalkDocument>('talks')
    const visible = await stillVisible(viewer, {
      doctors: doctors.map((d) => ({ id: d.id, visibility: d.visibility })),
      clubs: clubs.map((c) => c.id),
      talks: talks.map((t) => t.id),
    })
    const keptDoctors = doctors.filter((d) => visible.doctors.has(d.id))
    const keptClubs = clubs.filter((c) => visible.clubs.has(c.id))
    const keptTalks = talks.filter((t) => visible.talks.has(t.id))

    const response: SearchResponse = { engine: 'meilisearch', groups: {} }
    const wants = (g: SearchGroup) => request.groups.includes(g)
    if (wants('doctors')) {
      response.groups.doctors = group(
        keptDoctors.map((d) => toDoctorHit(d, scope.signedIn)),
        totalOf('doctors'),
        doctors.length - keptDoctors.length,
      )
    }
    if (wants('clubs')) response.groups.clubs = group(keptClubs.map(toClubHit), totalOf('clubs'), clubs.length - keptClubs.length)
    if (wants('talks')) response.groups.talks = group(keptTalks.map(toTalkHit), totalOf('talks'), talks.length - keptTalks.length)
    return response
  }

  let settingsReady = false
  async function ensureSettings() {
    for (const g of SEARCH_GROUPS) {
      const created = await client.createIndex(indexUid(g), { primaryKey: 'id' }).waitTask(wait)
      if (created.status !== 'succeeded' && created.error?.code !== 'index_already_exists') {
        throw new Error(`Could not create the Meilisearch index ${indexUid(g)}: ${created.error?.message ?? created.status}`)
      }
      await confirm([client.index(indexUid(g)).updateSettings(indexSettings(g))])
    }
    settingsReady = true
  }

  async function dropIndexes() {
    for (const g of SEARCH_GROUPS) await client.deleteIndex(indexUid(g)).waitTask(wait)
    settingsReady = false
  }

  return { name: 'meilisearch', search, apply, indexUid, ensureSettings, dropIndexes }
}
