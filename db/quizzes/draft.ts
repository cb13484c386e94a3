import { z } from 'zod'
import { PublicError } from '../errors'

/*
 * What a quiz, poll or survey is made of, and the one schema that checks a draft for the
 * authoring form and the data layer alike (docs/quizzes.md, Authoring).
 */

export type QuizKind = 'quiz' | 'poll' | 'survey'
export type QuestionKind = 'single' | 'multiple' | 'true_false' | 'rating' | 'text'
export type QuizStatus = 'draft' | 'open' | 'closed'

export const quizLimits = {
  title: 120,
  questions: 50,
  prompt: 500,
  explanation: 1000,
  options: 10,
  option: 200,
  imageUrl: 500,
  textAnswer: 2000,
  minSeconds: 5,
  maxSeconds: 300,
  maxPoints: 2000,
  maxStreakBonus: 500,
  /** Streak bonus counts at most this many steps. */
  streakSteps: 5,
  leaderboard: 10,
} as const

/** Which question kinds each kind of quiz may hold. */
export const questionKindsFor: Record<QuizKind, readonly QuestionKind[]> = {
  quiz: ['single', 'multiple', 'true_false'],
  poll: ['single', 'multiple'],
  survey: ['single', 'multiple', 'rating', 'text'],
}


// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const HIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/

export const words = (what: string, max: number, min = 1) =>
  z
    .string({ required_error: `Write the ${what}.`, invalid_type_error: `Write the ${what}.` })
    .max(max * 4, `The ${what} can be at most ${max} characters.`)
    .transform((v) => v.normalize('NFC').trim())
    .refine((v) => v.length >= min, min <= 1 ? `Write the ${what}.` : `The ${what} needs at least ${min} characters.`)
    .refine((v) => v.length <= max, `The ${what} can be at most ${max} characters.`)
    .refine((v) => !HIDDEN.test(v), `The ${what} contains characters we cannot show.`)

const OptionDraft = z.object({
  label: words('option', quizLimits.option),
  correct: z.boolean().optional().default(false),
})

export const QuestionDraft = z.object({
  kind: z.enum(['single', 'multiple', 'true_false', 'rating', 'text'], { errorMap: () => ({ message: 'Choose what kind of question this is.' }) }),
  prompt: words('question', quizLimits.prompt),
  explanation: z
    .string({ invalid_type_error: 'Write the explanation as text.' })
    .max(quizLimits.explanation * 4, `The explanation can be at most ${quizLimits.explanation} characters.`)
    .transform((v) => v.normalize('NFC').trim())
    .refine((v) => v.length <= quizLimits.explanation, `The explanation can be at most ${quizLimits.explanation} characters.`)
    .refine((v) => !HIDDEN.test(v), 'The explanation contains characters we cannot show.')
    .optional()
    .default(''),
  imageUrl: z
    .string()
    .max(quizLimits.imageUrl, `The image address can be at most ${quizLimits.imageUrl} characters.`)
    .url('The image address must be a full link, starting https://.')
    .refine((v) => v.startsWith('https://'), 'The image address must start with https://.')
    .nullish()
    .or(z.literal('').transform(() => null)),
  timeLimitSeconds: z.coerce
    .number({ invalid_type_error: 'Enter the time limit in seconds.' })
    .int('Enter a whole number of seconds.')
    .min(quizLimits.minSeconds, `Give at least ${quizLimits.minSeconds} seconds.`)
    .max(quizLimits.maxSeconds, `Give at most ${quizLimits.maxSeconds} seconds (5 minutes).`)
    .optional()
    .default(30),
  points: z.coerce
    .number({ invalid_type_error: 'Enter the points as a number.' })
    .int('Enter a whole number of points.')
    .min(0, 'Points cannot be negative.')
    .max(quizLimits.maxPoints, `A question is worth at most ${quizLimits.maxPoints} points.`)
    .optional()
    .default(1000),
  ratingMax: z.coerce.number().int().min(2, 'A rating scale needs at least 2 steps.').max(10, 'A rating scale has at most 10 steps.').optional().default(5),
  options: z.array(OptionDraft).max(quizLimits.options, `A question has at most ${quizLimits.options} options.`).optional().default([]),
})

