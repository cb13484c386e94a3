import type { Server as HttpServer } from 'node:http'
import { remember } from '@epic-web/remember'
import { Server, type Socket } from 'socket.io'
import { z } from 'zod'
import { canEnterClubRoom } from '../../db/clubs'
import { validateCookieHeader, verifyOrigin } from '../auth'
import { handler } from './events'

export type SocketData = { userId: string; sessionId: string; role: 'member' | 'staff' }
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- event maps are declared per namespace as features land
export type RoundsSocket = Socket<Record<string, (...args: any[]) => void>, Record<string, (...args: any[]) => void>, Record<string, never>, SocketData>

const notUnderstood = 'That request was not understood.'
// zod's own messages ("Required", "Expected object, received null") are not for people: name each case.
const ClubRoom = z.object(
  {
    clubId: z
      .string({ required_error: 'Say which club.', invalid_type_error: 'Say which club.' })
      .min(1, 'Say which club.')
      .max(60, 'That club id is not valid.'),
  },
  { required_error: notUnderstood, invalid_type_error: notUnderstood },
)

const registry = remember('rounds:realtime', () => ({ io: undefined as Server | undefined }))

export async function attachRealtime(httpServer: HttpServer, options: { allowedHosts: () => string[]; redisUrl?: string }) {
  const io = new Server(httpServer, {
    serveClient: false,
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: false },
    allowRequest: (req, callback) => {
      const ok = verifyOrigin(req.headers.origin, [...options.allowedHosts(), req.headers.host ?? ''])
      callback(ok ? null : 'This address is not allowed to connect.', ok)
    },
  })
  if (options.redisUrl) {
    const [{ createClient }, { createAdapter }] = await Promise.all([
      import('redis'),
      import('@socket.io/redis-streams-adapter'),
    ])
    const client = createClient({ url: options.redisUrl })
    await client.connect()
    io.adapter(createAdapter(client))
    io.engine.on('close', () => void client.quit().catch(() => {}))
  }
  // The same session check as HTTP: the cookie is read and validated on every
  // handshake, including a recovered one (skipMiddlewares: false).
  io.use((socket, next) => {
    validateCookieHeader(socket.handshake.headers.cookie)
      .then((auth) => {
        if (!auth) return next(new Error('Please sign in to join live rooms.'))
        socket.data = { userId: auth.user.id, sessionId: auth.session.id, role: auth.user.role }
        next()
      })
      .catch(() => next(new Error('We could not check your session. Try again in a moment.')))
  })
  io.on('connection', (socket: RoundsSocket) => {
    void socket.join([`user:${socket.data.userId}`, `session:${socket.data.sessionId}`])
    const viewer = { userId: socket.data.userId, role: socket.data.role }
    // A club's room carries its live updates; only those who may see the club get in.
    socket.on(
      'club:enter',
      handler(ClubRoom, async ({ clubId }) => {
        if (!(await canEnterClubRoom(viewer, clubId))) return { ok: false, error: 'We could not find that club. It may be private.' }
        await socket.join(`club:${clubId}`)
        return { ok: true }
      }),
    )
    socket.on(
      'club:leave',
      handler(ClubRoom, async ({ clubId }) => {
        await socket.leave(`club:${clubId}`)
        return { ok: true }
      }),
    )
  })
  registry.io = io
  return io
}

/** Disconnects every socket opened with one of these sessions, on every node. */
export function disconnectSessions(sessionIds: string[]) {
  const io = registry.io
  if (!io || sessionIds.length === 0) return
  io.in(sessionIds.map((id) => `session:${id}`)).disconnectSockets(true)
}

/** Takes a person out of a club's room on every node, e.g. when removed or banned. */
export function removeFromClubRoom(userId: string, clubId: string) {
  registry.io?.in(`user:${userId}`).socketsLeave(`club:${clubId}`)
}

export function realtimeServer() {
  return registry.io
}
