import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { createQuiz, type LiveQuizState, type Leaderboard, type Tally } from '../../db/quizzes'
import { createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'
import { startRealtimeServer, type LiveClient, type RealtimeServer } from '../support/live-server'
import { signIn } from '../support/routes'

let server: RealtimeServer

beforeAll(async () => {
  server = await startRealtimeServer()
})

afterAll(async () => {
  await server.close()
})

async function joinAs(doctor: TestDoctor, talkId: string): Promise<LiveClient> {
  const auth = await signIn(doctor.id)
  const client = await server.connect(auth.cookie)
  expect(await client.send('talk:join', { talkId })).toMatchObject({ ok: true })
  return client
}

async function setup(kind: 'quiz' | 'poll' = 'quiz') {
  const hostDoctor = await createDoctor({ name: 'Dr Host' })
  const club = await createTestClub(hostDoctor)
  const talk = await createTalk({ clubId: club.id, hostId: hostDoctor.id, startsAt: new Date(), status: 'live' })
  const questions =
    kind === 'quiz'
      ? [
          { kind: 'single' as const, prompt: 'Q1', explanation: 'Because.', timeLimitSeconds: 20, options: [{ label: 'Right', correct: true }, { label: 'Wrong' }] },
          { kind: 'single' as const, prompt: 'Q2', timeLimitSeconds: 20, options: [{ label: 'Right', correct: true }, { label: 'Wrong' }] },
        ]
      : [{ kind: 'single' as const, prompt: 'Coffee?', options: [{ label: 'Yes' }, { label: 'No' }] }]
  const { id: quizId } = await createQuiz(viewerOf(hostDoctor), club.slug, { kind, title: 'Live one', talkId: talk.id, anonymous: kind === 'poll', questions })
  const host = await joinAs(hostDoctor, talk.id)
  const alpha = await createDoctor({ name: 'Dr Alpha' })
  const beta = await createDoctor({ name: 'Dr Beta' })
  return { talkId: talk.id, quizId, host, hostDoctor, alpha, beta, a: await joinAs(alpha, talk.id), b: await joinAs(beta, talk.id) }
}

type StateAck = { state: LiveQuizState }

describe('live quiz over the socket', () => {
  it('launches, opens, takes answers once, broadcasts coalesced results, reveals and ranks', async () => {
    const { talkId, quizId, host, a, b, alpha, beta } = await setup()
    expect(await a.send('quiz:launch', { talkId, quizId })).toEqual({ ok: false, error: 'Only the talk’s hosts can run a quiz.' })
    await host.ok('quiz:launch', { talkId, quizId })
    await a.next<LiveQuizState>('quiz:state', (s) => s.phase === 'lobby')
    const { state } = await host.ok<StateAck>('quiz:next', { talkId, quizId })
    const question = state.question!
    const seen = await b.next<LiveQuizState>('quiz:state', (s) => s.phase === 'question')
    expect(JSON.stringify(seen)).not.toContain('correct')

    const [right, wrong] = question.options
    const ack = await a.ok<{ answer: Record<string, unknown>; repeated: boolean }>('quiz:answer', { talkId, questionId: question.id, optionIds: [right.id], points: 99999 })
    expect(ack.repeated).toBe(false)
    expect(ack.answer).not.toHaveProperty('points')
    expect(await a.send('quiz:answer', { talkId, questionId: question.id, optionIds: [right.id] })).toMatchObject({ ok: true, repeated: true })
    expect(await a.send('quiz:answer', { talkId, questionId: question.id, optionIds: [wrong.id] })).toEqual({ ok: false, error: 'You have already answered this question.' })
    expect(await b.send('quiz:answer', { talkId, questionId: question.id, body: 'x'.repeat(100 * 1024) })).toEqual({ ok: false, error: 'That is too long to send.' })
    await b.ok('quiz:answer', { talkId, questionId: question.id, optionIds: [wrong.id] })

    const tally = await host.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 2)
    expect(tally.tally.options).toEqual([
      { id: right.id, count: 1 },
      { id: wrong.id, count: 1 },
    ])
    expect(JSON.stringify(tally)).not.toMatch(/Alpha|Beta|userId/)
    // Coalesced: far fewer broadcasts than a burst of answers would make.
    expect(host.all('quiz:results').length).toBeLessThanOrEqual(3)

    await host.ok('quiz:close', { talkId, quizId })
    const revealed = await a.next<LiveQuizState>('quiz:state', (s) => s.phase === 'reveal')
    expect(revealed.reveal).toMatchObject({ correctOptionIds: [right.id], explanation: 'Because.' })
    expect(await host.send('quiz:answer', { talkId, questionId: question.id, optionIds: [right.id] })).toEqual({ ok: false, error: 'This question has closed.' })
    const board = await b.next<{ top: Leaderboard['top'] }>('quiz:leaderboard')
    expect(board.top.map((e) => e.handle)).toEqual([alpha.handle, beta.handle])
    // The broadcast names people by handle only: no internal ids.
    expect(JSON.stringify(board)).not.toMatch(new RegExp(`userId|${alpha.id}|${beta.id}`))
    const mine = await b.ok<{ leaderboard: Leaderboard }>('quiz:results', { talkId })
    expect(mine.leaderboard.me).toMatchObject({ handle: beta.handle, rank: 2, points: 0 })

    await host.ok('quiz:next', { talkId, quizId })
    const finished = await host.ok<StateAck>('quiz:next', { talkId, quizId })
    expect(finished.state.phase).toBe('finished')
    const [count] = await rawSql()<{ n: number }[]>`select count(*)::int as n from quiz_answers where quiz_id = ${quizId}`
    expect(count.n).toBe(2)
  })

  it('takes a burst of answers at once: each acked, stored once and counted once in the bar chart', async () => {
    const { talkId, quizId, host, a, b } = await setup('poll')
    await host.ok('quiz:launch', { talkId, quizId })
    const { state } = await host.ok<StateAck>('quiz:next', { talkId, quizId })
    const question = state.question!
    const [yes, no] = question.options
    const others = await Promise.all(Array.from({ length: 6 }, async (_, i) => joinAs(await createDoctor({ name: `Dr Burst ${i}` }), talkId)))
    const everyone = [a, b, ...others]
    const answer = (optionId: string) => ({ talkId, questionId: question.id, optionIds: [optionId] })
    type AnswerAck = { ok: boolean; repeated?: boolean; error?: string; answer?: { answeredAt: string } }
    const acks = (await Promise.all([
      ...everyone.map((client, i) => client.send('quiz:answer', answer(i % 2 ? no.id : yes.id))),
      // A retry and a change of mind, sent before the first answers are stored.
      a.send('quiz:answer', answer(yes.id)),
      b.send('quiz:answer', answer(yes.id)),
    ])) as AnswerAck[]
    expect(acks.slice(0, 8).map((ack) => [ack.ok, ack.repeated])).toEqual(Array(8).fill([true, false]))
    expect(acks[8]).toMatchObject({ ok: true, repeated: true, answer: acks[0].answer })
    expect(acks[9]).toEqual({ ok: false, error: 'You have already answered this question.' })
    const [count] = await rawSql()<{ n: number }[]>`select count(*)::int as n from quiz_answers where question_id = ${question.id}`
    expect(count.n).toBe(8)

    const { tally } = await host.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 8)
    expect(tally.options).toEqual([
      { id: yes.id, count: 4 },
      { id: no.id, count: 4 },
    ])
    // Every answer received by `asOf` is in the tally.
    const latest = acks.slice(0, 8).map((ack) => ack.answer!.answeredAt).sort().at(-1)!
    expect(tally.asOf >= latest).toBe(true)
    expect(host.all<{ tally: Tally }>('quiz:results').every((p) => p.tally.total <= 8)).toBe(true)
    const asked = await others[0].ok<{ tally: Tally }>('quiz:results', { talkId })
    expect(asked.tally).toMatchObject({ total: 8, options: tally.options })

    await host.ok('quiz:close', { talkId, quizId })
    expect(await others[1].send('quiz:answer', answer(yes.id))).toEqual({ ok: false, error: 'You have already answered this question.' })
    const late = await joinAs(await createDoctor({ name: 'Dr Late' }), talkId)
    expect(await late.send('quiz:answer', answer(yes.id))).toEqual({ ok: false, error: 'This question has closed.' })
    await a.next<LiveQuizState>('quiz:state', (s) => s.phase === 'reveal')
    expect(host.all<{ tally: Tally }>('quiz:results').at(-1)?.tally.options).toEqual(tally.options)
  })

  it('closes a question when its time is up, by the server’s clock', async () => {
    const { talkId, quizId, host, a } = await setup()
    await host.ok('quiz:launch', { talkId, quizId })
    await rawSql()`update quiz_questions set time_limit_seconds = 1 where quiz_id = ${quizId}`
    await host.ok('quiz:next', { talkId, quizId })
    const revealed = await a.next<LiveQuizState>('quiz:state', (s) => s.phase === 'reveal', 4000)
    expect(revealed.reveal?.correctOptionIds).toHaveLength(1)
  })

  it('refuses outsiders and questions of another talk', async () => {
    const one = await setup('poll')
    const two = await setup('poll')
    await one.host.ok('quiz:launch', { talkId: one.talkId, quizId: one.quizId })
    const { state } = await one.host.ok<StateAck>('quiz:next', { talkId: one.talkId, quizId: one.quizId })
    const optionIds = [state.question!.options[0].id]
    expect(await two.a.send('quiz:answer', { talkId: two.talkId, questionId: state.question!.id, optionIds })).toEqual({ ok: false, error: 'We could not find that question.' })
    expect(await two.a.send('quiz:answer', { talkId: one.talkId, questionId: state.question!.id, optionIds })).toEqual({ ok: false, error: 'Join the talk first.' })
    expect(await two.host.send('quiz:next', { talkId: two.talkId, quizId: one.quizId })).toMatchObject({ ok: false })
    await one.a.ok('quiz:answer', { talkId: one.talkId, questionId: state.question!.id, optionIds })
    const results = await one.a.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 1)
    expect(results.tally.options[0].count).toBe(1)
  })

  it('shows players only how many have answered until the reveal; the host sees the counts all along', async () => {
    const { talkId, quizId, host, a, b } = await setup()
    await host.ok('quiz:launch', { talkId, quizId })
    const { state } = await host.ok<StateAck>('quiz:next', { talkId, quizId })
    const [right, wrong] = state.question!.options
    await a.ok('quiz:answer', { talkId, questionId: state.question!.id, optionIds: [right.id] })
    await b.ok('quiz:answer', { talkId, questionId: state.question!.id, optionIds: [wrong.id] })

    const counts = [
      { id: right.id, count: 1 },
      { id: wrong.id, count: 1 },
    ]
    expect((await host.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 2)).tally.options).toEqual(counts)
    for (const player of [a, b]) {
      const seen = await player.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 2)
      expect(seen.tally).toMatchObject({ total: 2, options: [], ratings: null })
      const asked = await player.ok<{ tally: Tally }>('quiz:results', { talkId })
      expect(asked.tally).toMatchObject({ total: 2, options: [], ratings: null })
    }
    expect((await host.ok<{ tally: Tally }>('quiz:results', { talkId })).tally.options).toEqual(counts)
    // Nothing a player received before the reveal carried the counts.
    for (const player of [a, b]) expect(player.all<{ tally: Tally }>('quiz:results').every((p) => p.tally.options.length === 0)).toBe(true)

    await host.ok('quiz:close', { talkId, quizId })
    expect((await a.next<{ tally: Tally }>('quiz:results', (p) => p.tally.options.length > 0)).tally.options).toEqual(counts)
    expect((await b.ok<{ tally: Tally }>('quiz:results', { talkId })).tally.options).toEqual(counts)
  })

  it('shows a poll’s counts to those who have voted, and only how many have voted to the rest', async () => {
    const { talkId, quizId, host, a, b, beta } = await setup('poll')
    await host.ok('quiz:launch', { talkId, quizId })
    const { state } = await host.ok<StateAck>('quiz:next', { talkId, quizId })
    const [yes, no] = state.question!.options
    await a.ok('quiz:answer', { talkId, questionId: state.question!.id, optionIds: [yes.id] })

    const oneVote = [
      { id: yes.id, count: 1 },
      { id: no.id, count: 0 },
    ]
    expect((await a.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 1)).tally.options).toEqual(oneVote)
    expect((await a.ok<{ tally: Tally }>('quiz:results', { talkId })).tally.options).toEqual(oneVote)
    expect((await b.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 1)).tally).toMatchObject({ total: 1, options: [] })
    expect((await b.ok<{ tally: Tally }>('quiz:results', { talkId })).tally).toMatchObject({ total: 1, options: [] })
    expect(b.all<{ tally: Tally }>('quiz:results').every((p) => p.tally.options.length === 0)).toBe(true)

    await b.ok('quiz:answer', { talkId, questionId: state.question!.id, optionIds: [no.id] })
    const twoVotes = [
      { id: yes.id, count: 1 },
      { id: no.id, count: 1 },
    ]
    expect((await b.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 2)).tally.options).toEqual(twoVotes)
    // A voter's new connection still sees the counts.
    const again = await joinAs(beta, talkId)
    expect((await again.ok<{ tally: Tally }>('quiz:results', { talkId })).tally.options).toEqual(twoVotes)
  })
})
