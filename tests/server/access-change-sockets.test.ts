import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import { io as connectClient } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { latestAccessChangeId, pruneAccessChanges, readAccessChangesAfter, recordAccessChange } from '../../db/access-changes'
import { db, rawSql } from '../../db/client'
import { changeMemberRole, removeMember, updateClub } from '../../db/clubs'
import { eraseAccount, requestErasure } from '../../db/data-rights/index'
import { removeFromTalk } from '../../db/live'
import { deactivateAccount } from '../../db/privacy/index'
import { endOtherSessions, endSession, listSessions } from '../../db/sessions'
import { accessChangeWatcher } from '../../server/realtime/access-changes'
import type { SharedQuestion } from '../../app/live/protocol'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf, type TestClub, type TestDoctor } from '../support/factories'
import { liveClient, startRealtimeServer, type LiveClient, type RealtimeServer } from '../support/live-server'
import { signIn } from '../support/routes'

/*
 * The socket column of the leak matrix, after each kind of access change: a socket opened
 * while the person could see the talk must stop receiving it once they can no longer, within a
 * second, whichever node made the change — while everyone else in the room carries on.
 */

const WITHIN_MS = 1000
const QUIET_MS = 1500

let server: RealtimeServer

beforeAll(async () => {
  server = await startRealtimeServer()
})

afterAll(async () => {
  // A second node (below) took this process's realtime registry: stop this node by hand, and let
  // its live room write the stays its sockets close and the audience count it still holds.
  await accessChangeWatcher(server.io)?.stop()
  await server.close()
  await server.io.close()
  for (let i = 0; i < 50; i++) {
    const [row] = await rawSql()<{ n: number }[]>`select count(*)::int as n from talk_attendance where left_at is null`
    if (row.n === 0) break
    await sleep(100)
  }
  await sleep(1200)
})

type Person = LiveClient & { doctor: TestDoctor; sessionId: string }

async function connectAs(doctor: TestDoctor, node: RealtimeServer = server): Promise<Person> {
  const auth = await signIn(doctor.id)
  const client = await node.connect(auth.cookie)
  return Object.assign(client, { doctor, sessionId: auth.sessionId })
}

async function joinAs(doctor: TestDoctor, talkId: string, node: RealtimeServer = server): Promise<Person> {
  const person = await connectAs(doctor, node)
  await person.ok('talk:join', { talkId })
  return person
}

type Room = { club: TestClub; owner: TestDoctor; talkId: string; host: Person; bystander: Person }

/** A live talk in a club of `visibility`, its host (the club's owner) and a member in the room. */
async function liveRoom(visibility: 'public' | 'private'): Promise<Room> {
  const owner = await createDoctor({ name: 'Dr Owner' })
  const club = await createTestClub(owner, { visibility })
  const talk = await createTalk({ clubId: club.id, hostId: owner.id, startsAt: new Date() })
  const host = await joinAs(owner, talk.id)
  await host.ok('talk:open', { talkId: talk.id })
  const member = await createDoctor({ name: 'Dr Bystander' })
  await addClubMember(club, member)
  const bystander = await joinAs(member, talk.id)
  return { club, owner, talkId: talk.id, host, bystander }
}

let posts = 0

/** The host posts a comment and the bystander a question; returns their bodies once the bystander has both. */
async function postInRoom(room: Room) {
  const tag = `${++posts}-${Date.now()}`
  const comment = `Comment ${tag}: the ECG shows ST elevation in V1–V4.`
  const question = `Question ${tag}: thrombolysis or primary PCI?`
  await room.host.ok('comment:send', { talkId: room.talkId, body: comment })
  await room.bystander.ok('question:ask', { talkId: room.talkId, body: question })
  await room.bystander.next('comment:new', (p: { comment: { body: string } }) => p.comment.body === comment)
  await room.bystander.next('question:new', (p: { question: SharedQuestion }) => p.question.body === question)
  return { comment, question }
}

/** Everything a socket received, as text, for "none of these strings anywhere" checks. */
const everything = (client: LiveClient) => JSON.stringify(client.received)

/** The victim saw the room before the change (so the check after it cannot pass on a broken fixture). */
async function expectReceives(room: Room, victim: LiveClient) {
  const { comment, question } = await postInRoom(room)
  await victim.next('comment:new', (p: { comment: { body: string } }) => p.comment.body === comment)
  await victim.next('question:new', (p: { question: SharedQuestion }) => p.question.body === question)
}