const detailsShape = {
  kind: z.enum(['quiz', 'poll', 'survey'], { errorMap: () => ({ message: 'Choose a quiz, a poll or a survey.' }) }),
  title: words('title', quizLimits.title, 3),
  talkId: z.string().uuid('We could not find that talk.').nullish(),
  anonymous: z.boolean().optional().default(false),
  deadline: z.coerce.date({ invalid_type_error: 'Enter the deadline as a date and time.' }).nullish(),
  speedScoring: z.boolean().optional().default(true),
  streakBonus: z.coerce
    .number()
    .int('Enter a whole number of bonus points.')
    .min(0, 'The streak bonus cannot be negative.')
    .max(quizLimits.maxStreakBonus, `The streak bonus is at most ${quizLimits.maxStreakBonus} points.`)
    .optional()
    .default(0),
}

function checkDetails(quiz: { kind: QuizKind; anonymous: boolean; deadline?: Date | null }, ctx: z.RefinementCtx) {
  if (quiz.anonymous && quiz.kind === 'quiz') {
    ctx.addIssue({ code: 'custom', path: ['anonymous'], message: 'A quiz has a leaderboard, so it cannot be anonymous. Make it a poll or survey.' })
  }
  if (quiz.deadline && quiz.deadline.getTime() < Date.now()) {
    ctx.addIssue({ code: 'custom', path: ['deadline'], message: 'The deadline is in the past. Choose a later one.' })
  }
}

/** A quiz's title and settings without its questions: the first step of writing it one question at a time. */
export const QuizDetailsSchema = z.object(detailsShape).superRefine(checkDetails)

export const QuizDraftSchema = z
  .object({
    ...detailsShape,
    questions: z
      .array(QuestionDraft, { required_error: 'Add at least one question.' })
      .min(1, 'Add at least one question.')
      .max(quizLimits.questions, `A quiz has at most ${quizLimits.questions} questions.`),
  })
  .superRefine((quiz, ctx) => {
    checkDetails(quiz, ctx)
    quiz.questions.forEach((q, i) => {
      const at = (field: string) => ['questions', i, field]
      const n = i + 1
      if (!questionKindsFor[quiz.kind].includes(q.kind)) {
        ctx.addIssue({ code: 'custom', path: at('kind'), message: `Question ${n}: a ${quiz.kind} cannot have this kind of question.` })
        return
      }
      if (q.kind === 'rating' || q.kind === 'text') return
      if (q.kind === 'true_false') {
        if (quiz.kind === 'quiz' && !q.options.some((o) => o.correct)) {
          ctx.addIssue({ code: 'custom', path: at('options'), message: `Question ${n}: say whether the statement is true or false.` })
        }
        return
      }
      if (q.options.length < 2) {
        ctx.addIssue({ code: 'custom', path: at('options'), message: `Question ${n}: add at least two options.` })
        return
      }
      const labels = q.options.map((o) => o.label.toLowerCase())
      if (new Set(labels).size !== labels.length) {
        ctx.addIssue({ code: 'custom', path: at('options'), message: `Question ${n}: two options say the same thing.` })
      }
      if (quiz.kind !== 'quiz') return
      const correct = q.options.filter((o) => o.correct).length
      if (q.kind === 'single' && correct !== 1) {
        ctx.addIssue({ code: 'custom', path: at('options'), message: `Question ${n}: mark exactly one correct answer.` })
      }
      if (q.kind === 'multiple' && correct < 1) {
        ctx.addIssue({ code: 'custom', path: at('options'), message: `Question ${n}: mark at least one correct answer.` })
      }
    })
  })

export type QuizDraft = z.input<typeof QuizDraftSchema>
type CheckedDraft = z.output<typeof QuizDraftSchema>

/** The first problem in a draft, as a PublicError naming its field ("questions.1.options"). */
export function checkDraft(input: unknown): CheckedDraft {
  const parsed = QuizDraftSchema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  throw new PublicError(issue?.message ?? 'That quiz is not complete.', 400, issue?.path.join('.'))
}
