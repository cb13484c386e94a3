import { randomUUID } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { can, clubRoles } from './club-permissions'
import { db, preparedSql, type Transaction } from './client'
import { visibleClubCondition } from './clubs'
import { PublicError } from './errors'
import { photoUrl } from './profiles'
import { CONSENT_REQUIRED_MESSAGE, RECORDING_POLICY_VERSION } from './recording-policy'
import {
  clubBans,
  clubMembers,
  clubs,
  profiles,
  recordingConsents,
  recordings,
  stageEvents,
  talkAttendance,
  talkComments,
  talkQuestionVotes,
  talkQuestions,
  talkReactionTotals,
  talkRemovals,
  talkRoles,
  talkStage,
  talks,
} from './schema/index'
import { recordAccessChange } from './access-changes'
import { checkedText, type TalkType } from './talks'
import type { Viewer } from './viewer'
import { activeUserSql } from './visibility'

/*
 * The live room (docs/live-room.md, contract in docs/live-contract.md). Its state lives in
 * Postgres so a restart or a reconnect restores it exactly; every rule about who may do what
 * in a talk is here. Every function takes the viewer and throws PublicError when they may not.
 *
 * The hot paths are single statements: enterTalk and getRoomState load the whole room (and
 * enterTalk opens the attendance row) in one query; postComment authorises and inserts in one.
 */

export type TalkRoleName = 'host' | 'cohost' | 'speaker' | 'audience'
export type TalkStatus = 'scheduled' | 'live' | 'ended'
export type QuestionStatus = 'open' | 'answered' | 'hidden'
export const reactionKinds = ['clap', 'heart', 'insight', 'laugh', 'thanks'] as const
export type ReactionKind = (typeof reactionKinds)[number]

export type PersonRef = { userId: string; handle: string; name: string; photoUrl: string | null }
export type StagePerson = PersonRef & { role: TalkRoleName }
export type HandEntry = PersonRef & { raisedAt: string }
export type LiveComment = { id: string; talkId: string; author: PersonRef; body: string; createdAt: string; pinned: boolean }
export type LiveQuestion = {
  id: string
  talkId: string
  author: PersonRef
  body: string
  createdAt: string
  status: QuestionStatus
  votes: number
  votedByMe: boolean
}
export type StageSnapshot = { talkId: string; stage: StagePerson[]; hands: HandEntry[]; handCount: number; invited: string[] }
/** The recording as one person sees it (docs/live-contract.md). */
export type RecordingState = {
  recorded: boolean
  active: boolean
  startedAt: string | null
  policyVersion: string
  consented: boolean
  missingConsent: string[]
}
export type RoomState = {
  talk: {
    id: string
    title: string
    type: TalkType
    status: TalkStatus
    startsAt: string
    durationMinutes: number
    club: { slug: string; name: string; visibility: 'public' | 'private' }
    hostId: string
  }
  me: { userId: string; role: TalkRoleName; onStage: boolean; hand: 'raised' | 'invited' | null; handPosition: number | null }
  stage: StagePerson[]
  hands: HandEntry[]
  handCount: number
  invited: string[]
  audienceCount: number
  comments: LiveComment[]
  pinned: LiveComment | null
  questions: LiveQuestion[]
  reactions: Record<string, number>
  recording: RecordingState
}
export type AttendanceStay = { joinedAt: string; leftAt: string | null }
export type AttendanceReport = {
  uniqueAttendees: number
  peakConcurrent: number
  averageSeconds: number
  comments: number
  questions: number
  people: { handle: string; name: string; stays: AttendanceStay[]; totalSeconds: number }[]
}
export type TextInput = { body: string; clientId?: string | null }


// ---------------------------------------------------------------- rules shared by every function

const COMMENT_MAX = 500
const QUESTION_MAX = 300
const COMMENT_TAIL = 50
const QUESTION_LIMIT = 200
const REACTION_MAX_PER_FLUSH = 100_000

export type Q = Transaction | typeof db

/** Refusals shared by the live room's modules (db/recordings.ts too). */
export const refuse = {
  signIn: () => new PublicError('Sign in to join the talk.', 401),
  notFound: () => new PublicError('We could not find that talk.', 404),
  banned: () => new PublicError('The club’s admins have removed you from this club, so you cannot join its talks.', 403),
  removed: () => new PublicError('The hosts removed you from this talk, so you cannot rejoin it.', 403),
  notHost: () => new PublicError('Only the talk’s hosts can do that.', 403),
  ended: () => new PublicError('This talk has ended.', 409),
  policyChanged: () => new PublicError('The recording policy has changed. Read it again and accept.', 409),
  notStarted: () => new PublicError('This talk has not started yet.', 409),
  noPerson: () => new PublicError('We could not find that person.', 404),
}

/** Ids are UUIDs everywhere in Rounds; anything else is refused before a query. */
export const isId = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value)

export const iso = (value: string | Date) => new Date(value).toISOString()

// Club roles that moderate talks count as co-hosts: read from the one permission table.
const moderatingClubRoles = sql.join(
  clubRoles.filter((role) => can(role, 'moderate:talks')).map((role) => sql`${role}`),
  sql`, `,
)

/** A person's role in talk `t` (the talks row must be in scope as `t`). */
function talkRoleOf(userId: SQL): SQL {
  return sql`(case
    when t.host_id = ${userId} then 'host'
    when exists (select 1 from ${talkRoles} r where r.talk_id = t.id and r.user_id = ${userId} and r.role in ('host', 'cohost'))
      or exists (select 1 from ${clubMembers} m where m.club_id = t.club_id and m.user_id = ${userId} and m.role::text in (${moderatingClubRoles}))
      then 'cohost'
    when exists (select 1 from ${talkRoles} r where r.talk_id = t.id and r.user_id = ${userId} and r.role = 'speaker') then 'speaker'
    else 'audience' end)`
}

export const isModerator = (role: TalkRoleName) => role === 'host' || role === 'cohost'

/**
 * Whether a person's latest consent row for talk `talkId` is a 'given' one for the current policy
 * version: one withdrawal, or a consent to an older text, and it no longer counts.
 */
export function consentValid(talkId: SQL, userId: SQL): SQL {
  return sql`coalesce((select c.kind = 'given' and c.policy_version = ${RECORDING_POLICY_VERSION}
    from ${recordingConsents} c where c.talk_id = ${talkId} and c.user_id = ${userId} order by c.id desc limit 1), false)`
}

export type Access = {
  id: string
  title: string
  type: TalkType
  status: TalkStatus
  startsAt: string
  durationMinutes: number
  hostId: string
  clubId: string
  openedAt: string | null
  endedAt: string | null
  clubSlug: string
  clubName: string
  clubVisibility: 'public' | 'private'
  visible: boolean
  banned: boolean
  removed: boolean
  role: TalkRoleName
  stage: 'raised' | 'invited' | 'on_stage' | null
  recorded: boolean
  /** The viewer's consent to be recorded in this talk is valid now. */
  consented: boolean
}

/**
 * Everything about the talk and the viewer's standing in it, in one row: whether they may
 * see it (the club rule from db/clubs.ts), are banned from the club or removed from the talk,
 * their role and their place on the stage.
 */
