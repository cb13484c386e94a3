import type { Namespace, Socket } from 'socket.io'
import type { Viewer } from '../../db/viewer'
import type { SiteServerEvents, LiveServerEvents } from '../../app/live/protocol'

/** Who a socket belongs to, set by the handshake's session check (server/realtime/index.ts). */
export type SocketData = { userId: string; sessionId: string; role: NonNullable<Viewer>['role'] }

/**
 * What a socket may be sent is typed by the protocol (app/live/protocol.ts); what it sends is
 * not trusted to any type: every client event is parsed by its schema in `on()` (events.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- client payloads are unknown until their schema has parsed them
type UntypedClientEvents = Record<string, (...args: any[]) => void>

export type RoundsSocket = Socket<UntypedClientEvents, SiteServerEvents, Record<string, never>, SocketData>
export type SiteNamespace = Namespace<UntypedClientEvents, SiteServerEvents, Record<string, never>, SocketData>
export type LiveNamespace = Namespace<UntypedClientEvents, LiveServerEvents, Record<string, never>, SocketData>
export type LiveSocket = Socket<UntypedClientEvents, LiveServerEvents, Record<string, never>, SocketData>

export type LiveRoom = {
  /** Writes the reactions still held and waits for attendance writes; call after the sockets are closed. */
  close: () => Promise<void>
  /** Sends the talk's room `recording:update` (a LiveKit webhook changed the recording). */
  recordingChanged: (talkId: string) => Promise<void>
  /** A socket of this node, for an access change to move (server/realtime/access-changes.ts). */
  socketControl: (socketId: string) => LiveSocketControl | undefined
}

export type LiveSocketControl = {
  /** The talks whose rooms the socket is in. */
  talks: () => string[]
  /** Takes the socket out of the talk, closing its stay as talk:leave does, and tells it why. */
  remove: (talkId: string, message: string) => Promise<void>
  /** Puts the socket in or out of the talk's hosts' room and sends it the room as it may now see it. */
  setModerator: (talkId: string, moderator: boolean) => Promise<void>
}
