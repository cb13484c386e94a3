import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { can, clubBannedSql, isModerator, loadTalkEntry, mayEnterTalk, visibleClubCondition, type ClubRole } from '../access/index'
import { db } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { clubMembers, clubs, quizOptions, quizQuestions, quizzes, talks } from '../schema/index'
import type { Viewer } from '../viewer'
import { iso, quizSelect, refuse, type QuizRow } from './access'
import { checkDraft, type QuizKind, type QuizStatus } from './draft'

/* Creating quizzes, and listing a talk's quizzes for its room. */

type AuthoringAccess = { club: { id: string; slug: string; name: string }; talk: { id: string; title: string } | null }

/** Who may author here: 'schedule:talks' in the club, or hosting the (upcoming or live) talk the quiz is for. */
export async function requireAuthoring(viewer: NonNullable<Viewer>, clubSlug: string, talkId: string | null): Promise<AuthoringAccess> {
  if (typeof clubSlug !== 'string' || clubSlug.length > 60) throw new PublicError('We could not find that club.', 404)
  const [club] = await db.execute<{ id: string; slug: string; name: string; role: ClubRole | null; visible: boolean; banned: boolean }>(sql`
    select ${clubs}.id, ${clubs}.slug, ${clubs}.name,
      (select m.role from ${clubMembers} m where m.club_id = ${clubs}.id and m.user_id = ${viewer.userId}) as role,
      ${visibleClubCondition(viewer)} as visible, ${clubBannedSql(viewer)} as banned
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
  // Drafts are for the talk's hosts and co-hosts (the talk's own rules, db/access/talks.ts).
  const talk = hasDrafts ? await loadTalkEntry(viewer, talkId) : undefined
  const host = mayEnterTalk(talk) && isModerator(talk.role)
  return rows
    .filter((r) => mayEnterTalk(r) && !r.editing && (r.status !== 'draft' || host))
    .map((r) => ({ id: r.id, title: r.title, kind: r.kind, status: r.status, questionCount: counts.get(r.id) ?? 0, deadline: iso(r.deadline), talkId: r.talkId }))
}

async function questionCounts(ids: string[]) {
  if (ids.length === 0) return new Map<string, number>()
  const rows = await db.execute<{ quizId: string; n: number }>(sql`
    select quiz_id as "quizId", count(*)::int as n from ${quizQuestions}
    where quiz_id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) group by quiz_id`)
  return new Map(rows.map((r) => [r.quizId, r.n]))
}