function accessSelect(viewer: NonNullable<Viewer>, talkId: string): SQL {
  const uid = sql`${viewer.userId}`
  return sql`select t.id, t.title, t.type, t.status, t.starts_at as "startsAt", t.duration_minutes as "durationMinutes",
      t.host_id as "hostId", t.club_id as "clubId", t.opened_at as "openedAt", t.ended_at as "endedAt",
      ${clubs}.slug as "clubSlug", ${clubs}.name as "clubName", ${clubs}.visibility as "clubVisibility",
      ${visibleClubCondition(viewer)} as visible,
      exists (select 1 from ${clubBans} b where b.club_id = t.club_id and b.user_id = ${uid}) as banned,
      exists (select 1 from ${talkRemovals} x where x.talk_id = t.id and x.user_id = ${uid}) as removed,
      ${talkRoleOf(uid)} as role,
      (select s.status from ${talkStage} s where s.talk_id = t.id and s.user_id = ${uid}) as stage,
      t.recorded, ${consentValid(sql`t.id`, uid)} as consented
    from ${talks} t join ${clubs} on ${clubs}.id = t.club_id
    where t.id = ${talkId}`
}

/**
 * Loads the viewer's access; with a lock, the talk row is held until the transaction ends so
 * opening and ending a talk are ordered against stage changes: 'update' for status changes and
 * host-side stage changes, 'share' for a person changing only their own place.
 */
export async function loadAccess(q: Q, viewer: Viewer, talkId: string, lock?: 'update' | 'share') {
  if (!viewer) throw refuse.signIn()
  if (!isId(talkId)) throw refuse.notFound()
  const lockSql = lock === 'update' ? sql` for update of t` : lock === 'share' ? sql` for share of t` : sql``
  const [row] = await q.execute<Access>(sql`${accessSelect(viewer, talkId)}${lockSql}`)
  return requireEntry(row)
}

function requireEntry(access: Access | undefined): Access {
  if (!access || !access.visible) throw refuse.notFound()
  if (access.banned) throw refuse.banned()
  if (access.removed) throw refuse.removed()
  return access
}

export function requireModerator(access: Access) {
  if (!isModerator(access.role)) throw refuse.notHost()
}

export function requireLive(access: Access) {
  if (access.status === 'ended') throw refuse.ended()
  if (access.status === 'scheduled') throw refuse.notStarted()
}

// ---------------------------------------------------------------- people, stage, comments, questions as rows

type PersonRow = { userId: string; handle: string; name: string; photoPath: string | null }
const personOf = (row: PersonRow): PersonRef => ({ userId: row.userId, handle: row.handle, name: row.name, photoUrl: photoUrl(row.photoPath) })

type StageRow = PersonRow & { status: 'raised' | 'invited' | 'on_stage'; raisedAt: string | null; updatedAt: string; role: TalkRoleName }

/**
 * Stage rows of a talk in display order: the stage (host first), invitations, then hands by the
 * time they were raised. `where` narrows the rows (the room state leaves the queue out for the audience).
 */
function stageRowsSelect(talkId: SQL, where: SQL = sql`true`): SQL {
  return sql`select s.user_id as "userId", p.handle, p.name, p.photo_path as "photoPath", s.status, s.raised_at as "raisedAt", s.updated_at as "updatedAt",
      -- Only people on stage show a role; a long queue of hands skips the lookups.
      case when s.status = 'on_stage' then ${talkRoleOf(sql`s.user_id`)} else 'audience' end as role,
      row_number() over (order by
        case s.status when 'on_stage' then 0 when 'invited' then 1 else 2 end,
        case when s.status <> 'on_stage' then 0 when t.host_id = s.user_id then 0 else 1 end,
        s.raised_at, case when s.status = 'raised' then s.user_id end, s.updated_at, s.user_id) as ord
    from ${talkStage} s join ${talks} t on t.id = s.talk_id join ${profiles} p on p.user_id = s.user_id
    where s.talk_id = ${talkId} and ${where}`
}

export async function loadStage(q: Q, talkId: string): Promise<StageSnapshot> {
  const rows = await q.execute<StageRow>(sql`select * from (${stageRowsSelect(sql`${talkId}`)}) x order by x.ord`)
  return snapshotOf(talkId, [...rows])
}

function snapshotOf(talkId: string, rows: StageRow[]): StageSnapshot {
  const hands = rows.filter((r) => r.status === 'raised').map((r) => ({ ...personOf(r), raisedAt: iso(r.raisedAt ?? r.updatedAt) }))
  return {
    talkId,
    stage: rows.filter((r) => r.status === 'on_stage').map((r) => ({ ...personOf(r), role: r.role })),
    hands,
    handCount: hands.length,
    invited: rows.filter((r) => r.status === 'invited').map((r) => r.userId),
  }
}

/** A stage update fit for everyone in the room: the queue and pending invitations are for hosts only. */
export function redactForAudience(snapshot: StageSnapshot): StageSnapshot {
  return { ...snapshot, hands: [], invited: [] }
}

type CommentRow = PersonRow & { id: string; talkId: string; body: string; createdAt: string; pinned: boolean }

const commentColumns = sql`c.id, c.talk_id as "talkId", c.user_id as "userId", p.handle, p.name, p.photo_path as "photoPath",
  c.body, c.created_at as "createdAt", (c.pinned_at is not null) as pinned`

const commentOf = (row: CommentRow): LiveComment => ({
  id: row.id,
  talkId: row.talkId,
  author: personOf(row),
  body: row.body,
  createdAt: iso(row.createdAt),
  pinned: row.pinned,
})

type QuestionRow = PersonRow & { id: string; talkId: string; body: string; createdAt: string; status: QuestionStatus; votes: number; votedByMe: boolean }

function questionColumns(viewerId: string) {
  return sql`q.id, q.talk_id as "talkId", q.user_id as "userId", p.handle, p.name, p.photo_path as "photoPath",
    q.body, q.created_at as "createdAt", q.status,
    (select count(*)::int from ${talkQuestionVotes} v where v.question_id = q.id) as votes,
    exists (select 1 from ${talkQuestionVotes} v where v.question_id = q.id and v.user_id = ${viewerId}) as "votedByMe"`
}

const questionOf = (row: QuestionRow): LiveQuestion => ({
  id: row.id,
  talkId: row.talkId,
  author: personOf(row),
  body: row.body,
  createdAt: iso(row.createdAt),
  status: row.status,
  votes: row.votes,
  votedByMe: row.votedByMe,
})

// ---------------------------------------------------------------- entering, the room state, attendance

export async function canEnterTalk(viewer: Viewer, talkId: string): Promise<boolean> {
  if (!viewer || !isId(talkId)) return false
  const [row] = await db.execute<Access>(accessSelect(viewer, talkId))
  return Boolean(row && row.visible && !row.banned && !row.removed)
}

/**
 * The viewer's role in a talk they may enter, or the refusal a join gives. The live room asks
 * this before it puts a socket in the talk's rooms, and reads the room only once it is in them.
 */
export async function checkTalkEntry(viewer: Viewer, talkId: string): Promise<{ role: TalkRoleName }> {
  if (!viewer) throw refuse.signIn()
  if (!isId(talkId)) throw refuse.notFound()
  const row = await batchedAccess(talkId, viewer.userId)
  return { role: requireEntry(row).role }
}

// ---------------------------------------------------------------- joins in batches

/**
 * When a talk starts, its audience joins within seconds. Each step of a join (the access check,
 * the room read with the stay, the look for a removal) is gathered per talk and run as one
 * statement for everyone gathered: a batch starts only after each of its joins asked for it, so
 * each read still follows that join's own earlier steps (docs/live-room.md, Joining).
 */

/** Statements of one kind in flight per talk; what arrives meanwhile waits and goes in the next batch. */
const JOIN_BATCH_PARALLEL = 2
const JOIN_BATCH_MAX = 250

type Waiter<O> = { resolve: (out: O) => void; reject: (error: unknown) => void }
type Batches<I, O> = { items: I[]; waiters: Waiter<O>[]; running: number; scheduled: boolean }

