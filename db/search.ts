import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { vocabularyAdded, vocabularyRebuilt } from './search-vocabulary'
import { db, searchDatabase, type Database, type Transaction } from './client'
import { photoUrl } from './photos'
import { clubMembers, clubs, doctorVerifications, profiles, searchOutbox, searchTerms, talks, users } from './schema/index'
import type { Viewer } from './viewer'
import { blockedBetweenSql, presentToViewerSql, searchableAccountSql, visibleClubCondition } from './access/index'
import { REVERIFY_GRACE_DAYS, verifiedDoctorSql } from './access/verification'

/*
 * Search in the data layer: the Postgres engine's queries, the per-viewer facts
 * the Meilisearch engine needs, the outbox that keeps Meilisearch in step, and
 * the opt-out. Who may find whom (docs/decisions/006-search-outbox.md):
 *
 *  - a doctor appears only when verified, active and discoverable (not opted out);
 *  - to a signed-in viewer a public profile is matched and shown in full (name,
 *    speciality, city, interests); a private profile — and every profile to a
 *    visitor — is matched and shown as the basic card only (name, photo,
 *    speciality), so a hidden field can neither find a doctor nor be shown;
 *  - clubs and their talks follow visibleClubCondition (db/access/clubs.ts): public, or the
 *    viewer is a member; an invitation to a private club does not make it findable;
 *  - a block, either way, hides each from the other: the person, and the talks they host.
 */

/** Leaves out, for a signed-in viewer, anyone with a block between them either way. */
const notBlockedSql = (viewer: Viewer, userId: AnyPgColumn): SQL[] => (viewer ? [sql`not ${blockedBetweenSql(viewer.userId, userId)}`] : [])

// ---------------------------------------------------------------- the outbox

export type SearchDocKind = 'profile' | 'club' | 'talk'
export type SearchDocRef = { kind: SearchDocKind; id: string }

/**
 * Announces that a document changed, inside the transaction that changed it:
 * the row commits with the change or not at all. The worker reads the state when
 * it runs, so calling this twice, or for a row that was deleted, is harmless.
 */
export async function enqueueSearchUpdate(tx: Transaction | Database, refs: SearchDocRef | SearchDocRef[]) {
  const list = Array.isArray(refs) ? refs : [refs]
  if (list.length === 0) return
  await tx.insert(searchOutbox).values(list.map((r) => ({ kind: r.kind, entityId: r.id })))
}

/** Every profile, club and talk, queued for a full rebuild of an external index. */
export async function enqueueAllSearchDocuments() {
  const rows = await db.execute(sql`
    insert into ${searchOutbox} (kind, entity_id)
    select 'profile'::search_doc_kind, user_id from ${profiles}
    union all select 'club'::search_doc_kind, id from ${clubs}`)
  // A club's row brings its talks along (server/search/meili-documents.ts).
  return rows.count ?? 0
}

export type ClaimedBatch = {
  /** One reference per document, oldest first. */
  refs: SearchDocRef[]
  /** Outbox rows taken (a document changed twice has two). */
  rows: number
  /** The most attempts any of the rows had before this one. */
  attempts: number
}

export type BatchOutcome = { claimed: number; documents: number; ok: boolean; error?: unknown }

// A namespace for this outbox's advisory locks, so they cannot meet another module's.
const OUTBOX_LOCK_SPACE = 73_001

/** Seconds to wait before the next try after `attempts` failed ones: 1, 2, 4 … up to 5 minutes. */
export const retryDelaySeconds = (attempts: number) => Math.min(300, 2 ** Math.max(0, attempts - 1))

/**
 * Takes due outbox rows and hands their documents to `handle`, in one transaction:
 * on success the rows are deleted; when `handle` throws they stay, with a later
 * next try (retryDelaySeconds) and the error.
 *
 * In order per document: only a document's oldest row can be taken, and a
 * transaction-level advisory lock per document keeps two workers (on two nodes)
 * from working the same document at once. Rows written while `handle` runs stay
 * for the next round, which reads the state again.
 */
