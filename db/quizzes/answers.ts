import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { mayEnterTalk, talkEntryAllowedSql, talkEntryColumns, type TalkEntryFacts } from '../access/index'
import { db } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { clubs, quizAnswers, quizOptions, quizQuestions, quizzes } from '../schema/index'
import type { Viewer } from '../viewer'
import { iso, refuse } from './access'
import { HIDDEN, quizLimits, type QuestionKind, type QuizKind, type QuizStatus } from './draft'
import { answerElapsedMs, answerPoints, answerStreak, previousQuestionId } from './scoring'

/*
 * Answering: one answer per person per question, enforced by a unique index; a retry with the
 * same answer returns the stored one. Timing is the database's clock (now()); points are computed
 * here (scoring.ts) and never taken from the client.
 */

export type MyAnswer = {
  questionId: string
  optionIds: string[]
  rating: number | null
  body: string | null
  correct: boolean | null
  points: number
  streak: number
  answeredAt: string
}

/** The viewer's own answers in a quiz, in question order. */
export async function myAnswers(viewer: Viewer, quizId: string): Promise<MyAnswer[]> {
  if (!viewer || !isId(quizId)) return []
  const rows = await db.execute<MyAnswer>(sql`
    select a.question_id as "questionId", a.option_ids as "optionIds", a.rating, a.body, a.correct, a.points, a.streak, a.answered_at as "answeredAt"
    from ${quizAnswers} a join ${quizQuestions} q on q.id = a.question_id
    where a.quiz_id = ${quizId} and a.user_id = ${viewer.userId} order by q.position`)
  return rows.map((r) => ({ ...r, answeredAt: iso(r.answeredAt)! }))
}

export type AnswerInput = { optionIds?: unknown; rating?: unknown; body?: unknown }
export type AnswerResult = {
  answer: MyAnswer
  /** True when this was a retry and the stored answer is returned. */
  repeated: boolean
  quizId: string
  talkId: string | null
}

type AnswerContext = TalkEntryFacts & {
  questionId: string
  sameTalk: boolean
  quizId: string
  kind: QuestionKind
  ratingMax: number
  options: { id: string; correct: boolean }[]
  quizKind: QuizKind
  talkId: string | null
  status: QuizStatus
  openedAt: string | null
}

/** A text[] literal: drizzle's sql template would spread a JS array into a list of parameters. */
const textArray = (values: string[]) => (values.length ? sql`array[${sql.join(values.map((v) => sql`${v}::text`), sql`, `)}]` : sql`'{}'::text[]`)

export function sameSelection(a: readonly string[], b: readonly string[]) {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join()
}

/**
 * Records the viewer's answer to a question: once. A retry with the same answer returns the
 * stored one; a different second answer, a closed question, an option from another question
 * and overlong text are refused and nothing is written. Points come from the server (answerPoints).
 */