/**
 * Runs `run` for the items asked for the same key: at once (on the next turn of the event loop,
 * gathering what arrives in the same turn) while fewer than JOIN_BATCH_PARALLEL batches of the key
 * run, else as soon as one of them finishes, with everything that arrived meanwhile. A quiet talk
 * waits for nothing; a storm of joins makes few, large statements. Items that `clash` with one
 * already gathered go in a later batch.
 */
function createBatcher<I, O>(run: (key: string, items: I[]) => Promise<O[]>, clash: (a: I, b: I) => boolean = () => false) {
  const keys = new Map<string, Batches<I, O>>()
  function pump(key: string, state: Batches<I, O>) {
    state.scheduled = false
    while (state.items.length > 0 && state.running < JOIN_BATCH_PARALLEL) {
      const items: I[] = []
      const waiters: Waiter<O>[] = []
      const rest: number[] = []
      state.items.forEach((item, i) => {
        if (items.length < JOIN_BATCH_MAX && !items.some((other) => clash(other, item))) {
          items.push(item)
          waiters.push(state.waiters[i])
        } else rest.push(i)
      })
      state.items = rest.map((i) => state.items[i])
      state.waiters = rest.map((i) => state.waiters[i])
      state.running++
      run(key, items)
        .then(
          (outs) => waiters.forEach((waiter, i) => waiter.resolve(outs[i])),
          (error: unknown) => waiters.forEach((waiter) => waiter.reject(error)),
        )
        .finally(() => {
          state.running--
          if (state.items.length > 0) pump(key, state)
          else if (state.running === 0 && !state.scheduled) keys.delete(key)
        })
    }
  }
  return (key: string, item: I) =>
    new Promise<O>((resolve, reject) => {
      let state = keys.get(key)
      if (!state) {
        state = { items: [], waiters: [], running: 0, scheduled: false }
        keys.set(key, state)
      }
      state.items.push(item)
      state.waiters.push({ resolve, reject })
      if (!state.scheduled && state.running < JOIN_BATCH_PARALLEL) {
        state.scheduled = true
        const scheduled = state
        setImmediate(() => pump(key, scheduled))
      }
    })
}

/** The viewer of each row of a batch: `v.uid`, one of the people in the `people` JSON placeholder. */
const batchViewer = { userId: sql`v.uid` as unknown as string, role: 'member' } as NonNullable<Viewer>
const batchTalkId = sql.placeholder('talkId') as unknown as string
const batchPeople = sql`jsonb_to_recordset(${sql.placeholder('people')}::jsonb)`

const accessBatchStatement = preparedSql<Access & { uid: string }>(
  () => sql`select v.uid, acc.* from ${batchPeople} as v(uid text) cross join lateral (${accessSelect(batchViewer, batchTalkId)}) acc`,
)

const batchedAccess = createBatcher<string, Access | undefined>(async (talkId, userIds) => {
  const people = [...new Set(userIds)]
  const rows = await accessBatchStatement({ talkId, people: JSON.stringify(people.map((uid) => ({ uid }))) })
  const byUser = new Map(rows.map((row) => [row.uid, row]))
  return userIds.map((uid) => byUser.get(uid))
})

type RoomRow = Access & {
  othersPresent: number
  mePresent: boolean
  entered: boolean
  stageRows: StageRow[]
  handCount: number
  handPosition: number | null
  comments: CommentRow[]
  pinned: CommentRow | null
  questions: QuestionRow[]
  reactions: Record<string, number>
  running: { startedAt: string | null } | null
  missingConsent: string[]
}

/**
 * The whole room in one statement: access, stage, the comment tail, the pinned comment,
 * questions with votes, reaction totals and the audience count. A join reads it with its stay
 * opened in the same statement (enterBatchSql): only when the viewer may enter and the talk has
 * not ended (an ended talk is read-only: its record, no new attendance).
 */
/** The viewer as placeholders, for statements rendered once (preparedSql) and run for anyone. */
const placeholderViewer = { userId: sql.placeholder('userId') as unknown as string, role: 'member' } as NonNullable<Viewer>

/**
 * The room statement, rendered once: syncs run it for every socket, so the SQL is not rebuilt
 * and Postgres keeps one plan.
 */
function roomSql(): SQL {
  const uid = placeholderViewer.userId
  return sql`
    with a as (${accessSelect(placeholderViewer, sql.placeholder('talkId') as unknown as string)})
    select a.*,
      (select count(distinct att.user_id)::int from ${talkAttendance} att
        where att.talk_id = a.id and att.left_at is null and att.user_id <> ${uid}) as "othersPresent",
      exists (select 1 from ${talkAttendance} att where att.talk_id = a.id and att.left_at is null and att.user_id = ${uid}) as "mePresent",
      false as entered,
      (select coalesce(json_agg(x order by x.ord), '[]'::json)
        from (${stageRowsSelect(sql`a.id`, sql`(s.status <> 'raised' or a.role in ('host', 'cohost'))`)}) x) as "stageRows",
      (select count(*)::int from ${talkStage} h where h.talk_id = a.id and h.status = 'raised') as "handCount",
      case when a.stage = 'raised' then (
        select count(*)::int + 1 from ${talkStage} h join ${talkStage} m on m.talk_id = h.talk_id and m.user_id = ${uid}
        where h.talk_id = a.id and h.status = 'raised' and (h.raised_at, h.user_id) < (m.raised_at, m.user_id)) end as "handPosition",
      (select coalesce(json_agg(x order by x."createdAt", x.id), '[]'::json) from (
        select ${commentColumns} from (
          select * from ${talkComments} where talk_id = a.id and deleted_at is null order by created_at desc limit ${COMMENT_TAIL}) c
        join ${profiles} p on p.user_id = c.user_id) x) as comments,
      (select row_to_json(x) from (
        select ${commentColumns} from ${talkComments} c join ${profiles} p on p.user_id = c.user_id
        where c.talk_id = a.id and c.pinned_at is not null and c.deleted_at is null
        order by c.pinned_at desc limit 1) x) as pinned,
      (select coalesce(json_agg(x order by x.votes desc, x."createdAt", x.id), '[]'::json) from (
        select ${questionColumns(uid)} from ${talkQuestions} q join ${profiles} p on p.user_id = q.user_id
        where q.talk_id = a.id and (q.status <> 'hidden' or a.role in ('host', 'cohost'))
        order by votes desc, q.created_at, q.id limit ${QUESTION_LIMIT}) x) as questions,
      (select coalesce(json_object_agg(r.kind, r.count), '{}'::json) from ${talkReactionTotals} r where r.talk_id = a.id) as reactions,
      (select row_to_json(x) from (
        select rec.started_at as "startedAt" from ${recordings} rec
        where rec.talk_id = a.id and rec.status in ('starting', 'active') limit 1) x) as running,
      ${missingConsentSql(sql`a.id`, sql`a.recorded and a.role in ('host', 'cohost')`)} as "missingConsent"
    from a`
}

const roomStatement = preparedSql<RoomRow>(roomSql)

/**
 * Joins in a batch (see createBatcher): for everyone gathered, their access, the stay opened
 * when they may enter and the talk has not ended, and the room as each may see it. What is the
 * same for everyone (the comment tail, the pinned comment, reactions, the running recording and
 * who is present, counting the stays this statement opens) is read once.
 */
