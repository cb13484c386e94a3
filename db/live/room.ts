import { sql, type SQL } from 'drizzle-orm'
import { checkTalkEntryFacts, heldFromViewerSql, isModerator, refuse, talkEntryAllowedSql, talkRemovedSql, type TalkRoleName } from '../access/index'
import { preparedSql } from '../client'
import { isId } from '../ids'
import { RECORDING_POLICY_VERSION } from '../recording-policy'
import { moderationHolds, profiles, recordings, talkAttendance, talkComments, talkQuestions, talkReactionTotals, talkStage } from '../schema/index'
import type { Viewer } from '../viewer'
import { accessSelect, type Access } from './access'
import { checkedSocketId } from './attendance'
import { batchPeople, batchTalkId, batchViewer, createBatcher } from './batch'
import { COMMENT_TAIL } from './comments'
import { missingConsentSql } from './consent'
import { QUESTION_LIMIT } from './questions'
import { commentColumns, commentOf, iso, questionColumns, questionOf, snapshotOf, stageRowsSelect, type CommentRow, type QuestionRow, type StageRow } from './rows'
import { silencedPeopleSql } from './silenced'
import type { RoomState } from './types'

/*
 * Joining a talk and reading its room. A join asks checkTalkEntry before the socket goes in the
 * talk's rooms, then enterTalk (the room, read with the socket's stay opened), then
 * confirmNotRemoved; each step is batched per talk (batch.ts). The hot paths are single
 * statements rendered once with placeholders.
 */

/**
 * The viewer's role in a talk they may enter, or the refusal a join gives. The live room asks
 * this before it puts a socket in the talk's rooms, and reads the room only once it is in them.
 */
export async function checkTalkEntry(viewer: Viewer, talkId: string): Promise<{ role: TalkRoleName }> {
  if (!viewer) throw refuse.signIn()
  if (!isId(talkId)) throw refuse.notFound()
  const row = await batchedAccess(talkId, viewer.userId)
  return { role: checkTalkEntryFacts(row).role }
}

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
  /** The people whose comments and questions are left out for this viewer (silenced.ts). */
  silenced: string[]
  /** A join batch's: the viewer wrote a comment of this talk that moderation holds back (shown to them alone). */
  ownHeld?: boolean
}

/** The viewer as placeholders, for statements rendered once (preparedSql) and run for anyone. */
const placeholderViewer = { userId: sql.placeholder('userId') as unknown as string, role: 'member' } as NonNullable<Viewer>

/** A viewer whose id is a column or expression of the statement (a join batch's `a.uid`). */
const viewerAt = (userId: SQL) => ({ userId: userId as unknown as string, role: 'member' }) as NonNullable<Viewer>

/**
 * Comments and questions held back by moderation (db/access/moderation.ts) show to their author
 * alone; for everyone (`null`), a held one is left out.
 */
const shownComment = (viewer: Viewer) => sql`not ${heldFromViewerSql(viewer, 'comment', sql`c.id`)}`
const shownQuestion = (viewer: Viewer) => sql`not ${heldFromViewerSql(viewer, 'question', sql`q.id`)}`

/** The latest comments of a talk whose authors pass `heard` (over `c`), oldest first, as JSON. */
function commentTailSql(talkId: SQL, heard: SQL = sql`true`): SQL {
  return sql`(select coalesce(json_agg(x order by x."createdAt", x.id), '[]'::json) from (
      select ${commentColumns}, ${heldFromViewerSql(null, 'comment', sql`c.id`)} as held from (
        select * from ${talkComments} c where c.talk_id = ${talkId} and c.deleted_at is null and ${heard}
        order by c.created_at desc limit ${COMMENT_TAIL}) c
      join ${profiles} p on p.user_id = c.user_id) x)`
}

