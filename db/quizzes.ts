import { randomUUID } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { can, type ClubRole } from './club-permissions'
import { db, type Transaction } from './client'
import { visibleClubCondition } from './clubs'
import { PublicError } from './errors'
import { getRoomState } from './live'
import { photoUrl, type BasicCard } from './profiles'
import { clubBans, clubMembers, clubs, profiles, quizAnswers, quizOptions, quizQuestions, quizzes, talkRemovals, talks } from './schema/index'
import type { Viewer } from './viewer'
import { activeUserSql, presentToViewerSql } from './visibility'

/*
 * Quizzes, polls and surveys (docs/quizzes.md). A quiz attached to a talk is run live by the
 * talk's hosts, one question at a time; a quiz in a club without a talk is self-paced until its
 * deadline or until it is closed. Every rule about who may author, run, answer and read is here.
 *
 * Answers: one per person per question, enforced by a unique index; a retry with the same
 * answer returns the stored one. Timing is the database's clock (now()); points are computed
 * here and never taken from the client.
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

// ---------------------------------------------------------------- authoring: one schema for the form and the data layer

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/

const words = (what: string, max: number, min = 1) =>
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

const QuestionDraft = z.object({
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

export const QuizDraftSchema = z
  .object({
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
    questions: z
      .array(QuestionDraft, { required_error: 'Add at least one question.' })
      .min(1, 'Add at least one question.')
      .max(quizLimits.questions, `A quiz has at most ${quizLimits.questions} questions.`),
  })
  .superRefine((quiz, ctx) => {
    if (quiz.anonymous && quiz.kind === 'quiz') {
      ctx.addIssue({ code: 'custom', path: ['anonymous'], message: 'A quiz has a leaderboard, so it cannot be anonymous. Make it a poll or survey.' })
    }
    if (quiz.deadline && quiz.deadline.getTime() < Date.now()) {
      ctx.addIssue({ code: 'custom', path: ['deadline'], message: 'The deadline is in the past. Choose a later one.' })
    }
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

// ---------------------------------------------------------------- access

type Q = typeof db | Transaction

const refuse = {
  signIn: () => new PublicError('Sign in to take part.', 401),
  notFound: () => new PublicError('We could not find that quiz.', 404),
  noQuestion: () => new PublicError('We could not find that question.', 404),
  notCreator: () => new PublicError('Only the quiz’s creators can do that.', 403),
  notHost: () => new PublicError('Only the talk’s hosts can run a quiz.', 403),
  closed: () => new PublicError('This question has closed.', 409),
  quizClosed: () => new PublicError('This quiz has closed.', 409),
  notOpen: () => new PublicError('This question is not open yet.', 409),
  twice: () => new PublicError('You have already answered this question.', 409),
  wrongOption: () => new PublicError('That option is not part of this question.', 400),
}

const isId = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value)
const iso = (value: string | Date | null) => (value ? new Date(value).toISOString() : null)

type QuizRow = {
  id: string
  clubId: string
  clubSlug: string
  clubName: string
  talkId: string | null
  authorId: string
  title: string
  kind: QuizKind
  status: QuizStatus
  anonymous: boolean
  deadline: string | null
  speedScoring: boolean
  streakBonus: number
  currentQuestionId: string | null
  launchedAt: string | null
  closedAt: string | null
  visible: boolean
  banned: boolean
  removed: boolean
  clubRole: ClubRole | null
  talkHostId: string | null
}

const quizSelect = (viewer: NonNullable<Viewer>, where: ReturnType<typeof sql>) => sql`
  select z.id, z.club_id as "clubId", ${clubs}.slug as "clubSlug", ${clubs}.name as "clubName", z.talk_id as "talkId",
    z.author_id as "authorId", z.title, z.kind, z.status, z.anonymous, z.deadline, z.speed_scoring as "speedScoring",
    z.streak_bonus as "streakBonus", z.current_question_id as "currentQuestionId", z.launched_at as "launchedAt", z.closed_at as "closedAt",
    ${visibleClubCondition(viewer)} as visible,
    exists (select 1 from ${clubBans} b where b.club_id = z.club_id and b.user_id = ${viewer.userId}) as banned,
    (z.talk_id is not null and exists (select 1 from ${talkRemovals} x where x.talk_id = z.talk_id and x.user_id = ${viewer.userId})) as removed,
    (select m.role from ${clubMembers} m where m.club_id = z.club_id and m.user_id = ${viewer.userId}) as "clubRole",
    (select t.host_id from ${talks} t where t.id = z.talk_id) as "talkHostId"
  from ${quizzes} z join ${clubs} on ${clubs}.id = z.club_id
  where ${where}`

async function loadQuiz(viewer: Viewer, quizId: string, q: Q = db): Promise<QuizRow & { creator: boolean }> {
  if (!viewer) throw refuse.signIn()
  if (!isId(quizId)) throw refuse.notFound()
  const [row] = await q.execute<QuizRow>(quizSelect(viewer, sql`z.id = ${quizId}`))
  if (!row || !row.visible || row.banned || row.removed) throw refuse.notFound()
  const creator = isCreator(viewer, row)
  // A draft is the creators' own until it opens.
  if (row.status === 'draft' && !creator && !row.talkId) throw refuse.notFound()
  return { ...row, creator }
}

/** Creators: the author, the club's schedulers, the talk's host. Co-hosts run a live quiz but do not read its export. */
function isCreator(viewer: NonNullable<Viewer>, row: Pick<QuizRow, 'authorId' | 'clubRole' | 'talkHostId'>) {
  return row.authorId === viewer.userId || can(row.clubRole, 'schedule:talks') || row.talkHostId === viewer.userId
}

