import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { talkEntrySql } from '../access/index'
import { db } from '../client'
import { isId } from '../ids'
import { clubs, quizAnswers, quizOptions, quizQuestions, quizzes } from '../schema/index'
import type { Viewer } from '../viewer'
import { iso, refuse } from './access'
import { answerQuestion, checkedAnswer, sameSelection, type AnswerInput, type AnswerResult, type MyAnswer } from './answers'
import type { QuestionKind, QuizKind } from './draft'
import { answerElapsedMs, answerPoints, answerStreak, previousQuestionId } from './scoring'

/** What checking and scoring a live question's answers needs that cannot change once it is running. */
type LiveQuestion = {
  questionId: string
  quizId: string
  talkId: string | null
  quizKind: QuizKind
  kind: QuestionKind
  ratingMax: number
  options: { id: string; correct: boolean }[]
}

/** Read once per question per server: a running quiz's questions and options are never edited. */
const liveQuestions = new Map<string, Promise<LiveQuestion | null>>()
const LIVE_QUESTIONS_KEPT = 500

function liveQuestion(questionId: string): Promise<LiveQuestion | null> {
  let loading = liveQuestions.get(questionId)
  if (loading) return loading
  if (liveQuestions.size >= LIVE_QUESTIONS_KEPT) liveQuestions.clear()
  loading = db
    .execute<LiveQuestion>(sql`
      select q.id as "questionId", q.quiz_id as "quizId", z.talk_id as "talkId", z.kind as "quizKind", q.kind, q.rating_max as "ratingMax",
        (select coalesce(json_agg(json_build_object('id', o.id, 'correct', o.correct) order by o.position), '[]'::json) from ${quizOptions} o where o.question_id = q.id) as options
      from ${quizQuestions} q join ${quizzes} z on z.id = q.quiz_id
      where q.id = ${questionId} and z.status <> 'draft'`)
    .then(([row]) => row ?? null)
  // A failed read is not remembered; a question not (yet) found is tried again next time.
  loading.then((row) => row ?? liveQuestions.delete(questionId), () => liveQuestions.delete(questionId))
  liveQuestions.set(questionId, loading)
  return loading
}

/** Reads what answering a live question needs ahead of its first answers. */
export async function prepareLiveQuestion(questionId: string): Promise<void> {
  if (isId(questionId)) await liveQuestion(questionId).catch(() => null)
}

/** Forgets what was read about a question (it has closed; its answers go through answerQuestion from now on). */
export function forgetLiveQuestion(questionId: string) {
  liveQuestions.delete(questionId)
}

/** The database's clock minus this server's, so times this server takes line up with `now()` in SQL. */
export async function databaseClockOffset(): Promise<number> {
  const before = Date.now()
  const [row] = await db.execute<{ now: string }>(sql`select clock_timestamp() as now`)
  const after = Date.now()
  return new Date(row.now).getTime() - (before + after) / 2
}

export type LiveAnswer = {
  viewer: NonNullable<Viewer>
  input: AnswerInput
  /** When the server received the answer, on the database's clock: it decides timing and points. */
  receivedAt: Date
}
export type LiveAnswerOutcome = { ok: true; result: AnswerResult } | { ok: false; error: unknown }

/** Each answer's person, as the viewer the talk entry rule is asked about in answerLiveQuestion's statement. */
const answerer = { userId: sql`v.user_id` as unknown as string, role: 'member' } as NonNullable<Viewer>

/**
 * Records answers to one question of a live talk that arrived close together: the same rules
 * and results as answerQuestion, one by one, but one statement for the lot. Each answer is timed
 * and scored by when the server received it, not when the batch is written. An answer the
 * statement does not store or find already stored (refused, or raced by another write) goes
 * through answerQuestion alone, so refusals keep their order and wording.
 */