function enterBatchSql(): SQL {
  const talkId = sql`${sql.placeholder('talkId')}::text`
  const allowed = sql`a.visible and not a.banned and not a.removed`
  return sql`
    with a as (
      select v.uid, v.socket_id as "socketKey", acc.* from ${batchPeople} as v(uid text, socket_id text)
      cross join lateral (${accessSelect(batchViewer, batchTalkId)}) acc),
    ins as (
      insert into ${talkAttendance} (id, talk_id, user_id, socket_id)
      select gen_random_uuid()::text, a.id, a.uid, a."socketKey" from a where ${allowed} and a.status <> 'ended'
      on conflict (talk_id, socket_id) do update set left_at = null where ${talkAttendance}.user_id = excluded.user_id
      returning user_id, socket_id),
    present as (
      select count(distinct z.user_id)::int as n from (
        select att.user_id from ${talkAttendance} att where att.talk_id = ${talkId} and att.left_at is null
        union select ins.user_id from ins) z),
    shared as (
      select
        (select coalesce(json_agg(x order by x."createdAt", x.id), '[]'::json) from (
          select ${commentColumns} from (
            select * from ${talkComments} where talk_id = ${talkId} and deleted_at is null order by created_at desc limit ${COMMENT_TAIL}) c
          join ${profiles} p on p.user_id = c.user_id) x) as comments,
        (select row_to_json(x) from (
          select ${commentColumns} from ${talkComments} c join ${profiles} p on p.user_id = c.user_id
          where c.talk_id = ${talkId} and c.pinned_at is not null and c.deleted_at is null
          order by c.pinned_at desc limit 1) x) as pinned,
        (select coalesce(json_object_agg(r.kind, r.count), '{}'::json) from ${talkReactionTotals} r where r.talk_id = ${talkId}) as reactions,
        (select row_to_json(x) from (
          select rec.started_at as "startedAt" from ${recordings} rec
          where rec.talk_id = ${talkId} and rec.status in ('starting', 'active') limit 1) x) as running)
    select a.*, present.n as "presentCount",
      exists (select 1 from ${talkAttendance} att where att.talk_id = a.id and att.left_at is null and att.user_id = a.uid) as "mePresent",
      exists (select 1 from ins where ins.socket_id = a."socketKey" and ins.user_id = a.uid) as entered,
      (select coalesce(json_agg(x order by x.ord), '[]'::json)
        from (${stageRowsSelect(sql`a.id`, sql`(s.status <> 'raised' or a.role in ('host', 'cohost'))`)}) x) as "stageRows",
      (select count(*)::int from ${talkStage} h where h.talk_id = a.id and h.status = 'raised') as "handCount",
      case when a.stage = 'raised' then (
        select count(*)::int + 1 from ${talkStage} h join ${talkStage} m on m.talk_id = h.talk_id and m.user_id = a.uid
        where h.talk_id = a.id and h.status = 'raised' and (h.raised_at, h.user_id) < (m.raised_at, m.user_id)) end as "handPosition",
      shared.comments, shared.pinned,
      (select coalesce(json_agg(x order by x.votes desc, x."createdAt", x.id), '[]'::json) from (
        select ${questionColumns(sql`a.uid` as unknown as string)} from ${talkQuestions} q join ${profiles} p on p.user_id = q.user_id
        where q.talk_id = a.id and (q.status <> 'hidden' or a.role in ('host', 'cohost'))
        order by votes desc, q.created_at, q.id limit ${QUESTION_LIMIT}) x) as questions,
      shared.reactions, shared.running,
      ${missingConsentSql(sql`a.id`, sql`a.recorded and a.role in ('host', 'cohost')`)} as "missingConsent"
    from a cross join present cross join shared`
}

const enterBatchStatement = preparedSql<RoomRow & { uid: string; socketKey: string; presentCount: number }>(enterBatchSql)

type Entering = { userId: string; socketId: string }

const batchedEnter = createBatcher<Entering, RoomRow | undefined>(
  async (talkId, items) => {
    const people = items.map((item) => ({ uid: item.userId, socket_id: item.socketId }))
    const rows = await enterBatchStatement({ talkId, people: JSON.stringify(people) })
    const bySocket = new Map(rows.map((row) => [row.socketKey, row]))
    return items.map((item) => {
      const row = bySocket.get(item.socketId)
      if (!row) return undefined
      // Everyone present, this person included once they are: the stays this batch opened count.
      const present = row.entered || row.mePresent
      return { ...row, mePresent: present, othersPresent: row.presentCount - (present ? 1 : 0) }
    })
  },
  // One stay key twice in a statement would be an upsert of the same row twice: the second waits.
  (a, b) => a.socketId === b.socketId,
)

async function loadRoom(viewer: NonNullable<Viewer>, talkId: string, enter?: { socketId: string }): Promise<RoomState> {
  const uid = viewer.userId
  const [row] = enter ? [await batchedEnter(talkId, { userId: uid, socketId: enter.socketId })] : await roomStatement({ userId: uid, talkId })
  const access = requireEntry(row)
  const r = row as RoomRow
  const snapshot = snapshotOf(access.id, r.stageRows)
  const moderator = isModerator(access.role)
  const present = enter ? r.entered || r.mePresent : r.mePresent
  return {
    talk: {
      id: access.id,
      title: access.title,
      type: access.type,
      status: access.status,
      startsAt: iso(access.startsAt),
      durationMinutes: access.durationMinutes,
      club: { slug: access.clubSlug, name: access.clubName, visibility: access.clubVisibility },
      hostId: access.hostId,
    },
    me: {
      userId: uid,
      role: access.role,
      onStage: access.stage === 'on_stage',
      hand: access.stage === 'raised' || access.stage === 'invited' ? access.stage : null,
      handPosition: r.handPosition,
    },
    stage: snapshot.stage,
    hands: moderator ? snapshot.hands : [],
    handCount: r.handCount,
    invited: moderator ? snapshot.invited : [],
    audienceCount: r.othersPresent + (present ? 1 : 0),
    comments: r.comments.map(commentOf),
    pinned: r.pinned ? commentOf(r.pinned) : null,
    questions: r.questions.map(questionOf),
    reactions: r.reactions,
    recording: {
      recorded: access.recorded,
      active: r.running !== null,
      startedAt: r.running?.startedAt ? iso(r.running.startedAt) : null,
      policyVersion: RECORDING_POLICY_VERSION,
      consented: access.consented,
      missingConsent: r.missingConsent,
    },
  }
}

/** Names of the people on stage of talk `talkId` whose consent is not valid, when `when` holds; [] otherwise. */
export function missingConsentSql(talkId: SQL, when: SQL = sql`true`): SQL {
  return sql`(case when ${when} then (
      select coalesce(json_agg(p.name order by s.updated_at, p.name), '[]'::json)
      from ${talkStage} s join ${profiles} p on p.user_id = s.user_id
      where s.talk_id = ${talkId} and s.status = 'on_stage' and not ${consentValid(talkId, sql`s.user_id`)})
    else '[]'::json end)`
}

// ---------------------------------------------------------------- the stage log (chapters and speaker timelines of recordings)

/** Notes that someone came on stage. */
export async function logJoinedStage(q: Q, talkId: string, userId: string) {
  await q.execute(sql`insert into ${stageEvents} (talk_id, user_id, kind) values (${talkId}, ${userId}, 'joined_stage')`)
}

/**
 * Deletes the stage rows of talk `talkId` (or only `userId`'s: on stage, invited or hand up) and
 * notes that those who were on stage left it. One statement.
 */
export async function clearStage(q: Q, talkId: string, userId?: string) {
  await q.execute(sql`
    with cleared as (
      delete from ${talkStage}
      where talk_id = ${talkId} ${userId === undefined ? sql`` : sql`and user_id = ${userId}`}
      returning talk_id, user_id, status)
    insert into ${stageEvents} (talk_id, user_id, kind)
    select talk_id, user_id, 'left_stage' from cleared where status = 'on_stage'`)
}

function checkedSocketId(socketId: unknown): string {
  if (typeof socketId !== 'string' || socketId.length === 0 || socketId.length > 100) {
    throw new PublicError('That connection is not valid. Reload the page.', 400)
  }
  return socketId
}