/**
 * The whole room in one statement: access, stage, the comment tail, the pinned comment,
 * questions with votes, reaction totals and the audience count. A join reads it with its stay
 * opened in the same statement (enterBatchSql): only when the viewer may enter and the talk has
 * not ended (an ended talk is read-only: its record, no new attendance). The statement is
 * rendered once: syncs run it for every socket, so the SQL is not rebuilt and Postgres keeps
 * one plan.
 */
function roomSql(): SQL {
  const uid = placeholderViewer.userId
  return sql`
    with a as (${accessSelect(placeholderViewer, sql.placeholder('talkId') as unknown as string)}),
    me as (select ${silencedPeopleSql(sql`${uid}`)} as silenced)
    select a.*, me.silenced,
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
      ${commentTailSql(sql`a.id`, sql`c.user_id <> all(me.silenced) and ${shownComment(placeholderViewer)}`)} as comments,
      (select row_to_json(x) from (
        select ${commentColumns} from ${talkComments} c join ${profiles} p on p.user_id = c.user_id
        where c.talk_id = a.id and c.pinned_at is not null and c.deleted_at is null and ${shownComment(placeholderViewer)}
        order by c.pinned_at desc limit 1) x) as pinned,
      (select coalesce(json_agg(x order by x.votes desc, x."createdAt", x.id), '[]'::json) from (
        select ${questionColumns(uid)}, ${heldFromViewerSql(null, 'question', sql`q.id`)} as held from ${talkQuestions} q join ${profiles} p on p.user_id = q.user_id
        where q.talk_id = a.id and (q.status <> 'hidden' or a.role in ('host', 'cohost')) and q.user_id <> all(me.silenced)
          and ${shownQuestion(placeholderViewer)}
        order by votes desc, q.created_at, q.id limit ${QUESTION_LIMIT}) x) as questions,
      (select coalesce(json_object_agg(r.kind, r.count), '{}'::json) from ${talkReactionTotals} r where r.talk_id = a.id) as reactions,
      (select row_to_json(x) from (
        select rec.started_at as "startedAt" from ${recordings} rec
        where rec.talk_id = a.id and rec.status in ('starting', 'active') limit 1) x) as running,
      ${missingConsentSql(sql`a.id`, sql`a.recorded and a.role in ('host', 'cohost')`)} as "missingConsent"
    from a cross join me`
}

const roomStatement = preparedSql<RoomRow>(roomSql)

/**
 * Joins in a batch (see createBatcher): for everyone gathered, their access, the stay opened
 * when they may enter and the talk has not ended, and the room as each may see it. What is the
 * same for everyone (the comment tail, the pinned comment, reactions, the running recording and
 * who is present, counting the stays this statement opens) is read once; each person's silenced
 * people come with their row, for loadRoom to narrow the shared part.
 */