async function requireTalkHost(viewer: NonNullable<Viewer>, quiz: QuizRow) {
  if (!quiz.talkId) throw new PublicError('This quiz is not attached to a talk.', 409)
  // The talk's own rule for hosts and co-hosts (db/live.ts).
  const state = await getRoomState(viewer, quiz.talkId)
  if (state.me.role !== 'host' && state.me.role !== 'cohost') throw refuse.notHost()
  if (state.talk.status === 'ended') throw new PublicError('This talk has ended.', 409)
}

// ---------------------------------------------------------------- authoring

type AuthoringAccess = { club: { id: string; slug: string; name: string }; talk: { id: string; title: string } | null }

/** Who may author here: 'schedule:talks' in the club, or hosting the (upcoming or live) talk the quiz is for. */
async function requireAuthoring(viewer: NonNullable<Viewer>, clubSlug: string, talkId: string | null): Promise<AuthoringAccess> {
  if (typeof clubSlug !== 'string' || clubSlug.length > 60) throw new PublicError('We could not find that club.', 404)
  const [club] = await db.execute<{ id: string; slug: string; name: string; role: ClubRole | null; visible: boolean; banned: boolean }>(sql`
    select ${clubs}.id, ${clubs}.slug, ${clubs}.name,
      (select m.role from ${clubMembers} m where m.club_id = ${clubs}.id and m.user_id = ${viewer.userId}) as role,
      ${visibleClubCondition(viewer)} as visible,
      exists (select 1 from ${clubBans} b where b.club_id = ${clubs}.id and b.user_id = ${viewer.userId}) as banned
    from ${clubs} where lower(${clubs}.slug) = lower(${clubSlug})`)
  if (!club || !club.visible || club.banned) throw new PublicError('We could not find that club.', 404)
  let talk: AuthoringAccess['talk'] = null
  let hostsTalk = false
  if (talkId) {
    const [row] = isId(talkId)
      ? await db.execute<{ id: string; title: string; hostId: string; clubId: string; status: string }>(
          sql`select id, title, host_id as "hostId", club_id as "clubId", status from ${talks} where id = ${talkId}`,
        )
      : []
    if (!row || row.clubId !== club.id) throw new PublicError('That talk is not in this club.', 400, 'talkId')
    if (row.status === 'ended') throw new PublicError('That talk has ended. Attach the quiz to an upcoming talk.', 409, 'talkId')
    hostsTalk = row.hostId === viewer.userId
    talk = { id: row.id, title: row.title }
  }
  if (!can(club.role, 'schedule:talks') && !hostsTalk) {
    throw new PublicError('Only the club’s owner and admins, or the talk’s host, can create quizzes here.', 403)
  }
  return { club: { id: club.id, slug: club.slug, name: club.name }, talk }
}