/** Opens an attendance row for this socket (once per socket) and returns the room. One statement. */
export async function enterTalk(viewer: Viewer, talkId: string, socketId: string): Promise<RoomState> {
  if (!viewer) throw refuse.signIn()
  const socket = checkedSocketId(socketId)
  if (!isId(talkId)) throw refuse.notFound()
  return loadRoom(viewer, talkId, { socketId: socket })
}

/**
 * Refuses as a join would if the hosts have removed the viewer from the talk. Run once a socket
 * is in the talk's rooms: a removal that committed while the room was loading took the socket
 * out of rooms it was not yet in, and is seen here. One indexed lookup.
 */
export async function confirmNotRemoved(viewer: Viewer, talkId: string): Promise<void> {
  if (!viewer) throw refuse.signIn()
  if (!isId(talkId)) throw refuse.notFound()
  if (await batchedRemoved(talkId, viewer.userId)) throw refuse.removed()
}

const removedBatchStatement = preparedSql<{ uid: string; removed: boolean }>(
  () => sql`select v.uid, exists (select 1 from ${talkRemovals} x where x.talk_id = ${sql.placeholder('talkId')} and x.user_id = v.uid) as removed
    from ${batchPeople} as v(uid text)`,
)

const batchedRemoved = createBatcher<string, boolean>(async (talkId, userIds) => {
  const people = [...new Set(userIds)]
  const rows = await removedBatchStatement({ talkId, people: JSON.stringify(people.map((uid) => ({ uid }))) })
  const removed = new Set(rows.filter((row) => row.removed).map((row) => row.uid))
  return userIds.map((uid) => removed.has(uid))
})

/** The room as the viewer may see it. One statement. */
export async function getRoomState(viewer: Viewer, talkId: string): Promise<RoomState> {
  if (!viewer) throw refuse.signIn()
  if (!isId(talkId)) throw refuse.notFound()
  return loadRoom(viewer, talkId)
}

/** Closes this socket's attendance row; returns how many people are still in the room. */
export async function leaveTalk(viewer: Viewer, talkId: string, socketId: string): Promise<{ audienceCount: number }> {
  if (!viewer) throw refuse.signIn()
  const socket = checkedSocketId(socketId)
  if (!isId(talkId)) return { audienceCount: 0 }
  const [row] = await db.execute<{ n: number }>(sql`
    with closed as (
      update ${talkAttendance} set left_at = now()
      where talk_id = ${talkId} and socket_id = ${socket} and user_id = ${viewer.userId} and left_at is null
      returning id)
    select count(distinct att.user_id)::int as n from ${talkAttendance} att
    where att.talk_id = ${talkId} and att.left_at is null and not (att.socket_id = ${socket} and att.user_id = ${viewer.userId})`)
  return { audienceCount: row?.n ?? 0 }
}

/**
 * At start-up: closes rows a stopped server left open, as of `before` (the last moment the
 * old process can have seen them). Assumes one server process owns the rows.
 */
/**
 * Closes the stays a stopped server left open. Each node stamps its stays with
 * its tag (`<tag>|…`), so a node starting up closes only its own, never those
 * of other nodes still serving rooms.
 */
export async function closeOpenAttendance(before: Date, nodeTag?: string): Promise<number> {
  if (!(before instanceof Date) || Number.isNaN(before.getTime())) throw new PublicError('That time is not valid.', 400)
  const at = before.toISOString()
  const ownStays = nodeTag ? sql`and starts_with(socket_id, ${nodeTag + '|'})` : sql``
  const rows = await db.execute<{ id: string }>(sql`
    update ${talkAttendance} set left_at = greatest(joined_at, ${at}::timestamptz)
    where left_at is null and joined_at < ${at}::timestamptz ${ownStays}
    returning id`)
  return rows.length
}

/** Distinct people with a socket in the room now. */
export async function countAudience(talkId: string): Promise<number> {
  if (!isId(talkId)) return 0
  const [row] = await db.execute<{ n: number }>(sql`
    select count(distinct user_id)::int as n from ${talkAttendance} where talk_id = ${talkId} and left_at is null`)
  return row?.n ?? 0
}

export type TalkStanding = { mayEnter: true; moderator: boolean } | { mayEnter: false; message: string }

/**
 * Whether someone already in a talk's rooms may stay, and whether as a moderator (host or
 * co-host): the rules of a join, read again after an access change (server/realtime/access-changes.ts).
 */
export async function talkStanding(viewer: Viewer, talkId: string): Promise<TalkStanding> {
  if (!viewer || !isId(talkId)) return { mayEnter: false, message: refuse.notFound().message }
  const [row] = await db.execute<Access>(accessSelect(viewer, talkId))
  if (!row) return { mayEnter: false, message: 'This talk no longer exists.' }
  if (row.banned) return { mayEnter: false, message: refuse.banned().message }
  if (row.removed) return { mayEnter: false, message: 'The hosts removed you from this talk.' }
  if (!row.visible) return { mayEnter: false, message: 'This talk is now for its club’s members only.' }
  return { mayEnter: true, moderator: isModerator(row.role) }
}

// ---------------------------------------------------------------- opening and ending

export async function openTalk(viewer: Viewer, talkId: string): Promise<{ status: TalkStatus }> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    if (access.status === 'ended') throw refuse.ended()
    if (access.status === 'live') return { status: 'live' as const }
    await tx.execute(sql`update ${talks} set status = 'live', opened_at = now() where id = ${access.id}`)
    // The host is on stage from the moment the room opens.
    await tx.execute(sql`
      insert into ${talkStage} (talk_id, user_id, status) values (${access.id}, ${access.hostId}, 'on_stage')
      on conflict (talk_id, user_id) do update set status = 'on_stage', raised_at = null, updated_at = now()`)
    await logJoinedStage(tx, access.id, access.hostId)
    return { status: 'live' as const }
  })
}

/** Ends a live talk: the stage and hands are cleared and every open attendance row is closed. */
export async function endTalk(viewer: Viewer, talkId: string): Promise<{ status: TalkStatus }> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    if (access.status === 'scheduled') throw refuse.notStarted()
    if (access.status === 'ended') return { status: 'ended' as const }
    await tx.execute(sql`update ${talks} set status = 'ended', ended_at = now() where id = ${access.id}`)
    await clearStage(tx, access.id)
    await tx.execute(sql`update ${talkAttendance} set left_at = now() where talk_id = ${access.id} and left_at is null`)
    return { status: 'ended' as const }
  })
}

// ---------------------------------------------------------------- hands and the stage

type Target = { known: boolean; present: boolean; removed: boolean; allowed: boolean; stage: StageRow['status'] | null; role: TalkRoleName }

/** Someone a host acts on, as seen from talk `talkId`. */
async function loadTarget(q: Q, talkId: string, userId: string): Promise<Target> {
  if (!isId(userId)) return { known: false, present: false, removed: false, allowed: false, stage: null, role: 'audience' }
  const uid = sql`${userId}`
  const [row] = await q.execute<Target>(sql`
    select exists (select 1 from ${profiles} p where p.user_id = ${uid}) as known,
      exists (select 1 from ${talkAttendance} att where att.talk_id = t.id and att.user_id = ${uid} and att.left_at is null) as present,
      exists (select 1 from ${talkRemovals} x where x.talk_id = t.id and x.user_id = ${uid}) as removed,
      (${visibleClubCondition({ userId, role: 'member' })}
        and not exists (select 1 from ${clubBans} b where b.club_id = t.club_id and b.user_id = ${uid})) as allowed,
      (select s.status from ${talkStage} s where s.talk_id = t.id and s.user_id = ${uid}) as stage,
      ${talkRoleOf(uid)} as role
    from ${talks} t join ${clubs} on ${clubs}.id = t.club_id
    where t.id = ${talkId}`)
  return row
}