export async function processSearchOutbox(
  handle: (batch: ClaimedBatch, tx: Transaction) => Promise<void>,
  options: { limit?: number } = {},
): Promise<BatchOutcome> {
  const limit = options.limit ?? 100
  return db.transaction(async (tx) => {
    const heads = await tx.execute<{ id: number; kind: SearchDocKind; entity_id: string }>(sql`
      select o.id, o.kind, o.entity_id from ${searchOutbox} o
      where o.next_attempt_at <= now()
        and not exists (select 1 from ${searchOutbox} p where p.kind = o.kind and p.entity_id = o.entity_id and p.id < o.id)
      order by o.id
      limit ${limit}
      for update skip locked`)
    if (heads.length === 0) return { claimed: 0, documents: 0, ok: true }
    const keys = heads.map((h) => `${h.kind}:${h.entity_id}`)
    const locked = await tx.execute<{ key: string; ok: boolean }>(sql`
      select key, pg_try_advisory_xact_lock(${OUTBOX_LOCK_SPACE}, hashtext(key)) as ok
      from unnest(${sql.raw('array[')}${sql.join(
        keys.map((k) => sql`${k}`),
        sql`, `,
      )}${sql.raw(']::text[]')}) as key`)
    const mine = new Set(locked.filter((l) => l.ok).map((l) => l.key))
    const refs = heads.filter((h) => mine.has(`${h.kind}:${h.entity_id}`)).map((h) => ({ kind: h.kind, id: h.entity_id }))
    if (refs.length === 0) return { claimed: 0, documents: 0, ok: true }
    const docCondition = sql.join(
      refs.map((r) => sql`(${searchOutbox.kind} = ${r.kind} and ${searchOutbox.entityId} = ${r.id})`),
      sql` or `,
    )
    const rows = await tx
      .select({ id: searchOutbox.id, attempts: searchOutbox.attempts })
      .from(searchOutbox)
      .where(docCondition)
      .for('update')
    const ids = rows.map((r) => r.id)
    const attempts = Math.max(0, ...rows.map((r) => r.attempts))
    try {
      await handle({ refs, rows: ids.length, attempts }, tx)
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 500)
      await tx
        .update(searchOutbox)
        .set({
          attempts: sql`${searchOutbox.attempts} + 1`,
          nextAttemptAt: sql`now() + least(300, power(2, ${searchOutbox.attempts})) * interval '1 second'`,
          lastError: message,
        })
        .where(inArray(searchOutbox.id, ids))
      return { claimed: ids.length, documents: refs.length, ok: false, error }
    }
    await tx.delete(searchOutbox).where(inArray(searchOutbox.id, ids))
    return { claimed: ids.length, documents: refs.length, ok: true }
  })
}

/** Outbox rows still waiting for these documents (all of them when none are named). */
export async function pendingSearchUpdates(refs?: SearchDocRef[]) {
  const where =
    refs && refs.length > 0
      ? sql.join(
          refs.map((r) => sql`(${searchOutbox.kind} = ${r.kind} and ${searchOutbox.entityId} = ${r.id})`),
          sql` or `,
        )
      : undefined
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(searchOutbox).where(where)
  return row?.n ?? 0
}

// ---------------------------------------------------------------- what the index is built from

export type ProfileSource = {
  userId: string
  handle: string
  name: string
  photoUrl: string | null
  speciality: string | null
  city: string | null
  interests: string[]
  visibility: 'public' | 'private'
  /** Verified, active and not opted out: the only profiles search may hold. */
  searchable: boolean
  /** Until when the "Verified doctor" badge shows (null: it does not); far in the future when no renewal is due. */
  verifiedUntil: Date | null
}

export type ClubSource = {
  id: string
  slug: string
  name: string
  description: string
  specialities: string[]
  visibility: 'public' | 'private'
}

export type TalkSource = {
  id: string
  title: string
  description: string
  type: 'talk' | 'case_discussion' | 'surgery' | 'quiz'
  startsAt: Date
  durationMinutes: number
  club: ClubSource
}

export type SearchSources = { profiles: ProfileSource[]; clubs: ClubSource[]; talks: TalkSource[] }

/**
 * The current state of the documents named (and, for a club, of all its talks),
 * read inside the outbox transaction. A document not returned no longer exists.
 */