/** After the change: the bystander still receives the room, the victim nothing of it for QUIET_MS. */
async function expectReceivesNothing(room: Room, victim: LiveClient) {
  const started = Date.now()
  const { comment, question } = await postInRoom(room)
  await sleep(Math.max(0, QUIET_MS - (Date.now() - started)))
  const seen = everything(victim)
  expect(seen).not.toContain(comment)
  expect(seen).not.toContain(question)
}

/** Waits for the victim's `talk:removed`; returns the milliseconds since `since`. */
async function removedAfter(victim: LiveClient, talkId: string, since: number) {
  const notice = await victim.next<{ talkId: string; message: string }>('talk:removed', (p) => p.talkId === talkId, 3000)
  const ms = Date.now() - since
  expect(notice.message.length).toBeGreaterThan(10)
  return { ms, message: notice.message }
}

/** Waits for the server to close the victim's socket; returns the milliseconds since `since`. */
function disconnectedAfter(victim: LiveClient, since: number) {
  return new Promise<{ ms: number; reason: string }>((resolve, reject) => {
    if (!victim.socket.connected) return reject(new Error('The socket was not connected.'))
    const timer = setTimeout(() => reject(new Error('The socket was not closed within 3 s.')), 3000)
    victim.socket.once('disconnect', (reason) => {
      clearTimeout(timer)
      resolve({ ms: Date.now() - since, reason })
    })
  })
}

async function serverSocketRooms(node: RealtimeServer, sessionId: string, namespace = '/live') {
  const sockets = await node.io.of(namespace).in(`session:${sessionId}`).fetchSockets()
  return sockets.map((socket) => [...socket.rooms])
}

async function openStays(talkId: string, userId: string) {
  const [row] = await rawSql()<{ n: number }[]>`
    select count(*)::int as n from talk_attendance where talk_id = ${talkId} and user_id = ${userId} and left_at is null`
  return row.n
}

const measured: Record<string, number> = {}

afterAll(() => {
  console.log(`[access changes] change → socket out, ms: ${JSON.stringify(measured)}`)
})

