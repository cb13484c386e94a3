import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { QuestionUpdate, SharedQuestion } from '../../app/live/protocol'
import { roomReducer } from '../../app/live/room-state'
import { silencedForViewerSql } from '../../db/access/index'
import { db, rawSql } from '../../db/client'
import { peopleNotToReceiveFrom, type LiveComment, type LiveQuestion, type RoomState } from '../../db/live'
import { silencedPeopleSql } from '../../db/live/silenced'
import { personRelations } from '../../db/schema/index'
import { createDoctor } from '../support/factories'
import { liveRoomSteps, type Person } from '../support/live-room'
import { startRealtimeServer, type RealtimeServer } from '../support/live-server'

let server: RealtimeServer

beforeAll(async () => {
  server = await startRealtimeServer()
})

afterAll(async () => {
  await server.close()
})

const { connectAs, joinAs, liveTalk } = liveRoomSteps(() => server)

/** What the people pages write when someone blocks or mutes someone else. */
async function relate(person: { id: string }, other: { id: string }, kind: 'block' | 'mute') {
  await db.insert(personRelations).values({ userId: person.id, otherId: other.id, kind })
}

async function comment(person: Person, talkId: string, body: string) {
  return (await person.ok<{ comment: LiveComment }>('comment:send', { talkId, body })).comment
}

async function ask(person: Person, talkId: string, body: string) {
  return (await person.ok<{ question: LiveQuestion }>('question:ask', { talkId, body })).question
}

/**
 * Waits until every listener has the marker comment, sent last: the server writes to each socket
 * in order, so what had been broadcast before it has arrived by then, and what is missing was not sent.
 */
async function settle(marker: Person, talkId: string, listeners: Person[]) {
  const sent = await comment(marker, talkId, `marker ${Date.now()}`)
  await Promise.all(listeners.map((listener) => listener.next<{ comment: LiveComment }>('comment:new', (p) => p.comment.id === sent.id)))
}

const commentBodies = (person: Person) => person.all<{ comment: LiveComment }>('comment:new').map((p) => p.comment.body)
const questionBodies = (person: Person) => person.all<{ question: SharedQuestion }>('question:new').map((p) => p.question.body)