export async function loadSearchSources(refs: SearchDocRef[], tx: Transaction | Database = db): Promise<SearchSources> {
  const ids = (kind: SearchDocKind) => refs.filter((r) => r.kind === kind).map((r) => r.id)
  const [profileIds, clubIds, talkIds] = [ids('profile'), ids('club'), ids('talk')]
  const clubColumns = {
    id: clubs.id,
    slug: clubs.slug,
    name: clubs.name,
    description: clubs.description,
    specialities: clubs.specialities,
    visibility: clubs.visibility,
  }
  const [profileRows, clubRows, talkRows] = await Promise.all([
    profileIds.length === 0
      ? []
      : tx
          .select({
            userId: profiles.userId,
            handle: profiles.handle,
            name: profiles.name,
            photoPath: profiles.photoPath,
            speciality: profiles.speciality,
            city: profiles.city,
            interests: profiles.interests,
            visibility: profiles.visibility,
            searchable: sql<boolean>`(${profiles.discoverable} and ${users.emailVerifiedAt} is not null and ${users.deactivatedAt} is null)`,
            verifiedUntil: sql<Date | null>`(select coalesce(dv.reverify_due_at + make_interval(days => ${REVERIFY_GRACE_DAYS}), '9999-12-31'::timestamptz)
              from ${doctorVerifications} dv where dv.user_id = ${profiles.userId} and dv.status = 'verified')`.mapWith((v: string | Date | null) =>
              v === null ? null : new Date(v),
            ),
          })
          .from(profiles)
          .innerJoin(users, eq(users.id, profiles.userId))
          .where(inArray(profiles.userId, profileIds)),
    clubIds.length === 0 ? [] : tx.select(clubColumns).from(clubs).where(inArray(clubs.id, clubIds)),
    talkIds.length === 0 && clubIds.length === 0
      ? []
      : tx
          .select({
            id: talks.id,
            title: talks.title,
            description: talks.description,
            type: talks.type,
            startsAt: talks.startsAt,
            durationMinutes: talks.durationMinutes,
            club: clubColumns,
          })
          .from(talks)
          .innerJoin(clubs, eq(clubs.id, talks.clubId))
          .where(
            and(
              // A cancelled talk stays as a record but leaves the index.
              sql`${talks.cancelledAt} is null`,
              sql`(${sql.join(
                [
                  ...(talkIds.length ? [inArray(talks.id, talkIds)] : []),
                  ...(clubIds.length ? [inArray(talks.clubId, clubIds)] : []),
                ],
                sql` or `,
              )})`,
            ),
          ),
  ])
  return {
    profiles: profileRows.map(({ photoPath, ...p }) => ({ ...p, photoUrl: photoUrl(photoPath) })),
    clubs: clubRows,
    talks: talkRows,
  }
}

// ---------------------------------------------------------------- the Postgres engine's queries

/** What to match: a tsquery of prefixes, synonyms and typo corrections (server/search/query.ts). */
export type SearchMatch = { tsquery: string | null }
/** `cap`: counting stops after this many matches; ranking looks at that many candidates. */
export type SearchPage = { limit: number; offset: number; cap: number }
export type Counted<T> = { rows: T[]; total: number }

const tsq = (query: string) => sql`to_tsquery('simple'::regconfig, ${query})`

/** Runs a search's query on the search connections (db/client.ts searchDatabase: read-only, GIN-steered). */
function searching<T>(run: (database: Database) => Promise<T>): Promise<T> {
  return run(searchDatabase())
}

export type DoctorRow = {
  handle: string
  name: string
  photoUrl: string | null
  speciality: string | null
  view: 'full' | 'card'
  /** Null and empty unless the full profile is visible. */
  city: string | null
  interests: string[]
}

/**
 * Doctors matching, as the viewer may see them (see the rules at the top of
 * this file). Public profiles (to signed-in viewers) match on their full text,
 * every other on the card: two branches, so a hidden field is never compared.
 * Up to `cap` candidates per branch are counted and ranked.
 */