export async function answerQuestion(viewer: Viewer, questionId: string, input: AnswerInput, options: { talkId?: string } = {}): Promise<AnswerResult> {
  if (!viewer) throw refuse.signIn()
  if (!isId(questionId)) throw refuse.noQuestion()
  // What the answer would be for each kind of question; the statement keeps the one that fits.
  const maybe = answerCandidates(input)
  const optionIds = textArray(maybe.optionIds)
  const sameTalk = options.talkId === undefined ? sql`true` : sql`z.talk_id = ${options.talkId}`
  /*
   * One statement: read the question and the viewer's standing, check the answer fits the
   * question and that it is still open by the database's clock, score it, and insert it once.
   * When nothing is inserted, the row says why (and holds any earlier answer), so refusals
   * keep their order and wording without another query on the common path.
   */
  const [row] = await db.execute<AnswerContext & { inserted: MyAnswer | null; existing: MyAnswer | null }>(sql`
    with ctx as (
      select q.id as "questionId", q.quiz_id as "quizId", q.kind, q.rating_max as "ratingMax", q.opened_at as "openedAt", q.position,
        (select coalesce(json_agg(json_build_object('id', o.id, 'correct', o.correct)), '[]'::json) from ${quizOptions} o where o.question_id = q.id) as options,
        z.kind as "quizKind", z.talk_id as "talkId", z.status,
        ${talkEntryColumns(viewer, sql`z.talk_id`)},
        ${sameTalk} as "sameTalk",
        case q.kind
          when 'text' then ${maybe.body}::text is not null
          when 'rating' then coalesce(${maybe.rating}::int between 1 and q.rating_max, false)
          else cardinality(${optionIds}) > 0 and (q.kind = 'multiple' or cardinality(${optionIds}) = 1)
            and not exists (select 1 from unnest(${optionIds}) i where i not in (select o.id from ${quizOptions} o where o.question_id = q.id))
        end as fits,
        case when z.kind = 'quiz' then
          (select coalesce(array_agg(o.id order by o.id), '{}') from ${quizOptions} o where o.question_id = q.id and o.correct)
            = (select coalesce(array_agg(i order by i), '{}') from unnest(case when q.kind in ('text', 'rating') then '{}'::text[] else ${optionIds} end) i)
        end as correct,
        case when z.talk_id is not null
          then z.status = 'open' and z.current_question_id = q.id and q.closed_at is null and (q.closes_at is null or now() <= q.closes_at)
          else z.status = 'open' and (z.deadline is null or now() < z.deadline)
        end as open,
        ${answerElapsedMs(sql`q.opened_at`, sql`now()`)} as elapsed,
        q.points, q.time_limit_seconds as "timeLimitSeconds", z.speed_scoring as "speedScoring", z.streak_bonus as "streakBonus"
      from ${quizQuestions} q join ${quizzes} z on z.id = q.quiz_id join ${clubs} on ${clubs}.id = z.club_id
      where q.id = ${questionId}),
    s as (
      select ${answerStreak({ correct: sql`ctx.correct`, previousQuestionId: previousQuestionId(sql`ctx."quizId"`, sql`ctx.position`), userId: sql`${viewer.userId}` })} as streak
      from ctx),
    ins as (
      insert into ${quizAnswers} (id, quiz_id, question_id, user_id, option_ids, rating, body, correct, points, streak, elapsed_ms)
      select ${randomUUID()}, ctx."quizId", ctx."questionId", ${viewer.userId},
        case when ctx.kind in ('text', 'rating') then '{}'::text[] else ${optionIds} end,
        case when ctx.kind = 'rating' then ${maybe.rating}::int end,
        case when ctx.kind = 'text' then ${maybe.body}::text end,
        ctx.correct,
        ${answerPoints({
          correct: sql`ctx.correct`,
          points: sql`ctx.points`,
          elapsedMs: sql`ctx.elapsed`,
          timeLimitSeconds: sql`ctx."timeLimitSeconds"`,
          talkId: sql`ctx."talkId"`,
          speedScoring: sql`ctx."speedScoring"`,
          streakBonus: sql`ctx."streakBonus"`,
          streak: sql`s.streak`,
        })},
        s.streak, ctx.elapsed::int
      from ctx, s
      where ${talkEntryAllowedSql(sql`ctx`)} and ctx.status <> 'draft' and ctx."sameTalk" and ctx.fits and ctx.open
      on conflict (question_id, user_id) do nothing
      returning question_id as "questionId", option_ids as "optionIds", rating, body, correct, points, streak, answered_at as "answeredAt")
    select ctx."questionId", ctx."quizId", ctx.kind, ctx."ratingMax", ctx."openedAt", ctx.options, ctx."quizKind", ctx."talkId", ctx.status,
      ctx.visible, ctx.banned, ctx.removed, ctx."sameTalk",
      (select row_to_json(ins) from ins) as inserted,
      (select json_build_object('questionId', a.question_id, 'optionIds', a.option_ids, 'rating', a.rating, 'body', a.body, 'correct', a.correct,
          'points', a.points, 'streak', a.streak, 'answeredAt', a.answered_at)
        from ${quizAnswers} a where a.question_id = ctx."questionId" and a.user_id = ${viewer.userId}) as existing
    from ctx`)
  if (row?.inserted) return { answer: { ...row.inserted, answeredAt: iso(row.inserted.answeredAt)! }, repeated: false, quizId: row.quizId, talkId: row.talkId }
  if (!mayEnterTalk(row) || row.status === 'draft') throw refuse.noQuestion()
  // A live room answers only its own talk's questions.
  if (!row.sameTalk) throw refuse.noQuestion()
  const answer = checkedAnswer(row, input)
  // An answer committed after this statement began is not in its snapshot: look once more.
  const existing = row.existing ?? (await storedAnswer(questionId, viewer.userId))
  if (existing) {
    const same = sameSelection(existing.optionIds, answer.optionIds) && existing.rating === answer.rating && existing.body === answer.body
    if (!same) throw refuse.twice()
    return { answer: { ...existing, answeredAt: iso(existing.answeredAt)! }, repeated: true, quizId: row.quizId, talkId: row.talkId }
  }
  if (row.talkId !== null && !row.openedAt) throw refuse.notOpen()
  throw refuse.closed()
}

