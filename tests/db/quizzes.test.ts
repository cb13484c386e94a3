import { describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { PublicError } from '../../db/errors'
import {
  answerLiveQuestion,
  answerQuestion,
  checkDraft,
  closeQuestion,
  closeQuiz,
  createQuiz,
  exportQuizAnswers,
  getLeaderboard,
  getLiveQuiz,
  getQuestionStats,
  getQuizPage,
  launchQuiz,
  myAnswers,
  nextQuestion,
  questionTally,
  type LiveAnswerOutcome,
  type QuizDraft,
} from '../../db/quizzes'
import { quizCsv } from '../../app/routes/q.$id[.csv]'
import type { Viewer } from '../../db/viewer'
import { addClubMember, addTalkRole, createDoctor, createTalk, createTestClub, viewerOf } from '../support/factories'

/** The export as its route writes it. */
const exportQuizCsv = async (viewer: Viewer, quizId: string) => quizCsv(await exportQuizAnswers(viewer, quizId))

const threeQuestions: QuizDraft['questions'] = [
  { kind: 'single', prompt: 'Rate 150, sawtooth baseline?', explanation: 'Flutter with 2:1 block.', timeLimitSeconds: 20, points: 1000, options: [{ label: 'Flutter', correct: true }, { label: 'AVNRT' }] },
  { kind: 'multiple', prompt: 'Which are shockable?', timeLimitSeconds: 20, points: 1000, options: [{ label: 'VF', correct: true }, { label: 'pVT', correct: true }, { label: 'Asystole' }] },
  { kind: 'true_false', prompt: 'Mobitz I usually needs pacing.', timeLimitSeconds: 20, points: 500, options: [{ label: 'False', correct: true }] },
]

async function expectRefusal(promise: Promise<unknown>, message: string | RegExp, status?: number) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PublicError)
  if (typeof message === 'string') expect((error as PublicError).message).toBe(message)
  else expect((error as PublicError).message).toMatch(message)
  if (status) expect((error as PublicError).status).toBe(status)
}

async function answerCount(quizId: string) {
  const [row] = await rawSql()<{ n: number }[]>`select count(*)::int as n from quiz_answers where quiz_id = ${quizId}`
  return row.n
}

async function liveSetup(draft: Partial<QuizDraft> = {}) {
  const host = await createDoctor({ name: 'Dr Quizhost' })
  const club = await createTestClub(host)
  const talk = await createTalk({ clubId: club.id, hostId: host.id, status: 'live', startsAt: new Date() })
  const { id } = await createQuiz(viewerOf(host), club.slug, { kind: 'quiz', title: 'ECG Friday', talkId: talk.id, questions: threeQuestions, ...draft })
  const a = await createDoctor({ name: 'Dr Alpha' })
  const b = await createDoctor({ name: 'Dr Beta' })
  return { host, club, talk, quizId: id, a, b }
}