describe('an open socket after an access change', () => {
  it('a member banned from a club leaves its live talk: no comment or question reaches them, their stay is closed', async () => {
    const room = await liveRoom('public')
    const victim = await joinAs(await createDoctor({ name: 'Dr Banned' }), room.talkId)
    await addClubMember(room.club, victim.doctor)
    await expectReceives(room, victim)

    const since = Date.now()
    await removeMember(viewerOf(room.owner), room.club.slug, victim.doctor.handle, { ban: true })
    const { ms, message } = await removedAfter(victim, room.talkId, since)
    measured.ban = ms
    expect(ms).toBeLessThan(WITHIN_MS)
    expect(message).toMatch(/removed you from this club/)

    await expectReceivesNothing(room, victim)
    expect((await serverSocketRooms(server, victim.sessionId))[0].filter((r) => r.startsWith('talk:'))).toEqual([])
    await expect.poll(() => openStays(room.talkId, victim.doctor.id)).toBe(0)
    // Still connected, and a sync or an action is refused as for anyone outside the room.
    expect(victim.socket.connected).toBe(true)
    expect(await victim.send('comment:send', { talkId: room.talkId, body: 'Am I still here?' })).toEqual({ ok: false, error: 'Join the talk first.' })
    expect(await victim.send('talk:join', { talkId: room.talkId })).toMatchObject({ ok: false })
  })

  it('a member removed from a private club leaves its live talk', async () => {
    const room = await liveRoom('private')
    const doctor = await createDoctor({ name: 'Dr Removed' })
    await addClubMember(room.club, doctor)
    const victim = await joinAs(doctor, room.talkId)
    await expectReceives(room, victim)

    const since = Date.now()
    await removeMember(viewerOf(room.owner), room.club.slug, doctor.handle, { ban: false })
    const { ms } = await removedAfter(victim, room.talkId, since)
    measured.removal = ms
    expect(ms).toBeLessThan(WITHIN_MS)
    await expectReceivesNothing(room, victim)
    await expect.poll(() => openStays(room.talkId, doctor.id)).toBe(0)
  })

  it('a co-host demoted to member stays in the room but leaves its hosts’ room: a hidden question no longer reaches them', async () => {
    const room = await liveRoom('public')
    const doctor = await createDoctor({ name: 'Dr Demoted' })
    await addClubMember(room.club, doctor, 'moderator')
    const victim = await joinAs(doctor, room.talkId)
    // Before: a question hidden by the host reaches them whole, as it does the hosts.
    const before = await room.bystander.ok<{ question: SharedQuestion }>('question:ask', { talkId: room.talkId, body: 'Before: is this off-topic?' })
    await room.host.ok('question:mark', { talkId: room.talkId, questionId: before.question.id, status: 'hidden' })
    await victim.next<{ id: string; question?: SharedQuestion }>('question:update', (p) => p.id === before.question.id && p.question !== undefined)

    const since = Date.now()
    await changeMemberRole(viewerOf(room.owner), room.club.slug, doctor.handle, 'member')
    const state = await victim.next<{ me: { role: string }; questions: SharedQuestion[] }>('room:state', undefined, 3000)
    measured.demotion = Date.now() - since
    expect(measured.demotion).toBeLessThan(WITHIN_MS)
    expect(state.me.role).toBe('audience')
    expect(state.questions.map((q) => q.id)).not.toContain(before.question.id)
    expect((await serverSocketRooms(server, victim.sessionId))[0]).not.toContain(`talk:${room.talkId}:hosts`)

    // After: they still follow the talk, but a hidden question's text never reaches them.
    await expectReceives(room, victim)
    const hidden = await room.bystander.ok<{ question: SharedQuestion }>('question:ask', { talkId: room.talkId, body: 'After: a question the host will hide' })
    await room.host.ok('question:mark', { talkId: room.talkId, questionId: hidden.question.id, status: 'hidden' })
    await victim.next<{ id: string; status: string }>('question:update', (p) => p.id === hidden.question.id && p.status === 'hidden')
    await room.host.next<{ id: string; question?: SharedQuestion }>('question:update', (p) => p.id === hidden.question.id && p.question !== undefined)
    await sleep(300)
    const updates = victim.all<{ id: string; question?: SharedQuestion }>('question:update').filter((p) => p.id === hidden.question.id)
    expect(updates).toEqual([{ talkId: room.talkId, id: hidden.question.id, status: 'hidden' }])
  })

  it('a club made private takes an outsider out of its talk, while its members stay', async () => {
    const room = await liveRoom('public')
    const victim = await joinAs(await createDoctor({ name: 'Dr Outsider' }), room.talkId)
    await expectReceives(room, victim)

    const since = Date.now()
    await updateClub(viewerOf(room.owner), room.club.slug, {
      name: room.club.name,
      slug: room.club.slug,
      description: '',
      specialities: [],
      visibility: 'private',
    })
    const { ms, message } = await removedAfter(victim, room.talkId, since)
    measured.madePrivate = ms
    expect(ms).toBeLessThan(WITHIN_MS)
    expect(message).toMatch(/members only/)
    await expectReceivesNothing(room, victim)
    expect(room.bystander.all('talk:removed')).toEqual([])
  })

  it('someone removed from a talk on another node leaves it on this one', async () => {
    const room = await liveRoom('public')
    const victim = await joinAs(await createDoctor({ name: 'Dr Heckler' }), room.talkId)
    await expectReceives(room, victim)

    // The data layer alone, as another node's handler would call it: no broadcast from here.
    const since = Date.now()
    await removeFromTalk(viewerOf(room.owner), room.talkId, victim.doctor.id)
    const { ms } = await removedAfter(victim, room.talkId, since)
    measured.removedFromTalk = ms
    expect(ms).toBeLessThan(WITHIN_MS)
    await expectReceivesNothing(room, victim)
  })

  it('deactivation closes every socket of the account', async () => {
    const room = await liveRoom('public')
    const victim = await joinAs(await createDoctor({ name: 'Dr Away' }), room.talkId)
    await expectReceives(room, victim)

    const since = Date.now()
    const closed = disconnectedAfter(victim, since)
    await deactivateAccount(victim.doctor.id, victim.sessionId)
    const { ms, reason } = await closed
    measured.deactivation = ms
    expect(ms).toBeLessThan(WITHIN_MS)
    expect(reason).toBe('io server disconnect')
    await expectReceivesNothing(room, victim)
    await expect.poll(() => openStays(room.talkId, victim.doctor.id)).toBe(0)
  })

  it('erasure closes every socket of the account', async () => {
    const room = await liveRoom('public')
    const victim = await joinAs(await createDoctor({ name: 'Dr Erased' }), room.talkId)
    await expectReceives(room, victim)
    const asked = new Date()
    const { id } = await requestErasure(viewerOf(victim.doctor), asked)

    const since = Date.now()
    const closed = disconnectedAfter(victim, since)
    expect(await eraseAccount(id, { now: new Date(asked.getTime() + 8 * 24 * 60 * 60 * 1000) })).not.toBeNull()
    const { ms } = await closed
    measured.erasure = ms
    expect(ms).toBeLessThan(WITHIN_MS)
    await expectReceivesNothing(room, victim)
    // The outbox names the ended sessions, not the account.
    const rows = await rawSql()<{ n: number }[]>`select count(*)::int as n from access_changes where user_id = ${victim.doctor.id}`
    expect(rows[0].n).toBe(0)
  })

  it('ending a session from another device closes its sockets, and only its', async () => {
    const room = await liveRoom('public')
    const doctor = await createDoctor({ name: 'Dr Two Devices' })
    const victim = await joinAs(doctor, room.talkId)
    const kept = await joinAs(doctor, room.talkId)
    await expectReceives(room, victim)

    const since = Date.now()
    const closed = disconnectedAfter(victim, since)
    // "Sign out other devices" from the device that is kept.
    expect(await endOtherSessions(doctor.id, kept.sessionId)).toEqual([victim.sessionId])
    const { ms } = await closed
    measured.signedOut = ms
    expect(ms).toBeLessThan(WITHIN_MS)
    await expectReceivesNothing(room, victim)
    // The other device carries on.
    expect(kept.socket.connected).toBe(true)
    const { comment } = await postInRoom(room)
    await kept.next('comment:new', (p: { comment: { body: string } }) => p.comment.body === comment)

    // Ending that one session by name on the devices page (its public id) closes it too.
    const third = await signIn(doctor.id)
    const keptDevice = (await listSessions(doctor.id, { currentSessionId: third.sessionId })).find((s) => !s.current)!
    const closedToo = disconnectedAfter(kept, Date.now())
    expect(await endSession(doctor.id, keptDevice.publicId)).toEqual([kept.sessionId])
    expect((await closedToo).ms).toBeLessThan(WITHIN_MS)
  })

  it('a ban takes the person out of the club’s room in the default namespace too', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner, { visibility: 'private' })
    const doctor = await createDoctor({ name: 'Dr Club Room' })
    await addClubMember(club, doctor)
    const auth = await signIn(doctor.id)
    const socket = connectClient(`${server.baseUrl}/`, {
      transports: ['websocket'],
      extraHeaders: { cookie: auth.cookie, origin: server.origin },
      reconnection: false,
      forceNew: true,
    })
    const client = liveClient(socket)
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve())
        socket.once('connect_error', reject)
      })
      expect(await client.send('club:enter', { clubId: club.id })).toEqual({ ok: true })
      expect((await serverSocketRooms(server, auth.sessionId, '/'))[0]).toContain(`club:${club.id}`)

      const since = Date.now()
      await removeMember(viewerOf(owner), club.slug, doctor.handle, { ban: true })
      await client.next('club:removed', (p: { clubId: string }) => p.clubId === club.id, 3000)
      measured.clubRoom = Date.now() - since
      expect(measured.clubRoom).toBeLessThan(WITHIN_MS)
      expect((await serverSocketRooms(server, auth.sessionId, '/'))[0]).not.toContain(`club:${club.id}`)
      expect(await client.send('club:enter', { clubId: club.id })).toMatchObject({ ok: false })
    } finally {
      socket.close()
    }
  })

  it('a change committed after a later one (its id taken first) still reaches the sockets', async () => {
    const room = await liveRoom('public')
    const [first, second] = [await createDoctor({ name: 'Dr Slow' }), await createDoctor({ name: 'Dr Fast' })]
    const slow = await joinAs(first, room.talkId)
    const fast = await joinAs(second, room.talkId)
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let written!: () => void
    const inserted = new Promise<void>((resolve) => (written = resolve))
    const slowTx = db.transaction(async (tx) => {
      await tx.execute(sql`insert into club_bans (club_id, user_id, banned_by) values (${room.club.id}, ${first.id}, ${room.owner.id})`)
      await recordAccessChange(tx, { kind: 'club', clubId: room.club.id, userId: first.id })
      written()
      await gate
    })
    await inserted
    await removeMember(viewerOf(room.owner), room.club.slug, second.handle, { ban: true })
    await removedAfter(fast, room.talkId, Date.now())
    expect(slow.all('talk:removed')).toEqual([])
    const since = Date.now()
    release()
    await slowTx
    expect((await removedAfter(slow, room.talkId, since)).ms).toBeLessThan(WITHIN_MS)
  })
})

