import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import {
  can,
  inModerationScope,
  moderationItemKinds,
  moderationScopeSql,
  requireModerationScope,
  type ClubRole,
  type ModerationItemKind,
  type ModerationScope,
} from '../access/index'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import {
  accountRestrictions,
  clubMembers,
  clubs,
  moderationActions,
  moderationAppeals,
  moderationHolds,
  moderationReports,
  personalDataAccessLog,
  profiles,
  quizzes,
  talkComments,
  talkQuestions,
  talks,
} from '../schema/index'
import type { Viewer } from '../viewer'
import { keptItemOf } from './kept'
import { itemKindLabel, type ModeratorAction, type ReportReason } from './reasons'

/*
 * The moderation queue: open reports grouped by item (a second report of the same item adds to
 * its count), each item shown in context — its text, where it was said, its author — with the
 * reasons given and what was decided about its author before. Staff moderators see every item;
 * a club's moderators, owner and admins the items of their club. Items that identify a patient
 * come first, then the most reported, then the newest.
 */

type Executor = Database | Transaction

/** An item as a moderator reads it, whatever its state (held, removed, deleted by its author). */
export type ItemInContext = {
  kind: ModerationItemKind
  id: string
  /** What it says: a comment's or question's body, a profile's bio, a talk's or club's description. */
  text: string
  /** A line saying what and where it is. */
  title: string
  link: string | null
  author: { userId: string; handle: string; name: string } | null
  /** Its author erased their account and an open report kept it: shown as "Erased account", with no link. */
  authorErased: boolean
  club: { id: string; slug: string; name: string } | null
  talkId: string | null
  /** Deleted by its author (it may still be reported and decided). */
  deleted: boolean
}

type ItemRow = {
  text: string | null
  title: string | null
  talkId: string | null
  authorId: string | null
  handle: string | null
  name: string | null
  clubId: string | null
  clubSlug: string | null
  clubName: string | null
  deleted: boolean
}

function itemSql(kind: ModerationItemKind, id: string) {
  const author = (column: ReturnType<typeof sql>) => sql`${column} as "authorId",
    (select ap.handle from ${profiles} ap where ap.user_id = ${column}) as handle,
    (select ap.name from ${profiles} ap where ap.user_id = ${column}) as name`
  const club = sql`cl.id as "clubId", cl.slug as "clubSlug", cl.name as "clubName"`
  // Page text a watched word held: the moderator reads the words that await approval.
  const pending = (itemKind: ModerationItemKind, itemId: ReturnType<typeof sql>) =>
    sql`(select h.pending_text from ${moderationHolds} h where h.item_kind = ${itemKind} and h.item_id = ${itemId})`
  switch (kind) {
    case 'comment':
      return sql`select c.body as text, t.title, t.id as "talkId", ${author(sql`c.user_id`)}, ${club}, c.deleted_at is not null as deleted
        from ${talkComments} c join ${talks} t on t.id = c.talk_id join ${clubs} cl on cl.id = t.club_id where c.id = ${id}`
    case 'question':
      return sql`select q.body as text, t.title, t.id as "talkId", ${author(sql`q.user_id`)}, ${club}, false as deleted
        from ${talkQuestions} q join ${talks} t on t.id = q.talk_id join ${clubs} cl on cl.id = t.club_id where q.id = ${id}`
    case 'person':
      return sql`select coalesce(${pending('person', sql`p.user_id`)}, p.bio, '') as text, p.name as title, null::text as "talkId", ${author(sql`p.user_id`)},
          null::text as "clubId", null::text as "clubSlug", null::text as "clubName", false as deleted
        from ${profiles} p where p.user_id = ${id}`
    case 'talk':
      return sql`select t.description as text, coalesce(${pending('talk', sql`t.id`)}, t.title) as title, t.id as "talkId", ${author(sql`t.host_id`)}, ${club}, false as deleted
        from ${talks} t join ${clubs} cl on cl.id = t.club_id where t.id = ${id}`
    case 'club':
      return sql`select coalesce(${pending('club', sql`cl.id`)}, cl.description) as text, cl.name as title, null::text as "talkId", ${author(sql`cl.owner_id`)}, ${club}, false as deleted
        from ${clubs} cl where cl.id = ${id}`
    case 'quiz':
      return sql`select '' as text, z.title, z.talk_id as "talkId", ${author(sql`z.author_id`)}, ${club}, false as deleted
        from ${quizzes} z join ${clubs} cl on cl.id = z.club_id where z.id = ${id}`
  }
}