describe('authoring', () => {
  it('refuses incomplete drafts with a sentence naming the problem', () => {
    const base = { kind: 'quiz', title: 'A quiz' } as const
    const cases: [unknown, string][] = [
      [{ ...base, questions: [] }, 'Add at least one question.'],
      [{ ...base, questions: [{ kind: 'single', prompt: 'Q', options: [{ label: 'Only', correct: true }] }] }, 'Question 1: add at least two options.'],
      [{ ...base, questions: [{ kind: 'single', prompt: 'Q', options: [{ label: 'A', correct: true }, { label: 'B', correct: true }] }] }, 'Question 1: mark exactly one correct answer.'],
      [{ ...base, questions: [{ kind: 'multiple', prompt: 'Q', options: [{ label: 'A' }, { label: 'B' }] }] }, 'Question 1: mark at least one correct answer.'],
      [{ ...base, questions: [{ kind: 'single', prompt: 'Q', options: [{ label: 'A', correct: true }, { label: 'a' }] }] }, 'Question 1: two options say the same thing.'],
      [{ ...base, questions: [{ kind: 'text', prompt: 'Q' }] }, 'Question 1: a quiz cannot have this kind of question.'],
      [{ ...base, title: 'x'.repeat(200), questions: threeQuestions }, 'The title can be at most 120 characters.'],
      [{ ...base, questions: [{ ...threeQuestions[0], timeLimitSeconds: 1 }] }, 'Give at least 5 seconds.'],
      [{ ...base, questions: [{ ...threeQuestions[0], options: Array.from({ length: 11 }, (_, i) => ({ label: `O${i}`, correct: i === 0 })) }] }, 'A question has at most 10 options.'],
      [{ ...base, anonymous: true, questions: threeQuestions }, 'A quiz has a leaderboard, so it cannot be anonymous. Make it a poll or survey.'],
      [{ ...base, questions: Array.from({ length: 51 }, () => threeQuestions[0]) }, 'A quiz has at most 50 questions.'],
    ]
    for (const [draft, message] of cases) {
      expect(() => checkDraft(draft), message).toThrow(message)
    }
  })

  it('lets schedulers author, refuses plain members, and writes nothing for a bad draft', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const member = await createDoctor()
    await addClubMember(club, member)
    const before = await rawSql()`select count(*)::int as n from quizzes`
    await expectRefusal(
      createQuiz(viewerOf(member), club.slug, { kind: 'poll', title: 'Coffee', questions: [{ kind: 'single', prompt: 'Tea or coffee?', options: [{ label: 'Tea' }, { label: 'Coffee' }] }] }),
      /Only the club’s owner and admins/,
      403,
    )
    await expectRefusal(createQuiz(viewerOf(owner), club.slug, { kind: 'poll', title: 'Coffee', questions: [] }), 'Add at least one question.', 400)
    expect(await rawSql()`select count(*)::int as n from quizzes`).toEqual(before)
    const { id } = await createQuiz(viewerOf(owner), club.slug, {
      kind: 'survey',
      title: 'Teaching feedback',
      anonymous: true,
      questions: [
        { kind: 'rating', prompt: 'How useful was it?', ratingMax: 5 },
        { kind: 'text', prompt: 'What should change?' },
      ],
    })
    const page = await getQuizPage(viewerOf(member), id)
    expect(page.accepting).toBe(true)
    expect(page.questions.map((q) => q.kind)).toEqual(['rating', 'text'])
  })

  it('stores true/false with True and False options and the marked one correct', async () => {
    const { quizId, host } = await liveSetup()
    const page = await getQuizPage(viewerOf(host), quizId)
    const tf = page.questions[2]
    expect(tf.options.map((o) => o.label)).toEqual(['True', 'False'])
    expect(tf.reveal?.correctOptionIds).toEqual([tf.options[1].id])
  })
})