/** The club (and talk) a new quiz would belong to, for the authoring form; refuses people who may not author there. */
export async function getQuizAuthoring(viewer: Viewer, clubSlug: string, talkId: string | null): Promise<Omit<AuthoringAccess, 'club'> & { club: { slug: string; name: string } }> {
  if (!viewer) throw refuse.signIn()
  const { club, talk } = await requireAuthoring(viewer, clubSlug, talkId)
  return { club: { slug: club.slug, name: club.name }, talk }
}

/** Creates a quiz, poll or survey in a club, optionally attached to one of its talks. Needs 'schedule:talks' or hosting the talk. */
export async function createQuiz(viewer: Viewer, clubSlug: string, input: unknown): Promise<{ id: string }> {
  if (!viewer) throw refuse.signIn()
  const draft = checkDraft(input)
  const { club } = await requireAuthoring(viewer, clubSlug, draft.talkId ?? null)
  const quizId = randomUUID()
  await db.transaction(async (tx) => {
    await tx.insert(quizzes).values({
      id: quizId,
      clubId: club.id,
      talkId: draft.talkId ?? null,
      authorId: viewer.userId,
      title: draft.title,
      kind: draft.kind,
      // Self-paced challenges and surveys open at once; live ones wait for the host.
      status: draft.talkId ? 'draft' : 'open',
      anonymous: draft.kind === 'quiz' ? false : draft.anonymous,
      deadline: draft.talkId ? null : (draft.deadline ?? null),
      speedScoring: draft.speedScoring,
      streakBonus: draft.kind === 'quiz' ? draft.streakBonus : 0,
    })
    const questionRows: (typeof quizQuestions.$inferInsert)[] = []
    const optionRows: (typeof quizOptions.$inferInsert)[] = []
    draft.questions.forEach((question, index) => {
      const questionId = randomUUID()
      questionRows.push({
        id: questionId,
        quizId,
        position: index + 1,
        kind: question.kind,
        prompt: question.prompt,
        imageUrl: question.imageUrl ?? null,
        explanation: question.explanation,
        timeLimitSeconds: question.timeLimitSeconds,
        points: draft.kind === 'quiz' ? question.points : 0,
        ratingMax: question.ratingMax,
      })
      const options = question.kind === 'true_false' ? trueFalseOptions(question.options) : question.kind === 'rating' || question.kind === 'text' ? [] : question.options
      options.forEach((option, position) => {
        optionRows.push({ id: randomUUID(), questionId, position: position + 1, label: option.label, correct: draft.kind === 'quiz' && option.correct })
      })
    })
    await tx.insert(quizQuestions).values(questionRows)
    if (optionRows.length) await tx.insert(quizOptions).values(optionRows)
  })
  return { id: quizId }
}

/** True/false questions always offer "True" then "False"; the author's mark says which is right. */
function trueFalseOptions(marked: { label: string; correct: boolean }[]) {
  const pick = marked.find((o) => o.correct)
  const trueIsCorrect = pick ? /^true$/i.test(pick.label) : false
  return [
    { label: 'True', correct: Boolean(pick) && trueIsCorrect },
    { label: 'False', correct: Boolean(pick) && !trueIsCorrect },
  ]
}

export type QuizSummary = { id: string; title: string; kind: QuizKind; status: QuizStatus; questionCount: number; deadline: string | null; talkId: string | null }

