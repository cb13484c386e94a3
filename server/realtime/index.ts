import type { Server as HttpServer } from 'node:http'
import { remember } from '@epic-web/remember'
import { createAdapter } from '@socket.io/redis-streams-adapter'
import { Server, type Namespace, type Socket } from 'socket.io'
import { recordSessionsEnded } from '../../db/access-changes'
import { canEnterClubRoom } from '../../db/access/index'
import { validateCookieHeader, validateSessionId, verifyOrigin } from '../auth'
import { clubEvents } from '../../app/live/protocol'
import { personalRooms, rooms } from './audiences'
import { done, eventHandlers, refuse } from './events'
import { createLiveMedia, type LiveMedia } from '../livekit/media'
import { watchAccessChanges, type AccessChangeWatcher } from './access-changes'
import { attachLiveRoom, mayRestoreLiveRooms } from './live'
import { watchNotificationCounts, type NotificationCountWatcher } from './notifications'
import { createLiveRateLimits } from './rate-limits'
import { dropSlowConsumers, limitSocketsPerSession } from './slow-consumers'
import { REDIS_COMMAND_TIMEOUT_MS, closeRedis, connectRedis, redisKeyPrefix, whenRedisReady, withTimeout, type RedisClient } from '../redis'

import type { LiveRoom, RoundsSocket, SocketData } from './types'

export type { SocketData } from './types'

const logUnexpected = (error: unknown) => console.error('[realtime]', error)

const registry = remember('rounds:realtime', () => ({
  io: undefined as Server | undefined,
  liveRoom: undefined as LiveRoom | undefined,
  accessChanges: undefined as AccessChangeWatcher | undefined,
  notificationCounts: undefined as NotificationCountWatcher | undefined,
}))

/**
 * The same session check as HTTP, run by every namespace on every handshake, including a
 * recovered one (skipMiddlewares: false). A recovered socket must come back with the session
 * it left with.
 */
function authenticate(socket: Socket<never, never, never, Partial<SocketData>>, next: (error?: Error) => void) {
  const previousSessionId = socket.recovered ? socket.data.sessionId : undefined
  validateCookieHeader(socket.handshake.headers.cookie)
    .then((auth) => {
      if (!auth || (previousSessionId !== undefined && previousSessionId !== auth.session.id)) {
        return next(new Error('Please sign in to join live rooms.'))
      }
      socket.data = { userId: auth.user.id, sessionId: auth.session.id, role: auth.user.role }
      next()
    })
    .catch(() => next(new Error('We could not check your session. Try again in a moment.')))
}

/**
 * Socket.io restores a session's rooms and writes the packets it missed before the
 * namespace's middlewares run (socket.io 4.8 `Namespace._createSocket`), so a signed-out
 * session would be sent what it missed even though `authenticate` then refuses it. Only a
 * session whose sign-in is still valid (and, where given, `mayRestore` allows) is restored;
 * the others start afresh and go through the usual checks.
 */
function restoreOnlyValidSessions(nsp: Namespace, mayRestore?: (data: SocketData, rooms: string[]) => Promise<boolean>) {
  const adapter = nsp.adapter
  const restore = adapter.restoreSession.bind(adapter)
  adapter.restoreSession = async (pid, offset) => {
    const session = await restore(pid, offset)
    if (!session) return session
    const data = session.data as Partial<SocketData> | undefined
    const valid = data?.sessionId ? await validateSessionId(data.sessionId) : null
    if (!valid || (mayRestore && !(await mayRestore(data as SocketData, session.rooms)))) {
      throw new Error('This connection cannot be restored.')
    }
    return session
  }
}

function redisReady() {
  return new Promise<void>((resolve) => {
    const stop = whenRedisReady(() => {
      queueMicrotask(() => stop())
      resolve()
    })
  })
}

/**
 * The client the Redis Streams adapter gets. Its reading and subscribing connections are copies
 * of the shared client that, unlike it, wait for Redis to come back instead of failing at once (a
 * failed XREAD is retried at once, which would spin) and have no command timeout (a blocking XREAD
 * outlasts it). Its publishing commands give up after REDIS_COMMAND_TIMEOUT_MS: the adapter
 * delivers to this node's sockets only after publishing, so a stalled Redis would hold up rooms.
 */
/** The stream and recovery keys carry this deployment's prefix, like every other key (REDIS_PREFIX). */
function streamsAdapterOptions() {
  const prefix = redisKeyPrefix()
  return { streamName: `${prefix}:socket.io`, sessionKeyPrefix: `${prefix}:sio:session:` }
}

function streamsAdapterClient(client: RedisClient): RedisClient {
  const duplicate = (overrides?: Parameters<RedisClient['duplicate']>[0]) =>
    client.duplicate({ disableOfflineQueue: false, commandOptions: undefined, ...overrides })
  return new Proxy(client, {
    get(target, property) {
      if (property === 'duplicate') return duplicate
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      const method = value as (...args: unknown[]) => unknown
      if (property === 'xAdd' || property === 'publish') {
        return (...args: unknown[]) => withTimeout(method.apply(target, args) as Promise<unknown>, REDIS_COMMAND_TIMEOUT_MS)
      }
      return method.bind(target)
    },
  })
}

/** Moves every namespace of a running server onto the Redis Streams adapter, keeping each socket's rooms. */
function joinRedisAdapter(io: Server, client: RedisClient) {
  const rooms = new Map([...io._nsps].map(([name, nsp]) => [name, new Map(nsp.adapter.sids)]))
  const before = [...io._nsps.values()].map((nsp) => nsp.adapter)
  io.adapter(createAdapter(streamsAdapterClient(client), streamsAdapterOptions()))
  for (const adapter of before) void adapter.close()
  for (const [name, nsp] of io._nsps) {
    for (const [socketId, socketRooms] of rooms.get(name) ?? []) void nsp.adapter.addAll(socketId, new Set(socketRooms))
  }
}

