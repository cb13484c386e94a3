import { sql, type SQL } from 'drizzle-orm'
import { rolesWith } from '../access/club-permissions'
import { blockedBetweenSql, heldFromViewerSql, talkEntryAllowedSql } from '../access/index'
import { db } from '../client'
import { isId } from '../ids'
import { clubMembers, quizAnswers, quizQuestions, quizzes, talks } from '../schema/index'
import type { Viewer } from '../viewer'
import { iso, isCreator, quizSelect, type QuizRow } from './access'
import type { QuizKind, QuizStatus } from './draft'

/*
 * Quizzes as lists: a club's open challenges and past quizzes, the viewer's open challenges across
 * their clubs, and the quizzes run in a talk. Each list shows what the quiz's page would let the
 * viewer open (loadQuiz: the talk entry rule of db/access/talks.ts, no drafts), and leaves out
 * what a list must not show: a quiz still being written, one held back by moderation
 * (heldFromViewerSql: its author still sees it), and one made by someone with a block between
 * them and the viewer, either way.
 *
 * A challenge is a self-paced quiz, poll or survey (no talk) that is open and before its deadline
 * (by the database's clock, as answers are: `now() < deadline`). A past quiz has closed, passed its
 * deadline, or was run in a talk that has since ended.
 */

export type ChallengeEntry = {
  id: string
  title: string
  kind: QuizKind
  deadline: string | null
  club: { slug: string; name: string }
  questionCount: number
  /** Questions the viewer answered. */
  answeredCount: number
  /** Every question answered. */
  answered: boolean
}

export type PastQuizEntry = {
  id: string
  title: string
  kind: QuizKind
  /** When it stopped taking answers: closed, its deadline, or its talk's end. */
  endedAt: string | null
  talk: { id: string; title: string } | null
}

export type TalkQuizResult = {
  id: string
  title: string
  kind: QuizKind
  status: QuizStatus
  /** The viewer may download its answers (q/:id.csv): its creators, as exportQuizAnswers decides. */
  mayExport: boolean
}

/** A quiz, poll or survey still being written, for those who may go on writing it. */
export type DraftQuizEntry = {
  id: string
  title: string
  kind: QuizKind
  talk: { id: string; title: string } | null
  questionCount: number
}

export type ClubQuizzes = { open: ChallengeEntry[]; past: PastQuizEntry[]; drafts: DraftQuizEntry[] }

/** How many of each a page lists. */
export const QUIZ_LIST_LIMIT = 20

type ListedRow = QuizRow & {
  questionCount: number
  answeredCount: number
  talkTitle: string | null
  talkEndedAt: string | null
}

/** Quizzes matching `where` (over `z`, with the club row in scope) that the viewer may see in a list, with their counts; `order` is over `y`. */
async function listedQuizzes(viewer: NonNullable<Viewer>, where: SQL, order: SQL, limit = QUIZ_LIST_LIMIT): Promise<ListedRow[]> {
  const listed = sql`${where} and z.status <> 'draft' and not z.editing
    and not ${heldFromViewerSql(viewer, 'quiz', sql`z.id`)}
    and (z.author_id = ${viewer.userId} or not ${blockedBetweenSql(viewer.userId, sql`z.author_id`)})`
  return db.execute<ListedRow>(sql`
    select y.* from (
      select x.*,
        (select count(*)::int from ${quizQuestions} qq where qq.quiz_id = x.id) as "questionCount",
        (select count(distinct qa.question_id)::int from ${quizAnswers} qa where qa.quiz_id = x.id and qa.user_id = ${viewer.userId}) as "answeredCount",
        tk.title as "talkTitle", tk.ended_at as "talkEndedAt"
      from (${quizSelect(viewer, listed)}) x
      left join ${talks} tk on tk.id = x."talkId"
      where ${talkEntryAllowedSql(sql`x`)}) y
    order by ${order}
    limit ${limit}`)
}

/** Open and self-paced: no talk, not closed, before its deadline. */
const openChallengeSql = sql`z.talk_id is null and z.status = 'open' and (z.deadline is null or z.deadline > now())`

/** No longer taking answers: closed, past its deadline, or run in a talk that has ended. */
const pastQuizSql = sql`(z.status = 'closed'
  or (z.talk_id is null and z.deadline is not null and z.deadline <= now())
  or (z.launched_at is not null and exists (select 1 from ${talks} pt where pt.id = z.talk_id and pt.status = 'ended')))`