export async function searchDoctors(
  viewer: Viewer,
  match: SearchMatch,
  filters: { speciality?: string; city?: string; verified?: true },
  page: SearchPage,
  now = new Date(),
): Promise<Counted<DoctorRow>> {
  // A visitor cannot see cities, so cannot filter by one.
  if (filters.city && !viewer) return { rows: [], total: 0 }
  const q = match.tsquery ? tsq(match.tsquery) : null
  const branch = (doc: AnyPgColumn, visibility: SQL | null) => {
    const where = [
      sql`${profiles.discoverable}`,
      searchableAccountSql(profiles.userId),
      ...notBlockedSql(viewer, profiles.userId),
      ...(visibility ? [visibility] : []),
      ...(q ? [sql`${doc} @@ ${q}`] : []),
      ...(filters.speciality ? [sql`${profiles.speciality} = ${filters.speciality}`] : []),
      ...(filters.city ? [sql`lower(${profiles.city}) = lower(${filters.city})`] : []),
      ...(filters.verified ? [verifiedDoctorSql(profiles.userId, now)] : []),
    ]
    return sql`(select ${profiles.userId} as user_id, ${profiles.name} as name, ${q ? sql`ts_rank(${doc}, ${q})` : sql`0::real`} as rank
      from ${profiles} where ${sql.join(where, sql` and `)}
      ${q ? sql`` : sql`order by ${profiles.name}, ${profiles.userId}`} limit ${page.cap + 1})`
  }
  const branches = !viewer
    ? [branch(profiles.searchCard, null)]
    : [
        branch(profiles.searchFull, sql`${profiles.visibility} = 'public'`),
        // A private profile has no city to match: with a city filter, it is simply left out.
        ...(filters.city ? [] : [branch(profiles.searchCard, sql`${profiles.visibility} <> 'public'`)]),
      ]
  const full = viewer ? sql`p.visibility = 'public'` : sql`false`
  const rows = await searching((tx) =>
    tx.execute<{
      handle: string
      name: string
      photo_path: string | null
      speciality: string | null
      full: boolean
      city: string | null
      interests: string[] | null
      total: number
    }>(sql`
      with m as materialized (${sql.join(branches, sql` union all `)})
      select p.handle, p.name, p.photo_path, p.speciality, ${full} as full,
             case when ${full} then p.city end as city, case when ${full} then p.interests end as interests,
             (select count(*)::int from m) as total
      from (select * from m order by rank desc, name, user_id limit ${page.limit} offset ${page.offset}) top
      join ${profiles} p on p.user_id = top.user_id
      order by top.rank desc, top.name, top.user_id`),
  )
  const total = rows[0]?.total ?? (page.offset > 0 ? await countDoctors(branches) : 0)
  return {
    total,
    rows: rows.map((r) => ({
      handle: r.handle,
      name: r.name,
      photoUrl: photoUrl(r.photo_path),
      speciality: r.speciality,
      view: r.full ? 'full' : 'card',
      city: r.full ? r.city : null,
      interests: r.full ? (r.interests ?? []) : [],
    })),
  }
}

async function countDoctors(branches: SQL[]) {
  const [row] = await searching((tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from (${sql.join(branches, sql` union all `)}) m`))
  return row?.n ?? 0
}

export type ClubRow = { slug: string; name: string; description: string; specialities: string[]; visibility: 'public' | 'private' }

/** Clubs matching that the viewer may see: public ones, and private ones they are a member of. */
export async function searchClubs(viewer: Viewer, match: SearchMatch, filters: { speciality?: string }, page: SearchPage): Promise<Counted<ClubRow>> {
  const q = match.tsquery ? tsq(match.tsquery) : null
  const where = [
    visibleClubCondition(viewer),
    ...(q ? [sql`${clubs.searchDoc} @@ ${q}`] : []),
    // Containment, so the GIN index on specialities serves it.
    ...(filters.speciality ? [sql`${clubs.specialities} @> array[${filters.speciality}]::text[]`] : []),
  ]
  const candidates = sql`select ${clubs.id} as id, ${clubs.name} as name, ${q ? sql`ts_rank(${clubs.searchDoc}, ${q})` : sql`0::real`} as rank
    from ${clubs} where ${sql.join(where, sql` and `)}
    ${q ? sql`` : sql`order by ${clubs.name}, ${clubs.id}`} limit ${page.cap + 1}`
  const rows = await searching((tx) =>
    tx.execute<ClubRow & { total: number }>(sql`
      with m as materialized (${candidates})
      select c.slug, c.name, c.description, c.specialities, c.visibility, (select count(*)::int from m) as total
      from (select * from m order by rank desc, name, id limit ${page.limit} offset ${page.offset}) top
      join ${clubs} c on c.id = top.id
      order by top.rank desc, top.name, top.id`),
  )
  const total =
    rows[0]?.total ?? (page.offset > 0 ? ((await searching((tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from (${candidates}) m`)))[0]?.n ?? 0) : 0)
  return { total, rows: rows.map(({ total: _total, ...row }) => row) }
}