function enterBatchSql(): SQL {
  const talkId = sql`${sql.placeholder('talkId')}::text`
  const allowed = talkEntryAllowedSql(sql`a`)
  return sql`
    with a as (
      select v.uid, v.socket_id as "socketKey", acc.*, ${silencedPeopleSql(sql`v.uid`)} as silenced
      from ${batchPeople} as v(uid text, socket_id text)
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
        ${commentTailSql(talkId, shownComment(null))} as comments,
        (select row_to_json(x) from (
          select ${commentColumns} from ${talkComments} c join ${profiles} p on p.user_id = c.user_id
          where c.talk_id = ${talkId} and c.pinned_at is not null and c.deleted_at is null and ${shownComment(null)}
          order by c.pinned_at desc limit 1) x) as pinned,
        (select coalesce(json_object_agg(r.kind, r.count), '{}'::json) from ${talkReactionTotals} r where r.talk_id = ${talkId}) as reactions,
        (select row_to_json(x) from (
          select rec.started_at as "startedAt" from ${recordings} rec
          where rec.talk_id = ${talkId} and rec.status in ('starting', 'active') limit 1) x) as running)
    select a.*, present.n as "presentCount",
      exists (select 1 from ${talkAttendance} att where att.talk_id = a.id and att.left_at is null and att.user_id = a.uid) as "mePresent",
      exists (select 1 from ins where ins.socket_id = a."socketKey" and ins.user_id = a.uid) as entered,
      exists (select 1 from ${moderationHolds} h join ${talkComments} hc on hc.id = h.item_id
        where h.item_kind = 'comment' and h.author_id = a.uid and hc.talk_id = a.id and hc.deleted_at is null) as "ownHeld",
      (select coalesce(json_agg(x order by x.ord), '[]'::json)
        from (${stageRowsSelect(sql`a.id`, sql`(s.status <> 'raised' or a.role in ('host', 'cohost'))`)}) x) as "stageRows",
      (select count(*)::int from ${talkStage} h where h.talk_id = a.id and h.status = 'raised') as "handCount",
      case when a.stage = 'raised' then (
        select count(*)::int + 1 from ${talkStage} h join ${talkStage} m on m.talk_id = h.talk_id and m.user_id = a.uid
        where h.talk_id = a.id and h.status = 'raised' and (h.raised_at, h.user_id) < (m.raised_at, m.user_id)) end as "handPosition",
      shared.comments, shared.pinned,
      (select coalesce(json_agg(x order by x.votes desc, x."createdAt", x.id), '[]'::json) from (
        select ${questionColumns(sql`a.uid` as unknown as string)}, ${heldFromViewerSql(null, 'question', sql`q.id`)} as held from ${talkQuestions} q join ${profiles} p on p.user_id = q.user_id
        where q.talk_id = a.id and (q.status <> 'hidden' or a.role in ('host', 'cohost')) and q.user_id <> all(a.silenced)
          and ${shownQuestion(viewerAt(sql`a.uid`))}
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

/** One viewer's comment tail, without the people silenced for them, with their own held comments. */
const heardTailStatement = preparedSql<{ comments: CommentRow[] }>(() => {
  const uid = sql`${sql.placeholder('userId')}::text`
  const heard = sql`c.user_id <> all(${silencedPeopleSql(uid)}) and ${shownComment(viewerAt(uid))}`
  return sql`select ${commentTailSql(sql`${sql.placeholder('talkId')}::text`, heard)} as comments`
})

/**
 * The comment tail and pinned comment as the viewer may see them. A room read for one viewer left
 * out the silenced already; a join batch read one tail for everyone, and a viewer who does not
 * hear some of it reads their own (a shorter shared tail would not hold their latest 50), as does
 * one whose own comment is held back (the shared tail leaves every held comment out).
 */
async function heardComments(r: RoomRow, talkId: string, userId: string, shared: boolean) {
  const silenced = new Set(r.silenced)
  const pinned = r.pinned && !silenced.has(r.pinned.userId) ? r.pinned : null
  if (!shared || (!r.ownHeld && !r.comments.some((c) => silenced.has(c.userId)))) return { comments: r.comments, pinned }
  const [own] = await heardTailStatement({ talkId, userId })
  return { comments: own.comments, pinned }
}

async function loadRoom(viewer: NonNullable<Viewer>, talkId: string, enter?: { socketId: string }): Promise<RoomState> {
  const uid = viewer.userId
  const [row] = enter ? [await batchedEnter(talkId, { userId: uid, socketId: enter.socketId })] : await roomStatement({ userId: uid, talkId })
  const access = checkTalkEntryFacts(row)
  const r = row as RoomRow
  const { comments, pinned } = await heardComments(r, access.id, uid, Boolean(enter))
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
    comments: comments.map(commentOf),
    pinned: pinned ? commentOf(pinned) : null,
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

/**
 * Opens an attendance row for this socket (once per socket) and returns the room. One statement,
 * and a second for a viewer who does not hear someone in the comment tail it read for everyone.
 */
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
  () => sql`select v.uid, ${talkRemovedSql(batchViewer, sql`${sql.placeholder('talkId')}`)} as removed from ${batchPeople} as v(uid text)`,
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
