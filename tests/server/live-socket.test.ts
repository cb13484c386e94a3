import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syncAfterRecovery } from '../../app/live/use-live-room'
import { rawSql } from '../../db/client'
import type { LiveComment, RoomState, StageSnapshot } from '../../db/live'
import { endSessionById } from '../../server/auth'
import { createCoalescer } from '../../server/realtime/coalesce'
import { disconnectSessions } from '../../server/realtime/index'
import type { SharedQuestion, StageUpdate } from '../../app/live/protocol'
import { createDoctor, createTalk, createTestClub, type TestDoctor } from '../support/factories'
import { startRealtimeServer, type LiveAck, type LiveClient, type RealtimeServer } from '../support/live-server'
import { signIn } from '../support/routes'

let server: RealtimeServer

beforeAll(async () => {
  server = await startRealtimeServer()
})

afterAll(async () => {
  await server.close()
})

type Person = LiveClient & { doctor: TestDoctor; sessionId: string }

async function connectAs(doctor: TestDoctor, options: { reconnection?: boolean } = {}): Promise<Person> {
  const auth = await signIn(doctor.id)
  const client = await server.connect(auth.cookie, options)
  return Object.assign(client, { doctor, sessionId: auth.sessionId })
}

async function joinAs(doctor: TestDoctor, talkId: string): Promise<Person> {
  const person = await connectAs(doctor)
  const ack = await person.send('talk:join', { talkId })
  expect(ack).toMatchObject({ ok: true })
  return person
}

/** A talk in a public club with its host in the room; open (live) unless told otherwise. */
async function liveTalk(options: { open?: boolean } = {}) {
  const hostDoctor = await createDoctor({ name: 'Dr Host' })
  const club = await createTestClub(hostDoctor)
  const talk = await createTalk({ clubId: club.id, hostId: hostDoctor.id, startsAt: new Date() })
  const host = await joinAs(hostDoctor, talk.id)
  if (options.open !== false) expect(await host.send('talk:open', { talkId: talk.id })).toEqual({ ok: true, status: 'live' })
  return { talkId: talk.id, club, host }
}

/** Row counts of every live-room table, for a talk: what a refused event must not change. */
async function liveRows(talkId: string) {
  const [row] = await rawSql()<Record<string, number>[]>`
    select
      (select count(*)::int from talk_comments where talk_id = ${talkId}) as comments,
      (select count(*)::int from talk_comments where talk_id = ${talkId} and (deleted_at is not null or pinned_at is not null)) as "changedComments",
      (select count(*)::int from talk_questions where talk_id = ${talkId}) as questions,
      (select count(*)::int from talk_questions where talk_id = ${talkId} and status <> 'open') as "markedQuestions",
      (select count(*)::int from talk_question_votes v join talk_questions q on q.id = v.question_id where q.talk_id = ${talkId}) as votes,
      (select count(*)::int from talk_stage where talk_id = ${talkId}) as stage,
      (select count(*)::int from talk_stage where talk_id = ${talkId} and status = 'on_stage') as "onStage",
      (select count(*)::int from talk_removals where talk_id = ${talkId}) as removals,
      (select count(*)::int from talk_roles where talk_id = ${talkId}) as roles,
      (select count(*)::int from talk_attendance where talk_id = ${talkId}) as stays,
      (select count(*)::int from talk_attendance where talk_id = ${talkId} and left_at is null) as "openStays",
      (select coalesce(sum(count), 0)::int from talk_reaction_totals where talk_id = ${talkId}) as reactions,
      (select status::text from talks where id = ${talkId}) as status`
  return row
}

async function openStays(talkId: string, userId: string) {
  const [row] = await rawSql()<{ n: number }[]>`
    select count(*)::int as n from talk_attendance where talk_id = ${talkId} and user_id = ${userId} and left_at is null`
  return row.n
}

/** The server-side sockets of a session in the live namespace. */
const liveSockets = (sessionId: string) => server.io.of('/live').in(`session:${sessionId}`).fetchSockets()

const refused = (error: string) => ({ ok: false, error })

