import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { beatNode, registerNode } from '../../db/nodes'
import { createQuiz, type LiveQuizState } from '../../db/quizzes'
import { sweepStoppedNodes } from '../../server/realtime/heartbeat'
import { createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'
import { startRealtimeServer, type LiveClient, type RealtimeServer } from '../support/live-server'
import { signIn } from '../support/routes'

// What a crashed node leaves behind — open stays stamped with its tag and a heartbeat that
// stopped, a quiz question whose timer died with it — is put right by the node heartbeat's sweep
// and by the node's own restart, at the last moment the node was known alive.

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
  await client.ok('talk:join', { talkId })
  return client
}

const tag = () => randomUUID().replace(/-/g, '').slice(0, 12)

/** Writes what a node leaves when it dies: its heartbeat row, last written `secondsAgo`, and a stay it opened. */
async function crashedNode(talkId: string, secondsAgo: number) {
  const node = { tag: tag(), name: `node-${randomUUID().slice(0, 6)}` }
  const person = await createDoctor()
  const [row] = await rawSql()<{ lastSeenAt: Date }[]>`
    insert into nodes (tag, name, started_at, last_seen_at)
    values (${node.tag}, ${node.name}, now() - interval '1 hour', now() - make_interval(secs => ${secondsAgo}))
    returning last_seen_at as "lastSeenAt"`
  const stayId = randomUUID()
  await rawSql()`insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at)
    values (${stayId}, ${talkId}, ${person.id}, ${`${node.tag}|socket-${stayId.slice(0, 8)}`}, now() - interval '20 minutes')`
  return { node, stayId, lastSeenAt: row.lastSeenAt }
}

async function leftAt(stayId: string) {
  const [row] = await rawSql()<{ leftAt: Date | null }[]>`select left_at as "leftAt" from talk_attendance where id = ${stayId}`
  return row.leftAt
}

async function liveTalk() {
  const hostDoctor = await createDoctor()
  const club = await createTestClub(hostDoctor)
  const talk = await createTalk({ clubId: club.id, hostId: hostDoctor.id, startsAt: new Date(), status: 'live' })
  return { hostDoctor, club, talkId: talk.id }
}

describe('stays left open by a crash', () => {
  it('a node gone silent has its stays closed at its last heartbeat, under whatever name it comes back; a live node keeps its own', async () => {
    const { talkId, hostDoctor } = await liveTalk()
    const host = await joinAs(hostDoctor, talkId)
    const gone = await crashedNode(talkId, 120)
    const alive = await crashedNode(talkId, 2)

    const swept = await sweepStoppedNodes()
    expect(swept.closedStays).toBeGreaterThanOrEqual(1)
    // Closed at the heartbeat, not at the time the sweep ran: the downtime is not attendance.
    expect(await leftAt(gone.stayId)).toEqual(gone.lastSeenAt)
    expect(await leftAt(alive.stayId)).toBeNull()
    // The room hears that one person fewer is in it (the host and the live node's person remain).
    await host.next<{ count: number }>('audience:count', (p) => p.count === 2, 4000)

    // Still beating: its stay stays open, sweep after sweep.
    await beatNode(alive.node)
    await sweepStoppedNodes()
    expect(await leftAt(alive.stayId)).toBeNull()
  })

  it('a node restarting under its own name closes its previous run’s stays at that run’s last heartbeat, even one beat ago', async () => {
    const { talkId } = await liveTalk()
    // Restarted within seconds: the other nodes' sweep would not yet call it silent.
    const previous = await crashedNode(talkId, 3)
    const { closedStays } = await registerNode(previous.node)
    expect(closedStays).toBe(1)
    expect(await leftAt(previous.stayId)).toEqual(previous.lastSeenAt)
    const [row] = await rawSql()<{ fresh: boolean }[]>`select last_seen_at > now() - interval '2 seconds' as fresh from nodes where tag = ${previous.node.tag}`
    expect(row.fresh).toBe(true)
  })

  it('stays stamped by a node that never wrote a heartbeat are closed once they are older than the silence limit', async () => {
    const { talkId } = await liveTalk()
    const person = await createDoctor()
    const stayId = randomUUID()
    await rawSql()`insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at)
      values (${stayId}, ${talkId}, ${person.id}, ${`${tag()}|old-socket`}, now() - interval '10 minutes')`
    await sweepStoppedNodes()
    expect(await leftAt(stayId)).not.toBeNull()
  })
})

describe('a quiz question open during a crash', () => {
  it('is closed at its time and revealed to the room by the sweep', async () => {
    const { talkId, hostDoctor, club } = await liveTalk()
    const questions = [{ kind: 'single' as const, prompt: 'Q1', explanation: 'Because.', timeLimitSeconds: 20, options: [{ label: 'Right', correct: true }, { label: 'Wrong' }] }]
    const { id: quizId } = await createQuiz(viewerOf(hostDoctor), club.slug, { kind: 'quiz', title: 'Crashed', talkId, anonymous: false, questions })
    const host = await joinAs(hostDoctor, talkId)
    const member = await joinAs(await createDoctor(), talkId)
    await host.ok('quiz:launch', { talkId, quizId })
    const { state } = await host.ok<{ state: LiveQuizState }>('quiz:next', { talkId, quizId })
    const questionId = state.question!.id
    // The node that opened it died: its timer is gone and the question's time ran out a while ago.
    await rawSql()`update quiz_questions set opened_at = now() - interval '60 seconds', closes_at = now() - interval '40 seconds' where id = ${questionId}`

    const { revealedQuestions } = await sweepStoppedNodes()
    expect(revealedQuestions).toBe(1)
    const [row] = await rawSql()<{ closed: boolean }[]>`select closed_at = closes_at as closed from quiz_questions where id = ${questionId}`
    expect(row.closed).toBe(true)
    const revealed = await member.next<LiveQuizState>('quiz:state', (s) => s.phase === 'reveal', 4000)
    expect(revealed.reveal).toMatchObject({ questionId, explanation: 'Because.' })
    // Once closed it is not found again.
    expect((await sweepStoppedNodes()).revealedQuestions).toBe(0)
  })
})

describe('reactions', () => {
  it('are acknowledged only once the totals hold them', async () => {
    const { talkId, hostDoctor } = await liveTalk()
    const host = await joinAs(hostDoctor, talkId)
    for (let i = 1; i <= 3; i++) {
      expect(await host.send('reaction:send', { talkId, kind: 'clap' })).toEqual({ ok: true })
      const [row] = await rawSql()<{ n: number }[]>`select coalesce(sum(count), 0)::int as n from talk_reaction_totals where talk_id = ${talkId}`
      expect(row.n).toBe(i)
    }
  })
})
