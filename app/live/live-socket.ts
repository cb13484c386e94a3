import type { Socket } from 'socket.io-client'
import type { LiveAck, LiveEventName, LivePayload, LiveServerEvents } from './protocol'

/*
 * The browser's end of the `/live` socket, typed by the protocol (app/live/protocol.ts): what it
 * listens to is the server's events, and what it sends goes through `callLive`, which takes only
 * an event the server handles, with that event's payload, and resolves with that event's ack.
 */

/** What the page sends; each event is checked on the server by its schema. */
type LiveClientEmits = { [E in LiveEventName]: (payload: LivePayload<E>, ack: (ack: LiveAck<E>) => void) => void }

export type LiveClientSocket = Socket<LiveServerEvents, LiveClientEmits>

/**
 * The page's one `/live` connection, as the room's hook (use-live-room.ts) holds it, for the
 * panels that share it (the quiz panel): one connection per page is one stay in the attendance.
 * `joins` counts the times the room was (re)joined or synced: what a panel shows is read again then.
 */
export type LiveConnection = { socket: LiveClientSocket | null; joins: number }

export const ACK_TIMEOUT_MS = 10_000

const offline = 'You are offline. Wait until the connection is back, then try again.'
const noAnswer = 'The room did not answer in time. Check your connection and try again.'

/** The payload of `event` without the talk, which the page's hooks add. */
export type TalkPayload<E extends LiveEventName> = Omit<LivePayload<E>, 'talkId'>
/** The payload argument of `event`: optional when the talk is all it needs. */
export type TalkPayloadArgs<E extends LiveEventName> = {} extends TalkPayload<E> ? [payload?: TalkPayload<E>] : [payload: TalkPayload<E>]

/**
 * Sends `event` for the talk and resolves with its ack; offline, or with no answer within
 * ACK_TIMEOUT_MS, it resolves with a refusal a person can read instead.
 */
export async function callLive<E extends LiveEventName>(socket: LiveClientSocket | null, talkId: string, event: E, payload?: TalkPayload<E>): Promise<LiveAck<E>> {
  if (!socket?.connected) return { ok: false, error: offline }
  try {
    return await emitLive(socket, event, { talkId, ...payload } as LivePayload<E>)
  } catch {
    return { ok: false, error: noAnswer }
  }
}

/** Sends `event` and waits for its ack; rejects when none comes within ACK_TIMEOUT_MS. */
export function emitLive<E extends LiveEventName>(socket: LiveClientSocket, event: E, payload: LivePayload<E>): Promise<LiveAck<E>> {
  // socket.io's types cannot follow one event of a generic name through to its ack.
  const untyped = socket.timeout(ACK_TIMEOUT_MS) as unknown as { emitWithAck: (event: string, payload: unknown) => Promise<LiveAck<E>> }
  return untyped.emitWithAck(event, payload)
}