describe('joining a talk', () => {
  it('answers with the room state, opens one attendance row per socket and tells the room how many are in', async () => {
    const { talkId, host } = await liveTalk()
    const member = await createDoctor({ name: 'Dr Member' })
    const client = await connectAs(member)

    const ack = await client.ok<{ state: RoomState }>('talk:join', { talkId })
    expect(ack.ok).toBe(true)
    expect(ack.state.talk.id).toBe(talkId)
    expect(ack.state.talk.status).toBe('live')
    expect(ack.state.me).toMatchObject({ userId: member.id, role: 'audience', onStage: false, hand: null, handPosition: null })
    expect(ack.state.stage.map((p) => p.userId)).toEqual([host.doctor.id])
    expect(ack.state.audienceCount).toBe(2)
    expect(await openStays(talkId, member.id)).toBe(1)

    // Joining again on the same socket is the same stay.
    expect(await client.send('talk:join', { talkId })).toMatchObject({ ok: true })
    expect(await openStays(talkId, member.id)).toBe(1)
    await host.next<{ count: number }>('audience:count', (p) => p.count === 2)
  })

  it('gives a second tab its own stay and counts the person once', async () => {
    const { talkId, host } = await liveTalk()
    const member = await createDoctor()
    await joinAs(member, talkId)
    const second = await joinAs(member, talkId)
    expect(await openStays(talkId, member.id)).toBe(2)
    expect((await second.ok<{ state: RoomState }>('talk:sync', { talkId })).state.audienceCount).toBe(2)
    await host.next<{ count: number }>('audience:count', (p) => p.count === 2)
  })

  it('refuses an unknown talk, a malformed id and a private club’s talk with the same sentence, writing nothing', async () => {
    const owner = await createDoctor()
    const privateClub = await createTestClub(owner, { visibility: 'private' })
    const hidden = await createTalk({ clubId: privateClub.id, hostId: owner.id, status: 'live' })
    const outsider = await connectAs(await createDoctor())
    const notFound = refused('We could not find that talk.')
    expect(await outsider.send('talk:join', { talkId: randomUUID() })).toEqual(notFound)
    expect(await outsider.send('talk:join', { talkId: 'not-a-talk' })).toEqual(notFound)
    expect(await outsider.send('talk:join', { talkId: hidden.id })).toEqual(notFound)
    expect((await liveRows(hidden.id)).stays).toBe(0)
    expect((await liveSockets(outsider.sessionId))[0].rooms.has(`talk:${hidden.id}`)).toBe(false)
  })

  it('leaving closes the stay and updates the count; disconnecting does too', async () => {
    const { talkId, host } = await liveTalk()
    const leaver = await joinAs(await createDoctor(), talkId)
    const dropper = await joinAs(await createDoctor(), talkId)
    await host.next<{ count: number }>('audience:count', (p) => p.count === 3)

    expect(await leaver.send('talk:leave', { talkId })).toEqual({ ok: true })
    expect(await openStays(talkId, leaver.doctor.id)).toBe(0)
    expect(await leaver.send('comment:send', { talkId, body: 'Still here?' })).toEqual(refused('Join the talk first.'))

    dropper.socket.disconnect()
    await expect.poll(() => openStays(talkId, dropper.doctor.id)).toBe(0)
    await host.next<{ count: number }>('audience:count', (p) => p.count === 1, 4000)
  })
})

describe('the stage', () => {
  it('shows hosts the queue of raised hands, and everyone else the count and their own place', async () => {
    const { talkId, host } = await liveTalk()
    const first = await joinAs(await createDoctor({ name: 'Dr First' }), talkId)
    const second = await joinAs(await createDoctor({ name: 'Dr Second' }), talkId)
    const listener = await joinAs(await createDoctor({ name: 'Dr Listener' }), talkId)

    expect(await first.send('hand:raise', { talkId })).toMatchObject({ ok: true, stage: { handCount: 1, hands: [], handPosition: 1 } })
    const ack = await second.send('hand:raise', { talkId })
    expect(ack).toMatchObject({ ok: true, stage: { handCount: 2, hands: [], invited: [], handPosition: 2 } })

    const hostView = await host.next<StageUpdate>('stage:update', (u) => u.handCount === 2)
    expect(hostView.hands.map((h) => h.userId)).toEqual([first.doctor.id, second.doctor.id])
    expect(await first.next<StageUpdate>('stage:update', (u) => u.handCount === 2)).toMatchObject({ hands: [], handPosition: 1 })
    expect(await second.next<StageUpdate>('stage:update', (u) => u.handCount === 2)).toMatchObject({ hands: [], handPosition: 2 })
    expect(await listener.next<StageUpdate>('stage:update', (u) => u.handCount === 2)).toMatchObject({ hands: [], handPosition: null })

    expect(await first.send('hand:lower', { talkId })).toMatchObject({ ok: true, stage: { handCount: 1, handPosition: null } })
    await second.next<StageUpdate>('stage:update', (u) => u.handCount === 1 && u.handPosition === 1)
  })

  it('invite → accept puts the person on stage, and everyone gets the same stage', async () => {
    const { talkId, host } = await liveTalk()
    const speaker = await joinAs(await createDoctor({ name: 'Dr Speaker' }), talkId)
    const listener = await joinAs(await createDoctor(), talkId)
    await speaker.send('hand:raise', { talkId })

    const invite = await host.send('stage:invite', { talkId, userId: speaker.doctor.id })
    expect(invite).toMatchObject({ ok: true, stage: { invited: [speaker.doctor.id], handCount: 0 } })
    expect(await speaker.next('stage:invited')).toEqual({ talkId, by: host.doctor.id })
    expect(listener.all('stage:invited')).toEqual([])

    expect(await speaker.send('stage:respond', { talkId, accept: true })).toMatchObject({ ok: true })
    const onStage = (u: StageSnapshot) => u.stage.some((p) => p.userId === speaker.doctor.id)
    const [hostView, speakerView, listenerView] = await Promise.all([
      host.next<StageUpdate>('stage:update', onStage),
      speaker.next<StageUpdate>('stage:update', onStage),
      listener.next<StageUpdate>('stage:update', onStage),
    ])
    expect(hostView.stage.map((p) => p.userId)).toEqual([host.doctor.id, speaker.doctor.id])
    expect(speakerView.stage).toEqual(hostView.stage)
    expect(listenerView.stage).toEqual(hostView.stage)
    expect((await liveRows(talkId)).onStage).toBe(2)

    expect(await host.send('stage:ask-mute', { talkId, userId: speaker.doctor.id })).toEqual({ ok: true })
    expect(await speaker.next('stage:mute-requested')).toEqual({ talkId, by: host.doctor.id })
    expect(listener.all('stage:mute-requested')).toEqual([])

    expect(await host.send('stage:move-to-audience', { talkId, userId: speaker.doctor.id })).toMatchObject({ ok: true })
    await listener.next<StageUpdate>('stage:update', (u) => u.stage.length === 1)
    expect((await liveRows(talkId)).onStage).toBe(1)
  })

  it('a declined invitation and leaving the stage send the person back to the audience', async () => {
    const { talkId, host } = await liveTalk()
    const guest = await joinAs(await createDoctor(), talkId)
    await host.send('stage:invite', { talkId, userId: guest.doctor.id })
    expect(await guest.send('stage:respond', { talkId, accept: false })).toMatchObject({ ok: true, stage: { invited: [] } })
    expect((await liveRows(talkId)).stage).toBe(1)

    await host.send('stage:invite', { talkId, userId: guest.doctor.id })
    await guest.send('stage:respond', { talkId, accept: true })
    expect(await guest.send('stage:leave', { talkId })).toMatchObject({ ok: true })
    await host.next<StageUpdate>('stage:update', (u) => u.stage.length === 1 && u.invited.length === 0)
    expect((await liveRows(talkId)).onStage).toBe(1)
  })

  it('a promoted co-host gets the whole room, then the hand queue', async () => {
    const { talkId, host } = await liveTalk()
    const cohost = await joinAs(await createDoctor({ name: 'Dr Cohost' }), talkId)
    const raiser = await joinAs(await createDoctor(), talkId)

    expect(await host.send('cohost:promote', { talkId, userId: cohost.doctor.id })).toMatchObject({ ok: true })
    const state = await cohost.next<RoomState>('room:state')
    expect(state.me.role).toBe('cohost')

    await raiser.send('hand:raise', { talkId })
    const view = await cohost.next<StageUpdate>('stage:update', (u) => u.handCount === 1)
    expect(view.hands.map((h) => h.userId)).toEqual([raiser.doctor.id])
    // And may now act as a host.
    expect(await cohost.send('stage:invite', { talkId, userId: raiser.doctor.id })).toMatchObject({ ok: true })
  })
})

