import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import type { Socket as NetSocket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_QUEUED_BYTES, MAX_SOCKETS_PER_SESSION, tooManySockets } from '../../server/realtime/slow-consumers'
import { createDoctor, createTalk, createTestClub } from '../support/factories'
import { connectLive, startRealtimeServer, type LiveClient, type RealtimeServer } from '../support/live-server'
import { signIn } from '../support/routes'

// A client that stops reading while the room keeps talking is cut off once its queue passes the
// cap, so this server's memory stays bounded; the others keep receiving everything.

let server: RealtimeServer

beforeAll(async () => {
  server = await startRealtimeServer()
})

afterAll(async () => {
  await server.close()
})

/** The TCP socket under a Node socket.io client's WebSocket. */
function tcpOf(client: LiveClient): NetSocket {
  const engine = client.socket.io.engine as unknown as { transport: { ws: { _socket: NetSocket } } }
  return engine.transport.ws._socket
}

/** Bytes this server holds for each engine connection: engine.io's buffer plus the WebSocket's. */
function queuedBytes() {
  const sizes: number[] = []
  for (const conn of Object.values((server.io.engine as unknown as { clients: Record<string, unknown> }).clients)) {
    const c = conn as { writeBuffer: { data?: string }[]; transport: { socket?: { bufferedAmount?: number } } }
    sizes.push(c.writeBuffer.reduce((n, p) => n + (typeof p.data === 'string' ? p.data.length : 0), 0) + (c.transport.socket?.bufferedAmount ?? 0))
  }
  return sizes
}

describe('a client that stops reading', () => {
  it('is dropped once its queue passes the cap, the server’s queues stay bounded, and the others receive every message', async () => {
    const hostDoctor = await createDoctor()
    const club = await createTestClub(hostDoctor)
    const talk = await createTalk({ clubId: club.id, hostId: hostDoctor.id, startsAt: new Date(), status: 'live' })
    const join = async () => {
      const client = await server.connect((await signIn((await createDoctor()).id)).cookie)
      await client.ok('talk:join', { talkId: talk.id })
      return client
    }
    const readers = [await join(), await join()]
    const stalled = await join()
    const stalledId = stalled.socket.id
    tcpOf(stalled).pause()

    const room = server.io.of('/live').to(`talk:${talk.id}`)
    const body = 'x'.repeat(16 * 1024)
    const messages = 3000
    let largest = 0
    for (let n = 0; n < messages; n++) {
      room.emit('comment:new', { talkId: talk.id, comment: { id: String(n), body } })
      // A room's broadcasts come from events spread over time: let the readers read, and keep them
      // within 30 messages (480 KiB, under the cap) however busy the machine is, as readers that keep up.
      if (n % 10 === 9) {
        await nextTurn()
        largest = Math.max(largest, ...queuedBytes())
        const caughtUpBy = Date.now() + 10_000
        while (readers.some((r) => r.all('comment:new').length < n - 30) && Date.now() < caughtUpBy) await sleep(5)
      }
    }
    await expect.poll(() => server.io.of('/live').sockets.has(stalledId!), { timeout: 5000 }).toBe(false)
    // Never more than the cap and one message queued for any connection.
    expect(largest).toBeLessThanOrEqual(MAX_QUEUED_BYTES + body.length * 2)
    for (const reader of readers) {
      await expect.poll(() => reader.all('comment:new').length, { timeout: 20_000 }).toBe(messages)
      expect(reader.socket.connected).toBe(true)
    }
    tcpOf(stalled).resume()
    await expect.poll(() => stalled.socket.connected, { timeout: 5000 }).toBe(false)
    expect(stalled.all('comment:new').length).toBeLessThan(messages)
  }, 60_000)
})

describe('sockets per sign-in', () => {
  it(`refuses a socket beyond ${MAX_SOCKETS_PER_SESSION} for one session with a clear message, and takes one again once a socket closes`, async () => {
    const auth = await signIn((await createDoctor()).id)
    const open: LiveClient[] = []
    for (let i = 0; i < MAX_SOCKETS_PER_SESSION; i++) open.push(await server.connect(auth.cookie))
    await expect(connectLive(server.baseUrl, server.origin, auth.cookie)).rejects.toThrow(tooManySockets)
    // Another sign-in of the same person is its own session.
    const other = await server.connect((await signIn((await createDoctor()).id)).cookie)
    expect(other.socket.connected).toBe(true)
    open[0].socket.disconnect()
    await sleep(100)
    const again = await server.connect(auth.cookie)
    expect(again.socket.connected).toBe(true)
  })
})