/** Quizzes of a talk, for its live room: hosts see drafts too. */
export async function listTalkQuizzes(viewer: Viewer, talkId: string): Promise<QuizSummary[]> {
  if (!viewer || !isId(talkId)) return []
  const rows = await db.execute<QuizRow & { questionCount: number }>(sql`
    select x.* from (${quizSelect(viewer, sql`z.talk_id = ${talkId}`)}) x order by x.title`)
  const counts = await questionCounts(rows.map((r) => r.id))
  const hasDrafts = rows.some((r) => r.status === 'draft')
  // Drafts are for the talk's hosts and co-hosts (the talk's own rule, db/live.ts).
  const host = hasDrafts ? await getRoomState(viewer, talkId).then((s) => s.me.role === 'host' || s.me.role === 'cohost', () => false) : false
  return rows
    .filter((r) => r.visible && !r.banned && !r.removed && (r.status !== 'draft' || host))
    .map((r) => ({ id: r.id, title: r.title, kind: r.kind, status: r.status, questionCount: counts.get(r.id) ?? 0, deadline: iso(r.deadline), talkId: r.talkId }))
}

async function questionCounts(ids: string[]) {
  if (ids.length === 0) return new Map<string, number>()
  const rows = await db.execute<{ quizId: string; n: number }>(sql`
    select quiz_id as "quizId", count(*)::int as n from ${quizQuestions}
    where quiz_id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) group by quiz_id`)
  return new Map(rows.map((r) => [r.quizId, r.n]))
}

// ---------------------------------------------------------------- reading a quiz

export type PublicOption = { id: string; label: string }
export type PublicQuestion = {
  id: string
  position: number
  kind: QuestionKind
  prompt: string
  imageUrl: string | null
  timeLimitSeconds: number
  points: number
  ratingMax: number
  options: PublicOption[]
}
/** What is shown once a question has closed (live) or been answered (self-paced). */
export type Reveal = { questionId: string; correctOptionIds: string[]; explanation: string }

type QuestionRow = {
  id: string
  quizId: string
  position: number
  kind: QuestionKind
  prompt: string
  imageUrl: string | null
  explanation: string
  timeLimitSeconds: number
  points: number
  ratingMax: number
  openedAt: string | null
  closesAt: string | null
  closedAt: string | null
  options: { id: string; label: string; correct: boolean }[]
}

const questionColumns = sql`q.id, q.quiz_id as "quizId", q.position, q.kind, q.prompt, q.image_url as "imageUrl", q.explanation,
  q.time_limit_seconds as "timeLimitSeconds", q.points, q.rating_max as "ratingMax",
  q.opened_at as "openedAt", q.closes_at as "closesAt", q.closed_at as "closedAt",
  (select coalesce(json_agg(json_build_object('id', o.id, 'label', o.label, 'correct', o.correct) order by o.position), '[]'::json)
    from ${quizOptions} o where o.question_id = q.id) as options`

async function loadQuestions(quizId: string, q: Q = db): Promise<QuestionRow[]> {
  return [...(await q.execute<QuestionRow>(sql`select ${questionColumns} from ${quizQuestions} q where q.quiz_id = ${quizId} order by q.position`))]
}

const publicQuestion = (q: QuestionRow): PublicQuestion => ({
  id: q.id,
  position: q.position,
  kind: q.kind,
  prompt: q.prompt,
  imageUrl: q.imageUrl,
  timeLimitSeconds: q.timeLimitSeconds,
  points: q.points,
  ratingMax: q.ratingMax,
  options: q.options.map(({ id, label }) => ({ id, label })),
})

const revealOf = (q: QuestionRow): Reveal => ({
  questionId: q.id,
  correctOptionIds: q.options.filter((o) => o.correct).map((o) => o.id),
  explanation: q.explanation,
})

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

/** The viewer's own answers in a quiz, in question order. */
export async function myAnswers(viewer: Viewer, quizId: string): Promise<MyAnswer[]> {
  if (!viewer || !isId(quizId)) return []
  const rows = await db.execute<MyAnswer>(sql`
    select a.question_id as "questionId", a.option_ids as "optionIds", a.rating, a.body, a.correct, a.points, a.streak, a.answered_at as "answeredAt"
    from ${quizAnswers} a join ${quizQuestions} q on q.id = a.question_id
    where a.quiz_id = ${quizId} and a.user_id = ${viewer.userId} order by q.position`)
  return rows.map((r) => ({ ...r, answeredAt: iso(r.answeredAt)! }))
}

// ---------------------------------------------------------------- self-paced: open and close