describe('comments, questions and reactions', () => {
  it('a comment reaches everyone in the room once, even when the send is retried', async () => {
    const { talkId, host } = await liveTalk()
    const author = await joinAs(await createDoctor({ name: 'Dr Author' }), talkId)
    const reader = await joinAs(await createDoctor(), talkId)
    const outside = await connectAs(await createDoctor())

    const ack = await author.ok<{ comment: LiveComment }>('comment:send', { talkId, body: '  Great ECG strip  ', clientId: 'c-1' })
    expect(ack).toMatchObject({ comment: { body: 'Great ECG strip', author: { userId: author.doctor.id } } })
    const retry = await author.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'Great ECG strip', clientId: 'c-1' })
    expect(retry.comment.id).toBe(ack.comment.id)
    expect((await liveRows(talkId)).comments).toBe(1)

    for (const person of [host, reader]) {
      expect(await person.next('comment:new')).toEqual({ talkId, comment: ack.comment })
    }
    await outside.send('talk:sync', { talkId })
    expect(outside.all('comment:new')).toEqual([])

    expect(await host.send('comment:pin', { talkId, commentId: ack.comment.id })).toMatchObject({
      ok: true,
      pinned: { id: ack.comment.id },
    })
    expect(await reader.next('comment:pinned')).toMatchObject({ talkId, pinned: { id: ack.comment.id, pinned: true } })
    expect(await author.send('comment:delete', { talkId, commentId: ack.comment.id })).toEqual({ ok: true, id: ack.comment.id })
    expect(await reader.next('comment:deleted')).toEqual({ talkId, id: ack.comment.id })
  })

  it('questions appear for others, votes are counted once, and a hidden question leaves the audience’s view', async () => {
    const { talkId, host } = await liveTalk()
    const asker = await joinAs(await createDoctor(), talkId)
    const voter = await joinAs(await createDoctor(), talkId)

    const ack = await asker.ok<{ question: SharedQuestion }>('question:ask', { talkId, body: 'Would you anticoagulate?' })
    expect(ack).toMatchObject({ ok: true, question: { body: 'Would you anticoagulate?', votes: 0, status: 'open' } })
    const seen = await voter.next<{ question: SharedQuestion }>('question:new')
    expect(seen.question).not.toHaveProperty('votedByMe')
    expect(seen.question.id).toBe(ack.question.id)

    const id = ack.question.id
    expect(await voter.send('question:upvote', { talkId, questionId: id, up: true })).toEqual({ ok: true, id, votes: 1 })
    expect(await voter.send('question:upvote', { talkId, questionId: id, up: true })).toEqual({ ok: true, id, votes: 1 })
    expect(await host.next('question:update', (u: { votes?: number }) => u.votes === 1)).toEqual({ talkId, id, votes: 1 })
    expect(await asker.send('question:upvote', { talkId, questionId: id, up: true })).toEqual(
      refused('You cannot upvote your own question.'),
    )

    expect(await host.send('question:mark', { talkId, questionId: id, status: 'hidden' })).toMatchObject({ ok: true })
    expect(await voter.next('question:update', (u: { status?: string }) => u.status === 'hidden')).toEqual({ talkId, id, status: 'hidden' })
    expect(await host.next('question:update', (u: { status?: string }) => u.status === 'hidden')).toMatchObject({
      question: { id, body: 'Would you anticoagulate?' },
    })
    expect((await liveRows(talkId)).votes).toBe(1)
  })

  it('reactions are added up and broadcast at most twice a second', async () => {
    const { talkId, host } = await liveTalk()
    const people = await Promise.all([1, 2, 3].map(async () => joinAs(await createDoctor(), talkId)))
    const started = Date.now()
    for (let round = 0; round < 4; round++) {
      const acks = await Promise.all(people.map((person) => person.send('reaction:send', { talkId, kind: round % 2 ? 'heart' : 'clap' })))
      for (const ack of acks) expect(ack).toEqual({ ok: true })
    }
    const totals = await host.next<{ totals: Record<string, number> }>(
      'reactions',
      (r) => r.totals.clap === 6 && r.totals.heart === 6,
      3000,
    )
    expect(totals).toEqual({ talkId, totals: { clap: 6, heart: 6 } })
    const broadcasts = host.all('reactions').length
    expect(broadcasts).toBeLessThanOrEqual(Math.floor((Date.now() - started) / 500) + 1)
    expect((await liveRows(talkId)).reactions).toBe(12)
  })
})

