import { sql, type SQL } from 'drizzle-orm'
import { can, isModerator, mayEnterTalk, refuse as talkRefusal, requireTalkEntry, talkEntryColumns, type ClubRole, type TalkEntryFacts } from '../access/index'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { clubMembers, clubs, quizzes, talks } from '../schema/index'
import type { Viewer } from '../viewer'
import type { QuizKind, QuizStatus } from './draft'

/*
 * Who may see, run and read a quiz. Seeing it is the talk entry rule (db/access/talks.ts): the
 * club listed to the viewer, not banned, and not removed from the quiz's talk if it has one; a
 * draft is its creators' own until it opens (a talk's drafts: its hosts'). Running a live quiz is
 * for the talk's hosts and co-hosts; statistics and the export are for its creators.
 */

export type Q = typeof db | Transaction

export const refuse = {
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

export const iso = (value: string | Date | null) => (value ? new Date(value).toISOString() : null)

export type QuizRow = TalkEntryFacts & {
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
  /** Being written one question at a time; not launched or listed in its talk until published. */
  editing: boolean
  currentQuestionId: string | null
  launchedAt: string | null
  closedAt: string | null
  clubRole: ClubRole | null
  talkHostId: string | null
}

export const quizSelect = (viewer: NonNullable<Viewer>, where: SQL) => sql`
  select z.id, z.club_id as "clubId", ${clubs}.slug as "clubSlug", ${clubs}.name as "clubName", z.talk_id as "talkId",
    z.author_id as "authorId", z.title, z.kind, z.status, z.anonymous, z.deadline, z.speed_scoring as "speedScoring",
    z.streak_bonus as "streakBonus", z.editing, z.current_question_id as "currentQuestionId", z.launched_at as "launchedAt", z.closed_at as "closedAt",
    ${talkEntryColumns(viewer, sql`z.talk_id`)},
    (select m.role from ${clubMembers} m where m.club_id = z.club_id and m.user_id = ${viewer.userId}) as "clubRole",
    (select t.host_id from ${talks} t where t.id = z.talk_id) as "talkHostId"
  from ${quizzes} z join ${clubs} on ${clubs}.id = z.club_id
  where ${where}`

export async function loadQuiz(viewer: Viewer, quizId: string, q: Q = db): Promise<QuizRow & { creator: boolean }> {
  if (!viewer) throw refuse.signIn()
  if (!isId(quizId)) throw refuse.notFound()
  const [row] = await q.execute<QuizRow>(quizSelect(viewer, sql`z.id = ${quizId}`))
  if (!mayEnterTalk(row)) throw refuse.notFound()
  const creator = isCreator(viewer, row)
  // A draft is the creators' own until it opens.
  if (row.status === 'draft' && !creator && !row.talkId) throw refuse.notFound()
  return { ...row, creator }
}

/** Creators: the author, the club's schedulers, the talk's host. Co-hosts run a live quiz but do not read its export. */
export function isCreator(viewer: NonNullable<Viewer>, row: Pick<QuizRow, 'authorId' | 'clubRole' | 'talkHostId'>) {
  return row.authorId === viewer.userId || can(row.clubRole, 'schedule:talks') || row.talkHostId === viewer.userId
}

export async function requireTalkHost(viewer: NonNullable<Viewer>, quiz: QuizRow) {
  if (!quiz.talkId) throw new PublicError('This quiz is not attached to a talk.', 409)
  // The talk's own rules: who may enter it, and its hosts and co-hosts (db/access/talks.ts).
  const talk = await requireTalkEntry(viewer, quiz.talkId)
  if (!isModerator(talk.role)) throw refuse.notHost()
  if (talk.status === 'ended') throw talkRefusal.ended()
}
