import { describe, expect, it } from 'vitest'
import { blockPerson } from '../../db/blocks'
import { rawSql } from '../../db/client'
import { answerQuestion, createQuiz, getQuizPage, launchQuiz, startQuizDraft, type QuizDraft } from '../../db/quizzes'
import { listClubQuizzes, listMyChallenges, listTalkQuizResults } from '../../db/quizzes/listings'
import { addClubMember, addTalkRole, createDoctor, createTalk, createTestClub, viewerOf } from '../support/factories'

const DAY = 24 * 60 * 60 * 1000

const questions: QuizDraft['questions'] = [
  { kind: 'single', prompt: 'Rate 150, sawtooth baseline?', timeLimitSeconds: 20, points: 1000, options: [{ label: 'Flutter', correct: true }, { label: 'AVNRT' }] },
  { kind: 'true_false', prompt: 'Mobitz I usually needs pacing.', timeLimitSeconds: 20, points: 500, options: [{ label: 'False', correct: true }] },
]

const inDays = (days: number) => new Date(Date.now() + days * DAY)

async function challenge(owner: { id: string }, slug: string, title: string, deadline: Date | null = inDays(7)) {
  const { id } = await createQuiz(viewerOf(owner), slug, { kind: 'quiz', title, questions, deadline })
  return id
}

/** Answers every question of a self-paced quiz with its first option. */
async function answerAll(doctor: { id: string }, quizId: string, count = Infinity) {
  const page = await getQuizPage(viewerOf(doctor), quizId)
  for (const q of page.questions.slice(0, count)) await answerQuestion(viewerOf(doctor), q.id, { optionIds: [q.options[0].id] })
}

const ids = (entries: { id: string }[]) => entries.map((e) => e.id)
const titles = (entries: { title: string }[]) => entries.map((e) => e.title)