describe('removing someone from a talk', () => {
  it('takes every tab of theirs out, tells them, and refuses their rejoin', async () => {
    const { talkId, host } = await liveTalk()
    const troll = await createDoctor({ name: 'Dr Troll' })
    const tabs = [await joinAs(troll, talkId), await joinAs(troll, talkId)]
    const bystander = await joinAs(await createDoctor(), talkId)
    await tabs[0].send('hand:raise', { talkId })

    expect(await host.send('talk:remove', { talkId, userId: troll.id })).toMatchObject({ ok: true, stage: { handCount: 0 } })
    for (const tab of tabs) {
      expect(await tab.next('talk:removed')).toEqual({ talkId, message: 'The hosts removed you from this talk.' })
    }
    await bystander.next<StageUpdate>('stage:update', (u) => u.handCount === 0)
    expect(await openStays(talkId, troll.id)).toBe(0)
    for (const tab of tabs) expect(tab.socket.connected).toBe(true)

    const before = await liveRows(talkId)
    expect(await tabs[0].send('comment:send', { talkId, body: 'Let me back' })).toEqual(refused('Join the talk first.'))
    expect(await tabs[1].send('talk:join', { talkId })).toEqual(refused('The hosts removed you from this talk, so you cannot rejoin it.'))
    const fresh = await connectAs(troll)
    expect(await fresh.send('talk:join', { talkId })).toEqual(refused('The hosts removed you from this talk, so you cannot rejoin it.'))
    expect(await liveRows(talkId)).toEqual(before)

    await bystander.send('comment:send', { talkId, body: 'Thanks' })
    await bystander.next('comment:new')
    for (const tab of tabs) expect(tab.all('comment:new')).toEqual([])
  })

  it('never removes the host', async () => {
    const { talkId, host } = await liveTalk()
    const cohost = await joinAs(await createDoctor(), talkId)
    await host.send('cohost:promote', { talkId, userId: cohost.doctor.id })
    expect(await cohost.send('talk:remove', { talkId, userId: host.doctor.id })).toEqual(
      refused('The host cannot be removed from the talk.'),
    )
    expect(host.all('talk:removed')).toEqual([])
  })
})

describe('ending a talk', () => {
  it('tells the room, closes every stay and refuses comments, questions and reactions', async () => {
    const { talkId, host } = await liveTalk()
    const member = await joinAs(await createDoctor(), talkId)
    expect(await host.send('talk:end', { talkId })).toEqual({ ok: true, status: 'ended' })
    expect(await member.next('talk:status', (s: { status: string }) => s.status === 'ended')).toEqual({ talkId, status: 'ended' })
    expect((await liveRows(talkId)).openStays).toBe(0)

    const before = await liveRows(talkId)
    expect(await member.send('comment:send', { talkId, body: 'Thank you!' })).toEqual(refused('This talk has ended.'))
    expect(await member.send('question:ask', { talkId, body: 'Slides?' })).toEqual(refused('This talk has ended.'))
    expect(await member.send('reaction:send', { talkId, kind: 'thanks' })).toEqual(refused('This talk has ended.'))
    expect(await member.send('hand:raise', { talkId })).toEqual(refused('This talk has ended.'))
    expect(await liveRows(talkId)).toEqual(before)
  })

  it('opening is for hosts: a scheduled talk opens with talk:open and everyone is told', async () => {
    const { talkId, host } = await liveTalk({ open: false })
    const member = await joinAs(await createDoctor(), talkId)
    expect(await member.send('comment:send', { talkId, body: 'Early' })).toEqual(refused('This talk has not started yet.'))
    expect(await member.send('talk:open', { talkId })).toEqual(refused('Only the talk’s hosts can do that.'))
    expect(await host.send('talk:open', { talkId })).toEqual({ ok: true, status: 'live' })
    expect(await member.next('talk:status')).toEqual({ talkId, status: 'live' })
  })
})