describe('a live quiz', () => {
  it('runs question by question, scores by correctness and speed, and ranks the leaderboard', async () => {
    const { quizId, host, talk, a, b } = await liveSetup({ streakBonus: 100 })
    const hostV = viewerOf(host)
    await expectRefusal(launchQuiz(viewerOf(a), quizId), 'Only the talk’s hosts can run a quiz.', 403)
    const lobby = await launchQuiz(hostV, quizId)
    expect(lobby.phase).toBe('lobby')
    const q1 = await nextQuestion(hostV, quizId)
    expect(q1.phase).toBe('question')
    expect(q1.question?.options[0]).not.toHaveProperty('correct')
    const [right, wrong] = q1.question!.options
    // Slow down the clock for Beta's answer by moving the question's start back.
    const first = await answerQuestion(viewerOf(a), q1.question!.id, { optionIds: [right.id] })
    expect(first.answer.correct).toBe(true)
    expect(first.answer.points).toBeGreaterThan(990)
    await rawSql()`update quiz_questions set opened_at = opened_at - interval '10 seconds' where id = ${q1.question!.id}`
    const half = await answerQuestion(viewerOf(b), q1.question!.id, { optionIds: [right.id] })
    expect(half.answer.points).toBeGreaterThan(740)
    expect(half.answer.points).toBeLessThan(760)

    const closed = await closeQuestion(hostV, quizId)
    expect(closed.phase).toBe('reveal')
    expect(closed.reveal).toEqual({ questionId: q1.question!.id, correctOptionIds: [right.id], explanation: 'Flutter with 2:1 block.' })
    await expectRefusal(answerQuestion(viewerOf(host), q1.question!.id, { optionIds: [wrong.id] }), 'This question has closed.', 409)

    const q2 = await nextQuestion(hostV, quizId)
    const [vf, pvt, asystole] = q2.question!.options
    const streak = await answerQuestion(viewerOf(a), q2.question!.id, { optionIds: [pvt.id, vf.id] })
    expect(streak.answer.streak).toBe(2)
    expect(streak.answer.points).toBeGreaterThan(1090) // 1000 × speed + 100 streak bonus
    const partial = await answerQuestion(viewerOf(b), q2.question!.id, { optionIds: [vf.id, asystole.id] })
    expect(partial.answer).toMatchObject({ correct: false, points: 0, streak: 0 })

    const q3 = await nextQuestion(hostV, quizId)
    expect(q3.question!.position).toBe(3)
    const finished = await nextQuestion(hostV, quizId)
    expect(finished.phase).toBe('finished')
    expect((await getLiveQuiz(viewerOf(a), talk.id))?.phase).toBe('finished')

    const board = await getLeaderboard(viewerOf(b), quizId)
    expect(board.top.map((e) => e.handle)).toEqual([a.handle, b.handle])
    expect(board.top[0].points).toBe(first.answer.points + streak.answer.points)
    expect(board.me).toMatchObject({ handle: b.handle, rank: 2, points: half.answer.points })
    expect(board.participants).toBe(2)
  })

  it('refuses a second answer, an option from another question, forged points and 1 MB of text; a retry is the same answer', async () => {
    const { quizId, host, a } = await liveSetup()
    await launchQuiz(viewerOf(host), quizId)
    const q1 = await nextQuestion(viewerOf(host), quizId)
    const page = await getQuizPage(viewerOf(host), quizId)
    const otherOption = page.questions[1].options[0].id
    const [right, wrong] = q1.question!.options
    const id = q1.question!.id

    await expectRefusal(answerQuestion(viewerOf(a), page.questions[1].id, { optionIds: [otherOption] }), 'This question is not open yet.', 409)
    await expectRefusal(answerQuestion(viewerOf(a), id, { optionIds: [otherOption] }), 'That option is not part of this question.', 400)
    await expectRefusal(answerQuestion(viewerOf(a), id, { optionIds: [right.id, wrong.id] }), 'Choose one answer.', 400)
    await expectRefusal(answerQuestion(viewerOf(a), id, { optionIds: [] }), 'Choose an answer first.', 400)
    await expectRefusal(answerQuestion(viewerOf(a), id, { body: 'x'.repeat(1024 * 1024) }), 'Choose an answer first.', 400)
    expect(await answerCount(quizId)).toBe(0)

    const forged = { optionIds: [wrong.id], points: 999_999, correct: true } as Parameters<typeof answerQuestion>[2]
    const stored = await answerQuestion(viewerOf(a), id, forged)
    expect(stored.answer).toMatchObject({ correct: false, points: 0 })
    const retry = await answerQuestion(viewerOf(a), id, { optionIds: [wrong.id] })
    expect(retry).toMatchObject({ repeated: true, answer: stored.answer })
    await expectRefusal(answerQuestion(viewerOf(a), id, { optionIds: [right.id] }), 'You have already answered this question.', 409)
    // Many retries at once: still one row.
    await Promise.allSettled(Array.from({ length: 10 }, () => answerQuestion(viewerOf(a), id, { optionIds: [wrong.id] })))
    expect(await answerCount(quizId)).toBe(1)
    expect((await questionTally(id)).options).toEqual([
      { id: right.id, count: 0 },
      { id: wrong.id, count: 1 },
    ])
  })

  it('refuses answers once the time limit has passed, by the server’s clock', async () => {
    const { quizId, host, a } = await liveSetup()
    await launchQuiz(viewerOf(host), quizId)
    const q1 = await nextQuestion(viewerOf(host), quizId)
    await rawSql()`update quiz_questions set opened_at = now() - interval '30 seconds', closes_at = now() - interval '10 seconds' where id = ${q1.question!.id}`
    await expectRefusal(answerQuestion(viewerOf(a), q1.question!.id, { optionIds: [q1.question!.options[0].id] }), 'This question has closed.', 409)
    expect(await answerCount(quizId)).toBe(0)
  })

  it('lets co-hosts run it, refuses people outside a private club', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner, { visibility: 'private' })
    const talk = await createTalk({ clubId: club.id, hostId: owner.id, status: 'live', startsAt: new Date() })
    const cohost = await createDoctor()
    await addClubMember(club, cohost)
    await addTalkRole(talk.id, cohost, 'cohost')
    const { id } = await createQuiz(viewerOf(owner), club.slug, { kind: 'poll', title: 'Lunch poll', talkId: talk.id, questions: [{ kind: 'single', prompt: 'Soup?', options: [{ label: 'Yes' }, { label: 'No' }] }] })
    await launchQuiz(viewerOf(cohost), id)
    const q = await nextQuestion(viewerOf(cohost), id)
    expect(q.closesAt).toBeNull()
    const outsider = await createDoctor()
    await expectRefusal(answerQuestion(viewerOf(outsider), q.question!.id, { optionIds: [q.question!.options[0].id] }), 'We could not find that question.', 404)
    await expectRefusal(launchQuiz(viewerOf(outsider), id), 'We could not find that quiz.', 404)
  })
})

