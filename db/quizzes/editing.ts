import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { quizOptions, quizQuestions, quizzes } from '../schema/index'
import type { Viewer } from '../viewer'
import { iso, loadQuiz, refuse, type Q, type QuizRow } from './access'
import { requireAuthoring } from './authoring'
import { HIDDEN, QuestionDraft, QuizDetailsSchema, QuizDraftSchema, questionKindsFor, quizLimits, words, type QuestionKind, type QuizKind } from './draft'
import { loadQuestions, quizImageUrl, type QuestionRow } from './questions'

/*
 * Writing a quiz one question at a time (docs/quizzes.md, Authoring). The quiz is saved as a
 * draft from its first step, marked `editing`: its creators' own, never listed in its talk or
 * launched. Every step is one call here (add, save, move, duplicate, remove a question), checked
 * against the quiz and made in one transaction; publishing checks the whole quiz with the same
 * draft schema the one-page form uses, then opens it (self-paced) or hands it to the talk's room.
 */

export const IMAGE_ALT_MAX = 250

const refuseEditing = {
  published: () => new PublicError('This quiz has been published, so its questions can no longer be changed.', 409),
  full: () => new PublicError(`A quiz has at most ${quizLimits.questions} questions.`, 400),
  noAlt: () => new PublicError('Describe the image in a few words (alt text), for people who cannot see it.', 400, 'imageAlt'),
}

/** What is wrong with a quiz before it can be published; `questionId` null for the quiz as a whole. */
export type QuizProblem = { questionId: string | null; message: string }

export class QuizNotReady extends PublicError {
  constructor(readonly problems: QuizProblem[]) {
    super(problems[0]?.message ?? 'This quiz is not ready yet.', 400)
  }
}

/** Starts a quiz, poll or survey from its title and settings, as a draft to add questions to. */
export async function startQuizDraft(viewer: Viewer, clubSlug: string, input: unknown): Promise<{ id: string }> {
  if (!viewer) throw refuse.signIn()
  const parsed = QuizDetailsSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new PublicError(issue?.message ?? 'Check the quiz and try again.', 400, issue?.path.join('.'))
  }
  const details = parsed.data
  const { club } = await requireAuthoring(viewer, clubSlug, details.talkId ?? null)
  const id = randomUUID()
  await db.insert(quizzes).values({
    id,
    clubId: club.id,
    talkId: details.talkId ?? null,
    authorId: viewer.userId,
    title: details.title,
    kind: details.kind,
    status: 'draft',
    editing: true,
    anonymous: details.kind === 'quiz' ? false : details.anonymous,
    deadline: details.talkId ? null : (details.deadline ?? null),
    speedScoring: details.speedScoring,
    streakBonus: details.kind === 'quiz' ? details.streakBonus : 0,
  })
  return { id }
}

/**
 * Changes the title and settings of a quiz still being written. Its kind and its talk stay as they
 * were started (its questions were written for them); the same rules as the first step apply.
 */
export async function saveQuizDetails(viewer: Viewer, quizId: string, input: unknown): Promise<void> {
  await db.transaction(async (tx) => {
    const quiz = await lockEditable(tx, viewer, quizId)
    const fields = typeof input === 'object' && input !== null ? input : {}
    const parsed = QuizDetailsSchema.safeParse({ ...fields, kind: quiz.kind, talkId: quiz.talkId })
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new PublicError(issue?.message ?? 'Check the quiz and try again.', 400, issue?.path.join('.'))
    }
    const details = parsed.data
    await tx
      .update(quizzes)
      .set({
        title: details.title,
        anonymous: quiz.kind === 'quiz' ? false : details.anonymous,
        deadline: quiz.talkId ? null : (details.deadline ?? null),
        speedScoring: details.speedScoring,
        streakBonus: quiz.kind === 'quiz' ? details.streakBonus : 0,
      })
      .where(sql`${quizzes.id} = ${quiz.id}`)
  })
}

/** The quiz being written, locked for this change: its creators only, and only until it is published. */
async function lockEditable(tx: Transaction, viewer: Viewer, quizId: string): Promise<QuizRow> {
  const quiz = await loadQuiz(viewer, quizId, tx)
  if (!quiz.creator) throw refuse.notCreator()
  const [row] = await tx.execute<{ editing: boolean }>(sql`select editing from ${quizzes} where id = ${quiz.id} for update`)
  if (!row?.editing) throw refuseEditing.published()
  return quiz
}

async function questionOf(tx: Q, quizId: string, questionId: unknown) {
  if (!isId(questionId)) throw refuse.noQuestion()
  const [row] = await tx.execute<{ id: string; position: number; kind: QuestionKind; imagePath: string | null }>(sql`
    select id, position, kind, image_path as "imagePath" from ${quizQuestions} where id = ${questionId} and quiz_id = ${quizId}`)
  if (!row) throw refuse.noQuestion()
  return row
}