describe('blocks and mutes in the live room', () => {
  it('a block keeps each one’s comments and questions from the other’s open socket; someone else gets both', async () => {
    const { talkId, host } = await liveTalk()
    const [a, b, c] = await Promise.all(
      ['Dr Asha', 'Dr Bilal', 'Dr Chen'].map(async (name) => joinAs(await createDoctor({ name }), talkId)),
    )
    await relate(a.doctor, b.doctor, 'block')

    await comment(b, talkId, 'From B')
    await ask(b, talkId, 'B asks?')
    await comment(a, talkId, 'From A')
    await ask(a, talkId, 'A asks?')
    await settle(host, talkId, [a, b, c])

    expect(commentBodies(a)).not.toContain('From B')
    expect(questionBodies(a)).not.toContain('B asks?')
    expect(commentBodies(b)).not.toContain('From A')
    expect(questionBodies(b)).not.toContain('A asks?')
    // Each still sees their own, and the rest of the room sees both.
    expect(commentBodies(a)).toContain('From A')
    expect(commentBodies(b)).toContain('From B')
    expect(commentBodies(c)).toEqual(expect.arrayContaining(['From A', 'From B']))
    expect(questionBodies(c)).toEqual(expect.arrayContaining(['A asks?', 'B asks?']))
  })

  it('a mute is one way: the muter does not get the muted person’s words, who still gets theirs', async () => {
    const { talkId, host } = await liveTalk()
    const [a, b, c] = await Promise.all(
      ['Dr Asha', 'Dr Bilal', 'Dr Chen'].map(async (name) => joinAs(await createDoctor({ name }), talkId)),
    )
    await relate(a.doctor, b.doctor, 'mute')

    await comment(b, talkId, 'From B')
    await ask(b, talkId, 'B asks?')
    await comment(a, talkId, 'From A')
    await ask(a, talkId, 'A asks?')
    await settle(host, talkId, [a, b, c])

    expect(commentBodies(a)).not.toContain('From B')
    expect(questionBodies(a)).not.toContain('B asks?')
    expect(commentBodies(b)).toContain('From A')
    expect(questionBodies(b)).toContain('A asks?')
    expect(commentBodies(c)).toEqual(expect.arrayContaining(['From A', 'From B']))
    expect(questionBodies(c)).toEqual(expect.arrayContaining(['A asks?', 'B asks?']))
  })

  it('a block made while both sockets are open counts from the next comment, without a reconnect', async () => {
    const { talkId, host } = await liveTalk()
    const [a, b, c] = await Promise.all(
      ['Dr Asha', 'Dr Bilal', 'Dr Chen'].map(async (name) => joinAs(await createDoctor({ name }), talkId)),
    )
    const before = await comment(b, talkId, 'Before the block')
    await a.next<{ comment: LiveComment }>('comment:new', (p) => p.comment.id === before.id)

    await relate(b.doctor, a.doctor, 'block')
    await comment(b, talkId, 'After the block')
    await comment(a, talkId, 'A after the block')
    await settle(host, talkId, [a, b, c])

    expect(commentBodies(a)).toContain('Before the block')
    expect(commentBodies(a)).not.toContain('After the block')
    expect(commentBodies(b)).not.toContain('A after the block')
    expect(commentBodies(c)).toEqual(expect.arrayContaining(['After the block', 'A after the block']))
  })

  it('pins and question marks carry no text to those who do not hear the author', async () => {
    const { talkId, host } = await liveTalk()
    const [a, b, c] = await Promise.all(
      ['Dr Asha', 'Dr Bilal', 'Dr Chen'].map(async (name) => joinAs(await createDoctor({ name }), talkId)),
    )
    await relate(a.doctor, b.doctor, 'mute')
    const said = await comment(b, talkId, 'Pin me')
    const asked = await ask(b, talkId, 'Mark me?')

    expect(await host.send('comment:pin', { talkId, commentId: said.id })).toMatchObject({ ok: true, pinned: { id: said.id } })
    expect(await c.next('comment:pinned')).toMatchObject({ talkId, pinned: { id: said.id, body: 'Pin me' } })
    expect(await a.next('comment:pinned')).toEqual({ talkId, pinned: null })

    expect(await host.send('question:mark', { talkId, questionId: asked.id, status: 'answered' })).toMatchObject({ ok: true })
    expect(await c.next<QuestionUpdate>('question:update', (u) => u.id === asked.id)).toMatchObject({
      status: 'answered',
      question: { body: 'Mark me?' },
    })
    const update = await a.next<QuestionUpdate>('question:update', (u) => u.id === asked.id)
    expect(update).toEqual({ talkId, id: asked.id, status: 'answered' })

    // A vote carries only the count; a client drops an update for a question it never had.
    expect(await c.send('question:upvote', { talkId, questionId: asked.id, up: true })).toMatchObject({ ok: true, votes: 1 })
    const vote = await a.next<QuestionUpdate>('question:update', (u) => u.id === asked.id && u.votes === 1)
    expect(vote).toEqual({ talkId, id: asked.id, votes: 1 })
    const { state } = await a.ok<{ state: RoomState }>('talk:sync', { talkId })
    expect(roomReducer(roomReducer(state, { type: 'question-update', update }), { type: 'question-update', update: vote })).toEqual(state)
  })

  it('leaves silenced comments, questions and the pinned comment out of the room on join and on sync', async () => {
    const { talkId, host } = await liveTalk()
    const [aDoctor, bDoctor, cDoctor, dDoctor] = await Promise.all(
      ['Dr Asha', 'Dr Bilal', 'Dr Chen', 'Dr Dara'].map((name) => createDoctor({ name })),
    )
    const [a, b, c] = await Promise.all([aDoctor, bDoctor, cDoctor].map((doctor) => joinAs(doctor, talkId)))
    await relate(aDoctor, bDoctor, 'block')
    await relate(dDoctor, cDoctor, 'mute')
    const fromB = await comment(b, talkId, 'From B')
    await comment(a, talkId, 'From A')
    await comment(c, talkId, 'From C')
    await ask(b, talkId, 'B asks?')
    await ask(a, talkId, 'A asks?')
    await ask(c, talkId, 'C asks?')
    await host.ok('comment:pin', { talkId, commentId: fromB.id })

    // Joins that arrive together are read in one statement (db/live/batch.ts): each gets their own room.
    const [a2, b2, c2, d] = await Promise.all([aDoctor, bDoctor, cDoctor, dDoctor].map(connectAs))
    const joins = await Promise.all([a2, b2, c2, d].map((person) => person.ok<{ state: RoomState }>('talk:join', { talkId })))
    const syncs = await Promise.all([a2, b2, c2, d].map((person) => person.ok<{ state: RoomState }>('talk:sync', { talkId })))
    const seen = (state: RoomState) => ({
      comments: state.comments.map((x) => x.body),
      questions: state.questions.map((x) => x.body).sort(),
      pinned: state.pinned?.body ?? null,
    })
    const expected = [
      { comments: ['From A', 'From C'], questions: ['A asks?', 'C asks?'], pinned: null },
      { comments: ['From B', 'From C'], questions: ['B asks?', 'C asks?'], pinned: 'From B' },
      { comments: ['From B', 'From A', 'From C'], questions: ['A asks?', 'B asks?', 'C asks?'], pinned: 'From B' },
      { comments: ['From B', 'From A'], questions: ['A asks?', 'B asks?'], pinned: 'From B' },
    ]
    expect(joins.map(({ state }) => seen(state))).toEqual(expected)
    expect(syncs.map(({ state }) => seen(state))).toEqual(expected)
  })

  it('on join, a silenced person’s many recent comments do not push out the older ones the viewer may see', async () => {
    const { talkId, host } = await liveTalk()
    const [aDoctor, bDoctor] = await Promise.all(['Dr Asha', 'Dr Bilal'].map((name) => createDoctor({ name })))
    await relate(aDoctor, bDoctor, 'mute')
    const [older] = await rawSql()<{ id: string }[]>`
      insert into talk_comments (id, talk_id, user_id, body, created_at)
      values (gen_random_uuid()::text, ${talkId}, ${host.doctor.id}, 'Earlier, from the host', now() - interval '10 minutes')
      returning id`
    await rawSql()`
      insert into talk_comments (id, talk_id, user_id, body, created_at)
      select gen_random_uuid()::text, ${talkId}, ${bDoctor.id}, 'B again ' || g, now() - interval '1 minute' + g * interval '1 second'
      from generate_series(1, 60) g`

    const [a, b] = await Promise.all([aDoctor, bDoctor].map(connectAs))
    const [forA, forB] = await Promise.all([a, b].map((person) => person.ok<{ state: RoomState }>('talk:join', { talkId })))
    expect(forA.state.comments.map((x) => x.id)).toEqual([older.id])
    expect(forB.state.comments).toHaveLength(50)
    expect(forB.state.comments.every((x) => x.author.userId === bDoctor.id)).toBe(true)
  })

  it('refuses a host’s invitation to the stage for someone with a block with them, either way; their hand still goes up', async () => {
    const { talkId, host } = await liveTalk()
    const [blocked, blocker] = await Promise.all(['Dr Bilal', 'Dr Chen'].map(async (name) => joinAs(await createDoctor({ name }), talkId)))
    await relate(host.doctor, blocked.doctor, 'block')
    await relate(blocker.doctor, host.doctor, 'block')

    for (const person of [blocked, blocker]) {
      expect(await person.send('hand:raise', { talkId })).toMatchObject({ ok: true })
      expect(await host.send('stage:invite', { talkId, userId: person.doctor.id })).toEqual({
        ok: false,
        error: 'That person is not in the room right now.',
      })
    }
    const [row] = await rawSql()<{ raised: number; invited: number }[]>`
      select count(*) filter (where status = 'raised')::int as raised, count(*) filter (where status = 'invited')::int as invited
      from talk_stage where talk_id = ${talkId}`
    expect(row).toEqual({ raised: 2, invited: 0 })
    expect([...blocked.all('stage:invited'), ...blocker.all('stage:invited')]).toEqual([])
  })
})