describe('live answers written together', () => {
  const ok = (outcome: LiveAnswerOutcome | undefined) => {
    if (!outcome?.ok) throw new Error(`refused: ${String(outcome?.error)}`)
    return outcome.result
  }
  const refusal = (outcome: LiveAnswerOutcome | undefined) => (outcome && !outcome.ok && outcome.error instanceof PublicError ? outcome.error.message : outcome)
  async function openedAt(questionId: string) {
    const [row] = await rawSql()<{ openedAt: string }[]>`select opened_at as "openedAt" from quiz_questions where id = ${questionId}`
    return new Date(row.openedAt).getTime()
  }

  it('stores a burst in one go, each scored by when the server received it, with the results one by one would give', async () => {
    const { quizId, host, talk, a, b } = await liveSetup({ streakBonus: 100 })
    const c = await createDoctor({ name: 'Dr Gamma' })
    const d = await createDoctor({ name: 'Dr Delta' })
    await launchQuiz(viewerOf(host), quizId)
    const q1 = (await nextQuestion(viewerOf(host), quizId)).question!
    const later = (await getQuizPage(viewerOf(host), quizId)).questions[1]
    const q2Option = later.options[0].id
    const [right, wrong] = q1.options
    const opened = await openedAt(q1.id)
    const at = (ms: number) => new Date(opened + ms)

    const outcomes = await answerLiveQuestion(talk.id, q1.id, [
      { viewer: viewerOf(a), input: { optionIds: [right.id] }, receivedAt: at(0) },
      // Received 10 s into a 20 s question: half the speed bonus, however late the batch is written.
      { viewer: viewerOf(b), input: { optionIds: [right.id] }, receivedAt: at(10_000) },
      { viewer: viewerOf(c), input: { optionIds: [wrong.id], points: 99_999 } as Parameters<typeof answerQuestion>[2], receivedAt: at(50) },
      { viewer: viewerOf(a), input: { optionIds: [right.id] }, receivedAt: at(60) },
      { viewer: viewerOf(a), input: { optionIds: [wrong.id] }, receivedAt: at(70) },
      { viewer: viewerOf(d), input: { optionIds: [q2Option] }, receivedAt: at(80) },
      { viewer: viewerOf(d), input: { optionIds: [right.id, wrong.id] }, receivedAt: at(90) },
    ])
    const first = ok(outcomes[0])
    expect(first).toMatchObject({ repeated: false, quizId, talkId: talk.id, answer: { correct: true, streak: 1, answeredAt: at(0).toISOString() } })
    expect(first.answer.points).toBe(1000)
    expect(ok(outcomes[1]).answer).toMatchObject({ correct: true, points: 750, answeredAt: at(10_000).toISOString() })
    expect(ok(outcomes[2]).answer).toMatchObject({ correct: false, points: 0, streak: 0 })
    // The same person twice in one batch: a retry is the stored answer, a change is refused.
    expect(ok(outcomes[3])).toMatchObject({ repeated: true, answer: first.answer })
    expect(refusal(outcomes[4])).toBe('You have already answered this question.')
    expect(refusal(outcomes[5])).toBe('That option is not part of this question.')
    expect(refusal(outcomes[6])).toBe('Choose one answer.')
    expect(await answerCount(quizId)).toBe(3)
    expect((await questionTally(q1.id)).options).toEqual([
      { id: right.id, count: 2 },
      { id: wrong.id, count: 1 },
    ])

    // A later batch: retries find the stored answer; the streak carries over from the question before.
    const [again, changed] = await answerLiveQuestion(talk.id, q1.id, [
      { viewer: viewerOf(b), input: { optionIds: [right.id] }, receivedAt: at(11_000) },
      { viewer: viewerOf(c), input: { optionIds: [right.id] }, receivedAt: at(11_000) },
    ])
    expect(ok(again)).toMatchObject({ repeated: true, answer: { points: 750 } })
    expect(refusal(changed)).toBe('You have already answered this question.')
    const [early] = await answerLiveQuestion(talk.id, later.id, [{ viewer: viewerOf(a), input: { optionIds: [q2Option] }, receivedAt: new Date() }])
    expect(refusal(early)).toBe('This question is not open yet.')
    const q2 = (await nextQuestion(viewerOf(host), quizId)).question!
    const [vf, pvt] = q2.options
    const [streak] = await answerLiveQuestion(talk.id, q2.id, [{ viewer: viewerOf(a), input: { optionIds: [pvt.id, vf.id] }, receivedAt: new Date((await openedAt(q2.id)) + 1) }])
    expect(ok(streak).answer).toMatchObject({ correct: true, streak: 2, points: 1100 })
    expect(await answerCount(quizId)).toBe(4)
  })

  it('scores a batched answer exactly as answering alone does, for the same timing and streak', async () => {
    const { quizId, host, talk, a, b } = await liveSetup({ streakBonus: 100 })
    await launchQuiz(viewerOf(host), quizId)
    for (const position of [1, 2]) {
      const q = (await nextQuestion(viewerOf(host), quizId)).question!
      const correct = (await getQuizPage(viewerOf(host), quizId)).questions[position - 1].reveal!.correctOptionIds
      // Seven seconds into a 20 s question: the speed factor is neither full nor at its floor.
      await rawSql()`update quiz_questions set opened_at = opened_at - interval '7 seconds' where id = ${q.id}`
      const alone = (await answerQuestion(viewerOf(a), q.id, { optionIds: correct })).answer
      // A received time is whole milliseconds: move the start back by the stored answer's remainder, so that
      // receiving the batched answer at that millisecond makes it exactly as late.
      const [{ receivedAt }] = await rawSql()<{ receivedAt: Date }[]>`
        update quiz_questions q set opened_at = q.opened_at - (a.answered_at - date_trunc('milliseconds', a.answered_at))
        from quiz_answers a where q.id = ${q.id} and a.question_id = q.id and a.user_id = ${a.id}
        returning date_trunc('milliseconds', a.answered_at) as "receivedAt"`
      const [outcome] = await answerLiveQuestion(talk.id, q.id, [{ viewer: viewerOf(b), input: { optionIds: correct }, receivedAt: new Date(receivedAt) }])
      const batched = ok(outcome).answer

      expect(alone).toMatchObject({ correct: true, streak: position })
      expect(alone.points).toBeGreaterThan(800)
      expect(alone.points).toBeLessThan(1000)
      expect(batched).toMatchObject({ correct: true, streak: alone.streak, points: alone.points })
      const elapsed = await rawSql()<{ elapsedMs: number }[]>`
        select elapsed_ms as "elapsedMs" from quiz_answers where question_id = ${q.id} and user_id in (${a.id}, ${b.id}) order by user_id = ${b.id}`
      expect(elapsed).toHaveLength(2)
      expect(elapsed[1].elapsedMs).toBe(elapsed[0].elapsedMs)
    }
  })

  it('refuses what answering alone refuses: after the close, another talk, outsiders, banned and removed people', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner, { visibility: 'private' })
    const talk = await createTalk({ clubId: club.id, hostId: owner.id, status: 'live', startsAt: new Date() })
    const other = await createTalk({ clubId: club.id, hostId: owner.id, status: 'live', startsAt: new Date() })
    const { id } = await createQuiz(viewerOf(owner), club.slug, { kind: 'poll', title: 'Lunch poll', talkId: talk.id, questions: [{ kind: 'single', prompt: 'Soup?', options: [{ label: 'Yes' }, { label: 'No' }] }] })
    const [member, outsider, banned, removed, late] = await Promise.all([createDoctor(), createDoctor(), createDoctor(), createDoctor(), createDoctor()])
    for (const doctor of [member, banned, removed, late]) await addClubMember(club, doctor)
    await rawSql()`insert into club_bans (club_id, user_id) values (${club.id}, ${banned.id})`
    await rawSql()`insert into talk_removals (talk_id, user_id) values (${talk.id}, ${removed.id})`
    await launchQuiz(viewerOf(owner), id)
    const q = (await nextQuestion(viewerOf(owner), id)).question!
    const yes = { optionIds: [q.options[0].id] }

    expect(refusal((await answerLiveQuestion(other.id, q.id, [{ viewer: viewerOf(member), input: yes, receivedAt: new Date() }]))[0])).toBe('We could not find that question.')
    // Received while the question was open, written after the host closed it: it counts.
    const beforeClose = new Date()
    await closeQuestion(viewerOf(owner), id)
    const outcomes = await answerLiveQuestion(talk.id, q.id, [
      { viewer: viewerOf(outsider), input: yes, receivedAt: beforeClose },
      { viewer: viewerOf(banned), input: yes, receivedAt: beforeClose },
      { viewer: viewerOf(removed), input: yes, receivedAt: beforeClose },
      { viewer: viewerOf(member), input: yes, receivedAt: beforeClose },
      { viewer: viewerOf(late), input: yes, receivedAt: new Date(Date.now() + 1000) },
    ])
    expect(outcomes.slice(0, 3).map(refusal)).toEqual(Array(3).fill('We could not find that question.'))
    expect(ok(outcomes[3]).answer).toMatchObject({ correct: null, answeredAt: beforeClose.toISOString() })
    expect(refusal(outcomes[4])).toBe('This question has closed.')
    expect(await answerCount(id)).toBe(1)
  })
})

