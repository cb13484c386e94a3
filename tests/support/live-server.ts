import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Server } from 'socket.io'
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client'
import type { LiveMedia } from '../../server/livekit/media'
import { attachRealtime, closeRealtime } from '../../server/realtime/index'
import { startAppServer, type AppServer } from './app-server'

export type LiveAck = { ok: boolean; error?: string }
type Received = { event: string; payload: unknown }

/** A socket on a `/live` namespace that keeps everything it receives, in order. */
export type LiveClient = {
  socket: ClientSocket
  /** Everything received so far. */
  received: Received[]
  /** Sends an event and waits for its ack. */
  send: (event: string, payload?: unknown) => Promise<LiveAck>
  /** Sends an event and returns its ack, typed as `T`; throws the refusal when it is not ok. */
  ok: <T = unknown>(event: string, payload?: unknown) => Promise<T & { ok: true }>
  /** Resolves with the first payload of `event` (received before or after the call) that matches. */
  next: <T = Record<string, unknown>>(event: string, match?: (payload: T) => boolean, timeoutMs?: number) => Promise<T>
  /** The payloads of `event` received so far. */
  all: <T = Record<string, unknown>>(event: string) => T[]
}

export function liveClient(socket: ClientSocket): LiveClient {
  const received: Received[] = []
  const waiters = new Set<(entry: Received) => void>()
  const send = (event: string, payload?: unknown) =>
    (payload === undefined ? socket.timeout(5000).emitWithAck(event) : socket.timeout(5000).emitWithAck(event, payload)) as Promise<LiveAck>
  socket.onAny((event: string, payload: unknown) => {
    const entry = { event, payload }
    received.push(entry)
    for (const waiter of waiters) waiter(entry)
  })
  return {
    socket,
    received,
    send,
    ok: async <T>(event: string, payload?: unknown) => {
      const ack = await send(event, payload)
      if (!ack.ok) throw new Error(`'${event}' was refused: ${ack.error}`)
      return ack as T & { ok: true }
    },
    next: <T>(event: string, match: (payload: T) => boolean = () => true, timeoutMs = 5000) => {
      const fits = (entry: Received) => entry.event === event && match(entry.payload as T)
      const already = received.find(fits)
      if (already) return Promise.resolve(already.payload as T)
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(
            new Error(`No '${event}' arrived within ${timeoutMs} ms. Received: ${received.map((r) => r.event).join(', ') || 'nothing'}`),
          )
        }, timeoutMs)
        const waiter = (entry: Received) => {
          if (!fits(entry)) return
          clearTimeout(timer)
          waiters.delete(waiter)
          resolve(entry.payload as T)
        }
        waiters.add(waiter)
      })
    },
    all: <T>(event: string) => received.filter((r) => r.event === event).map((r) => r.payload as T),
  }
}

export type ConnectOptions = { reconnection?: boolean }

/** Opens a `/live` socket at `baseUrl` with the session cookie, sent from `origin`. Rejects with the server's refusal. */
export function connectLive(baseUrl: string, origin: string, cookie: string | null, options: ConnectOptions = {}): Promise<LiveClient> {
  const socket = connectClient(`${baseUrl}/live`, {
    transports: ['websocket'],
    extraHeaders: cookie ? { cookie, origin } : { origin },
    reconnection: options.reconnection ?? false,
    forceNew: true,
    timeout: 5000,
  })
  const client = liveClient(socket)
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client))
    socket.once('connect_error', (error) => {
      socket.close()
      reject(error)
    })
  })
}

export type RealtimeServer = {
  io: Server
  port: number
  baseUrl: string
  origin: string
  /** A connected `/live` socket for this session cookie; closed with the server. */
  connect: (cookie: string | null, options?: ConnectOptions) => Promise<LiveClient>
  close: () => Promise<void>
}

/** An HTTP server with `attachRealtime` on a free port, in this process, for socket tests. */
export async function startRealtimeServer(options: { redisUrl?: string; media?: LiveMedia } = {}): Promise<RealtimeServer> {
  const httpServer = createServer()
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve))
  const port = (httpServer.address() as AddressInfo).port
  const origin = `http://localhost:${port}`
  const baseUrl = `http://127.0.0.1:${port}`
  const io = await attachRealtime(httpServer, { allowedHosts: () => [`localhost:${port}`], redisUrl: options.redisUrl, media: options.media })
  const clients: LiveClient[] = []
  return {
    io,
    port,
    baseUrl,
    origin,
    connect: async (cookie, connectOptions) => {
      const client = await connectLive(baseUrl, origin, cookie, connectOptions)
      clients.push(client)
      return client
    },
    close: async () => {
      for (const client of clients) client.socket.close()
      await closeRealtime()
    },
  }
}

/**
 * Real server processes (`server/index.ts`) sharing one database and one Redis, as nodes
 * behind a load balancer: the first creates the database with demo data, the others join it.
 */
export async function startAppServers(count: number, env: Record<string, string>): Promise<AppServer[]> {
  const first = await startAppServer({ env })
  const others: AppServer[] = []
  try {
    for (let i = 1; i < count; i++) others.push(await startAppServer({ env, databaseUrl: first.databaseUrl }))
  } catch (error) {
    for (const server of others) await server.stop()
    await first.stop()
    throw error
  }
  return [first, ...others]
}

/** Stops nodes that share a database: the ones that joined it first, then the one that owns it. */
export async function stopAppServers(servers: AppServer[]) {
  for (const server of [...servers].reverse()) await server.stop()
}
