import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Server } from 'socket.io'
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { endSessionById } from '../../server/auth'
import { attachRealtime, disconnectSessions } from '../../server/realtime/index'
import { createDoctor } from '../support/factories'
import { signIn } from '../support/routes'

let httpServer: HttpServer
let io: Server
let port: number
let origin: string
const clients: ClientSocket[] = []

beforeAll(async () => {
  httpServer = createServer()
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve))
  port = (httpServer.address() as AddressInfo).port
  origin = `http://localhost:${port}`
  io = await attachRealtime(httpServer, { allowedHosts: () => [`localhost:${port}`] })
})

afterAll(async () => {
  for (const client of clients) client.close()
  await new Promise<void>((resolve) => {
    void io.close(() => resolve())
  })
})

function open(headers: Record<string, string>) {
  const client = connectClient(`http://127.0.0.1:${port}`, {
    transports: ['websocket'],
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
    timeout: 5000,
  })
  clients.push(client)
  return client
}

/** Connects and resolves once connected, or rejects with the server's reason. */
function connect(headers: Record<string, string>): Promise<ClientSocket> {
  const client = open(headers)
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client))
    client.once('connect_error', (error) => reject(error))
  })
}

async function refusal(headers: Record<string, string>) {
  const error = await connect(headers).then(
    () => null,
    (e: unknown) => e as Error,
  )
  expect(error).toBeInstanceOf(Error)
  return error!
}

describe('realtime connections', () => {
  it('accepts a valid session cookie from an allowed origin and knows who connected', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    const client = await connect({ cookie: auth.cookie, origin })
    expect(client.connected).toBe(true)
    const [server] = await io.in(`session:${auth.sessionId}`).fetchSockets()
    expect(server.data).toEqual({ userId: doctor.id, sessionId: auth.sessionId, role: 'member' })
    expect(server.rooms.has(`user:${doctor.id}`)).toBe(true)
  })

  it('refuses a connection without a session cookie, asking the person to sign in', async () => {
    const error = await refusal({ origin })
    expect(error.message).toBe('Please sign in to join live rooms.')
  })

  it('refuses an ended session', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    await endSessionById(auth.sessionId)
    const error = await refusal({ cookie: auth.cookie, origin })
    expect(error.message).toBe('Please sign in to join live rooms.')
  })

  it.each([
    ['another site', 'http://evil.example'],
    ['a look-alike host', `http://localhost.evil.example:${port}`],
    ['a garbled origin', 'not a url'],
  ])('refuses a valid session from %s', async (_label, badOrigin) => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    const before = io.engine.clientsCount
    const error = await refusal({ cookie: auth.cookie, origin: badOrigin })
    expect(error.message).not.toBe('')
    expect(io.engine.clientsCount).toBe(before)
    expect(await io.in(`session:${auth.sessionId}`).fetchSockets()).toHaveLength(0)
  })

  it('disconnects the sockets of an ended session, and only those', async () => {
    const doctor = await createDoctor()
    const ended = await signIn(doctor.id)
    const kept = await signIn(doctor.id)
    const endedSockets = [await connect({ cookie: ended.cookie, origin }), await connect({ cookie: ended.cookie, origin })]
    const keptSocket = await connect({ cookie: kept.cookie, origin })
    const reasons = endedSockets.map(
      (socket) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason))),
    )

    disconnectSessions([ended.sessionId])

    expect(await Promise.all(reasons)).toEqual(['io server disconnect', 'io server disconnect'])
    expect(await io.in(`session:${ended.sessionId}`).fetchSockets()).toHaveLength(0)
    expect(await io.in(`session:${kept.sessionId}`).fetchSockets()).toHaveLength(1)
    expect(keptSocket.connected).toBe(true)
  })
})
