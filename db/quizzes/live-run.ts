import { sql } from 'drizzle-orm'
import { mayEnterTalk } from '../access/index'
import { db } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { quizQuestions, quizzes } from '../schema/index'
import type { Viewer } from '../viewer'
import { iso, loadQuiz, quizSelect, refuse, requireTalkHost, type Q, type QuizRow } from './access'
import type { QuizKind, QuizStatus } from './draft'
import { forgetLiveQuestion } from './live-answers'
import { loadQuestions, publicQuestion, revealOf, type PublicQuestion, type QuestionRow, type Reveal } from './questions'

/*
 * A quiz run live in a talk by its hosts: launched into a lobby, then one question at a time on
 * the database's clock, each closed by the host, by its time limit or by whoever finds it overdue.
 */

export type LivePhase = 'lobby' | 'question' | 'reveal' | 'finished'
export type LiveQuizState = {
  quizId: string
  talkId: string
  title: string
  kind: QuizKind
  anonymous: boolean
  phase: LivePhase
  questionCount: number
  question: PublicQuestion | null
  openedAt: string | null
  closesAt: string | null
  /** The server's clock when this state was read, so a client can correct its countdown. */
  serverNow: string
  reveal: Reveal | null
}

function phaseOf(quiz: Pick<QuizRow, 'status' | 'currentQuestionId'>, question: QuestionRow | undefined, now: Date): LivePhase {
  if (quiz.status === 'closed') return 'finished'
  if (!question) return 'lobby'
  if (question.closedAt || (question.closesAt && new Date(question.closesAt) <= now)) return 'reveal'
  return 'question'
}

async function liveState(quiz: QuizRow, q: Q = db): Promise<LiveQuizState> {
  const [questions, [clock]] = await Promise.all([loadQuestions(quiz.id, q), q.execute<{ now: string }>(sql`select now() as now`)])
  const now = new Date(clock.now)
  const current = questions.find((x) => x.id === quiz.currentQuestionId)
  const phase = phaseOf(quiz, current, now)
  return {
    quizId: quiz.id,
    talkId: quiz.talkId ?? '',
    title: quiz.title,
    kind: quiz.kind,
    anonymous: quiz.anonymous,
    phase,
    questionCount: questions.length,
    question: current && phase !== 'finished' ? publicQuestion(current) : null,
    openedAt: iso(current?.openedAt ?? null),
    closesAt: iso(current?.closesAt ?? null),
    serverNow: now.toISOString(),
    reveal: current && phase === 'reveal' && quiz.kind === 'quiz' ? revealOf(current) : null,
  }
}

/** The quiz running in a talk now (launched and not finished), as the viewer may see it, or null. */
export async function getLiveQuiz(viewer: Viewer, talkId: string): Promise<LiveQuizState | null> {
  if (!viewer || !isId(talkId)) return null
  const [row] = await db.execute<QuizRow>(sql`
    select x.* from (${quizSelect(viewer, sql`z.talk_id = ${talkId} and z.launched_at is not null`)}) x
    order by x."launchedAt" desc limit 1`)
  if (!mayEnterTalk(row)) return null
  return liveState(row)
}

/** Starts a quiz attached to a talk: hosts and co-hosts. Everyone in the room sees the lobby. */
export async function launchQuiz(viewer: Viewer, quizId: string): Promise<LiveQuizState> {
  const quiz = await loadQuiz(viewer, quizId)
  await requireTalkHost(viewer!, quiz)
  if (quiz.status === 'closed') throw new PublicError('This quiz has already been run. Create a new one to run it again.', 409)
  if (quiz.editing) throw new PublicError('This quiz is still being written. Publish it before running it.', 409)
  const [updated] = await db.execute<{ id: string }>(sql`
    update ${quizzes} set status = 'open', launched_at = coalesce(launched_at, now()) where id = ${quiz.id} and status <> 'closed' returning id`)
  if (!updated) throw new PublicError('This quiz has already been run.', 409)
  return liveState({ ...quiz, status: 'open' })
}

/**
 * Moves a live quiz on: closes the current question if it is still open, then opens the next
 * one (its clock starts now, by the database's time) — or, after the last, finishes the quiz.
 */
