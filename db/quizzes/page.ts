import { sql } from 'drizzle-orm'
import { db } from '../client'
import { quizQuestions, quizzes } from '../schema/index'
import type { Viewer } from '../viewer'
import { iso, loadQuiz, refuse } from './access'
import { myAnswers, type MyAnswer } from './answers'
import type { QuizKind, QuizStatus } from './draft'
import { loadQuestions, publicQuestion, revealOf, type PublicQuestion, type Reveal } from './questions'

/* A quiz's page (/q/:id): the quiz as the viewer may see it, and closing a self-paced one. */

export type QuizPage = {
  quiz: {
    id: string
    title: string
    kind: QuizKind
    status: QuizStatus
    anonymous: boolean
    deadline: string | null
    talkId: string | null
    club: { slug: string; name: string }
    speedScoring: boolean
    streakBonus: number
  }
  /** Whether answers are taken now (self-paced: open and before the deadline). */
  accepting: boolean
  creator: boolean
  questions: (PublicQuestion & { reveal: Reveal | null })[]
  mine: MyAnswer[]
  myPoints: number
}

/** A quiz as the viewer may see it: reveals only for questions they answered, or once it is closed. */
export async function getQuizPage(viewer: Viewer, quizId: string, now = new Date()): Promise<QuizPage> {
  const quiz = await loadQuiz(viewer, quizId)
  if (quiz.status === 'draft' && !quiz.creator) throw refuse.notFound()
  const [questions, mine] = await Promise.all([loadQuestions(quiz.id), myAnswers(viewer, quiz.id)])
  const answered = new Set(mine.map((a) => a.questionId))
  const closed = quiz.status === 'closed' || (quiz.deadline !== null && new Date(quiz.deadline) <= now)
  const accepting = !quiz.talkId && quiz.status === 'open' && !closed
  return {
    quiz: {
      id: quiz.id,
      title: quiz.title,
      kind: quiz.kind,
      status: quiz.status,
      anonymous: quiz.anonymous,
      deadline: iso(quiz.deadline),
      talkId: quiz.talkId,
      club: { slug: quiz.clubSlug, name: quiz.clubName },
      speedScoring: quiz.speedScoring,
      streakBonus: quiz.streakBonus,
    },
    accepting,
    creator: quiz.creator,
    questions: questions.map((q) => ({
      ...publicQuestion(q),
      reveal: quiz.kind === 'quiz' && (answered.has(q.id) || closed || quiz.creator || q.closedAt !== null) ? revealOf(q) : null,
    })),
    mine,
    myPoints: mine.reduce((sum, a) => sum + a.points, 0),
  }
}

/** Closes a self-paced quiz or survey (or ends a live run): answers are refused from now on. Creators only. */
export async function closeQuiz(viewer: Viewer, quizId: string): Promise<{ status: QuizStatus }> {
  const quiz = await loadQuiz(viewer, quizId)
  if (!quiz.creator) throw refuse.notCreator()
  await db.execute(sql`update ${quizzes} set status = 'closed', closed_at = coalesce(closed_at, now()), current_question_id = null where id = ${quiz.id}`)
  await db.execute(sql`update ${quizQuestions} set closed_at = coalesce(closed_at, now()) where quiz_id = ${quiz.id} and opened_at is not null`)
  return { status: 'closed' }
}
