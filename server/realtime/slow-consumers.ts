import type { Server, Socket } from 'socket.io'

/*
 * A connection that stops reading (a stalled or hostile client whose TCP window stays shut)
 * would have everything broadcast to it queue in this server's memory: engine.io holds packets
 * while the transport is not writable, and ws holds what the kernel will not take. Past a cap the
 * connection is cut, its queue dropped with it (docs/live-contract.md, Slow connections).
 */

/** Bytes queued for one connection (engine.io's buffer plus the WebSocket's) before it is cut. */
export const MAX_QUEUED_BYTES = 1024 * 1024
/** Packets waiting in engine.io's buffer for one connection before it is cut. */
export const MAX_QUEUED_PACKETS = 2_000
/** Open sockets per sign-in (session), per namespace, on one node. */
export const MAX_SOCKETS_PER_SESSION = 20

export const tooManySockets = 'This sign-in has too many live connections open. Close some Rounds tabs and try again.'

/** The parts of engine.io's Socket read here (its typings leave out the transport's WebSocket). */
type EngineConnection = {
  id: string
  writeBuffer: unknown[]
  transport: { socket?: { bufferedAmount?: number; terminate?: () => void } }
  on(event: 'flush', listener: () => void): void
  on(event: 'packetCreate', listener: (packet: { data?: unknown }) => void): void
  close: (discard?: boolean) => void
}

const sizeOf = (data: unknown) =>
  typeof data === 'string' ? data.length : data instanceof ArrayBuffer || ArrayBuffer.isView(data) ? data.byteLength : 0

/** Counts what each connection has queued as packets are created, and cuts it past the caps. */
export function dropSlowConsumers(
  io: Server,
  caps: { bytes?: number; packets?: number; onDrop?: (id: string, queuedBytes: number, queuedPackets: number) => void } = {},
) {
  const maxBytes = caps.bytes ?? MAX_QUEUED_BYTES
  const maxPackets = caps.packets ?? MAX_QUEUED_PACKETS
  io.engine.on('connection', (conn: EngineConnection) => {
    // Bytes in engine.io's buffer, reset when the buffer is handed to the transport.
    let queued = 0
    let dropped = false
    conn.on('flush', () => {
      queued = 0
    })
    conn.on('packetCreate', (packet) => {
      if (dropped) return
      queued += sizeOf(packet.data)
      const bytes = queued + (conn.transport.socket?.bufferedAmount ?? 0)
      if (bytes <= maxBytes && conn.writeBuffer.length < maxPackets) return
      dropped = true
      console.warn(`[realtime] Dropped a slow consumer: ${bytes} bytes and ${conn.writeBuffer.length} packets queued unread.`)
      caps.onDrop?.(conn.id, bytes, conn.writeBuffer.length)
      // Nothing more is sent: the queue goes, and so does the connection (a graceful close would
      // wait for the queue to drain, which a client that does not read never lets happen).
      conn.writeBuffer.length = 0
      if (conn.transport.socket?.terminate) conn.transport.socket.terminate()
      else conn.close(true)
    })
  })
}

const counts = new WeakMap<object, Map<string, number>>()

/**
 * Namespace middleware, after the session check: refuses a socket when its session already has
 * MAX_SOCKETS_PER_SESSION open in this namespace on this node.
 */
export function limitSocketsPerSession(max = MAX_SOCKETS_PER_SESSION) {
  return (socket: Socket, next: (error?: Error) => void) => {
    const sessionId = (socket.data as { sessionId?: string }).sessionId
    if (!sessionId) return next()
    let open = counts.get(socket.nsp)
    if (!open) counts.set(socket.nsp, (open = new Map()))
    const n = open.get(sessionId) ?? 0
    if (n >= max) return next(new Error(tooManySockets))
    open.set(sessionId, n + 1)
    let released = false
    const release = () => {
      if (released) return
      released = true
      const left = (open.get(sessionId) ?? 1) - 1
      if (left <= 0) open.delete(sessionId)
      else open.set(sessionId, left)
    }
    // Connected sockets end with 'disconnect'; one refused later or whose connection closed first, with the connection.
    socket.once('disconnect', release)
    socket.conn.once('close', release)
    next()
  }
}