describe('bad input', () => {
  const uuid = '5d0c1f1e-0a4b-4c1e-9a57-1d2f3e4a5b6c'
  // A valid payload per event (ids of things that need not exist), for the checks before the data layer.
  const events: [string, Record<string, unknown>][] = [
    ['talk:sync', {}],
    ['talk:leave', {}],
    ['talk:open', {}],
    ['talk:end', {}],
    ['hand:raise', {}],
    ['hand:lower', {}],
    ['stage:invite', { userId: uuid }],
    ['stage:respond', { accept: true }],
    ['stage:leave', {}],
    ['stage:move-to-audience', { userId: uuid }],
    ['stage:ask-mute', { userId: uuid }],
    ['talk:remove', { userId: uuid }],
    ['cohost:promote', { userId: uuid }],
    ['comment:send', { body: 'Hello' }],
    ['comment:delete', { commentId: uuid }],
    ['comment:pin', { commentId: null }],
    ['reaction:send', { kind: 'clap' }],
    ['question:ask', { body: 'Why?' }],
    ['question:upvote', { questionId: uuid, up: true }],
    ['question:mark', { questionId: uuid, status: 'answered' }],
  ]
  const allEvents: [string, Record<string, unknown>][] = [['talk:join', {}], ...events]

  it.each(events)('%s before joining the talk: "Join the talk first." and nothing written', async (event, fields) => {
    const { talkId } = await liveTalk()
    const visitor = await connectAs(await createDoctor())
    const before = await liveRows(talkId)
    expect(await visitor.send(event, { talkId, ...fields })).toEqual(refused('Join the talk first.'))
    expect(await liveRows(talkId)).toEqual(before)
  })

  it.each(allEvents)('%s with the wrong types is refused with a plain sentence', async (event, fields) => {
    const { talkId, host } = await liveTalk()
    const before = await liveRows(talkId)
    expect(await host.send(event, null)).toEqual(refused('That request was not understood.'))
    expect(await host.send(event, 'talk')).toEqual(refused('That request was not understood.'))
    expect(await host.send(event)).toEqual(refused('That request was not understood.'))
    expect(await host.send(event, { ...fields, talkId: 42 })).toEqual(refused('Say which talk.'))
    expect(await host.send(event, { ...fields })).toEqual(refused('Say which talk.'))
    expect(await host.send(event, { ...fields, talkId: 'x'.repeat(36) })).toEqual(refused('We could not find that talk.'))
    for (const [field, value] of Object.entries(fields)) {
      const ack = await host.send(event, { ...fields, talkId, [field]: value === null ? 42 : typeof value === 'string' ? 42 : 'yes' })
      expect(ack.ok).toBe(false)
      expect(ack.error).toMatch(/^[A-Z][^\n]{5,80}\.$/)
    }
    expect(await host.send(event, { ...fields, talkId, junk: 'x'.repeat(20_000) })).toEqual(refused('That is too long to send.'))
    expect(await liveRows(talkId)).toEqual(before)
    expect(host.socket.connected).toBe(true)
  })

  it('names the field that is wrong', async () => {
    const { talkId, host } = await liveTalk()
    expect(await host.send('stage:invite', { talkId })).toEqual(refused('Say which person.'))
    expect(await host.send('stage:invite', { talkId, userId: 'someone' })).toEqual(refused('We could not find that person.'))
    expect(await host.send('stage:respond', { talkId, accept: 'yes' })).toEqual(refused('Say whether you accept.'))
    expect(await host.send('comment:send', { talkId, body: 42 })).toEqual(refused('Write your comment first.'))
    expect(await host.send('comment:send', { talkId, body: 'Hi', clientId: 7 })).toEqual(refused('That message id is not valid.'))
    expect(await host.send('comment:pin', { talkId })).toEqual(refused('Say which comment.'))
    expect(await host.send('reaction:send', { talkId, kind: 'boo' })).toEqual(refused('Pick one of the reactions.'))
    expect(await host.send('question:upvote', { talkId, questionId: randomUUID() })).toEqual(refused('Say whether you are voting for it.'))
    expect(await host.send('question:mark', { talkId, questionId: randomUUID(), status: 'gone' })).toEqual(
      refused('Mark it open, answered or hidden.'),
    )
  })

  it('refuses 100 kB comments and questions early, and the data layer’s limits after that', async () => {
    const { talkId, host } = await liveTalk()
    const member = await joinAs(await createDoctor(), talkId)
    const before = await liveRows(talkId)
    expect(await member.send('comment:send', { talkId, body: 'x'.repeat(100 * 1024) })).toEqual(refused('That is too long to send.'))
    expect(await member.send('question:ask', { talkId, body: 'x'.repeat(100 * 1024) })).toEqual(refused('That is too long to send.'))
    expect(await member.send('comment:send', { talkId, body: 'x'.repeat(501) })).toEqual(
      refused('Your comment can be at most 500 characters.'),
    )
    expect(await member.send('comment:send', { talkId, body: '   ' })).toEqual(refused('Write your comment first.'))
    expect(await member.send('question:ask', { talkId, body: 'x'.repeat(301) })).toEqual(
      refused('Your question can be at most 300 characters.'),
    )
    expect(await liveRows(talkId)).toEqual(before)
    expect(host.all('comment:new')).toEqual([])
  })

  it.each([
    ['talk:end', {}],
    ['stage:invite', { userId: 'self' }],
    ['stage:move-to-audience', { userId: 'host' }],
    ['stage:ask-mute', { userId: 'host' }],
    ['talk:remove', { userId: 'self' }],
    ['cohost:promote', { userId: 'self' }],
    ['comment:pin', { commentId: 'comment' }],
    ['comment:delete', { commentId: 'comment' }],
    ['question:mark', { questionId: 'question', status: 'hidden' }],
  ])('%s by someone who is not a host is refused and writes nothing', async (event, fields) => {
    const { talkId, host } = await liveTalk()
    const member = await joinAs(await createDoctor(), talkId)
    const comment = await host.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'Welcome' })
    const question = await host.ok<{ question: SharedQuestion }>('question:ask', { talkId, body: 'Any questions?' })
    const ids: Record<string, string> = {
      self: member.doctor.id,
      host: host.doctor.id,
      comment: comment.comment.id,
      question: question.question.id,
    }
    const payload = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, ids[value] ?? value]))

    const before = await liveRows(talkId)
    const ack = await member.send(event, { talkId, ...payload })
    expect(ack.ok).toBe(false)
    expect(ack.error).toMatch(/^Only (the talk’s hosts|its author and the talk’s hosts|the host) can /)
    expect(await liveRows(talkId)).toEqual(before)
  })

  it.each([
    ['comment:send', 5, (n: number) => ({ body: `Comment ${n}` }), 'comments', 'comments'],
    ['question:ask', 3, (n: number) => ({ body: `Question ${n}` }), 'questions', 'questions'],
    ['reaction:send', 20, () => ({ kind: 'clap' }), 'reactions', null],
  ] as const)('a flood of %s beyond %i is refused and not written', async (event, allowed, fields, what, table) => {
    const { talkId, host } = await liveTalk()
    const flooder = await joinAs(await createDoctor(), talkId)
    // Sent together: a reaction's ack waits for its batch to be written, and the window must not pass meanwhile.
    const acks = await Promise.all(Array.from({ length: allowed }, (_, n) => flooder.send(event, { talkId, ...fields(n) })))
    for (const ack of acks) expect(ack).toMatchObject({ ok: true })
    const before = await liveRows(talkId)
    for (let n = allowed; n < allowed + 3; n++) {
      const ack = await flooder.send(event, { talkId, ...fields(n) })
      expect(ack.ok).toBe(false)
      expect(ack.error).toMatch(new RegExp(`^You are sending ${what} too fast\\. Try again in \\d+ seconds?\\.$`))
    }
    if (table) {
      expect((await liveRows(talkId))[table]).toBe(allowed)
    } else {
      await host.next<{ totals: Record<string, number> }>('reactions', (r) => r.totals.clap === allowed, 3000)
      expect((await liveRows(talkId)).reactions).toBe(allowed)
    }
    // Reactions reach the database a moment after their acks.
    expect({ ...(await liveRows(talkId)), reactions: 0 }).toEqual({ ...before, reactions: 0 })
    // Somebody else is not held back.
    expect(await host.send(event, { talkId, ...fields(99) })).toMatchObject({ ok: true })
  })

  it('a flood of other requests beyond 30 in 10 seconds is refused and not written', async () => {
    const { talkId } = await liveTalk()
    const flooder = await joinAs(await createDoctor(), talkId) // the join spent one
    for (let n = 1; n < 30; n++) expect(await flooder.send(n % 2 ? 'hand:raise' : 'hand:lower', { talkId })).toMatchObject({ ok: true })
    const before = await liveRows(talkId)
    expect(before.stage).toBe(2) // the host on stage, and the hand left up
    const ack = await flooder.send('hand:lower', { talkId })
    expect(ack.error).toMatch(/^You are sending requests too fast\. Try again in \d+ seconds?\.$/)
    expect(await liveRows(talkId)).toEqual(before)
  })
})