describe('who does not hear whom, as sets', () => {
  it('peopleNotToReceiveFrom and silencedPeopleSql agree with silencedForViewerSql for every pair', async () => {
    const people = await Promise.all([1, 2, 3, 4, 5].map(() => createDoctor()))
    const [p1, p2, p3, p4, p5] = people
    await relate(p1, p2, 'block')
    await relate(p3, p1, 'mute')
    await relate(p4, p3, 'block')
    await relate(p2, p4, 'mute')

    for (const author of people) {
      const withheld = await peopleNotToReceiveFrom(author.id)
      for (const viewer of people) {
        if (viewer === author) continue
        const [row] = await db.execute<{ silenced: boolean; listed: boolean }>(sql`
          select ${silencedForViewerSql({ userId: viewer.id, role: 'member' }, sql`${author.id}::text`)} as silenced,
            ${author.id}::text = any(${silencedPeopleSql(sql`${viewer.id}::text`)}) as listed`)
        expect(withheld.includes(viewer.id), `${viewer.name} hears ${author.name}`).toBe(row.silenced)
        expect(row.listed, `${author.name} in ${viewer.name}’s silenced people`).toBe(row.silenced)
      }
    }
    expect((await peopleNotToReceiveFrom(p1.id)).sort()).toEqual([p2.id, p3.id].sort())
    expect(await peopleNotToReceiveFrom(p5.id)).toEqual([])
  })
})
