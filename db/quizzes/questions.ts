import { sql } from 'drizzle-orm'
import { db } from '../client'
import { quizOptions, quizQuestions } from '../schema/index'
import type { Q } from './access'
import type { QuestionKind } from './draft'

/* A quiz's questions as stored, and as shown before and after they are answered. */

export type PublicOption = { id: string; label: string }
export type PublicQuestion = {
  id: string
  position: number
  kind: QuestionKind
  prompt: string
  imageUrl: string | null
  /** What the image shows, for people who cannot see it ('' for a linked image without one). */
  imageAlt: string
  timeLimitSeconds: number
  points: number
  ratingMax: number
  options: PublicOption[]
}
/** What is shown once a question has closed (live) or been answered (self-paced). */
export type Reveal = { questionId: string; correctOptionIds: string[]; explanation: string }

export type QuestionRow = {
  id: string
  quizId: string
  position: number
  kind: QuestionKind
  prompt: string
  imageUrl: string | null
  imagePath: string | null
  imageAlt: string | null
  explanation: string
  timeLimitSeconds: number
  points: number
  ratingMax: number
  openedAt: string | null
  closesAt: string | null
  closedAt: string | null
  options: { id: string; label: string; correct: boolean }[]
}

const questionColumns = sql`q.id, q.quiz_id as "quizId", q.position, q.kind, q.prompt, q.image_url as "imageUrl",
  q.image_path as "imagePath", q.image_alt as "imageAlt", q.explanation,
  q.time_limit_seconds as "timeLimitSeconds", q.points, q.rating_max as "ratingMax",
  q.opened_at as "openedAt", q.closes_at as "closesAt", q.closed_at as "closedAt",
  (select coalesce(json_agg(json_build_object('id', o.id, 'label', o.label, 'correct', o.correct) order by o.position), '[]'::json)
    from ${quizOptions} o where o.question_id = q.id) as options`

export const quizImageUrl = (quizId: string, imagePath: string) => `/q/${quizId}/images/${imagePath}`

export async function loadQuestions(quizId: string, q: Q = db): Promise<QuestionRow[]> {
  return [...(await q.execute<QuestionRow>(sql`select ${questionColumns} from ${quizQuestions} q where q.quiz_id = ${quizId} order by q.position`))]
}

export const publicQuestion = (q: QuestionRow): PublicQuestion => ({
  id: q.id,
  position: q.position,
  kind: q.kind,
  prompt: q.prompt,
  // An uploaded image is served by the quiz's own route, after its access check.
  imageUrl: q.imagePath ? quizImageUrl(q.quizId, q.imagePath) : q.imageUrl,
  imageAlt: q.imageAlt ?? '',
  timeLimitSeconds: q.timeLimitSeconds,
  points: q.points,
  ratingMax: q.ratingMax,
  options: q.options.map(({ id, label }) => ({ id, label })),
})

export const revealOf = (q: QuestionRow): Reveal => ({
  questionId: q.id,
  correctOptionIds: q.options.filter((o) => o.correct).map((o) => o.id),
  explanation: q.explanation,
})