export async function answerLiveQuestion(talkId: string, questionId: string, answers: LiveAnswer[]): Promise<LiveAnswerOutcome[]> {
  const alone = (a: LiveAnswer) =>
    answerQuestion(a.viewer, questionId, a.input, { talkId }).then(
      (result): LiveAnswerOutcome => ({ ok: true, result }),
      (error: unknown): LiveAnswerOutcome => ({ ok: false, error }),
    )
  const question = isId(questionId) && isId(talkId) ? await liveQuestion(questionId) : null
  if (!question || question.talkId !== talkId) return Promise.all(answers.map(alone))

  const correctIds = question.options.filter((o) => o.correct).map((o) => o.id)
  const rows: { ord: number; id: string; user_id: string; option_ids: string[]; rating: number | null; body: string | null; correct: boolean | null; answered_at: string }[] = []
  const people = new Set<string>()
  answers.forEach((a, ord) => {
    let answer: ReturnType<typeof checkedAnswer>
    try {
      answer = checkedAnswer(question, a.input)
    } catch {
      return // refused below, after the checks that come first
    }
    // A second answer from the same person in one batch waits for the first to be stored.
    if (people.has(a.viewer.userId)) return
    people.add(a.viewer.userId)
    const correct = question.quizKind === 'quiz' ? sameSelection(correctIds, answer.optionIds) : null
    rows.push({ ord, id: randomUUID(), user_id: a.viewer.userId, option_ids: answer.optionIds, rating: answer.rating, body: answer.body, correct, answered_at: a.receivedAt.toISOString() })
  })

  type Written = { ord: number; allowed: boolean; open: boolean; opened: boolean; inserted: MyAnswer | null; existing: MyAnswer | null }
  const written: readonly Written[] = rows.length === 0 ? [] : await db.execute<Written>(sql`
    with v as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as v(ord int, id text, user_id text, option_ids text[], rating int, body text, correct boolean, answered_at timestamptz)),
    ctx as (
      select q.id as question_id, q.quiz_id, q.position, q.points, q.time_limit_seconds, q.opened_at, q.closes_at, q.closed_at,
        z.club_id, z.talk_id, z.status, z.current_question_id, z.speed_scoring, z.streak_bonus,
        ${previousQuestionId(sql`q.quiz_id`, sql`q.position`)} as previous_id
      from ${quizQuestions} q join ${quizzes} z on z.id = q.quiz_id
      where q.id = ${questionId} and z.talk_id = ${talkId}),
    checked as (
      select v.*, ctx.*,
        -- loadQuiz's rule, for each answer's person: they may enter the talk (db/access/talks.ts).
        ${talkEntrySql(answerer, sql`ctx.talk_id`)} and ctx.status <> 'draft' as allowed,
        -- Open when it was received: a question closed by the host still takes answers that reached the server before.
        ctx.status = 'open' and ctx.opened_at is not null and (ctx.closes_at is null or v.answered_at <= ctx.closes_at)
          and case when ctx.closed_at is null then ctx.current_question_id = ctx.question_id else v.answered_at < ctx.closed_at end as open,
        ${answerElapsedMs(sql`ctx.opened_at`, sql`v.answered_at`)} as elapsed,
        ${answerStreak({ correct: sql`v.correct`, previousQuestionId: sql`ctx.previous_id`, userId: sql`v.user_id` })} as streak
      from v cross join ctx join ${clubs} on ${clubs}.id = ctx.club_id),
    ins as (
      insert into ${quizAnswers} (id, quiz_id, question_id, user_id, option_ids, rating, body, correct, points, streak, elapsed_ms, answered_at)
      select c.id, c.quiz_id, ${questionId}, c.user_id, c.option_ids, c.rating, c.body, c.correct,
        ${answerPoints({
          correct: sql`c.correct`,
          points: sql`c.points`,
          elapsedMs: sql`c.elapsed`,
          timeLimitSeconds: sql`c.time_limit_seconds`,
          talkId: sql`c.talk_id`,
          speedScoring: sql`c.speed_scoring`,
          streakBonus: sql`c.streak_bonus`,
          streak: sql`c.streak`,
        })},
        c.streak, c.elapsed::int, c.answered_at
      from checked c
      where c.allowed and c.open
      on conflict (question_id, user_id) do nothing
      returning user_id, question_id as "questionId", option_ids as "optionIds", rating, body, correct, points, streak, answered_at as "answeredAt")
    select c.ord, c.allowed, c.open, c.opened_at is not null as opened,
      case when i.user_id is not null then json_build_object('questionId', i."questionId", 'optionIds', i."optionIds", 'rating', i.rating, 'body', i.body,
        'correct', i.correct, 'points', i.points, 'streak', i.streak, 'answeredAt', i."answeredAt") end as inserted,
      (select json_build_object('questionId', a.question_id, 'optionIds', a.option_ids, 'rating', a.rating, 'body', a.body, 'correct', a.correct,
          'points', a.points, 'streak', a.streak, 'answeredAt', a.answered_at)
        from ${quizAnswers} a where a.question_id = ${questionId} and a.user_id = c.user_id) as existing
    from checked c left join ins i on i.user_id = c.user_id`)

  const byOrd = new Map(rows.map((r) => [r.ord, r]))
  const stored = (ord: number, existing: MyAnswer): LiveAnswerOutcome => {
    const mine = byOrd.get(ord)!
    const same = sameSelection(existing.optionIds, mine.option_ids) && existing.rating === mine.rating && existing.body === mine.body
    return same ? { ok: true, result: { answer: { ...existing, answeredAt: iso(existing.answeredAt)! }, repeated: true, quizId: question.quizId, talkId } } : { ok: false, error: refuse.twice() }
  }
  const outcomes: (LiveAnswerOutcome | undefined)[] = answers.map(() => undefined)
  const late: Written[] = []
  for (const row of written) {
    if (row.inserted) {
      outcomes[row.ord] = { ok: true, result: { answer: { ...row.inserted, answeredAt: iso(row.inserted.answeredAt)! }, repeated: false, quizId: question.quizId, talkId } }
    } else if (row.allowed && row.existing) {
      outcomes[row.ord] = stored(row.ord, row.existing)
    } else if (row.allowed && !row.open) {
      late.push(row)
    }
  }
  if (late.length > 0) {
    // Too late (or early), unless already answered: an answer committed after the statement began is not in its snapshot, so look once more.
    const found = await db.execute<MyAnswer & { userId: string }>(sql`
      select user_id as "userId", question_id as "questionId", option_ids as "optionIds", rating, body, correct, points, streak, answered_at as "answeredAt"
      from ${quizAnswers} where question_id = ${questionId} and user_id in (${sql.join(late.map((row) => sql`${byOrd.get(row.ord)!.user_id}`), sql`, `)})`)
    const byUser = new Map(found.map(({ userId, ...answer }) => [userId, answer]))
    for (const row of late) {
      const existing = byUser.get(byOrd.get(row.ord)!.user_id)
      outcomes[row.ord] = existing ? stored(row.ord, existing) : { ok: false, error: row.opened ? refuse.closed() : refuse.notOpen() }
    }
  }
  // Everything else (refused, a second answer in the same batch, a race): one by one, in order.
  for (const [ord, outcome] of outcomes.entries()) {
    if (!outcome) outcomes[ord] = await alone(answers[ord])
  }
  return outcomes as LiveAnswerOutcome[]
}