async function questionCount(tx: Q, quizId: string) {
  const [row] = await tx.execute<{ n: number }>(sql`select count(*)::int as n from ${quizQuestions} where quiz_id = ${quizId}`)
  return row?.n ?? 0
}

/** Moves every question after `position` by `delta`, through negative positions so the unique (quiz, position) index never sees two at once. */
async function shiftAfter(tx: Transaction, quizId: string, position: number, delta: 1 | -1) {
  await tx.execute(sql`update ${quizQuestions} set position = -position where quiz_id = ${quizId} and position > ${position}`)
  await tx.execute(sql`update ${quizQuestions} set position = -position + ${delta} where quiz_id = ${quizId} and position < 0`)
}

const trueFalse = (mark: 'true' | 'false' | '') => [
  { label: 'True', correct: mark === 'true' },
  { label: 'False', correct: mark === 'false' },
]

/** Adds an empty question of a kind at the end; it is written with `saveQuizQuestion`. */
export async function addQuizQuestion(viewer: Viewer, quizId: string, kind: unknown): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    const quiz = await lockEditable(tx, viewer, quizId)
    const questionKind = allowedKind(quiz.kind, kind)
    const count = await questionCount(tx, quiz.id)
    if (count >= quizLimits.questions) throw refuseEditing.full()
    const id = randomUUID()
    await tx.insert(quizQuestions).values({ id, quizId: quiz.id, position: count + 1, kind: questionKind, prompt: '', points: quiz.kind === 'quiz' ? 1000 : 0 })
    if (questionKind === 'true_false') await insertOptions(tx, id, trueFalse(''))
    return { id }
  })
}

function allowedKind(quizKind: QuizKind, kind: unknown): QuestionKind {
  const allowed = questionKindsFor[quizKind]
  if (typeof kind !== 'string' || !allowed.includes(kind as QuestionKind)) {
    throw new PublicError(`Choose one of the kinds of question a ${quizKind} can have.`, 400, 'kind')
  }
  return kind as QuestionKind
}

async function insertOptions(tx: Transaction, questionId: string, options: { label: string; correct: boolean }[]) {
  if (options.length === 0) return
  await tx.insert(quizOptions).values(options.map((o, i) => ({ id: randomUUID(), questionId, position: i + 1, label: o.label, correct: o.correct })))
}

const QuestionEdit = z.object({
  kind: QuestionDraft.shape.kind,
  prompt: words('question', quizLimits.prompt),
  explanation: QuestionDraft.shape.explanation,
  timeLimitSeconds: QuestionDraft.shape.timeLimitSeconds,
  points: QuestionDraft.shape.points,
  ratingMax: QuestionDraft.shape.ratingMax,
  options: QuestionDraft.shape.options,
  trueFalse: z.enum(['true', 'false', ''], { errorMap: () => ({ message: 'Say whether the statement is true or false.' }) }).optional().default(''),
  imageAlt: z
    .string({ invalid_type_error: 'Write the alt text as text.' })
    .max(IMAGE_ALT_MAX * 4, `The alt text can be at most ${IMAGE_ALT_MAX} characters.`)
    .transform((v) => v.normalize('NFC').trim())
    .refine((v) => v.length <= IMAGE_ALT_MAX, `The alt text can be at most ${IMAGE_ALT_MAX} characters.`)
    .refine((v) => !HIDDEN.test(v), 'The alt text contains characters we cannot show.')
    .optional()
    .default(''),
})

export type QuestionEditInput = z.input<typeof QuestionEdit>
/** A new uploaded image (its stored name), taking the old one's place; 'remove' to drop it; null to keep what is there. */
export type ImageChange = { path: string } | 'remove' | null

/**
 * Saves one question as written: its kind (one its quiz may hold), prompt and the fields that kind
 * uses. Completeness (two options, a correct answer) waits for publishing, so a half-written
 * question can be kept; an image always needs its alt text. Returns an image no question uses any more.
 */