describe('self-paced challenges, surveys and creators’ views', () => {
  it('takes answers until the deadline or close; reveals after answering; exports CSV to creators only', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const member = await createDoctor({ name: 'Dr Member' })
    await addClubMember(club, member)
    const { id } = await createQuiz(viewerOf(owner), club.slug, {
      kind: 'quiz',
      title: 'Weekly challenge',
      deadline: new Date(Date.now() + 86_400_000).toISOString(),
      questions: threeQuestions.slice(0, 1),
    })
    const page = await getQuizPage(viewerOf(member), id)
    expect(page.questions[0].reveal).toBeNull()
    const q = page.questions[0]
    const result = await answerQuestion(viewerOf(member), q.id, { optionIds: [q.options[0].id] })
    expect(result.answer.points).toBe(1000)
    expect((await getQuizPage(viewerOf(member), id)).questions[0].reveal?.explanation).toBe('Flutter with 2:1 block.')
    expect(await myAnswers(viewerOf(member), id)).toHaveLength(1)

    await expectRefusal(exportQuizCsv(viewerOf(member), id), 'Only the quiz’s creators can do that.', 403)
    await expectRefusal(getQuestionStats(viewerOf(member), id), 'Only the quiz’s creators can do that.', 403)
    const { csv } = await exportQuizCsv(viewerOf(owner), id)
    expect(csv.split('\r\n')[0]).toBe('question,prompt,handle,name,answer,correct,points,seconds,answered_at')
    expect(csv).toContain('Dr Member')
    const stats = await getQuestionStats(viewerOf(owner), id)
    expect(stats[0]).toMatchObject({ answered: 1, correct: 1 })

    await rawSql()`update quizzes set deadline = now() - interval '1 second' where id = ${id}`
    const other = await createDoctor()
    await expectRefusal(answerQuestion(viewerOf(other), q.id, { optionIds: [q.options[0].id] }), 'This question has closed.', 409)
  })

  it('keeps an anonymous survey anonymous in the export and stats, and refuses answers after close', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const { id } = await createQuiz(viewerOf(owner), club.slug, {
      kind: 'survey',
      title: 'Feedback',
      anonymous: true,
      questions: [
        { kind: 'rating', prompt: 'Useful?', ratingMax: 5 },
        { kind: 'text', prompt: 'Comments' },
      ],
    })
    const [rating, text] = (await getQuizPage(viewerOf(owner), id)).questions
    const people = [await createDoctor({ name: 'Dr Secretive One' }), await createDoctor({ name: 'Dr Secretive Two' })]
    await answerQuestion(viewerOf(people[0]), rating.id, { rating: 4 })
    await answerQuestion(viewerOf(people[1]), rating.id, { rating: 2 })
    await answerQuestion(viewerOf(people[0]), text.id, { body: '  More cases please  ' })
    await expectRefusal(answerQuestion(viewerOf(people[1]), rating.id, { rating: 9 }), 'Choose a rating from 1 to 5.', 400)
    await expectRefusal(answerQuestion(viewerOf(people[1]), text.id, { body: 'x'.repeat(1024 * 1024) }), 'Your answer can be at most 2000 characters.', 413)
    expect((await questionTally(rating.id)).ratings).toEqual([0, 1, 0, 1, 0])
    const { csv } = await exportQuizCsv(viewerOf(owner), id)
    expect(csv).not.toMatch(/Secretive|handle/)
    expect(csv).toContain('More cases please')
    const stats = await getQuestionStats(viewerOf(owner), id)
    expect(stats[0].averageRating).toBe(3)
    expect(stats[1].texts).toEqual(['More cases please'])

    await closeQuiz(viewerOf(owner), id)
    await expectRefusal(answerQuestion(viewerOf(people[1]), text.id, { body: 'late' }), 'This question has closed.', 409)
    expect(await answerCount(id)).toBe(3)
  })

  it('defuses spreadsheet formulas in the CSV', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const { id } = await createQuiz(viewerOf(owner), club.slug, { kind: 'survey', title: 'Feedback', questions: [{ kind: 'text', prompt: 'Comments' }] })
    const [text] = (await getQuizPage(viewerOf(owner), id)).questions
    await answerQuestion(viewerOf(owner), text.id, { body: '=HYPERLINK("http://evil")' })
    const { csv } = await exportQuizCsv(viewerOf(owner), id)
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`)
  })
})