async function storedAnswer(questionId: string, userId: string): Promise<MyAnswer | null> {
  const [existing] = await db.execute<MyAnswer>(sql`
    select question_id as "questionId", option_ids as "optionIds", rating, body, correct, points, streak, answered_at as "answeredAt"
    from ${quizAnswers} where question_id = ${questionId} and user_id = ${userId}`)
  return existing ?? null
}

/** The input read as each kind of answer, without knowing the question yet; null or [] where it cannot be that kind. */
function answerCandidates(input: AnswerInput): { optionIds: string[]; rating: number | null; body: string | null } {
  const raw = input.optionIds
  const optionIds = Array.isArray(raw) && raw.every((id) => typeof id === 'string') ? [...new Set(raw as string[])] : []
  const rating = typeof input.rating === 'number' && Number.isInteger(input.rating) && Math.abs(input.rating) < 2 ** 31 ? input.rating : null
  let body: string | null = null
  if (typeof input.body === 'string' && input.body.trim().length > 0 && input.body.length <= quizLimits.textAnswer * 2) {
    const v = input.body.normalize('NFC').trim()
    if (v.length <= quizLimits.textAnswer && !HIDDEN.test(v.replace(/[\n\r\t]/g, ' '))) body = v
  }
  return { optionIds, rating, body }
}

export function checkedAnswer(ctx: Pick<AnswerContext, 'kind' | 'ratingMax' | 'options'>, input: AnswerInput): { optionIds: string[]; rating: number | null; body: string | null } {
  if (ctx.kind === 'text') {
    const body = input.body
    if (typeof body !== 'string' || body.trim().length === 0) throw new PublicError('Write your answer first.', 400, 'body')
    if (body.length > quizLimits.textAnswer * 2) throw new PublicError(`Your answer can be at most ${quizLimits.textAnswer} characters.`, 413, 'body')
    const v = body.normalize('NFC').trim()
    if (v.length > quizLimits.textAnswer) throw new PublicError(`Your answer can be at most ${quizLimits.textAnswer} characters.`, 413, 'body')
    if (HIDDEN.test(v.replace(/[\n\r\t]/g, ' '))) throw new PublicError('Your answer contains characters we cannot show.', 400, 'body')
    return { optionIds: [], rating: null, body: v }
  }
  if (ctx.kind === 'rating') {
    const rating = input.rating
    if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > ctx.ratingMax) {
      throw new PublicError(`Choose a rating from 1 to ${ctx.ratingMax}.`, 400, 'rating')
    }
    return { optionIds: [], rating, body: null }
  }
  const raw = input.optionIds
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((id) => typeof id === 'string')) {
    throw new PublicError('Choose an answer first.', 400, 'optionIds')
  }
  const ids = [...new Set(raw as string[])]
  const known = new Set(ctx.options.map((o) => o.id))
  if (ids.length > known.size || !ids.every((id) => known.has(id))) throw refuse.wrongOption()
  if (ctx.kind !== 'multiple' && ids.length !== 1) throw new PublicError('Choose one answer.', 400, 'optionIds')
  return { optionIds: ids, rating: null, body: null }
}