describe("a club's challenges and past quizzes", () => {
  it('lists the quizzes still being written to those who may go on writing them, and to no one else', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const admin = await createDoctor()
    const member = await createDoctor()
    await addClubMember(club, admin, 'admin')
    await addClubMember(club, member)
    const first = await startQuizDraft(viewerOf(owner), club.slug, { kind: 'poll', title: 'Topics for next month' })
    const talk = await createTalk({ clubId: club.id, hostId: owner.id, startsAt: inDays(3) })
    const forTalk = await startQuizDraft(viewerOf(owner), club.slug, { kind: 'quiz', title: 'Friday ECGs', talkId: talk.id })
    const published = await challenge(owner, club.slug, 'Already open')

    const mine = await listClubQuizzes(viewerOf(owner), club.id)
    expect(mine.drafts.map((d) => [d.id, d.title, d.talk?.id ?? null, d.questionCount])).toEqual([
      [forTalk.id, 'Friday ECGs', talk.id, 0],
      [first.id, 'Topics for next month', null, 0],
    ])
    expect(ids(mine.open)).toEqual([published])
    // The club's admins may edit any of its quizzes, so they see its drafts; a member sees none.
    expect(ids((await listClubQuizzes(viewerOf(admin), club.id)).drafts)).toEqual([forTalk.id, first.id])
    expect((await listClubQuizzes(viewerOf(member), club.id)).drafts).toEqual([])
    // A talk's draft goes once its talk has ended: it could no longer be published.
    await rawSql()`update talks set status = 'ended', ended_at = now() where id = ${talk.id}`
    expect(ids((await listClubQuizzes(viewerOf(owner), club.id)).drafts)).toEqual([first.id])
  })

  it("finds a talk host's own draft however many newer drafts the club's admins have", async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const host = await createDoctor()
    await addClubMember(club, host)
    const talk = await createTalk({ clubId: club.id, hostId: host.id, startsAt: inDays(3) })
    const mine = await startQuizDraft(viewerOf(host), club.slug, { kind: 'poll', title: 'Questions for the panel', talkId: talk.id })
    for (let i = 0; i < 101; i++) await startQuizDraft(viewerOf(owner), club.slug, { kind: 'quiz', title: `Owner draft ${i}` })

    expect(ids((await listClubQuizzes(viewerOf(host), club.id)).drafts)).toEqual([mine.id])
    // The owner may edit every one of them and is shown the newest 20.
    const owners = (await listClubQuizzes(viewerOf(owner), club.id)).drafts
    expect(owners).toHaveLength(20)
    expect(titles(owners)[0]).toBe('Owner draft 100')
  })

  it('lists open challenges by deadline and closed ones with their end, and marks what the member answered', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const member = await createDoctor()
    await addClubMember(club, member)
    const later = await challenge(owner, club.slug, 'Later ECGs', inDays(9))
    const soon = await challenge(owner, club.slug, 'Soon ECGs', inDays(2))
    const noDeadline = await challenge(owner, club.slug, 'Any time', null)
    const expired = await challenge(owner, club.slug, 'Expired ECGs', inDays(1))
    await rawSql()`update quizzes set deadline = now() - interval '1 hour' where id = ${expired}`
    const closed = await challenge(owner, club.slug, 'Closed ECGs', inDays(5))
    await rawSql()`update quizzes set status = 'closed', closed_at = now() - interval '2 days' where id = ${closed}`
    await answerAll(member, soon)
    await answerAll(member, later, 1)

    const listed = await listClubQuizzes(viewerOf(member), club.id)
    expect(ids(listed.open)).toEqual([soon, later, noDeadline])
    expect(listed.open.map((e) => [e.answered, e.answeredCount, e.questionCount])).toEqual([
      [true, 2, 2],
      [false, 1, 2],
      [false, 0, 2],
    ])
    expect(listed.open[0].deadline).not.toBeNull()
    expect(listed.open[2].deadline).toBeNull()
    expect(ids(listed.past)).toEqual([expired, closed])
    expect(listed.past.every((p) => p.endedAt !== null && p.talk === null)).toBe(true)
  })

  it('leaves out drafts, a live quiz still to run, and a quiz held back by moderation (but not from its author)', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const member = await createDoctor()
    await addClubMember(club, member)
    const shown = await challenge(owner, club.slug, 'Shown')
    const held = await challenge(owner, club.slug, 'Held')
    const draft = await challenge(owner, club.slug, 'Draft')
    await rawSql()`update quizzes set status = 'draft' where id = ${draft}`
    const editing = await challenge(owner, club.slug, 'Being written')
    await rawSql()`update quizzes set editing = true where id = ${editing}`
    const talk = await createTalk({ clubId: club.id, hostId: owner.id, status: 'live', startsAt: new Date() })
    await createQuiz(viewerOf(owner), club.slug, { kind: 'quiz', title: 'Live, not yet run', talkId: talk.id, questions })
    await rawSql()`insert into moderation_holds (item_kind, item_id, author_id, state, reason) values ('quiz', ${held}, ${owner.id}, 'hidden', 'watched word')`

    expect(titles((await listClubQuizzes(viewerOf(member), club.id)).open)).toEqual(['Shown'])
    expect(ids((await listClubQuizzes(viewerOf(owner), club.id)).open).sort()).toEqual([shown, held].sort())
  })

  it('shows a private club’s quizzes to its members only, and nothing to a banned member or a visitor', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner, { visibility: 'private' })
    const member = await createDoctor()
    await addClubMember(club, member)
    const outsider = await createDoctor()
    const banned = await createDoctor()
    await addClubMember(club, banned)
    const quiz = await challenge(owner, club.slug, 'Members only')
    await rawSql()`delete from club_members where club_id = ${club.id} and user_id = ${banned.id}`
    await rawSql()`insert into club_bans (club_id, user_id, banned_by) values (${club.id}, ${banned.id}, ${owner.id})`

    expect(ids((await listClubQuizzes(viewerOf(member), club.id)).open)).toEqual([quiz])
    expect(await listClubQuizzes(viewerOf(outsider), club.id)).toEqual({ open: [], past: [], drafts: [] })
    expect(await listClubQuizzes(viewerOf(banned), club.id)).toEqual({ open: [], past: [], drafts: [] })
    expect(await listClubQuizzes(null, club.id)).toEqual({ open: [], past: [], drafts: [] })
    expect(await listMyChallenges(viewerOf(outsider))).toEqual([])
  })

  it('hides a quiz made by someone with a block between them and the viewer, whoever blocked', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const author = await createDoctor()
    await addClubMember(club, author, 'admin')
    const blocker = await createDoctor()
    const blocked = await createDoctor()
    for (const d of [blocker, blocked]) await addClubMember(club, d)
    const quiz = await challenge(author, club.slug, 'By the admin')
    const other = await challenge(owner, club.slug, 'By the owner')
    await blockPerson(viewerOf(blocker), (await rawSql()<{ handle: string }[]>`select handle from profiles where user_id = ${author.id}`)[0].handle)
    await blockPerson(viewerOf(author), (await rawSql()<{ handle: string }[]>`select handle from profiles where user_id = ${blocked.id}`)[0].handle)

    for (const viewer of [blocker, blocked]) {
      expect(ids((await listClubQuizzes(viewerOf(viewer), club.id)).open)).toEqual([other])
      expect(ids(await listMyChallenges(viewerOf(viewer)))).toEqual([other])
    }
    expect(ids((await listClubQuizzes(viewerOf(author), club.id)).open).sort()).toEqual([quiz, other].sort())
  })
})

