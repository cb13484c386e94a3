import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Server } from 'socket.io'
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inviteToClub, joinClub } from '../../db/clubs'
import { attachRealtime, realtimeServer, removeFromClubRoom } from '../../server/realtime/index'
import { createDoctor, createTalk, createTestClub, viewerOf, type TestClub, type TestDoctor } from '../support/factories'
import { signIn } from '../support/routes'

let httpServer: HttpServer
let io: Server
let port: number
const clients: ClientSocket[] = []

let owner: TestDoctor
let member: TestDoctor
let stranger: TestDoctor
let publicClub: TestClub
let privateClub: TestClub

beforeAll(async () => {
  httpServer = createServer()
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve))
  port = (httpServer.address() as AddressInfo).port
  io = await attachRealtime(httpServer, { allowedHosts: () => [`localhost:${port}`] })

  owner = await createDoctor({ name: 'Dr Room Owner' })
  member = await createDoctor({ name: 'Dr Room Member' })
  stranger = await createDoctor({ name: 'Dr Room Stranger' })
  publicClub = await createTestClub(owner, { name: 'Open Room Club' })
  privateClub = await createTestClub(owner, { name: 'Closed Room Club', visibility: 'private' })
  await inviteToClub(viewerOf(owner), privateClub.slug, member.handle)
  await joinClub(viewerOf(member), privateClub.slug)
})

afterAll(async () => {
  for (const client of clients) client.close()
  await new Promise<void>((resolve) => {
    void io.close(() => resolve())
  })
})

/** A connected socket for a doctor, with everything it receives on 'club:update' collected. */
async function connectAs(doctor: TestDoctor) {
  const auth = await signIn(doctor.id)
  const client = connectClient(`http://127.0.0.1:${port}`, {
    transports: ['websocket'],
    extraHeaders: { cookie: auth.cookie, origin: `http://localhost:${port}` },
    reconnection: false,
    forceNew: true,
    timeout: 5000,
  })
  clients.push(client)
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve())
    client.once('connect_error', reject)
  })
  const received: unknown[] = []
  client.on('club:update', (payload: unknown) => received.push(payload))
  return { client, received, sessionId: auth.sessionId }
}

type Ack = { ok: boolean; error?: string }

const enter = (client: ClientSocket, payload: unknown) => client.timeout(5000).emitWithAck('club:enter', payload) as Promise<Ack>

/**
 * Waits until the server has answered something sent after a broadcast: one
 * connection delivers in order, so a broadcast meant for this socket has arrived by then.
 */
async function settle(client: ClientSocket) {
  await client.timeout(5000).emitWithAck('club:leave', { clubId: 'settle' })
}

async function inRoom(sessionId: string, clubId: string) {
  const sockets = await io.in(`club:${clubId}`).fetchSockets()
  return sockets.some((s) => s.data.sessionId === sessionId)
}

async function broadcast(clubId: string, ...clients: ClientSocket[]) {
  const message = { clubId, n: Math.random() }
  realtimeServer()!.to(`club:${clubId}`).emit('club:update', message)
  for (const client of clients) await settle(client)
  return message
}

describe("a club's live room", () => {
  it('lets any signed-in doctor into a public club, who then gets its updates', async () => {
    const s = await connectAs(stranger)
    expect(await enter(s.client, { clubId: publicClub.id })).toEqual({ ok: true })
    expect(await inRoom(s.sessionId, publicClub.id)).toBe(true)
    const message = await broadcast(publicClub.id, s.client)
    expect(s.received).toEqual([message])
  })

  it('keeps a non-member out of a private club, and lets a member in', async () => {
    const outsider = await connectAs(stranger)
    const inside = await connectAs(member)
    expect(await enter(outsider.client, { clubId: privateClub.id })).toEqual({
      ok: false,
      error: 'We could not find that club. It may be private.',
    })
    expect(await enter(inside.client, { clubId: privateClub.id })).toEqual({ ok: true })
    expect(await inRoom(outsider.sessionId, privateClub.id)).toBe(false)
    expect(await inRoom(inside.sessionId, privateClub.id)).toBe(true)

    const message = await broadcast(privateClub.id, outsider.client, inside.client)
    expect(inside.received).toEqual([message])
    expect(outsider.received).toEqual([])
  })

  it('answers an unknown club exactly like a private one', async () => {
    const s = await connectAs(stranger)
    const unknown = await enter(s.client, { clubId: '00000000-0000-0000-0000-000000000000' })
    const hidden = await enter(s.client, { clubId: privateClub.id })
    expect(unknown).toEqual(hidden)
  })

  it('stops updates after club:leave', async () => {
    const s = await connectAs(stranger)
    await enter(s.client, { clubId: publicClub.id })
    expect(await s.client.timeout(5000).emitWithAck('club:leave', { clubId: publicClub.id })).toEqual({ ok: true })
    expect(await inRoom(s.sessionId, publicClub.id)).toBe(false)
    await broadcast(publicClub.id, s.client)
    expect(s.received).toEqual([])
  })

  it('removeFromClubRoom takes every socket of that person out, and nobody else', async () => {
    const other = await createDoctor()
    await inviteToClub(viewerOf(owner), privateClub.slug, other.handle)
    await joinClub(viewerOf(other), privateClub.slug)
    const tabs = [await connectAs(member), await connectAs(member)]
    const colleague = await connectAs(other)
    for (const s of [...tabs, colleague]) expect(await enter(s.client, { clubId: privateClub.id })).toEqual({ ok: true })

    removeFromClubRoom(member.id, privateClub.id)

    const message = await broadcast(privateClub.id, ...tabs.map((t) => t.client), colleague.client)
    for (const tab of tabs) expect(tab.received).toEqual([])
    expect(colleague.received).toEqual([message])
    for (const tab of tabs) expect(tab.client.connected).toBe(true)
  })
})

