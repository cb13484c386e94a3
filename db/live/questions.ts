import { randomUUID } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { checkTalkEntryFacts, heldFromViewerSql, isModerator, refuse, requireModerator, talkEntryAllowedSql } from '../access/index'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { checkPostingAllowed, freeToPostSql, postingStandingSql, refuseWhileRestricted, type PostingStanding } from '../moderation/limits'
import { recordWatchedWordHit, screenText } from '../moderation/watched-words'
import { profiles, talkQuestionVotes, talkQuestions } from '../schema/index'
import { checkedText } from '../talks'
import type { Viewer } from '../viewer'
import { accessSelect, loadAccess } from './access'
import { checkedClientId, questionColumns, questionOf, type QuestionRow, type WriteRow } from './rows'
import type { LiveQuestion, QuestionStatus, TextInput } from './types'

/* Questions to the speakers: asked ahead or live, upvoted once per person, marked by the hosts; hidden ones only hosts see. */

export const QUESTION_MAX = 300
/** How many questions a room read carries, the most upvoted first. */
export const QUESTION_LIMIT = 200

/**
 * Asks a question. Unlike comments, questions may be asked while the talk is still scheduled:
 * people send questions ahead and the host opens with the most upvoted. Not once it has ended.
 * The posting limits and watched words apply as to comments, by the same two ways (postComment):
 * a held question comes back with `held: true`, for its author alone.
 */
export async function askQuestion(viewer: Viewer, talkId: string, input: TextInput): Promise<LiveQuestion & { held?: true }> {
  if (!viewer) throw refuse.signIn()
  const body = checkedText(input?.body, 'question', { min: 1, max: QUESTION_MAX, multiline: true, field: 'body' })
  const clientId = checkedClientId(input?.clientId)
  if (!isId(talkId)) throw refuse.notFound()
  const hit = await screenText([body], 'body')
  const uid = viewer.userId
  const id = randomUUID()
  const storedSql = (from: SQL, where: SQL) => sql`(select row_to_json(x) from (
      select ${questionColumns(uid)}, ${heldFromViewerSql(null, 'question', sql`q.id`)} as held
      from ${from} q join ${profiles} p on p.user_id = q.user_id where ${where}) x)`
  const write = (executor: Database | Transaction, gate: SQL) =>
    executor.execute<WriteRow & PostingStanding & { clubId: string }>(sql`
      with a as (${accessSelect(viewer, talkId)}),
      s as (${postingStandingSql(uid)}),
      ins as (
        insert into ${talkQuestions} (id, talk_id, user_id, body, client_id)
        select ${id}::text, a.id, ${uid}::text, ${body}::text, ${clientId}::text from a, s
        where ${talkEntryAllowedSql(sql`a`)} and a.status <> 'ended' and ${gate}
        on conflict (talk_id, user_id, client_id) where client_id is not null do nothing
        returning id, talk_id, user_id, body, created_at, status)
      select a.status, a.visible, a.banned, a.removed, a."clubId", s.*,
        ${storedSql(sql`ins`, sql`true`)} as written,
        ${clientId === null ? sql`null::json` : storedSql(sql`${talkQuestions}`, sql`q.talk_id = a.id and q.user_id = ${uid} and q.client_id = ${clientId}`)} as existing
      from a, s`)
  // A retry of a question held back stays held: never broadcast.
  const held = ({ held: isHeld, ...stored }: StoredQuestion) => (isHeld ? { ...questionOf(stored), held: true as const } : questionOf(stored))
  const outcome = (row: WriteRow) => {
    if (row.status === 'ended') throw refuse.ended()
    const stored = (row.written ?? row.existing) as StoredQuestion | null
    return stored && { question: held(stored), written: Boolean(row.written) }
  }
  const again = async (executor: Database | Transaction) => {
    // The same clientId committed by a concurrent retry after this statement's snapshot.
    const [stored] = await executor.execute<{ question: StoredQuestion | null }>(sql`
      select ${storedSql(sql`${talkQuestions}`, sql`q.talk_id = ${talkId} and q.user_id = ${uid} and q.client_id = ${clientId}`)} as question`)
    if (!stored?.question) throw new PublicError('That question could not be sent. Try again.', 409)
    return held(stored.question)
  }

  if (!hit) {
    const row = checkTalkEntryFacts((await write(db, freeToPostSql(sql`s`)))[0])
    const done = outcome(row)
    if (done) return done.question
    refuseWhileRestricted(row)
    if (!row.newUntil) return again(db)
  }
  return db.transaction(async (tx) => {
    await checkPostingAllowed(tx, uid, 'question')
    const row = checkTalkEntryFacts((await write(tx, sql`true`))[0])
    const done = outcome(row)
    if (!done) return again(tx)
    if (!done.written) return done.question
    const recorded = await recordWatchedWordHit(tx, hit, { kind: 'question', id: done.question.id, authorId: uid, clubId: row.clubId, talkId })
    return recorded.held ? { ...done.question, held: true as const } : done.question
  })
}

type StoredQuestion = QuestionRow & { held: boolean }

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