const challengeOf = (row: ListedRow): ChallengeEntry => ({
  id: row.id,
  title: row.title,
  kind: row.kind,
  deadline: iso(row.deadline),
  club: { slug: row.clubSlug, name: row.clubName },
  questionCount: row.questionCount,
  answeredCount: row.answeredCount,
  answered: row.questionCount > 0 && row.answeredCount >= row.questionCount,
})

/**
 * A club's open challenges (soonest deadline first) and past quizzes (latest first), as the viewer
 * may see them. A visitor sees none: a quiz is for signed-in doctors.
 */
export async function listClubQuizzes(viewer: Viewer, clubId: string): Promise<ClubQuizzes> {
  if (!viewer || typeof clubId !== 'string' || clubId.length > 60) return { open: [], past: [], drafts: [] }
  const inClub = sql`z.club_id = ${clubId}`
  const [open, past, drafts] = await Promise.all([
    listedQuizzes(viewer, sql`${inClub} and ${openChallengeSql}`, sql`y.deadline asc nulls last, y.title, y.id`),
    listedQuizzes(viewer, sql`${inClub} and ${pastQuizSql}`, sql`coalesce(y."closedAt", y."talkEndedAt", y.deadline, y."launchedAt") desc nulls last, y.id`),
    listDraftQuizzes(viewer, clubId),
  ])
  return {
    drafts,
    open: open.map(challengeOf),
    past: past.map((row) => ({
      id: row.id,
      title: row.title,
      kind: row.kind,
      endedAt: iso(endOf(row)),
      talk: row.talkId && row.talkTitle ? { id: row.talkId, title: row.talkTitle } : null,
    })),
  }
}

/**
 * The club's quizzes still being written that the viewer may go on writing (its creators, as the
 * editor decides: the author, the club's owner and admins, the talk's host), newest first; a
 * talk's that has ended is left out, as its editor could no longer publish it.
 */
async function listDraftQuizzes(viewer: NonNullable<Viewer>, clubId: string): Promise<DraftQuizEntry[]> {
  const rows = await db.execute<QuizRow & { questionCount: number; talkTitle: string | null }>(sql`
    select x.*, tk.title as "talkTitle",
      (select count(*)::int from ${quizQuestions} qq where qq.quiz_id = x.id) as "questionCount"
    from (${quizSelect(viewer, sql`z.club_id = ${clubId} and z.editing`)}) x
    left join ${talks} tk on tk.id = x."talkId"
    join ${quizzes} started on started.id = x.id
    where (x."talkId" is null or tk.status <> 'ended')
      and (x."authorId" = ${viewer.userId} or x."talkHostId" = ${viewer.userId}
        or x."clubRole" in (${sql.join(
          rolesWith('schedule:talks').map((role) => sql`${role}`),
          sql`, `,
        )}))
    order by started.created_at desc, x.id
    limit ${QUIZ_LIST_LIMIT}`)
  // The same rule as the editor's (isCreator), decided in SQL so the limit counts only these.
  return rows
    .filter((row) => isCreator(viewer, row))
    .map((row) => ({
      id: row.id,
      title: row.title,
      kind: row.kind,
      talk: row.talkId && row.talkTitle ? { id: row.talkId, title: row.talkTitle } : null,
      questionCount: row.questionCount,
    }))
}

/** The earliest moment the quiz stopped taking answers. */
function endOf(row: ListedRow): string | null {
  const moments = [row.closedAt, row.talkEndedAt, row.talkId ? null : row.deadline].filter((m): m is string => m !== null)
  if (moments.length === 0) return null
  return moments.reduce((a, b) => (new Date(a) <= new Date(b) ? a : b))
}

/** Open challenges in the clubs the viewer is a member of: those not yet answered first, then by deadline. */
export async function listMyChallenges(viewer: Viewer): Promise<ChallengeEntry[]> {
  if (!viewer) return []
  const rows = await listedQuizzes(
    viewer,
    sql`z.club_id in (select m.club_id from ${clubMembers} m where m.user_id = ${viewer.userId}) and ${openChallengeSql}`,
    sql`(y."questionCount" > 0 and y."answeredCount" >= y."questionCount") asc, y.deadline asc nulls last, y.title, y.id`,
  )
  return rows.map(challengeOf)
}

/** Quizzes and polls run live in a talk (launched at least once), for its page: each links to its results. */
export async function listTalkQuizResults(viewer: Viewer, talkId: string): Promise<TalkQuizResult[]> {
  if (!viewer || !isId(talkId)) return []
  const rows = await listedQuizzes(viewer, sql`z.talk_id = ${talkId} and z.launched_at is not null`, sql`y."launchedAt", y.id`)
  return rows.map((row) => ({ id: row.id, title: row.title, kind: row.kind, status: row.status, mayExport: isCreator(viewer, row) }))
}