describe('club:enter with bad input', () => {
  it.each([
    ['no club id', {}, 'Say which club.'],
    ['an empty club id', { clubId: '' }, 'Say which club.'],
    ['a number for the club id', { clubId: 42 }, 'Say which club.'],
    ['a null payload', null, 'That request was not understood.'],
    ['a number for the payload', 42, 'That request was not understood.'],
    ['an overlong club id', { clubId: 'x'.repeat(61) }, 'That club id is not valid.'],
    ['a half-megabyte club id', { clubId: 'x'.repeat(500_000) }, 'That club id is not valid.'],
  ])('answers %s with a plain error', async (_label, payload, error) => {
    const s = await connectAs(stranger)
    expect(await enter(s.client, payload)).toEqual({ ok: false, error })
    expect(s.client.connected).toBe(true)
  })

  it('answers an enter with no payload at all, or with extra arguments before the ack', async () => {
    const s = await connectAs(stranger)
    expect(await s.client.timeout(5000).emitWithAck('club:enter')).toEqual({ ok: false, error: 'That request was not understood.' })
    expect(await s.client.timeout(5000).emitWithAck('club:enter', { clubId: publicClub.id }, 'extra')).toEqual({ ok: true })
  })

  it('drops a connection that sends a megabyte, and keeps serving everyone else', async () => {
    const big = await connectAs(stranger)
    const bystander = await connectAs(member)
    const closed = new Promise<string>((resolve) => big.client.once('disconnect', (reason) => resolve(reason)))
    big.client.emit('club:enter', { clubId: 'x'.repeat(1024 * 1024) })
    expect(await closed).toBe('transport close')
    expect(await enter(bystander.client, { clubId: publicClub.id })).toEqual({ ok: true })
  })

  it('handles an enter without an ack function: no crash, and the same rule', async () => {
    const s = await connectAs(stranger)
    s.client.emit('club:enter', { clubId: publicClub.id })
    s.client.emit('club:enter', { clubId: privateClub.id })
    s.client.emit('club:enter', 'not even an object')
    await expect.poll(() => inRoom(s.sessionId, publicClub.id)).toBe(true)
    // An acked attempt on the private club, sent after the silent one, has finished the same check.
    expect(await enter(s.client, { clubId: privateClub.id })).toMatchObject({ ok: false })
    expect(await inRoom(s.sessionId, privateClub.id)).toBe(false)
    expect(s.client.connected).toBe(true)
  })
})

describe("a club's open pages when one of its talks goes live or ends", () => {
  it('are told the talk and its status, and only those in the club room', async () => {
    const talk = await createTalk({ clubId: privateClub.id, hostId: owner.id, startsAt: new Date() })
    const inside = await connectAs(member)
    const outsider = await connectAs(stranger)
    expect(await enter(inside.client, { clubId: privateClub.id })).toEqual({ ok: true })
    const told: unknown[] = []
    const overheard: unknown[] = []
    inside.client.on('club:talk', (payload: unknown) => told.push(payload))
    outsider.client.on('club:talk', (payload: unknown) => overheard.push(payload))

    const auth = await signIn(owner.id)
    const host = connectClient(`http://127.0.0.1:${port}/live`, {
      transports: ['websocket'],
      extraHeaders: { cookie: auth.cookie, origin: `http://localhost:${port}` },
      reconnection: false,
      forceNew: true,
    })
    clients.push(host)
    expect(await host.timeout(5000).emitWithAck('talk:join', { talkId: talk.id })).toMatchObject({ ok: true })
    expect(await host.timeout(5000).emitWithAck('talk:open', { talkId: talk.id })).toMatchObject({ ok: true })
    await expect.poll(() => told, { timeout: 2_000 }).toEqual([{ clubId: privateClub.id, talkId: talk.id, status: 'live' }])
    expect(await host.timeout(5000).emitWithAck('talk:end', { talkId: talk.id })).toMatchObject({ ok: true })
    await expect.poll(() => told.length, { timeout: 2_000 }).toBe(2)
    expect(told[1]).toEqual({ clubId: privateClub.id, talkId: talk.id, status: 'ended' })
    await settle(outsider.client)
    expect(overheard).toEqual([])
  })
})