describe('sessions and reconnecting', () => {
  it('signing out disconnects the person’s live sockets and closes their stays', async () => {
    const { talkId } = await liveTalk()
    const doctor = await createDoctor()
    const ended = await joinAs(doctor, talkId)
    const kept = await joinAs(doctor, talkId)
    const reason = new Promise<string>((resolve) => ended.socket.once('disconnect', (r) => resolve(r)))

    await endSessionById(ended.sessionId)
    disconnectSessions([ended.sessionId])

    expect(await reason).toBe('io server disconnect')
    expect(await liveSockets(ended.sessionId)).toHaveLength(0)
    expect(kept.socket.connected).toBe(true)
    await expect.poll(() => openStays(talkId, doctor.id)).toBe(1)
  })

  /** Drops the connection as a network failure would, and waits until the server has noticed. */
  async function dropConnection(person: Person) {
    const gone = new Promise<string>((resolve) => person.socket.once('disconnect', (reason) => resolve(reason)))
    person.socket.io.engine.close()
    expect(await gone).toBe('forced close')
    await expect.poll(async () => (await liveSockets(person.sessionId)).length).toBe(0)
  }

  it('a socket that recovers keeps its rooms and receives the comment sent while it was away', async () => {
    const { talkId, host } = await liveTalk()
    const member = await joinAs(await createDoctor(), talkId)
    // A client can only recover once it has received a broadcast: its offset says what it missed.
    await member.next('audience:count')
    const roomId = member.socket.id
    await dropConnection(member)
    await expect.poll(() => openStays(talkId, member.doctor.id)).toBe(0)

    const sent = await host.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'Sent while you were away' })
    const back = new Promise<void>((resolve) => member.socket.once('connect', () => resolve()))
    member.socket.connect()
    await back

    expect(member.socket.recovered).toBe(true)
    expect(member.socket.id).toBe(roomId)
    expect(await member.next('comment:new')).toEqual({ talkId, comment: sent.comment })
    // Still in the room without joining again, with a stay open again.
    expect(await member.send('comment:send', { talkId, body: 'Back' })).toMatchObject({ ok: true })
    await expect.poll(() => openStays(talkId, member.doctor.id)).toBe(1)
  })

  it('a signed-out session cannot recover, and is sent nothing it missed', async () => {
    const { talkId, host } = await liveTalk()
    const member = await joinAs(await createDoctor(), talkId)
    await member.next('audience:count')
    await dropConnection(member)
    await endSessionById(member.sessionId)
    await host.send('comment:send', { talkId, body: 'Not for a signed-out session' })

    const packets: { type: number; nsp: string }[] = []
    member.socket.io.on('packet', (packet) => packets.push(packet))
    const refusal = new Promise<Error>((resolve) => member.socket.once('connect_error', resolve))
    member.socket.connect()

    expect((await refusal).message).toBe('Please sign in to join live rooms.')
    expect(member.socket.connected).toBe(false)
    expect(packets.filter((p) => p.type === 2)).toEqual([])
    expect(member.all('comment:new')).toEqual([])
    await expect.poll(() => openStays(talkId, member.doctor.id)).toBe(0)
  })

  it('someone removed while away does not get the room back, nor what was said after', async () => {
    const { talkId, host } = await liveTalk()
    const member = await joinAs(await createDoctor(), talkId)
    await member.next('audience:count')
    await dropConnection(member)
    await host.ok('talk:remove', { talkId, userId: member.doctor.id })
    await host.ok('comment:send', { talkId, body: 'Said after the removal' })

    const packets: { type: number; data?: unknown[] }[] = []
    member.socket.io.on('packet', (packet) => packets.push(packet))
    const back = new Promise<void>((resolve) => member.socket.once('connect', () => resolve()))
    member.socket.connect()
    await back

    expect(member.socket.recovered).toBe(false)
    expect(packets.filter((p) => p.type === 2 && p.data?.[0] === 'comment:new')).toEqual([])
    expect(await member.send('comment:send', { talkId, body: 'Hello?' })).toEqual(refused('Join the talk first.'))
    expect(await member.send('talk:join', { talkId })).toEqual(refused('The hosts removed you from this talk, so you cannot rejoin it.'))
  })

  it('someone removed while their join is loading the room is not left in it, whichever finishes first', async () => {
    const { talkId, host } = await liveTalk()
    for (let i = 0; i < 20; i++) {
      const person = await connectAs(await createDoctor())
      const [, removal] = await Promise.all([
        person.send('talk:join', { talkId }),
        host.send('talk:remove', { talkId, userId: person.doctor.id }),
      ])
      expect(removal).toMatchObject({ ok: true })
      const inRoom = async () => (await liveSockets(person.sessionId))[0]?.rooms.has(`talk:${talkId}`) ?? false
      await expect.poll(inRoom).toBe(false)
      await expect.poll(() => openStays(talkId, person.doctor.id)).toBe(0)
      expect(await person.send('comment:send', { talkId, body: 'Still here?' })).toMatchObject({ ok: false })
      person.socket.disconnect()
    }
  })

  /** Drops the connection and lets it recover; the room then hears `body` from the host. */
  async function recoverThenMiss(body: string) {
    const { talkId, host } = await liveTalk()
    const member = await joinAs(await createDoctor(), talkId)
    await member.next('audience:count')
    await dropConnection(member)
    await expect.poll(() => openStays(talkId, member.doctor.id)).toBe(0)
    const back = new Promise<void>((resolve) => member.socket.once('connect', () => resolve()))
    member.socket.connect()
    await back
    expect(member.socket.recovered).toBe(true)
    // The recovery opens a stay and puts the socket in its rooms; let that finish before a test
    // changes the rooms, or the recovery would put the socket back afterwards.
    await expect.poll(() => openStays(talkId, member.doctor.id)).toBe(1)
    const sent = await host.ok<{ comment: LiveComment }>('comment:send', { talkId, body })
    return { talkId, member, sent: sent.comment }
  }

  const wait = (person: Person) => async (ms: number) => {
    await sleep(ms)
    return person.socket.connected
  }

  it('after a recovery, a sync that gets no answer is tried again and brings the room', async () => {
    const { talkId, member, sent } = await recoverThenMiss('Said while the server was busy')
    const acks: (LiveAck & { state?: RoomState })[] = []
    const outcome = await syncAfterRecovery({
      sync: async () => {
        // The first sync is given no time to answer, as when the server is too busy to.
        const ack = acks.length
          ? await member.send('talk:sync', { talkId })
          : await member.socket
              .timeout(0)
              .emitWithAck('talk:sync', { talkId })
              .catch(() => ({ ok: false, error: 'no answer' }))
        acks.push(ack)
        return ack
      },
      join: () => Promise.reject(new Error('A sync that answers on a retry needs no join.')),
      wait: wait(member),
      retryMs: [20, 20],
    })
    expect(outcome).toBe('synced')
    expect(acks.map((a) => a.ok)).toEqual([false, true])
    expect(acks[1].state?.me.userId).toBe(member.doctor.id)
    expect(acks[1].state?.comments.map((c) => c.id)).toContain(sent.id)
  })

  it('after a recovery, a sync that keeps failing falls back to joining, which gives the whole state', async () => {
    const { talkId, member, sent } = await recoverThenMiss('Said while the syncs failed')
    // Out of the room on the server, every sync is refused.
    server.io.of('/live').in(`session:${member.sessionId}`).socketsLeave(`talk:${talkId}`)
    const syncs: LiveAck[] = []
    let joined: (LiveAck & { state?: RoomState }) | undefined
    const outcome = await syncAfterRecovery({
      sync: async () => {
        const ack = await member.send('talk:sync', { talkId })
        syncs.push(ack)
        return ack
      },
      join: async () => {
        joined = await member.send('talk:join', { talkId })
      },
      wait: wait(member),
      retryMs: [20, 20],
    })
    expect(outcome).toBe('joined')
    expect(syncs).toEqual([refused('Join the talk first.'), refused('Join the talk first.'), refused('Join the talk first.')])
    expect(joined?.ok).toBe(true)
    expect(joined?.state?.comments.map((c) => c.id)).toContain(sent.id)
    expect(await openStays(talkId, member.doctor.id)).toBe(1)
  })

  it('after a recovery, sync retries stop when the connection has gone again', async () => {
    const { talkId, member } = await recoverThenMiss('Said before the connection went')
    let syncs = 0
    const outcome = await syncAfterRecovery({
      sync: async () => {
        syncs++
        const ack = await member.socket
          .timeout(0)
          .emitWithAck('talk:sync', { talkId })
          .catch(() => ({ ok: false }))
        member.socket.disconnect()
        return ack
      },
      join: () => Promise.reject(new Error('A connection that has gone does not join.')),
      wait: wait(member),
      retryMs: [20, 20],
    })
    expect(outcome).toBe('stopped')
    expect(syncs).toBe(1)
  })

  it('syncs sent the moment a host and a member recover each get that person’s own room', async () => {
    const { talkId, host } = await liveTalk()
    const member = await joinAs(await createDoctor(), talkId)
    await member.ok('hand:raise', { talkId })
    await Promise.all([host.next('audience:count', (p) => p.count === 2), member.next('stage:update')])
    await Promise.all([dropConnection(host), dropConnection(member)])
    const sent = await (await joinAs(await createDoctor(), talkId)).ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'Said while both were away' })

    const syncOnConnect = (person: Person) =>
      new Promise<LiveAck & { state?: RoomState }>((resolve) => {
        person.socket.once('connect', () => resolve(person.send('talk:sync', { talkId })))
        person.socket.connect()
      })
    const [hostAck, memberAck] = await Promise.all([syncOnConnect(host), syncOnConnect(member)])

    expect([host.socket.recovered, member.socket.recovered]).toEqual([true, true])
    expect(hostAck.state?.me).toMatchObject({ userId: host.doctor.id, role: 'host', onStage: true })
    expect(hostAck.state?.hands.map((h) => h.userId)).toEqual([member.doctor.id])
    expect(memberAck.state?.me).toMatchObject({ userId: member.doctor.id, role: 'audience', hand: 'raised', handPosition: 1 })
    expect(memberAck.state?.hands).toEqual([])
    expect(memberAck.state?.handCount).toBe(1)
    for (const ack of [hostAck, memberAck]) expect(ack.state?.comments.map((c) => c.id)).toContain(sent.comment.id)
    await expect.poll(() => openStays(talkId, member.doctor.id)).toBe(1)
    await expect.poll(() => openStays(talkId, host.doctor.id)).toBe(1)
  })

  it('when recovery fails, joining again gives the whole state, with what was missed', async () => {
    const { talkId, host } = await liveTalk()
    const doctor = await createDoctor()
    const first = await joinAs(doctor, talkId)
    first.socket.disconnect()
    const sent = await host.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'While you were reconnecting' })

    const fresh = await connectAs(doctor)
    expect(fresh.socket.recovered).toBe(false)
    expect(await fresh.send('comment:send', { talkId, body: 'Hello?' })).toEqual(refused('Join the talk first.'))
    const ack = await fresh.ok<{ state: RoomState }>('talk:join', { talkId })
    expect(ack.state.comments.map((c) => c.id)).toContain(sent.comment.id)
  })
})