/** Raises the viewer's hand; the queue is ordered by the database clock. Raising twice keeps the first place. */
export async function raiseHand(viewer: Viewer, talkId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'share')
    requireLive(access)
    if (isModerator(access.role)) throw new PublicError('Hosts invite themselves to the stage instead of raising a hand.', 409)
    if (access.stage === 'on_stage') throw new PublicError('You are on stage already.', 409)
    if (access.stage === 'invited') throw new PublicError('You have an invitation to the stage waiting. Accept or decline it.', 409)
    if (access.stage === null) {
      await tx.execute(sql`
        insert into ${talkStage} (talk_id, user_id, status, raised_at, updated_at)
        values (${access.id}, ${viewer!.userId}, 'raised', clock_timestamp(), clock_timestamp())
        on conflict (talk_id, user_id) do nothing`)
    }
    return loadStage(tx, access.id)
  })
}

export async function lowerHand(viewer: Viewer, talkId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'share')
    requireLive(access)
    await tx.execute(sql`delete from ${talkStage} where talk_id = ${access.id} and user_id = ${viewer!.userId} and status = 'raised'`)
    return loadStage(tx, access.id)
  })
}

/** Invites someone in the room to the stage; their raised hand (if any) becomes the invitation. */
export async function inviteToStage(viewer: Viewer, talkId: string, userId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    requireLive(access)
    const target = await loadTarget(tx, access.id, userId)
    if (!target.known) throw refuse.noPerson()
    if (target.stage === 'on_stage') throw new PublicError('They are on stage already.', 409)
    if (target.stage === 'invited') return loadStage(tx, access.id)
    if (!target.present || target.removed) throw new PublicError('That person is not in the room right now.', 409)
    await tx.execute(sql`
      insert into ${talkStage} (talk_id, user_id, status, invited_by) values (${access.id}, ${userId}, 'invited', ${viewer!.userId})
      on conflict (talk_id, user_id) do update set status = 'invited', raised_at = null, invited_by = excluded.invited_by, updated_at = now()`)
    return loadStage(tx, access.id)
  })
}

/**
 * Accepts or declines an invitation to the stage. On a recorded talk, accepting needs a valid
 * consent already or `recordingConsent` equal to the current policy version: then the consent row
 * and the move are written together; without it nothing changes.
 */
export async function respondToStageInvite(
  viewer: Viewer,
  talkId: string,
  accept: boolean,
  recordingConsent?: string | null,
): Promise<StageSnapshot> {
  if (typeof accept !== 'boolean') throw new PublicError('Say whether you accept the invitation.', 400)
  return db.transaction(async (tx) => {
    // 'share' holds the talk row: its recorded flag cannot change between the consent check and the move.
    const access = await loadAccess(tx, viewer, talkId, 'share')
    requireLive(access)
    if (access.stage !== 'invited') throw new PublicError('You have no invitation to the stage waiting.', 409)
    const uid = viewer!.userId
    if (!accept) {
      await tx.execute(sql`delete from ${talkStage} where talk_id = ${access.id} and user_id = ${uid}`)
      return loadStage(tx, access.id)
    }
    if (access.recorded && !access.consented) {
      if (recordingConsent === undefined || recordingConsent === null || recordingConsent === '') {
        throw new PublicError(CONSENT_REQUIRED_MESSAGE, 403)
      }
      if (recordingConsent !== RECORDING_POLICY_VERSION) {
        throw refuse.policyChanged()
      }
      await tx.execute(sql`
        insert into ${recordingConsents} (talk_id, user_id, kind, policy_version)
        values (${access.id}, ${uid}, 'given', ${RECORDING_POLICY_VERSION})`)
    }
    await tx.execute(sql`update ${talkStage} set status = 'on_stage', updated_at = now() where talk_id = ${access.id} and user_id = ${uid}`)
    await logJoinedStage(tx, access.id, uid)
    return loadStage(tx, access.id)
  })
}

export async function leaveStage(viewer: Viewer, talkId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'share')
    requireLive(access)
    if (access.role === 'host') throw new PublicError('The host stays on stage until the talk ends.', 403)
    if (access.stage !== 'on_stage') throw new PublicError('You are not on stage.', 409)
    await clearStage(tx, access.id, viewer!.userId)
    return loadStage(tx, access.id)
  })
}

/** Sends someone on stage, invited or with a hand up back to the audience. Never the host. */
export async function moveToAudience(viewer: Viewer, talkId: string, userId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    requireLive(access)
    const target = await loadTarget(tx, access.id, userId)
    if (!target.known) throw refuse.noPerson()
    if (target.role === 'host') throw new PublicError('The host cannot be moved off the stage.', 403)
    if (target.stage === null) throw new PublicError('They are in the audience already.', 409)
    await clearStage(tx, access.id, userId)
    return loadStage(tx, access.id)
  })
}

/** Checks a host may ask this person to mute; the socket layer delivers the request. Writes nothing. */
export async function askToMute(viewer: Viewer, talkId: string, userId: string): Promise<{ userId: string }> {
  const access = await loadAccess(db, viewer, talkId)
  requireModerator(access)
  requireLive(access)
  const target = await loadTarget(db, access.id, userId)
  if (!target.known) throw refuse.noPerson()
  if (target.stage !== 'on_stage') throw new PublicError('They are not on stage.', 409)
  return { userId }
}

/**
 * Removes someone from the talk: off the stage, out of the room, and kept out by a removal row
 * (even after the talk ends). Never the host; only the host removes a co-host.
 */
export async function removeFromTalk(viewer: Viewer, talkId: string, userId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    if (access.status === 'ended') throw refuse.ended()
    const target = await loadTarget(tx, access.id, userId)
    if (!target.known) throw refuse.noPerson()
    if (userId === viewer!.userId) throw new PublicError('You cannot remove yourself. Leave the room instead.', 400)
    if (target.role === 'host') throw new PublicError('The host cannot be removed from the talk.', 403)
    if (target.role === 'cohost' && access.role !== 'host') throw new PublicError('Only the host can remove a co-host.', 403)
    await tx.execute(sql`
      insert into ${talkRemovals} (talk_id, user_id, removed_by) values (${access.id}, ${userId}, ${viewer!.userId})
      on conflict (talk_id, user_id) do nothing`)
    await clearStage(tx, access.id, userId)
    await tx.execute(sql`update ${talkAttendance} set left_at = now() where talk_id = ${access.id} and user_id = ${userId} and left_at is null`)
    await recordAccessChange(tx, { kind: 'talk', talkId: access.id, userId })
    return loadStage(tx, access.id)
  })
}

export async function promoteToCohost(viewer: Viewer, talkId: string, userId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    if (access.role !== 'host') {
      throw access.role === 'cohost' ? new PublicError('Only the host can make someone a co-host.', 403) : refuse.notHost()
    }
    if (access.status === 'ended') throw refuse.ended()
    const target = await loadTarget(tx, access.id, userId)
    if (!target.known) throw refuse.noPerson()
    if (target.role === 'host') throw new PublicError('You host this talk already.', 409)
    if (!target.allowed || target.removed) throw new PublicError('That person cannot join this talk.', 409)
    await tx.execute(sql`
      insert into ${talkRoles} (talk_id, user_id, role) values (${access.id}, ${userId}, 'cohost')
      on conflict (talk_id, user_id) do update set role = 'cohost'`)
    await recordAccessChange(tx, { kind: 'talk', talkId: access.id, userId })
    return loadStage(tx, access.id)
  })
}

// ---------------------------------------------------------------- comments