export async function nextQuestion(viewer: Viewer, quizId: string): Promise<LiveQuizState> {
  const quiz = await loadQuiz(viewer, quizId)
  await requireTalkHost(viewer!, quiz)
  if (quiz.status !== 'open' || !quiz.launchedAt) throw new PublicError('Launch the quiz first.', 409)
  return db.transaction(async (tx) => {
    const [locked] = await tx.execute<{ currentQuestionId: string | null; status: QuizStatus }>(
      sql`select current_question_id as "currentQuestionId", status from ${quizzes} where id = ${quiz.id} for update`,
    )
    if (locked.status !== 'open') throw refuse.quizClosed()
    if (locked.currentQuestionId) {
      await tx.execute(sql`update ${quizQuestions} set closed_at = coalesce(closed_at, least(now(), closes_at), now()) where id = ${locked.currentQuestionId}`)
    }
    const [next] = await tx.execute<{ id: string; timeLimitSeconds: number }>(sql`
      select q.id, q.time_limit_seconds as "timeLimitSeconds" from ${quizQuestions} q
      where q.quiz_id = ${quiz.id} and q.position > coalesce((select position from ${quizQuestions} where id = ${locked.currentQuestionId}), 0)
      order by q.position limit 1`)
    if (!next) {
      await tx.execute(sql`update ${quizzes} set status = 'closed', closed_at = now(), current_question_id = null where id = ${quiz.id}`)
      return liveState({ ...quiz, status: 'closed', currentQuestionId: null }, tx)
    }
    // Polls stay open until the host closes them; quiz questions run on their time limit.
    const closes = quiz.kind === 'quiz' ? sql`now() + make_interval(secs => ${next.timeLimitSeconds})` : sql`null`
    await tx.execute(sql`update ${quizQuestions} set opened_at = now(), closes_at = ${closes}, closed_at = null where id = ${next.id}`)
    await tx.execute(sql`update ${quizzes} set current_question_id = ${next.id} where id = ${quiz.id}`)
    return liveState({ ...quiz, currentQuestionId: next.id }, tx)
  }).finally(() => forgetLiveQuestion(quiz.currentQuestionId ?? ''))
}

/** Closes the current question of a live quiz and reveals the answer. Idempotent. */
export async function closeQuestion(viewer: Viewer, quizId: string): Promise<LiveQuizState> {
  const quiz = await loadQuiz(viewer, quizId)
  await requireTalkHost(viewer!, quiz)
  return closeCurrentQuestion(quiz.id)
}

/**
 * Closes the current question when its time is up: called by the socket layer's timer, which
 * acts for the server, not a person. Returns null when that question is no longer current.
 */
export async function closeExpiredQuestion(quizId: string, questionId: string): Promise<LiveQuizState | null> {
  if (!isId(quizId) || !isId(questionId)) return null
  const [row] = await db.execute<{ id: string }>(sql`select id from ${quizzes} where id = ${quizId} and current_question_id = ${questionId}`)
  if (!row) return null
  return closeCurrentQuestion(quizId)
}

/**
 * Live quiz questions whose time ran out more than `graceMs` ago and that are still open: the
 * timer that should have closed them died with its server. Each is closed the usual way
 * (closeExpiredQuestion) by whoever finds it.
 */
export async function overdueLiveQuestions(graceMs: number): Promise<{ quizId: string; questionId: string }[]> {
  return db.execute<{ quizId: string; questionId: string }>(sql`
    select z.id as "quizId", q.id as "questionId" from ${quizzes} z join ${quizQuestions} q on q.id = z.current_question_id
    where z.status = 'open' and q.closed_at is null and q.closes_at < now() - make_interval(secs => ${graceMs / 1000})`)
}

async function closeCurrentQuestion(quizId: string): Promise<LiveQuizState> {
  await db.execute(sql`
    update ${quizQuestions} q set closed_at = least(now(), coalesce(q.closes_at, now()))
    from ${quizzes} z where z.id = ${quizId} and q.id = z.current_question_id and q.closed_at is null`)
  const [row] = await db.execute<QuizRow>(sql`
    select z.id, z.talk_id as "talkId", z.title, z.kind, z.status, z.anonymous, z.current_question_id as "currentQuestionId"
    from ${quizzes} z where z.id = ${quizId}`)
  return liveState(row)
}