/** Closes a self-paced quiz or survey (or ends a live run): answers are refused from now on. Creators only. */
export async function closeQuiz(viewer: Viewer, quizId: string): Promise<{ status: QuizStatus }> {
  const quiz = await loadQuiz(viewer, quizId)
  if (!quiz.creator) throw refuse.notCreator()
  await db.execute(sql`update ${quizzes} set status = 'closed', closed_at = coalesce(closed_at, now()), current_question_id = null where id = ${quiz.id}`)
  await db.execute(sql`update ${quizQuestions} set closed_at = coalesce(closed_at, now()) where quiz_id = ${quiz.id} and opened_at is not null`)
  return { status: 'closed' }
}

// ---------------------------------------------------------------- live runs

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
  if (!row || !row.visible || row.banned || row.removed) return null
  return liveState(row)
}

/** Starts a quiz attached to a talk: hosts and co-hosts. Everyone in the room sees the lobby. */
export async function launchQuiz(viewer: Viewer, quizId: string): Promise<LiveQuizState> {
  const quiz = await loadQuiz(viewer, quizId)
  await requireTalkHost(viewer!, quiz)
  if (quiz.status === 'closed') throw new PublicError('This quiz has already been run. Create a new one to run it again.', 409)
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

// ---------------------------------------------------------------- scoring

/*
 * How an answer is timed and scored, written once: answerQuestion (one answer, timed by now())
 * and answerLiveQuestion (a batch, each answer timed by when the server received it) compose
 * these fragments into their own statements, passing the SQL for the values each has in scope.
 */

/** Milliseconds from the question opening to the answer, never negative; null while the question has not opened. */
const answerElapsedMs = (openedAt: SQL, receivedAt: SQL) =>
  sql`(case when ${openedAt} is not null then greatest(extract(epoch from (${receivedAt} - ${openedAt})) * 1000, 0) end)`

/** The question before this one in its quiz, if any: the one a streak continues from. */
const previousQuestionId = (quizId: SQL, position: SQL) => sql`(select earlier.id from ${quizQuestions} earlier where earlier.quiz_id = ${quizId} and earlier.position = ${position} - 1)`

/** Correct answers in a row, this one included: one more than the person's correct answer to the question before, 0 when wrong. */
const answerStreak = (a: { correct: SQL; previousQuestionId: SQL; userId: SQL }) => sql`
  case when ${a.correct} then coalesce((select prev.streak from ${quizAnswers} prev
    where prev.question_id = ${a.previousQuestionId} and prev.user_id = ${a.userId} and prev.correct), 0) + 1 else 0 end`

/**
 * A correct answer earns the question's points × (1 − elapsed/limit ÷ 2) when speed counts (a
 * live quiz with speed scoring on), the full points otherwise, plus the streak bonus for each
 * correct answer in a row after the first, counting at most quizLimits.streakSteps. A wrong one earns 0.
 */
function answerPoints(a: { correct: SQL; points: SQL; elapsedMs: SQL; timeLimitSeconds: SQL; talkId: SQL; speedScoring: SQL; streakBonus: SQL; streak: SQL }) {
  const speed = sql`case when ${a.talkId} is not null and ${a.speedScoring} and ${a.elapsedMs} is not null
    then 1 - least(${a.elapsedMs} / (${a.timeLimitSeconds} * 1000.0), 1) / 2 else 1 end`
  return sql`case when ${a.correct}
    then (round(${a.points} * ${speed}) + ${a.streakBonus} * least(greatest(${a.streak} - 1, 0), ${quizLimits.streakSteps}))::int else 0 end`
}

// ---------------------------------------------------------------- answering

export type AnswerInput = { optionIds?: unknown; rating?: unknown; body?: unknown }
export type AnswerResult = {
  answer: MyAnswer
  /** True when this was a retry and the stored answer is returned. */
  repeated: boolean
  quizId: string
  talkId: string | null
}

type AnswerContext = {
  questionId: string
  sameTalk: boolean
  quizId: string
  kind: QuestionKind
  ratingMax: number
  options: { id: string; correct: boolean }[]
  quizKind: QuizKind
  talkId: string | null
  status: QuizStatus
  visible: boolean
  banned: boolean
  removed: boolean
  openedAt: string | null
}

/** A text[] literal: drizzle's sql template would spread a JS array into a list of parameters. */
const textArray = (values: string[]) => (values.length ? sql`array[${sql.join(values.map((v) => sql`${v}::text`), sql`, `)}]` : sql`'{}'::text[]`)

function sameSelection(a: readonly string[], b: readonly string[]) {
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
        ${visibleClubCondition(viewer)} as visible,
        exists (select 1 from ${clubBans} b where b.club_id = z.club_id and b.user_id = ${viewer.userId}) as banned,
        (z.talk_id is not null and exists (select 1 from ${talkRemovals} x where x.talk_id = z.talk_id and x.user_id = ${viewer.userId})) as removed,
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
      where ctx.visible and not ctx.banned and not ctx.removed and ctx.status <> 'draft' and ctx."sameTalk" and ctx.fits and ctx.open
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
  if (!row || !row.visible || row.banned || row.removed || row.status === 'draft') throw refuse.noQuestion()
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

// ---------------------------------------------------------------- live answers, written together

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
        z.club_id, z.talk_id, z.status, z.current_question_id, z.speed_scoring, z.streak_bonus, c.visibility,
        ${previousQuestionId(sql`q.quiz_id`, sql`q.position`)} as previous_id
      from ${quizQuestions} q join ${quizzes} z on z.id = q.quiz_id join ${clubs} c on c.id = z.club_id
      where q.id = ${questionId} and z.talk_id = ${talkId}),
    checked as (
      select v.*, ctx.*,
        -- loadQuiz's rules, for each answer's person: the club is visible to them (visibleClubCondition), no ban, not removed from the talk.
        (ctx.visibility = 'public' or exists (select 1 from ${clubMembers} m where m.club_id = ctx.club_id and m.user_id = v.user_id))
          and not exists (select 1 from ${clubBans} b where b.club_id = ctx.club_id and b.user_id = v.user_id)
          and not exists (select 1 from ${talkRemovals} x where x.talk_id = ctx.talk_id and x.user_id = v.user_id)
          and ctx.status <> 'draft' as allowed,
        -- Open when it was received: a question closed by the host still takes answers that reached the server before.
        ctx.status = 'open' and ctx.opened_at is not null and (ctx.closes_at is null or v.answered_at <= ctx.closes_at)
          and case when ctx.closed_at is null then ctx.current_question_id = ctx.question_id else v.answered_at < ctx.closed_at end as open,
        ${answerElapsedMs(sql`ctx.opened_at`, sql`v.answered_at`)} as elapsed,
        ${answerStreak({ correct: sql`v.correct`, previousQuestionId: sql`ctx.previous_id`, userId: sql`v.user_id` })} as streak
      from v cross join ctx),
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

function checkedAnswer(ctx: Pick<AnswerContext, 'kind' | 'ratingMax' | 'options'>, input: AnswerInput): { optionIds: string[]; rating: number | null; body: string | null } {
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

// ---------------------------------------------------------------- results

export type Tally = {
  questionId: string
  total: number
  options: { id: string; count: number }[]
  /** Rating questions: counts for 1..ratingMax. */
  ratings: number[] | null
  /** The database's clock when the counts were read. */
  asOf: string
}

/** Counts for one question, never naming anyone: what the live bar chart shows. */
export async function questionTally(questionId: string): Promise<Tally> {
  const [row] = await db.execute<{ asOf: string; total: number; kind: QuestionKind; ratingMax: number; options: { id: string; count: number }[]; ratings: Record<string, number> | null }>(sql`
    select q.kind, q.rating_max as "ratingMax", statement_timestamp() as "asOf",
      (select count(*)::int from ${quizAnswers} a where a.question_id = q.id) as total,
      (select coalesce(json_agg(json_build_object('id', o.id, 'count',
          (select count(*)::int from ${quizAnswers} a where a.question_id = q.id and o.id = any(a.option_ids))) order by o.position), '[]'::json)
        from ${quizOptions} o where o.question_id = q.id) as options,
      (select json_object_agg(r.rating, r.n) from (select rating, count(*)::int as n from ${quizAnswers} a
        where a.question_id = q.id and a.rating is not null group by rating) r) as ratings
    from ${quizQuestions} q where q.id = ${questionId}`)
  if (!row) throw refuse.noQuestion()
  const ratings = row.kind === 'rating' ? Array.from({ length: row.ratingMax }, (_, i) => row.ratings?.[String(i + 1)] ?? 0) : null
  return { questionId, total: row.total, options: row.options, ratings, asOf: iso(row.asOf)! }
}

/**
 * A place on the leaderboard: the person's basic card (all anyone may see of a private profile)
 * and their score. Never an internal id: the handle is the key.
 */
export type LeaderEntry = BasicCard & { rank: number; points: number; correct: number }
export type Leaderboard = { quizId: string; top: LeaderEntry[]; me: LeaderEntry | null; participants: number }

/** Points per person, ranked (equal points share a rank): the top 10 and the viewer's own place. Quizzes only. */
export async function getLeaderboard(viewer: Viewer, quizId: string): Promise<Leaderboard> {
  const quiz = await loadQuiz(viewer, quizId)
  if (quiz.kind !== 'quiz') throw new PublicError('Polls and surveys have no leaderboard.', 409)
  return leaderboardOf(quiz.id, viewer!.userId)
}

/**
 * The leaderboard for the socket layer, which has already checked the viewer is in the talk.
 * Deactivated and erased accounts are not on it and not counted (db/visibility.ts); the viewer
 * always sees their own place.
 */
export async function leaderboardOf(quizId: string, userId: string | null): Promise<Leaderboard> {
  const present = userId ? presentToViewerSql({ userId, role: 'member' }, sql`s.user_id`) : activeUserSql(sql`s.user_id`)
  const rows = await db.execute<{
    rank: number
    isMe: boolean
    handle: string
    name: string
    photoPath: string | null
    speciality: string | null
    points: number
    correct: number
    participants: number
  }>(sql`
    with s as (
      select a.user_id, sum(a.points)::int as points, count(*) filter (where a.correct)::int as correct, max(a.answered_at) as last
      from ${quizAnswers} a where a.quiz_id = ${quizId} and a.user_id is not null group by a.user_id),
    r as (select s.*, rank() over (order by s.points desc)::int as rank, row_number() over (order by s.points desc, s.last, s.user_id) as ord,
      count(*) over ()::int as participants from s where ${present})
    select r.rank, coalesce(r.user_id = ${userId}, false) as "isMe", p.handle, p.name, p.photo_path as "photoPath", p.speciality,
      r.points, r.correct, r.participants
    from r join ${profiles} p on p.user_id = r.user_id
    where r.ord <= ${quizLimits.leaderboard} or r.user_id = ${userId}
    order by r.ord`)
  const entries = rows.map((r) => ({
    entry: { rank: r.rank, handle: r.handle, name: r.name, photoUrl: photoUrl(r.photoPath), speciality: r.speciality, points: r.points, correct: r.correct },
    isMe: r.isMe,
  }))
  const top = entries.slice(0, quizLimits.leaderboard).map((e) => e.entry)
  return { quizId, top, me: entries.find((e) => e.isMe)?.entry ?? null, participants: rows[0]?.participants ?? 0 }
}

// ---------------------------------------------------------------- creators: statistics and export

export type QuestionStats = {
  questionId: string
  position: number
  prompt: string
  kind: QuestionKind
  answered: number
  correct: number | null
  averageSeconds: number | null
  options: { id: string; label: string; correct: boolean; count: number }[]
  averageRating: number | null
  ratings: number[] | null
  /** Free-text answers, without names. */
  texts: string[]
}

/** Per-question statistics. Creators only. */
export async function getQuestionStats(viewer: Viewer, quizId: string): Promise<QuestionStats[]> {
  const quiz = await loadQuiz(viewer, quizId)
  if (!quiz.creator) throw refuse.notCreator()
  const questions = await loadQuestions(quiz.id)
  const aggregates = await db.execute<{ questionId: string; answered: number; correct: number; avgMs: number | null; avgRating: number | null; texts: string[] | null }>(sql`
    select a.question_id as "questionId", count(*)::int as answered, count(*) filter (where a.correct)::int as correct,
      avg(a.elapsed_ms)::float8 as "avgMs", avg(a.rating)::float8 as "avgRating",
      (array_agg(a.body order by a.answered_at) filter (where a.body is not null))[1:200] as texts
    from ${quizAnswers} a where a.quiz_id = ${quiz.id} group by a.question_id`)
  const byQuestion = new Map(aggregates.map((a) => [a.questionId, a]))
  const tallies = await Promise.all(questions.map((q) => questionTally(q.id)))
  return questions.map((q, i) => {
    const agg = byQuestion.get(q.id)
    const tally = tallies[i]
    return {
      questionId: q.id,
      position: q.position,
      prompt: q.prompt,
      kind: q.kind,
      answered: agg?.answered ?? 0,
      correct: quiz.kind === 'quiz' ? (agg?.correct ?? 0) : null,
      averageSeconds: agg?.avgMs != null ? Math.round(agg.avgMs / 100) / 10 : null,
      options: q.options.map((o) => ({ ...o, count: tally.options.find((t) => t.id === o.id)?.count ?? 0 })),
      averageRating: agg?.avgRating != null ? Math.round(agg.avgRating * 10) / 10 : null,
      ratings: tally.ratings,
      texts: agg?.texts ?? [],
    }
  })
}

/** One CSV field: quoted, and a leading formula character defused (OWASP "CSV injection"). */
function csvField(value: unknown) {
  let s = value === null || value === undefined ? '' : String(value)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** The handle column of an answer whose person erased or deactivated their account: the answer counts, the person is not named. */
const NO_LONGER_SHOWN = '(account no longer on Rounds)'

/** Every answer as CSV. Creators only; an anonymous poll or survey has no name columns. */
export async function exportQuizCsv(viewer: Viewer, quizId: string): Promise<{ filename: string; csv: string }> {
  const quiz = await loadQuiz(viewer, quizId)
  if (!quiz.creator) throw refuse.notCreator()
  const questions = await loadQuestions(quiz.id)
  const labels = new Map(questions.flatMap((q) => q.options.map((o) => [o.id, o.label] as const)))
  const rows = await db.execute<{ questionId: string; handle: string | null; name: string | null; optionIds: string[]; rating: number | null; body: string | null; correct: boolean | null; points: number; elapsedMs: number | null; answeredAt: string }>(sql`
    select a.question_id as "questionId", p.handle, p.name, a.option_ids as "optionIds", a.rating, a.body, a.correct, a.points,
      a.elapsed_ms as "elapsedMs", a.answered_at as "answeredAt"
    from ${quizAnswers} a join ${quizQuestions} q on q.id = a.question_id
      left join ${profiles} p on p.user_id = a.user_id and ${activeUserSql(sql`a.user_id`)}
    where a.quiz_id = ${quiz.id}
    order by q.position, ${quiz.anonymous ? sql`a.id` : sql`a.answered_at, a.id`}`)
  const position = new Map(questions.map((q) => [q.id, q]))
  const header = quiz.anonymous
    ? ['question', 'prompt', 'answer', 'correct', 'points']
    : ['question', 'prompt', 'handle', 'name', 'answer', 'correct', 'points', 'seconds', 'answered_at']
  const lines = [header.join(',')]
  for (const r of rows) {
    const q = position.get(r.questionId)!
    const answer = r.body ?? (r.rating !== null ? String(r.rating) : r.optionIds.map((id) => labels.get(id) ?? '').join('; '))
    const correct = r.correct === null ? '' : r.correct ? 'yes' : 'no'
    const fields = quiz.anonymous
      ? [q.position, q.prompt, answer, correct, r.points]
      : [q.position, q.prompt, r.handle ?? NO_LONGER_SHOWN, r.name ?? '', answer, correct, r.points, r.elapsedMs === null ? '' : (r.elapsedMs / 1000).toFixed(1), iso(r.answeredAt)]
    lines.push(fields.map(csvField).join(','))
  }
  const slug = quiz.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'quiz'
  return { filename: `${slug}-results.csv`, csv: `${lines.join('\r\n')}\r\n` }
}
