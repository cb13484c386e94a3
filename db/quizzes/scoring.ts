import { sql, type SQL } from 'drizzle-orm'
import { quizAnswers, quizQuestions } from '../schema/index'
import { quizLimits } from './draft'

/*
 * How an answer is timed and scored, written once: answerQuestion (one answer, timed by now())
 * and answerLiveQuestion (a batch, each answer timed by when the server received it) compose
 * these fragments into their own statements, passing the SQL for the values each has in scope.
 */

/** Milliseconds from the question opening to the answer, never negative; null while the question has not opened. */
export const answerElapsedMs = (openedAt: SQL, receivedAt: SQL) =>
  sql`(case when ${openedAt} is not null then greatest(extract(epoch from (${receivedAt} - ${openedAt})) * 1000, 0) end)`

/** The question before this one in its quiz, if any: the one a streak continues from. */
export const previousQuestionId = (quizId: SQL, position: SQL) => sql`(select earlier.id from ${quizQuestions} earlier where earlier.quiz_id = ${quizId} and earlier.position = ${position} - 1)`

/** Correct answers in a row, this one included: one more than the person's correct answer to the question before, 0 when wrong. */
export const answerStreak = (a: { correct: SQL; previousQuestionId: SQL; userId: SQL }) => sql`
  case when ${a.correct} then coalesce((select prev.streak from ${quizAnswers} prev
    where prev.question_id = ${a.previousQuestionId} and prev.user_id = ${a.userId} and prev.correct), 0) + 1 else 0 end`

/**
 * A correct answer earns the question's points × (1 − elapsed/limit ÷ 2) when speed counts (a
 * live quiz with speed scoring on), the full points otherwise, plus the streak bonus for each
 * correct answer in a row after the first, counting at most quizLimits.streakSteps. A wrong one earns 0.
 */
export function answerPoints(a: { correct: SQL; points: SQL; elapsedMs: SQL; timeLimitSeconds: SQL; talkId: SQL; speedScoring: SQL; streakBonus: SQL; streak: SQL }) {
  const speed = sql`case when ${a.talkId} is not null and ${a.speedScoring} and ${a.elapsedMs} is not null
    then 1 - least(${a.elapsedMs} / (${a.timeLimitSeconds} * 1000.0), 1) / 2 else 1 end`
  return sql`case when ${a.correct}
    then (round(${a.points} * ${speed}) + ${a.streakBonus} * least(greatest(${a.streak} - 1, 0), ${quizLimits.streakSteps}))::int else 0 end`
}