export async function attachRealtime(
  httpServer: HttpServer,
  options: { allowedHosts: () => string[]; redisUrl?: string; media?: LiveMedia },
) {
  const io = new Server(httpServer, {
    serveClient: false,
    // Applies to every namespace: each keeps its own session id and offset.
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: false },
    allowRequest: (req, callback) => {
      // Browsers always send Origin on WebSocket upgrades and cross-site requests, but not on
      // same-origin long-polling GETs. A missing Origin is allowed only for those: a cross-site
      // page cannot ride on them, because the SameSite=Lax session cookie is not sent cross-site.
      const origin = req.headers.origin
      const polling = !origin && req.method === 'GET' && !req.headers.upgrade
      const ok = polling || verifyOrigin(origin, [...options.allowedHosts(), req.headers.host ?? ''])
      callback(ok ? null : 'This address is not allowed to connect.', ok)
    },
  })
  // Redis (server/redis.ts) lets several nodes share rooms. A node does not wait for it: until it
  // answers, the node serves its own sockets with the in-memory adapter, then moves them onto the
  // Redis Streams adapter (joinRedisAdapter). Once joined, an outage only stops the sharing: each
  // node keeps delivering to its own sockets, and the adapter catches up when Redis is back.
  const redis = options.redisUrl ? connectRedis(options.redisUrl) : undefined
  if (redis && !redis.isReady) await Promise.race([redisReady(), new Promise((resolve) => setTimeout(resolve, 2000))])
  if (redis?.isReady) io.adapter(createAdapter(streamsAdapterClient(redis), streamsAdapterOptions()))
  if (redis) io.engine.on('close', () => void closeRedis())
  // Namespaces are set up once the adapter is chosen, so each gets it.
  const live = io.of('/live')
  const guardRestores = () => {
    restoreOnlyValidSessions(io.of('/'))
    restoreOnlyValidSessions(live, mayRestoreLiveRooms)
  }
  guardRestores()
  if (redis && !redis.isReady) {
    void redisReady().then(() => {
      if (registry.io !== io) return
      joinRedisAdapter(io, redis)
      guardRestores()
      console.log('[rounds] Redis answers: live rooms are now shared with the other nodes.')
    })
  }
  for (const nsp of [io.of('/'), live]) nsp.use(authenticate).use(limitSocketsPerSession())
  dropSlowConsumers(io)
  io.on('connection', (socket: RoundsSocket) => {
    void socket.join(personalRooms(socket.data))
    const viewer = { userId: socket.data.userId, role: socket.data.role }
    const on = eventHandlers(socket, clubEvents, {
      // A club id is the whole payload: its schema says what is wrong with one too long
      // (the engine still drops anything of 1 MB or more).
      maxPayloadChars: Infinity,
      userId: viewer.userId,
      track: (work) => void Promise.resolve(work).catch(logUnexpected),
      logUnexpected,
    })
    // A club's room carries its live updates; only those who may see the club get in.
    on('club:enter', {}, async ({ clubId }) => {
      if (!(await canEnterClubRoom(viewer, clubId))) return refuse('We could not find that club. It may be private.')
      await socket.join(rooms.club(clubId))
      return done({})
    })
    on('club:leave', {}, async ({ clubId }) => {
      await socket.leave(rooms.club(clubId))
      return done({})
    })
  })
  registry.liveRoom = attachLiveRoom(live, { limits: createLiveRateLimits({ redis: redis !== undefined }), media: options.media ?? createLiveMedia() })
  registry.io = io
  // A ban, a club made private, a sign-out… committed anywhere reaches this node's open sockets.
  registry.accessChanges = await watchAccessChanges(io, registry.liveRoom)
  // A doctor's unread count reaches every page they have open, on every node.
  registry.notificationCounts = await watchNotificationCounts(io)
  return io
}

/**
 * Disconnects every socket opened with one of these sessions, in every namespace, on every node:
 * at once through the adapter, and through the access-change outbox for nodes it does not reach.
 */
export function disconnectSessions(sessionIds: string[]) {
  const io = registry.io
  if (!io || sessionIds.length === 0) return
  const sessions = sessionIds.map(rooms.session)
  io.in(sessions).disconnectSockets(true)
  io.of('/live').in(sessions).disconnectSockets(true)
  const announced = recordSessionsEnded(sessionIds).catch((error: unknown) =>
    console.error('[rounds] Ended sessions could not be announced to the other nodes.', error),
  )
  announcing.add(announced)
  void announced.finally(() => announcing.delete(announced))
}

/** Announcements of ended sessions still being written, awaited on close. */
const announcing = new Set<Promise<unknown>>()

/** Takes a person out of a club's room on every node, e.g. when removed or banned. */
export function removeFromClubRoom(userId: string, clubId: string) {
  registry.io?.in(rooms.person(userId)).socketsLeave(rooms.club(clubId))
}

export function realtimeServer() {
  return registry.io
}

/**
 * Disconnects every socket in every namespace (the live room closes their attendance),
 * then waits until the live room has written what it still holds. Call before closing the database.
 */
export async function closeRealtime() {
  const io = registry.io
  if (!io) return
  await Promise.allSettled([...announcing])
  await registry.accessChanges?.stop()
  registry.accessChanges = undefined
  await registry.notificationCounts?.stop()
  registry.notificationCounts = undefined
  await io.close()
  await registry.liveRoom?.close()
}

/** Tells a talk's room its recording changed (called by the LiveKit webhook). */
export async function notifyRecordingChange(talkId: string) {
  await registry.liveRoom?.recordingChanged(talkId)
}