describe('a notice that never arrives', () => {
  it('is made up for by the poll: a row written without NOTIFY still takes the person out within a second or so', async () => {
    const room = await liveRoom('public')
    const victim = await joinAs(await createDoctor({ name: 'Dr Unnoticed' }), room.talkId)
    const since = Date.now()
    await rawSql().begin(async (tx) => {
      await tx`insert into club_bans (club_id, user_id, banned_by) values (${room.club.id}, ${victim.doctor.id}, ${room.owner.id})`
      await tx`insert into access_changes (kind, club_id, user_id) values ('club', ${room.club.id}, ${victim.doctor.id})`
    })
    const { ms } = await removedAfter(victim, room.talkId, since)
    measured.pollOnly = ms
    expect(ms).toBeLessThan(2 * WITHIN_MS)
    await expectReceivesNothing(room, victim)
  })
})

describe('two nodes', () => {
  let nodeB: RealtimeServer

  beforeAll(async () => {
    // A second node in this process: its own Socket.io server, live room and outbox reader.
    nodeB = await startRealtimeServer()
  })

  afterAll(async () => {
    await accessChangeWatcher(nodeB.io)?.stop()
    for (const socket of await nodeB.io.of('/live').fetchSockets()) socket.disconnect(true)
    await nodeB.io.close()
  })

  it('a change made through one node removes the person’s sockets on every node', async () => {
    const room = await liveRoom('private')
    const doctor = await createDoctor({ name: 'Dr Two Nodes' })
    await addClubMember(room.club, doctor)
    const onA = await joinAs(doctor, room.talkId, server)
    const onB = await joinAs(doctor, room.talkId, nodeB)
    const watcherOnB = await joinAs(room.owner, room.talkId, nodeB)

    const since = Date.now()
    await removeMember(viewerOf(room.owner), room.club.slug, doctor.handle, { ban: true })
    const [a, b] = await Promise.all([removedAfter(onA, room.talkId, since), removedAfter(onB, room.talkId, since)])
    measured.nodeA = a.ms
    measured.nodeB = b.ms
    expect(Math.max(a.ms, b.ms)).toBeLessThan(WITHIN_MS)
    expect((await serverSocketRooms(nodeB, onB.sessionId))[0].filter((r) => r.startsWith('talk:'))).toEqual([])
    // Node B's room carries on for those still allowed in.
    const comment = 'Node B: still here after the ban.'
    await watcherOnB.ok('comment:send', { talkId: room.talkId, body: comment })
    await watcherOnB.next('comment:new', (p: { comment: { body: string } }) => p.comment.body === comment)
    await sleep(300)
    expect(everything(onB)).not.toContain(comment)
  })
})

describe('the outbox', () => {
  it('keeps rows for every node to read and prunes those older than an hour', async () => {
    const before = await latestAccessChangeId()
    await recordAccessChange(db, [
      { kind: 'talk', talkId: '00000000-0000-4000-8000-000000000001', userId: null },
      { kind: 'session', sessionId: 'gone-session' },
    ])
    const rows = await readAccessChangesAfter(before)
    expect(rows.map((r) => r.kind)).toEqual(['talk', 'session'])
    // Reading does not consume them.
    expect(await readAccessChangesAfter(before)).toHaveLength(2)
    expect(await pruneAccessChanges(60 * 60 * 1000)).toBe(0)
    expect(await pruneAccessChanges(60 * 60 * 1000, new Date(Date.now() + 2 * 60 * 60 * 1000))).toBeGreaterThanOrEqual(2)
    expect(await readAccessChangesAfter(before)).toEqual([])
  })
})