describe('the coalescer behind reactions and audience counts', () => {
  it('flushes the first value at once, then at most once per interval, and drains what is pending', async () => {
    const flushed: { at: number; key: string; value: number }[] = []
    const start = Date.now()
    const coalescer = createCoalescer<number>({
      intervalMs: 200,
      merge: (pending = 0, next) => pending + next,
      flush: async (key, value) => {
        flushed.push({ at: Date.now() - start, key, value })
      },
      onError: (error) => {
        throw error
      },
    })
    coalescer.add('talk-1', 1)
    await expect.poll(() => flushed.length).toBe(1)
    for (let n = 0; n < 5; n++) coalescer.add('talk-1', 1)
    coalescer.add('talk-2', 7)
    await expect.poll(() => flushed.length).toBe(3)
    const first = flushed.filter((f) => f.key === 'talk-1')
    expect(first.map((f) => f.value)).toEqual([1, 5])
    expect(first[1].at - first[0].at).toBeGreaterThanOrEqual(190)
    expect(flushed.find((f) => f.key === 'talk-2')?.value).toBe(7)

    coalescer.add('talk-1', 3)
    await coalescer.drain()
    expect(flushed.filter((f) => f.key === 'talk-1').map((f) => f.value)).toEqual([1, 5, 3])
  })
})