function titleOf(kind: ModerationItemKind, row: ItemRow) {
  const name = row.title ?? ''
  switch (kind) {
    case 'comment':
      return `Comment in “${name}”`
    case 'question':
      return `Question to “${name}”`
    case 'person':
      return `Profile of ${name}`
    case 'talk':
      return `Talk “${name}”`
    case 'club':
      return `Club ${name}`
    case 'quiz':
      return `Quiz “${name}”`
  }
}

function linkOf(kind: ModerationItemKind, id: string, row: ItemRow) {
  switch (kind) {
    case 'comment':
    case 'question':
      return row.talkId ? `/t/${row.talkId}` : null
    case 'person':
      return row.handle ? `/u/${row.handle}` : null
    case 'talk':
      return `/t/${id}`
    case 'club':
      return row.clubSlug ? `/c/${row.clubSlug}` : null
    case 'quiz':
      return `/q/${id}`
  }
}

/**
 * An item as a moderator reads it: the item itself or, once its author erased their account, the
 * copy an open report kept (db/moderation/kept.ts); null when neither exists.
 */
export async function readItem(kind: ModerationItemKind, id: string, executor: Executor = db): Promise<ItemInContext | null> {
  const [row] = await executor.execute<ItemRow>(itemSql(kind, id))
  if (!row) {
    const kept = await keptItemOf(executor, kind, id)
    if (!kept) return null
    return {
      kind,
      id,
      text: kept.text,
      title: kept.context ?? `A ${itemKindLabel[kind]} of an erased account`,
      link: null,
      author: null,
      authorErased: true,
      club: kept.club,
      talkId: kept.talkId,
      deleted: false,
    }
  }
  return {
    kind,
    id,
    text: row.text ?? '',
    title: titleOf(kind, row),
    link: linkOf(kind, id, row),
    author: row.authorId && row.handle && row.name ? { userId: row.authorId, handle: row.handle, name: row.name } : null,
    authorErased: false,
    club: row.clubId && row.clubSlug && row.clubName ? { id: row.clubId, slug: row.clubSlug, name: row.clubName } : null,
    talkId: row.talkId,
    deleted: row.deleted,
  }
}

export type QueueEntry = {
  kind: ModerationItemKind
  id: string
  reports: number
  reasons: ReportReason[]
  newestAt: Date
  /** Raised by the watched-words list (a report with no reporter). */
  flaggedBySystem: boolean
  hold: 'hidden' | 'removed' | null
  item: ItemInContext | null
  /** Decisions about the item's author before, on any item. */
  priorActions: number
}

type QueueRow = {
  kind: ModerationItemKind
  id: string
  reports: number
  reasons: ReportReason[]
  newestAt: string | Date
  flaggedBySystem: boolean
  patient: boolean
  hold: 'hidden' | 'removed' | null
  authorId: string | null
}

/** The open reports the viewer may decide, grouped by item. 404 for someone who may moderate nothing. */
export async function listModerationQueue(viewer: Viewer, options: { limit?: number } = {}): Promise<{ scope: ModerationScope; entries: QueueEntry[] }> {
  const scope = await requireModerationScope(viewer)
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200)
  const rows = await db.execute<QueueRow>(sql`
    select r.item_kind as kind, r.item_id as id, count(*)::int as reports,
      array_agg(distinct r.reason::text) as reasons, max(r.created_at) as "newestAt",
      bool_or(r.reporter_id is null) as "flaggedBySystem", bool_or(r.reason = 'patient_information') as patient,
      (select h.state from ${moderationHolds} h where h.item_kind = r.item_kind and h.item_id = r.item_id) as hold,
      (array_agg(r.author_id) filter (where r.author_id is not null))[1] as "authorId"
    from ${moderationReports} r
    where r.status = 'open' and ${moderationScopeSql(scope, sql`r.club_id`)}
    group by r.item_kind, r.item_id
    order by bool_or(r.reason = 'patient_information') desc, count(*) desc, max(r.created_at) desc
    limit ${limit}`)
  const entries = await Promise.all(
    rows.map(async (row) => ({
      kind: row.kind,
      id: row.id,
      reports: row.reports,
      reasons: row.reasons,
      newestAt: new Date(row.newestAt),
      flaggedBySystem: row.flaggedBySystem,
      hold: row.hold,
      item: await readItem(row.kind, row.id),
      priorActions: row.authorId ? await countActionsOn(row.authorId) : 0,
    })),
  )
  return { scope, entries }
}