export async function saveQuizQuestion(
  viewer: Viewer,
  quizId: string,
  questionId: unknown,
  input: unknown,
  image: ImageChange = null,
): Promise<{ unusedImage: string | null }> {
  return db.transaction(async (tx) => {
    const quiz = await lockEditable(tx, viewer, quizId)
    const question = await questionOf(tx, quiz.id, questionId)
    const parsed = QuestionEdit.safeParse(input)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new PublicError(issue?.message ?? 'Check the question and try again.', 400, issue?.path.join('.'))
    }
    const edit = parsed.data
    const kind = allowedKind(quiz.kind, edit.kind)
    const scored = quiz.kind === 'quiz'
    let options: { label: string; correct: boolean }[] = []
    if (kind === 'true_false') options = trueFalse(scored ? edit.trueFalse : '')
    else if (kind === 'single' || kind === 'multiple') {
      options = edit.options.map((o) => ({ label: o.label, correct: scored && o.correct }))
      const labels = options.map((o) => o.label.toLowerCase())
      if (new Set(labels).size !== labels.length) throw new PublicError('Two options say the same thing.', 400, 'options')
      if (kind === 'single' && options.filter((o) => o.correct).length > 1) {
        throw new PublicError('This question takes one answer: mark only one option as correct.', 400, 'options')
      }
    }
    const imagePath = image === 'remove' ? null : (image?.path ?? question.imagePath)
    if (imagePath && !edit.imageAlt) throw refuseEditing.noAlt()
    await tx
      .update(quizQuestions)
      .set({
        kind,
        prompt: edit.prompt,
        explanation: scored ? edit.explanation : '',
        timeLimitSeconds: edit.timeLimitSeconds,
        points: scored ? edit.points : 0,
        ratingMax: edit.ratingMax,
        imagePath,
        imageAlt: imagePath ? edit.imageAlt : null,
      })
      .where(sql`${quizQuestions.id} = ${question.id}`)
    await tx.execute(sql`delete from ${quizOptions} where question_id = ${question.id}`)
    await insertOptions(tx, question.id, options)
    return { unusedImage: question.imagePath !== imagePath ? await unused(tx, question.imagePath) : null }
  })
}

/** The image name when no question refers to it any more (a duplicate shares its original's file). */
async function unused(tx: Q, imagePath: string | null) {
  if (!imagePath) return null
  const [row] = await tx.execute<{ used: boolean }>(sql`select exists (select 1 from ${quizQuestions} where image_path = ${imagePath}) as used`)
  return row?.used ? null : imagePath
}

/** Swaps a question with the one before or after it. */
export async function moveQuizQuestion(viewer: Viewer, quizId: string, questionId: unknown, direction: 'up' | 'down'): Promise<void> {
  await db.transaction(async (tx) => {
    const quiz = await lockEditable(tx, viewer, quizId)
    const question = await questionOf(tx, quiz.id, questionId)
    const target = direction === 'up' ? question.position - 1 : question.position + 1
    const [other] = await tx.execute<{ id: string }>(sql`select id from ${quizQuestions} where quiz_id = ${quiz.id} and position = ${target}`)
    if (!other) {
      throw new PublicError(direction === 'up' ? 'This is already the first question.' : 'This is already the last question.', 409)
    }
    await tx.execute(sql`update ${quizQuestions} set position = -1 where id = ${question.id}`)
    await tx.execute(sql`update ${quizQuestions} set position = ${question.position} where id = ${other.id}`)
    await tx.execute(sql`update ${quizQuestions} set position = ${target} where id = ${question.id}`)
  })
}

/** Copies a question, options and image included, right after it. */
export async function duplicateQuizQuestion(viewer: Viewer, quizId: string, questionId: unknown): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    const quiz = await lockEditable(tx, viewer, quizId)
    const question = await questionOf(tx, quiz.id, questionId)
    if ((await questionCount(tx, quiz.id)) >= quizLimits.questions) throw refuseEditing.full()
    await shiftAfter(tx, quiz.id, question.position, 1)
    const id = randomUUID()
    await tx.execute(sql`
      insert into ${quizQuestions} (id, quiz_id, position, kind, prompt, image_url, image_path, image_alt, explanation, time_limit_seconds, points, rating_max)
      select ${id}, quiz_id, position + 1, kind, prompt, image_url, image_path, image_alt, explanation, time_limit_seconds, points, rating_max
      from ${quizQuestions} where id = ${question.id}`)
    await tx.execute(sql`
      insert into ${quizOptions} (id, question_id, position, label, correct)
      select gen_random_uuid()::text, ${id}, position, label, correct from ${quizOptions} where question_id = ${question.id}`)
    return { id }
  })
}

/** Removes a question and closes the gap; returns its image when no other question uses it. */
export async function removeQuizQuestion(viewer: Viewer, quizId: string, questionId: unknown): Promise<{ unusedImage: string | null }> {
  return db.transaction(async (tx) => {
    const quiz = await lockEditable(tx, viewer, quizId)
    const question = await questionOf(tx, quiz.id, questionId)
    await tx.execute(sql`delete from ${quizQuestions} where id = ${question.id}`)
    await shiftAfter(tx, quiz.id, question.position, -1)
    return { unusedImage: await unused(tx, question.imagePath) }
  })
}