export type TalkRow = {
  id: string
  title: string
  type: 'talk' | 'case_discussion' | 'surgery' | 'quiz'
  startsAt: Date
  durationMinutes: number
  clubSlug: string
  clubName: string
}

export type TalkSearchFilters = {
  speciality?: string
  talkType?: TalkRow['type']
  when?: 'upcoming' | 'past'
  from?: Date
  to?: Date
}

/** Talks matching, in clubs the viewer may see. */
export async function searchTalks(
  viewer: Viewer,
  match: SearchMatch,
  filters: TalkSearchFilters,
  page: SearchPage,
  options: { now: Date; sort: 'relevance' | 'date' },
): Promise<Counted<TalkRow>> {
  const q = match.tsquery ? tsq(match.tsquery) : null
  // Dates inside a raw fragment go as text: the driver does not serialise a Date there.
  const at = (d: Date) => sql`${d.toISOString()}::timestamptz`
  const endsAt = sql`(${talks.startsAt} + ${talks.durationMinutes} * interval '1 minute')`
  const where = [
    visibleClubCondition(viewer),
    ...notBlockedSql(viewer, talks.hostId),
    sql`${talks.cancelledAt} is null`,
    ...(q ? [sql`${talks.searchDoc} @@ ${q}`] : []),
    // Containment, so the GIN index on specialities serves it.
    ...(filters.speciality ? [sql`${clubs.specialities} @> array[${filters.speciality}]::text[]`] : []),
    ...(filters.talkType ? [sql`${talks.type} = ${filters.talkType}`] : []),
    ...(filters.when === 'upcoming' ? [sql`${endsAt} > ${at(options.now)}`] : []),
    ...(filters.when === 'past' ? [sql`${endsAt} <= ${at(options.now)}`] : []),
    ...(filters.from ? [sql`${talks.startsAt} >= ${at(filters.from)}`] : []),
    ...(filters.to ? [sql`${talks.startsAt} < ${at(filters.to)}`] : []),
  ]
  const newestFirst = filters.when === 'past'
  const byDate = newestFirst ? sql`starts_at desc, id` : sql`starts_at, id`
  const candidates = sql`select ${talks.id} as id, ${talks.startsAt} as starts_at, (${endsAt} > ${at(options.now)}) as upcoming,
      ${q ? sql`ts_rank(${talks.searchDoc}, ${q})` : sql`0::real`} as rank
    from ${talks} join ${clubs} on ${clubs.id} = ${talks.clubId}
    where ${sql.join(where, sql` and `)}
    ${q ? sql`` : sql`order by ${talks.startsAt} ${newestFirst ? sql`desc` : sql`asc`}, ${talks.id}`} limit ${page.cap + 1}`
  const order = options.sort === 'date' ? byDate : sql`rank desc, upcoming desc, ${byDate}`
  const rows = await searching((tx) =>
    tx.execute<{ id: string; title: string; type: TalkRow['type']; starts_at: string | Date; duration_minutes: number; club_slug: string; club_name: string; total: number }>(sql`
      with m as materialized (${candidates})
      select t.id, t.title, t.type, t.starts_at, t.duration_minutes, c.slug as club_slug, c.name as club_name,
             (select count(*)::int from m) as total
      from (select * from m order by ${order} limit ${page.limit} offset ${page.offset}) top
      join ${talks} t on t.id = top.id join ${clubs} c on c.id = t.club_id
      order by ${options.sort === 'date' ? sql`top.${byDate}` : sql`top.rank desc, top.upcoming desc, top.${byDate}`}`),
  )
  const total =
    rows[0]?.total ?? (page.offset > 0 ? ((await searching((tx) => tx.execute<{ n: number }>(sql`select count(*)::int as n from (${candidates}) m`)))[0]?.n ?? 0) : 0)
  return {
    total,
    rows: rows.map((r) => ({
      id: r.id,
      title: r.title,
      type: r.type,
      startsAt: new Date(r.starts_at),
      durationMinutes: r.duration_minutes,
      clubSlug: r.club_slug,
      clubName: r.club_name,
    })),
  }
}

// ---------------------------------------------------------------- typo correction