describe('my challenges', () => {
  it('lists open challenges of my clubs only, unanswered first, each with its club', async () => {
    const owner = await createDoctor()
    const mine = await createTestClub(owner, { name: 'Cardiology Club' })
    const privateClub = await createTestClub(owner, { name: 'Private Club', visibility: 'private' })
    const notMine = await createTestClub(owner, { name: 'Other Club' })
    const me = await createDoctor()
    await addClubMember(mine, me)
    await addClubMember(privateClub, me)
    const answered = await challenge(owner, mine.slug, 'Answered one', inDays(1))
    const open = await challenge(owner, mine.slug, 'Open one', inDays(3))
    const inPrivate = await challenge(owner, privateClub.slug, 'Private one', inDays(2))
    await challenge(owner, notMine.slug, 'Not my club')
    const expired = await challenge(owner, mine.slug, 'Expired one')
    await rawSql()`update quizzes set deadline = now() - interval '1 minute' where id = ${expired}`
    await answerAll(me, answered)

    const list = await listMyChallenges(viewerOf(me))
    expect(ids(list)).toEqual([inPrivate, open, answered])
    expect(list.map((e) => e.club.name)).toEqual(['Private Club', 'Cardiology Club', 'Cardiology Club'])
    expect(list.map((e) => e.answered)).toEqual([false, false, true])
    expect(await listMyChallenges(null)).toEqual([])
  })
})

describe("a talk's quizzes and their results", () => {
  it('lists the quizzes run in the talk, with the CSV for their creators only', async () => {
    const host = await createDoctor()
    const club = await createTestClub(host)
    const cohost = await createDoctor()
    const member = await createDoctor()
    const outsiderOfPrivate = await createDoctor()
    await addClubMember(club, member)
    const talk = await createTalk({ clubId: club.id, hostId: host.id, status: 'live', startsAt: new Date() })
    await addTalkRole(talk.id, cohost, 'cohost')
    const { id: run } = await createQuiz(viewerOf(host), club.slug, { kind: 'quiz', title: 'Run live', talkId: talk.id, questions })
    await createQuiz(viewerOf(host), club.slug, { kind: 'poll', title: 'Never launched', talkId: talk.id, questions: [{ kind: 'single', prompt: 'Tea?', options: [{ label: 'Yes' }, { label: 'No' }] }] })
    await launchQuiz(viewerOf(host), run)
    await rawSql()`update talks set status = 'ended', ended_at = now() where id = ${talk.id}`

    const forHost = await listTalkQuizResults(viewerOf(host), talk.id)
    expect(forHost).toEqual([{ id: run, title: 'Run live', kind: 'quiz', status: 'open', mayExport: true }])
    expect((await listTalkQuizResults(viewerOf(member), talk.id)).map((q) => [q.id, q.mayExport])).toEqual([[run, false]])
    expect((await listTalkQuizResults(viewerOf(cohost), talk.id)).map((q) => q.mayExport)).toEqual([false])
    // Once its talk has ended, the quiz is a past one on the club's page, linked to the talk.
    const past = (await listClubQuizzes(viewerOf(member), club.id)).past
    expect(past.map((p) => [p.id, p.talk?.id])).toEqual([[run, talk.id]])

    await rawSql()`update clubs set visibility = 'private' where id = ${club.id}`
    expect(await listTalkQuizResults(viewerOf(outsiderOfPrivate), talk.id)).toEqual([])
    expect(ids(await listTalkQuizResults(viewerOf(member), talk.id))).toEqual([run])
    await rawSql()`insert into talk_removals (talk_id, user_id, removed_by) values (${talk.id}, ${member.id}, ${host.id})`
    expect(await listTalkQuizResults(viewerOf(member), talk.id)).toEqual([])
  })
})