function checkedClientId(clientId: unknown): string | null {
  if (clientId === undefined || clientId === null) return null
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 100) {
    throw new PublicError('That message could not be sent. Reload the page and try again.', 400)
  }
  return clientId
}

type WriteRow = { status: TalkStatus; visible: boolean; banned: boolean; removed: boolean; written: unknown; existing: unknown }

/**
 * A comment in one statement: the access check, the insert (only when allowed; a retried
 * clientId inserts nothing) and the stored comment come back together.
 */
export async function postComment(viewer: Viewer, talkId: string, input: TextInput): Promise<LiveComment> {
  if (!viewer) throw refuse.signIn()
  const body = checkedText(input?.body, 'comment', { min: 1, max: COMMENT_MAX, multiline: true, field: 'body' })
  const clientId = checkedClientId(input?.clientId)
  if (!isId(talkId)) throw refuse.notFound()
  const uid = viewer.userId
  const id = randomUUID()
  const existingSql = (where: SQL) => sql`(select row_to_json(x) from (
      select ${commentColumns} from ${talkComments} c join ${profiles} p on p.user_id = c.user_id where ${where}) x)`
  const [row] = await db.execute<WriteRow>(sql`
    with a as (${accessSelect(viewer, talkId)}),
    ins as (
      insert into ${talkComments} (id, talk_id, user_id, body, client_id)
      select ${id}::text, a.id, ${uid}::text, ${body}::text, ${clientId}::text from a
      where a.visible and not a.banned and not a.removed and a.status = 'live'
      on conflict (talk_id, user_id, client_id) where client_id is not null do nothing
      returning id, talk_id, user_id, body, created_at, pinned_at)
    select a.status, a.visible, a.banned, a.removed,
      (select row_to_json(x) from (select ${commentColumns} from ins c join ${profiles} p on p.user_id = c.user_id) x) as written,
      ${clientId === null ? sql`null::json` : existingSql(sql`c.talk_id = a.id and c.user_id = ${uid} and c.client_id = ${clientId}`)} as existing
    from a`)
  requireEntry(row as unknown as Access | undefined)
  if (row.status === 'ended') throw refuse.ended()
  if (row.status === 'scheduled') throw refuse.notStarted()
  const stored = (row.written ?? row.existing) as CommentRow | null
  if (stored) return commentOf(stored)
  // The same clientId committed by a concurrent retry after this statement's snapshot.
  const [again] = await db.execute<CommentRow>(sql`
    select ${commentColumns} from ${talkComments} c join ${profiles} p on p.user_id = c.user_id
    where c.talk_id = ${talkId} and c.user_id = ${uid} and c.client_id = ${clientId}`)
  if (!again) throw new PublicError('That message could not be sent. Try again.', 409)
  return commentOf(again)
}

/** Soft delete, by the author or a host. Deleting twice is fine. */
export async function deleteComment(viewer: Viewer, talkId: string, commentId: string): Promise<{ id: string }> {
  const access = await loadAccess(db, viewer, talkId)
  if (!isId(commentId)) throw new PublicError('We could not find that comment.', 404)
  const [comment] = await db.execute<{ userId: string; deleted: boolean }>(sql`
    select user_id as "userId", deleted_at is not null as deleted from ${talkComments} where id = ${commentId} and talk_id = ${access.id}`)
  if (!comment) throw new PublicError('We could not find that comment.', 404)
  if (comment.userId !== viewer!.userId && !isModerator(access.role)) {
    throw new PublicError('Only its author and the talk’s hosts can delete a comment.', 403)
  }
  if (!comment.deleted) {
    await db.execute(sql`
      update ${talkComments} set deleted_at = now(), deleted_by = ${viewer!.userId}, pinned_at = null
      where id = ${commentId} and deleted_at is null`)
  }
  return { id: commentId }
}

/** Pins one comment (unpinning the one before) or, with null, unpins. */
export async function pinComment(viewer: Viewer, talkId: string, commentId: string | null): Promise<{ pinned: LiveComment | null }> {
  return db.transaction(async (tx) => {
    // 'update' on the talk row: two hosts pinning at once must not leave two pins.
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    requireLive(access)
    if (commentId === null) {
      await tx.execute(sql`update ${talkComments} set pinned_at = null where talk_id = ${access.id} and pinned_at is not null`)
      return { pinned: null }
    }
    if (!isId(commentId)) throw new PublicError('We could not find that comment.', 404)
    const [target] = await tx.execute<{ id: string }>(sql`
      select id from ${talkComments} where id = ${commentId} and talk_id = ${access.id} and deleted_at is null for update`)
    if (!target) throw new PublicError('We could not find that comment.', 404)
    const [pinned] = await tx.execute<CommentRow>(sql`
      with u as (
        update ${talkComments} set pinned_at = case when id = ${commentId} then now() else null end
        where talk_id = ${access.id} and (pinned_at is not null or id = ${commentId})
        returning id, talk_id, user_id, body, created_at, pinned_at)
      select ${commentColumns} from u c join ${profiles} p on p.user_id = c.user_id where c.id = ${commentId}`)
    return { pinned: commentOf(pinned) }
  })
}

// ---------------------------------------------------------------- reactions

/**
 * Adds a batch of reactions (the socket layer's coalesced counts) to the talk's totals and
 * returns the totals. Counts reach only a live talk: a batch flushed after the talk ended
 * adds nothing, and the totals come back unchanged.
 */
export async function recordReactions(talkId: string, counts: Readonly<Record<string, number>>): Promise<Record<string, number>> {
  if (!isId(talkId)) throw refuse.notFound()
  const entries = Object.entries(counts ?? {})
  for (const [kind, n] of entries) {
    if (!(reactionKinds as readonly string[]).includes(kind)) throw new PublicError('That reaction is not one we know.', 400)
    if (!Number.isInteger(n) || n < 0 || n > REACTION_MAX_PER_FLUSH) throw new PublicError('That reaction count is not valid.', 400)
  }
  const adding = entries.filter(([, n]) => n > 0)
  const rows = await db.execute<{ kind: string; count: number }>(
    adding.length === 0
      ? sql`select kind, count from ${talkReactionTotals} where talk_id = ${talkId}`
      : sql`
        with ins as (
          insert into ${talkReactionTotals} (talk_id, kind, count)
          select ${talkId}::text, v.kind, v.n from (values ${sql.join(
            adding.map(([kind, n]) => sql`(${kind}::text, ${n}::int)`),
            sql`, `,
          )}) as v(kind, n)
          where exists (select 1 from ${talks} t where t.id = ${talkId} and t.status = 'live')
          on conflict (talk_id, kind) do update set count = ${talkReactionTotals}.count + excluded.count
          returning kind, count)
        select kind, count from ins
        union all
        select kind, count from ${talkReactionTotals} where talk_id = ${talkId} and kind not in (select kind from ins)`,
  )
  return Object.fromEntries(rows.map((r) => [r.kind, r.count]))
}

// ---------------------------------------------------------------- questions

/**
 * Asks a question. Unlike comments, questions may be asked while the talk is still scheduled:
 * people send questions ahead and the host opens with the most upvoted. Not once it has ended.
 */
