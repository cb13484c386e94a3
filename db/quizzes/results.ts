import { sql } from 'drizzle-orm'
import { activeUserSql, presentToViewerSql } from '../access/index'
import { db } from '../client'
import { PublicError } from '../errors'
import { photoUrl, type BasicCard } from '../profiles'
import { profiles, quizAnswers, quizOptions, quizQuestions } from '../schema/index'
import type { Viewer } from '../viewer'
import { iso, loadQuiz, refuse } from './access'
import { quizLimits, type QuestionKind } from './draft'
import { loadQuestions } from './questions'

/*
 * Results: a question's counts (never naming anyone), the leaderboard (basic cards of active
 * people), and for the quiz's creators, per-question statistics and every answer for export.
 */

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

// ---------------------------------------------------------------- creators: statistics and the export

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

/**
 * One answer of a quiz's export: its question, the answer as text, and — unless the poll or
 * survey is anonymous — who gave it and when. Someone whose account is gone (deactivated or
 * erased) has no handle or name: the answer counts, the person is not named.
 */
export type ExportedAnswer = {
  question: number
  prompt: string
  answer: string
  correct: boolean | null
  points: number
  person: { handle: string | null; name: string | null; seconds: number | null; answeredAt: string } | null
}
export type QuizAnswersExport = { title: string; anonymous: boolean; answers: ExportedAnswer[] }

/** Every answer, for the export (app/routes/q.$id[.csv].tsx writes it as CSV). Creators only; an anonymous poll or survey names no one. */
export async function exportQuizAnswers(viewer: Viewer, quizId: string): Promise<QuizAnswersExport> {
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
  const byId = new Map(questions.map((q) => [q.id, q]))
  const answers = rows.map((r): ExportedAnswer => {
    const q = byId.get(r.questionId)!
    return {
      question: q.position,
      prompt: q.prompt,
      answer: r.body ?? (r.rating !== null ? String(r.rating) : r.optionIds.map((id) => labels.get(id) ?? '').join('; ')),
      correct: r.correct,
      points: r.points,
      person: quiz.anonymous
        ? null
        : { handle: r.handle, name: r.name, seconds: r.elapsedMs === null ? null : r.elapsedMs / 1000, answeredAt: iso(r.answeredAt)! },
    }
  })
  return { title: quiz.title, anonymous: quiz.anonymous, answers }
}
