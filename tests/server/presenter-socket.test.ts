import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LiveQuizState, Tally } from '../../db/quizzes'
import { changeMemberRole } from '../../db/clubs'
import { createQuiz } from '../../db/quizzes'
import { addClubMember, addTalkRole, countLiveRows, createDoctor, createTalk, createTestClub, viewerOf } from '../support/factories'
import { liveRoomSteps } from '../support/live-room'
import { startRealtimeServer, type RealtimeServer } from '../support/live-server'

/*
 * `talk:present`, the presenter view's connection: a host's or co-host's second socket that hears
 * the talk without attending it — no stay, no change to the audience count — and hears the quiz
 * as the audience does: how many have answered while a question is open, the counts at the reveal.
 */

let server: RealtimeServer
const { connectAs, joinAs, liveTalk } = liveRoomSteps(() => server)

beforeAll(async () => {
  server = await startRealtimeServer()
})

afterAll(async () => {
  await server.close()
})

const quizQuestions = [
  { kind: 'single' as const, prompt: 'Drug of choice in torsades?', timeLimitSeconds: 60, options: [{ label: 'Magnesium', correct: true }, { label: 'Amiodarone' }, { label: 'Sotalol' }] },
]

describe('talk:present', () => {
  it('refuses bad input and anyone but the talk’s hosts, and writes nothing', async () => {
    const { talkId, club } = await liveTalk()
    const member = await createDoctor({ name: 'Dr Only Member' })
    await addClubMember(club, member)
    const stays = await countLiveRows('talk_attendance', talkId)
    const socket = await connectAs(member)
    expect(await socket.send('talk:present', { talkId: 'not-a-talk' })).toEqual({ ok: false, error: 'We could not find that talk.' })
    expect(await socket.send('talk:present', { talkId: 42 })).toEqual({ ok: false, error: 'Say which talk.' })
    expect(await socket.send('talk:present')).toEqual({ ok: false, error: 'That request was not understood.' })
    expect(await socket.send('talk:present', { talkId })).toEqual({ ok: false, error: 'Only the talk’s hosts can do that.' })
    // Refused, it is in none of the talk's rooms: the room's events stay out of its reach.
    expect(await socket.send('quiz:results', { talkId })).toEqual({ ok: false, error: 'Join the talk first.' })

    const outsider = await createDoctor({ name: 'Dr Outsider' })
    const privateClub = await createTestClub(outsider, { visibility: 'private' })
    const { id: privateTalk } = await createTalk({ clubId: privateClub.id, hostId: outsider.id, status: 'live', startsAt: new Date() })
    expect(await socket.send('talk:present', { talkId: privateTalk })).toEqual({ ok: false, error: 'We could not find that talk.' })
    expect(await countLiveRows('talk_attendance', talkId)).toBe(stays)
  })

  it('lets the host present without attending, and shows a quiz’s counts only from the reveal', async () => {
    const { talkId, host, hostDoctor, club } = await liveTalk()
    const { id: quizId } = await createQuiz(viewerOf(hostDoctor), club.slug, { kind: 'quiz', title: 'Arrhythmias', talkId, anonymous: false, questions: quizQuestions })
    const players = [await joinAs(await createDoctor({ name: 'Dr Player One' }), talkId), await joinAs(await createDoctor({ name: 'Dr Player Two' }), talkId)]
    const staysBefore = await countLiveRows('talk_attendance', talkId)

    const presenter = await connectAs(hostDoctor)
    expect(await presenter.send('talk:present', { talkId })).toEqual({ ok: true, status: 'live' })
    // Presenting again (as after a reconnection) changes nothing.
    expect(await presenter.send('talk:present', { talkId })).toEqual({ ok: true, status: 'live' })
    expect(await countLiveRows('talk_attendance', talkId)).toBe(staysBefore)

    await host.ok('quiz:launch', { talkId, quizId })
    const { state } = await host.ok<{ state: LiveQuizState }>('quiz:next', { talkId, quizId })
    const question = state.question!
    await presenter.next<LiveQuizState>('quiz:state', (s) => s.phase === 'question')
    const [right, wrong] = question.options
    await players[0].ok('quiz:answer', { talkId, questionId: question.id, optionIds: [right.id] })
    await players[1].ok('quiz:answer', { talkId, questionId: question.id, optionIds: [wrong.id] })

    // The host's own room window sees the counts; the presenter view only how many answered.
    await host.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 2 && p.tally.options.length > 0)
    const open = await presenter.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 2)
    expect(open.tally).toMatchObject({ total: 2, options: [], ratings: null })
    const asked = await presenter.ok<{ tally: Tally }>('quiz:results', { talkId })
    expect(asked.tally).toMatchObject({ total: 2, options: [] })

    await host.ok('quiz:close', { talkId, quizId })
    const revealed = await presenter.next<LiveQuizState>('quiz:state', (s) => s.phase === 'reveal')
    expect(revealed.reveal?.correctOptionIds).toEqual([right.id])
    const final = await presenter.next<{ tally: Tally }>('quiz:results', (p) => p.tally.options.length > 0)
    expect(final.tally.options).toEqual([
      { id: right.id, count: 1 },
      { id: wrong.id, count: 1 },
      { id: question.options[2].id, count: 0 },
    ])
    await presenter.next<{ top: unknown[] }>('quiz:leaderboard', (p) => p.top.length === 2)

    // The presenter view never counted as attending, and leaves no stay behind.
    presenter.socket.close()
    expect(await countLiveRows('talk_attendance', talkId)).toBe(staysBefore)
  })

  it('keeps a poll’s counts from the presenter view until it closes, though its voters see them', async () => {
    const { talkId, host, hostDoctor, club } = await liveTalk()
    const poll = { kind: 'single' as const, prompt: 'Night shifts: 12 hours or 8?', options: [{ label: '12 hours' }, { label: '8 hours' }] }
    const { id: quizId } = await createQuiz(viewerOf(hostDoctor), club.slug, { kind: 'poll', title: 'Rota poll', talkId, anonymous: true, questions: [poll] })
    const voter = await joinAs(await createDoctor({ name: 'Dr Voter' }), talkId)
    const presenter = await connectAs(hostDoctor)
    await presenter.ok('talk:present', { talkId })
    await host.ok('quiz:launch', { talkId, quizId })
    const { state } = await host.ok<{ state: LiveQuizState }>('quiz:next', { talkId, quizId })
    const [twelve] = state.question!.options
    await voter.ok('quiz:answer', { talkId, questionId: state.question!.id, optionIds: [twelve.id] })

    await voter.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 1 && p.tally.options.length > 0)
    const open = await presenter.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total === 1)
    expect(open.tally.options).toEqual([])
    await host.ok('quiz:close', { talkId, quizId })
    const closed = await presenter.next<{ tally: Tally }>('quiz:results', (p) => p.tally.options.length > 0)
    expect(closed.tally.options.find((o) => o.id === twelve.id)?.count).toBe(1)
  })

  it('lets a co-host present, and closes the view when they stop being one', async () => {
    const { talkId, club, hostDoctor } = await liveTalk()
    const cohost = await createDoctor({ name: 'Dr Co-host' })
    await addClubMember(club, cohost)
    await addTalkRole(talkId, cohost, 'cohost')
    const presenter = await connectAs(cohost)
    expect(await presenter.send('talk:present', { talkId })).toEqual({ ok: true, status: 'live' })

    // A club moderator presents as a co-host; made a member, the view is closed.
    const moderator = await createDoctor({ name: 'Dr Club Moderator' })
    await addClubMember(club, moderator, 'moderator')
    const moderatorView = await connectAs(moderator)
    expect(await moderatorView.send('talk:present', { talkId })).toEqual({ ok: true, status: 'live' })
    await changeMemberRole(viewerOf(hostDoctor), club.slug, moderator.handle, 'member')
    const removed = await moderatorView.next<{ talkId: string; message: string }>('talk:removed', (p) => p.talkId === talkId, 3000)
    expect(removed.message).toBe('Only the talk’s hosts can show the presenter view.')
    expect(await moderatorView.send('quiz:results', { talkId })).toEqual({ ok: false, error: 'Join the talk first.' })
    expect(await moderatorView.send('talk:present', { talkId })).toEqual({ ok: false, error: 'Only the talk’s hosts can do that.' })
  })
})