/** The words any signed-in doctor may see, as ts_stat takes them: the text of a query. */
const VISIBLE_WORDS_QUERY = `
  select search_full from profiles
   where visibility = 'public' and discoverable
     and user_id not in (select id from users where email_verified_at is null or deactivated_at is not null)
  union all select search_card from profiles
   where visibility <> 'public' and discoverable
     and user_id not in (select id from users where email_verified_at is null or deactivated_at is not null)
  union all select search_doc from clubs where visibility = 'public'
  union all select t.search_doc from talks t join clubs c on c.id = t.club_id where c.visibility = 'public'`

/**
 * Rebuilds the vocabulary from scratch, so words whose every source is gone
 * (an erased doctor's name, a club gone private) leave it too.
 */
export async function refreshSearchTerms() {
  return db.transaction(async (tx) => {
    await tx.execute(sql`delete from ${searchTerms}`)
    const result = await tx.execute(sql`
      insert into ${searchTerms} (term)
      select s.word from ts_stat(${VISIBLE_WORDS_QUERY}) s where length(s.word) between 3 and 40
      on conflict do nothing`)
    return result.count ?? 0
  }).finally(vocabularyRebuilt)
}

/** Whether the vocabulary has any word yet (a new database, or no worker has run). */
export async function hasSearchTerms() {
  const rows = await db.execute<{ any: boolean }>(sql`select exists (select 1 from ${searchTerms}) as any`)
  return rows[0]?.any ?? false
}

/** Adds the words of documents just indexed, so a new name is typo-tolerant at once. */
export async function addSearchTerms(texts: string[]) {
  const joined = texts.join(' ').slice(0, 200_000)
  if (!joined.trim()) return
  const added = await db.execute<{ term: string }>(sql`
    insert into ${searchTerms} (term)
    select lexeme from unnest(to_tsvector('simple'::regconfig, ${joined})) where length(lexeme) between 3 and 40
    on conflict do nothing
    returning term`)
  vocabularyAdded(added.map((row) => row.term))
}

// ---------------------------------------------------------------- what the Meilisearch engine asks

/** The private clubs the viewer is a member of: with public ones, all the clubs (and talks) they may find. */
export async function privateClubIdsOf(viewer: Viewer): Promise<string[]> {
  if (!viewer) return []
  const rows = await db
    .select({ id: clubs.id })
    .from(clubMembers)
    .innerJoin(clubs, eq(clubs.id, clubMembers.clubId))
    .where(and(eq(clubMembers.userId, viewer.userId), eq(clubs.visibility, 'private')))
  return rows.map((r) => r.id)
}

/**
 * Which of an index's hits the viewer may still see now, by the database: an
 * external index lags by up to a few seconds, so a profile that just went
 * private or opted out, or a club that just went private, is dropped here.
 */
export async function stillVisible(
  viewer: Viewer,
  hits: { doctors: { id: string; visibility: 'public' | 'private' }[]; clubs: string[]; talks: string[] },
) {
  const [doctorRows, clubRows, talkRows] = await Promise.all([
    hits.doctors.length === 0
      ? []
      : db
          .select({ id: profiles.userId, visibility: profiles.visibility })
          .from(profiles)
          .innerJoin(users, eq(users.id, profiles.userId))
          .where(
            and(
              inArray(
                profiles.userId,
                hits.doctors.map((d) => d.id),
              ),
              eq(profiles.discoverable, true),
              sql`${users.emailVerifiedAt} is not null`,
              presentToViewerSql(viewer, profiles.userId),
            ),
          ),
    hits.clubs.length === 0 ? [] : db.select({ id: clubs.id }).from(clubs).where(and(inArray(clubs.id, hits.clubs), visibleClubCondition(viewer))),
    hits.talks.length === 0
      ? []
      : db
          .select({ id: talks.id })
          .from(talks)
          .innerJoin(clubs, eq(clubs.id, talks.clubId))
          .where(and(inArray(talks.id, hits.talks), visibleClubCondition(viewer), ...notBlockedSql(viewer, talks.hostId))),
  ])
  // A doctor whose visibility changed since indexing is left out: the document may hold what is now hidden.
  const indexed = new Map(hits.doctors.map((d) => [d.id, d.visibility]))
  return {
    doctors: new Set(doctorRows.filter((r) => indexed.get(r.id) === r.visibility).map((r) => r.id)),
    clubs: new Set(clubRows.map((r) => r.id)),
    talks: new Set(talkRows.map((r) => r.id)),
  }
}
