/**
 * The baseline for `npm run bench:live`: a plain Socket.io server with a `/live` namespace
 * that only broadcasts. No database, no auth, no rate limits, no validation.
 *
 * Every socket joins one room on connect. `talk:join`, `talk:open` ack `{ ok: true }`;
 * `comment:send` acks and then broadcasts `comment:new` `{ talkId, comment }` to the room,
 * the same order (ack, then broadcast) and payload shape as the real server.
 *
 * Run as a child process (IPC): listens on 127.0.0.1 on a free port and sends `{ port }`.
 */
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from 'socket.io'

const ROOM = 'talk'
type Ack = (reply: Record<string, unknown>) => void
const ackOf = (args: unknown[]): Ack => {
  const last = args.at(-1)
  return typeof last === 'function' ? (last as Ack) : () => {}
}

const httpServer = createServer()
const io = new Server(httpServer, { serveClient: false })
const live = io.of('/live')

live.on('connection', (socket) => {
  void socket.join(ROOM)
  socket.on('talk:join', (...args: unknown[]) => ackOf(args)({ ok: true, state: { comments: [] } }))
  socket.on('talk:open', (...args: unknown[]) => ackOf(args)({ ok: true, status: 'live' }))
  socket.on('comment:send', (...args: unknown[]) => {
    const input = args[0] as { talkId?: string; body?: string } | undefined
    const comment = {
      id: randomUUID(),
      talkId: input?.talkId ?? '',
      author: { id: 'bare', handle: 'bare', name: 'Bare' },
      body: String(input?.body ?? ''),
      createdAt: new Date().toISOString(),
      pinned: false,
    }
    ackOf(args)({ ok: true, comment })
    live.to(ROOM).emit('comment:new', { talkId: comment.talkId, comment })
  })
})

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo
  if (process.send) process.send({ port })
  else console.log(JSON.stringify({ port }))
})

const stop = () => {
  void io.close()
  httpServer.close(() => process.exit(0))
  setTimeout(() => process.exit(0), 2000).unref()
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.on('disconnect', stop)