/** What a question says and scores, as the draft schema and the editor both take it. */
const questionContent = (q: QuestionRow) => ({
  kind: q.kind,
  prompt: q.prompt,
  explanation: q.explanation,
  timeLimitSeconds: q.timeLimitSeconds,
  points: q.points,
  ratingMax: q.ratingMax,
  options: q.options.map(({ label, correct }) => ({ label, correct })),
})

/** The quiz as its draft schema sees it, and every problem that stops it being published. */
function problemsOf(quiz: QuizRow, questions: QuestionRow[]): QuizProblem[] {
  const parsed = QuizDraftSchema.safeParse({
    kind: quiz.kind,
    title: quiz.title,
    talkId: quiz.talkId,
    anonymous: quiz.anonymous,
    deadline: quiz.deadline ? new Date(quiz.deadline) : null,
    speedScoring: quiz.speedScoring,
    streakBonus: quiz.streakBonus,
    questions: questions.map(questionContent),
  })
  if (parsed.success) return []
  const seen = new Set<string>()
  const problems: (QuizProblem & { index: number })[] = []
  for (const issue of parsed.error.issues) {
    const index = issue.path[0] === 'questions' && typeof issue.path[1] === 'number' ? issue.path[1] : -1
    const question = questions[index]
    const message =
      question && !issue.message.startsWith('Question ') ? `Question ${index + 1}: ${issue.message[0].toLowerCase()}${issue.message.slice(1)}` : issue.message
    if (seen.has(message)) continue
    seen.add(message)
    problems.push({ questionId: question?.id ?? null, message, index })
  }
  // The quiz's own problems first, then the questions' in their order.
  return problems.sort((a, b) => a.index - b.index).map(({ questionId, message }) => ({ questionId, message }))
}

/** Publishes a finished quiz: a self-paced one opens at once; a talk's waits in its room for the host. */
export async function publishQuiz(viewer: Viewer, quizId: string): Promise<{ id: string; talkId: string | null }> {
  return db.transaction(async (tx) => {
    const quiz = await lockEditable(tx, viewer, quizId)
    const problems = problemsOf(quiz, await loadQuestions(quiz.id, tx))
    if (problems.length > 0) throw new QuizNotReady(problems)
    await tx.execute(sql`update ${quizzes} set editing = false, status = ${quiz.talkId ? 'draft' : 'open'} where id = ${quiz.id}`)
    return { id: quiz.id, talkId: quiz.talkId }
  })
}

export type EditorQuestion = {
  id: string
  position: number
  kind: QuestionKind
  prompt: string
  explanation: string
  timeLimitSeconds: number
  points: number
  ratingMax: number
  options: { label: string; correct: boolean }[]
  image: { url: string; alt: string } | null
}

export type QuizEditor = {
  quiz: {
    id: string
    title: string
    kind: QuizKind
    talkId: string | null
    deadline: string | null
    anonymous: boolean
    speedScoring: boolean
    streakBonus: number
    club: { slug: string; name: string }
  }
  kinds: readonly QuestionKind[]
  questions: EditorQuestion[]
  problems: QuizProblem[]
}

/** The quiz being written, for its editor; refuses anyone but its creators, and a published quiz. */
export async function getQuizEditor(viewer: Viewer, quizId: string): Promise<QuizEditor> {
  const quiz = await loadQuiz(viewer, quizId)
  if (!quiz.creator) throw refuse.notCreator()
  if (!quiz.editing) throw refuseEditing.published()
  const questions = await loadQuestions(quiz.id)
  return {
    quiz: {
      id: quiz.id,
      title: quiz.title,
      kind: quiz.kind,
      talkId: quiz.talkId,
      deadline: iso(quiz.deadline),
      anonymous: quiz.anonymous,
      speedScoring: quiz.speedScoring,
      streakBonus: quiz.streakBonus,
      club: { slug: quiz.clubSlug, name: quiz.clubName },
    },
    kinds: questionKindsFor[quiz.kind],
    questions: questions.map((q) => ({
      id: q.id,
      position: q.position,
      ...questionContent(q),
      image: q.imagePath ? { url: quizImageUrl(q.quizId, q.imagePath), alt: q.imageAlt ?? '' } : null,
    })),
    problems: problemsOf(quiz, questions),
  }
}

/** Whether the viewer may see an uploaded image of this quiz: anyone who may see the quiz itself (drafts: its creators). */
export async function requireQuizImage(viewer: Viewer, quizId: string, imagePath: string): Promise<void> {
  const quiz = await loadQuiz(viewer, quizId)
  if (quiz.status === 'draft' && !quiz.creator) throw refuse.notFound()
  const [row] = await db.execute<{ found: boolean }>(sql`
    select exists (select 1 from ${quizQuestions} where quiz_id = ${quiz.id} and image_path = ${imagePath}) as found`)
  if (!row?.found) throw new PublicError('We could not find that image.', 404)
}