export async function askQuestion(viewer: Viewer, talkId: string, input: TextInput): Promise<LiveQuestion> {
  if (!viewer) throw refuse.signIn()
  const body = checkedText(input?.body, 'question', { min: 1, max: QUESTION_MAX, multiline: true, field: 'body' })
  const clientId = checkedClientId(input?.clientId)
  if (!isId(talkId)) throw refuse.notFound()
  const uid = viewer.userId
  const existingSql = (from: SQL, where: SQL) => sql`(select row_to_json(x) from (
      select ${questionColumns(uid)} from ${from} q join ${profiles} p on p.user_id = q.user_id where ${where}) x)`
  const [row] = await db.execute<WriteRow>(sql`
    with a as (${accessSelect(viewer, talkId)}),
    ins as (
      insert into ${talkQuestions} (id, talk_id, user_id, body, client_id)
      select ${randomUUID()}::text, a.id, ${uid}::text, ${body}::text, ${clientId}::text from a
      where a.visible and not a.banned and not a.removed and a.status <> 'ended'
      on conflict (talk_id, user_id, client_id) where client_id is not null do nothing
      returning id, talk_id, user_id, body, created_at, status)
    select a.status, a.visible, a.banned, a.removed,
      ${existingSql(sql`ins`, sql`true`)} as written,
      ${clientId === null ? sql`null::json` : existingSql(sql`${talkQuestions}`, sql`q.talk_id = a.id and q.user_id = ${uid} and q.client_id = ${clientId}`)} as existing
    from a`)
  requireEntry(row as unknown as Access | undefined)
  if (row.status === 'ended') throw refuse.ended()
  const stored = (row.written ?? row.existing) as QuestionRow | null
  if (stored) return questionOf(stored)
  const [again] = await db.execute<QuestionRow>(sql`
    select ${questionColumns(uid)} from ${talkQuestions} q join ${profiles} p on p.user_id = q.user_id
    where q.talk_id = ${talkId} and q.user_id = ${uid} and q.client_id = ${clientId}`)
  if (!again) throw new PublicError('That question could not be sent. Try again.', 409)
  return questionOf(again)
}

const questionNotFound = () => new PublicError('We could not find that question.', 404)

/** One upvote per person (not on one's own question); `up = false` takes it back. */
export async function voteQuestion(viewer: Viewer, talkId: string, questionId: string, up: boolean): Promise<{ id: string; votes: number }> {
  if (typeof up !== 'boolean') throw new PublicError('Say whether to add or remove your vote.', 400)
  const access = await loadAccess(db, viewer, talkId)
  if (access.status === 'ended') throw refuse.ended()
  if (!isId(questionId)) throw questionNotFound()
  const [question] = await db.execute<{ userId: string; status: QuestionStatus }>(sql`
    select user_id as "userId", status from ${talkQuestions} where id = ${questionId} and talk_id = ${access.id}`)
  if (!question || (question.status === 'hidden' && !isModerator(access.role))) throw questionNotFound()
  if (question.userId === viewer!.userId) throw new PublicError('You cannot upvote your own question.', 403)
  const uid = viewer!.userId
  // The count is read in the same statement as the change, so it adds what the change did.
  const [row] = await db.execute<{ votes: number }>(
    up
      ? sql`with w as (insert into ${talkQuestionVotes} (question_id, user_id) values (${questionId}, ${uid}) on conflict do nothing returning 1)
          select (select count(*)::int from ${talkQuestionVotes} where question_id = ${questionId}) + (select count(*)::int from w) as votes`
      : sql`with w as (delete from ${talkQuestionVotes} where question_id = ${questionId} and user_id = ${uid} returning 1)
          select (select count(*)::int from ${talkQuestionVotes} where question_id = ${questionId}) - (select count(*)::int from w) as votes`,
  )
  return { id: questionId, votes: row.votes }
}

const questionStatuses: readonly QuestionStatus[] = ['open', 'answered', 'hidden']

/** Marks a question open, answered or hidden (hidden ones are shown only to hosts). */
export async function markQuestion(viewer: Viewer, talkId: string, questionId: string, status: QuestionStatus): Promise<LiveQuestion> {
  if (!questionStatuses.includes(status)) throw new PublicError('Choose open, answered or hidden.', 400)
  const access = await loadAccess(db, viewer, talkId)
  requireModerator(access)
  if (!isId(questionId)) throw questionNotFound()
  const [row] = await db.execute<QuestionRow>(sql`
    with u as (
      update ${talkQuestions} set status = ${status} where id = ${questionId} and talk_id = ${access.id}
      returning id, talk_id, user_id, body, created_at, status)
    select ${questionColumns(viewer!.userId)} from u q join ${profiles} p on p.user_id = q.user_id`)
  if (!row) throw questionNotFound()
  return questionOf(row)
}

// ---------------------------------------------------------------- attendance report

type StayRow = { userId: string; handle: string; name: string; joinedAt: string; leftAt: string | null }

/**
 * Who attended and for how long. Each stay is clipped to the talk's open period (from the
 * moment it opened to its end, or now while live), so time in the room before the host
 * opened it does not count. Two tabs at once count once per person.
 */
export async function attendanceReport(viewer: Viewer, talkId: string): Promise<AttendanceReport> {
  const access = await loadAccess(db, viewer, talkId)
  if (!isModerator(access.role)) throw new PublicError('Only the talk’s hosts and the club’s admins can see attendance.', 403)
  const [stays, [totals]] = await Promise.all([
    db.execute<StayRow>(sql`
      select att.user_id as "userId", p.handle, p.name, att.joined_at as "joinedAt", att.left_at as "leftAt"
      from ${talkAttendance} att join ${profiles} p on p.user_id = att.user_id
      where att.talk_id = ${access.id} and ${activeUserSql(sql`att.user_id`)}
      order by att.joined_at, att.id`),
    db.execute<{ comments: number; questions: number; now: string }>(sql`
      select (select count(*)::int from ${talkComments} where talk_id = ${access.id} and deleted_at is null) as comments,
        (select count(*)::int from ${talkQuestions} where talk_id = ${access.id}) as questions,
        now() as now`),
  ])
  const now = Date.parse(iso(totals.now))
  const from = access.openedAt ? Date.parse(iso(access.openedAt)) : -Infinity
  const until = access.endedAt ? Date.parse(iso(access.endedAt)) : now
  const people = new Map<string, { handle: string; name: string; stays: AttendanceStay[]; spans: [number, number][] }>()
  for (const stay of stays) {
    const start = Math.max(Date.parse(iso(stay.joinedAt)), from)
    const end = Math.min(stay.leftAt ? Date.parse(iso(stay.leftAt)) : until, until)
    if (!(end > start)) continue
    let person = people.get(stay.userId)
    if (!person) {
      person = { handle: stay.handle, name: stay.name, stays: [], spans: [] }
      people.set(stay.userId, person)
    }
    const open = stay.leftAt === null && !access.endedAt
    person.stays.push({ joinedAt: new Date(start).toISOString(), leftAt: open ? null : new Date(end).toISOString() })
    person.spans.push([start, end])
  }
  const events: [number, number][] = []
  const report = [...people.values()].map((person) => {
    const merged = mergeSpans(person.spans)
    for (const [start, end] of merged) events.push([start, 1], [end, -1])
    const ms = merged.reduce((sum, [start, end]) => sum + (end - start), 0)
    return { handle: person.handle, name: person.name, stays: person.stays, totalSeconds: Math.round(ms / 1000) }
  })
  // A leave and a join at the same instant: the leave first, so a hand-over is not a peak.
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1])
  let current = 0
  let peak = 0
  for (const [, delta] of events) {
    current += delta
    peak = Math.max(peak, current)
  }
  const total = report.reduce((sum, p) => sum + p.totalSeconds, 0)
  return {
    uniqueAttendees: report.length,
    peakConcurrent: peak,
    averageSeconds: report.length ? Math.round(total / report.length) : 0,
    comments: totals.comments,
    questions: totals.questions,
    people: report,
  }
}

function mergeSpans(spans: [number, number][]): [number, number][] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0])
  const merged: [number, number][] = []
  for (const [start, end] of sorted) {
    const last = merged.at(-1)
    if (last && start <= last[1]) last[1] = Math.max(last[1], end)
    else merged.push([start, end])
  }
  return merged
}