async function countActionsOn(authorId: string) {
  const [row] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from ${moderationActions} where author_id = ${authorId} and action <> 'dismiss' and action <> 'restore'`)
  return row?.n ?? 0
}

export type ReportOfItem = { id: string; reason: ReportReason; details: string | null; status: 'open' | 'dismissed' | 'actioned'; createdAt: Date; bySystem: boolean }
export type LoggedAction = {
  id: string
  action: ModeratorAction | 'hide' | 'appeal_upheld' | 'appeal_overturned'
  kind: ModerationItemKind | null
  itemId: string | null
  reason: string
  until: Date | null
  createdAt: Date
  automatic: boolean
}

export type ModerationItemPage = {
  item: ItemInContext | null
  kind: ModerationItemKind
  id: string
  reports: ReportOfItem[]
  hold: { state: 'hidden' | 'removed'; reason: string; since: Date } | null
  /** Decisions about this item. */
  actions: LoggedAction[]
  /** Decisions about its author, on any item, newest first. */
  authorHistory: LoggedAction[]
  restriction: { postingLimitedUntil: Date | null; suspended: boolean } | null
  openAppeals: { id: string; actionId: string; body: string; createdAt: Date }[]
  /** What this viewer may decide here. */
  may: { suspend: boolean; banFromClub: boolean; remove: boolean }
  clubId: string | null
  authorId: string | null
}

/** The facts every decision about an item starts from: its author and club, from the item or, once it is gone, its reports. */
export async function moderatedItem(viewer: Viewer, kindInput: string, id: string, executor: Executor = db) {
  const scope = await requireModerationScope(viewer, executor)
  const kind = kindInput as ModerationItemKind
  const missing = () => new PublicError('We could not find that item in the moderation queue.', 404)
  if (!moderationItemKinds.includes(kind) || !isId(id)) throw missing()
  const item = await readItem(kind, id, executor)
  const [facts] = await executor.execute<{ authorId: string | null; clubId: string | null; known: boolean }>(sql`
    select
      coalesce(${item?.author?.userId ?? null}::text, (select r.author_id from ${moderationReports} r where r.item_kind = ${kind} and r.item_id = ${id} and r.author_id is not null limit 1),
        (select h.author_id from ${moderationHolds} h where h.item_kind = ${kind} and h.item_id = ${id})) as "authorId",
      coalesce(${item?.club?.id ?? null}::text, (select r.club_id from ${moderationReports} r where r.item_kind = ${kind} and r.item_id = ${id} and r.club_id is not null limit 1)) as "clubId",
      (exists (select 1 from ${moderationReports} r where r.item_kind = ${kind} and r.item_id = ${id})
        or exists (select 1 from ${moderationHolds} h where h.item_kind = ${kind} and h.item_id = ${id})) as known`)
  // An item out of the viewer's clubs is answered as if it did not exist.
  if (!facts?.known || !inModerationScope(scope, facts.clubId)) throw missing()
  return { scope, kind, id, item, authorId: facts.authorId, clubId: facts.clubId }
}

/** The viewer's role in a club, for what a club moderator may do beyond the queue (a ban needs 'manage:members'). */
export async function clubRoleOf(viewer: NonNullable<Viewer>, clubId: string, executor: Executor = db): Promise<ClubRole | null> {
  const [row] = await executor.execute<{ role: ClubRole }>(sql`
    select role from ${clubMembers} where club_id = ${clubId} and user_id = ${viewer.userId}`)
  return row?.role ?? null
}

const actionColumns = sql`id, action, item_kind as kind, item_id as "itemId", reason, until, created_at as "createdAt", actor_id is null as automatic`

type ActionRow = Omit<LoggedAction, 'until' | 'createdAt'> & { until: string | Date | null; createdAt: string | Date }
const actionOf = (row: ActionRow): LoggedAction => ({ ...row, until: row.until ? new Date(row.until) : null, createdAt: new Date(row.createdAt) })

/** One item with its reports, hold, decisions and its author's history, for the moderator deciding it. */
export async function getModerationItem(viewer: Viewer, kindInput: string, id: string): Promise<ModerationItemPage> {
  const { scope, kind, item, authorId, clubId } = await moderatedItem(viewer, kindInput, id)
  const reports = await db.execute<Omit<ReportOfItem, 'createdAt'> & { createdAt: string | Date }>(sql`
    select id, reason, details, status, created_at as "createdAt", reporter_id is null as "bySystem"
    from ${moderationReports} where item_kind = ${kind} and item_id = ${id} order by created_at desc`)
  const [hold] = await db.execute<{ state: 'hidden' | 'removed'; reason: string; since: string | Date }>(sql`
    select state, reason, since from ${moderationHolds} where item_kind = ${kind} and item_id = ${id}`)
  const actions = await db.execute<ActionRow>(sql`
    select ${actionColumns} from ${moderationActions} where item_kind = ${kind} and item_id = ${id} order by created_at desc`)
  const history = authorId
    ? await db.execute<ActionRow>(sql`
        select ${actionColumns} from ${moderationActions} where author_id = ${authorId} order by created_at desc limit 50`)
    : []
  const [restriction] = authorId
    ? await db.execute<{ postingLimitedUntil: string | Date | null; suspended: boolean }>(sql`
        select posting_limited_until as "postingLimitedUntil", suspended from ${accountRestrictions} where user_id = ${authorId}`)
    : []
  const appeals = await db.execute<{ id: string; actionId: string; body: string; createdAt: string | Date }>(sql`
    select a.id, a.action_id as "actionId", a.body, a.created_at as "createdAt"
    from ${moderationAppeals} a join ${moderationActions} m on m.id = a.action_id
    where a.status = 'open' and m.item_kind = ${kind} and m.item_id = ${id} order by a.created_at`)
  const role = clubId ? await clubRoleOf(viewer!, clubId) : null
  // Opening a report shows its author's words and moderation history: they see it under "Who accessed my data".
  if (authorId && authorId !== viewer!.userId) {
    await db.insert(personalDataAccessLog).values({
      id: randomUUID(),
      subjectUserId: authorId,
      staffId: viewer!.userId,
      requestId: null,
      reason: `Reviewed reports of your ${itemKindLabel[kind]} and your past moderation decisions`,
    })
  }
  return {
    kind,
    id,
    item,
    reports: reports.map((r) => ({ ...r, createdAt: new Date(r.createdAt) })),
    hold: hold ? { ...hold, since: new Date(hold.since) } : null,
    actions: actions.map(actionOf),
    authorHistory: history.map(actionOf),
    restriction: restriction
      ? { suspended: restriction.suspended, postingLimitedUntil: restriction.postingLimitedUntil ? new Date(restriction.postingLimitedUntil) : null }
      : null,
    openAppeals: appeals.map((a) => ({ ...a, createdAt: new Date(a.createdAt) })),
    may: {
      suspend: scope.everything && authorId !== null,
      banFromClub: clubId !== null && authorId !== null && can(role, 'manage:members'),
      remove: kind === 'comment' || kind === 'question',
    },
    clubId,
    authorId,
  }
}

/** Open appeals the viewer may decide, oldest first. */
export async function listOpenAppeals(viewer: Viewer) {
  const scope = await requireModerationScope(viewer)
  const rows = await db.execute<{ id: string; body: string; createdAt: string | Date; action: LoggedAction['action']; kind: ModerationItemKind | null; itemId: string | null; reason: string }>(sql`
    select a.id, a.body, a.created_at as "createdAt", m.action, m.item_kind as kind, m.item_id as "itemId", m.reason
    from ${moderationAppeals} a join ${moderationActions} m on m.id = a.action_id
    where a.status = 'open' and ${moderationScopeSql(scope, sql`m.club_id`)}
    order by a.created_at limit 100`)
  return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt) }))
}
