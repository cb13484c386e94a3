import { PublicError } from '../../db/errors'
import { DATABASE_UNAVAILABLE, isConnectionError, isDatabaseDown } from '../../db/health'
import { MAX_PAYLOAD_CHARS, type Ack, type ClientEvents, type ParsedOf } from '../../app/live/protocol'
import type { LiveLimitName, LiveRateLimits } from './rate-limits'

/*
 * The one way a client event is handled, in every namespace (docs/decisions/019): shaped like an
 * action. size cap → hidden characters → database up → the protocol's schema → joined the room
 * (where the event needs it) → rate limit (shared across nodes with Redis) → the handler, which
 * calls the data layer (it authorises) → ack `{ ok: true, … }` or `{ ok: false, error }` → the
 * broadcast, once the ack has gone.
 */

export type { Ack } from '../../app/live/protocol'

/** Postgres cannot store a NUL character in text: refused wherever a socket sends text. */
export const nulRefusal = 'Your message contains a hidden character we cannot store. Remove it and try again.'
const tooLong = 'That is too long to send.'
const notUnderstood = 'That request was not understood.'
const somethingWrong = 'Something went wrong. Try again.'

/** Whether any string in a payload (values or keys, at any depth) holds a NUL character. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0')
  if (value === null || typeof value !== 'object' || depth > 32) return false
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1))
  return Object.entries(value).some(([key, item]) => key.includes('\0') || containsNul(item, depth + 1))
}

function payloadSize(value: unknown) {
  try {
    return JSON.stringify(value)?.length ?? 0
  } catch {
    return Infinity
  }
}

/** Whether an error is a refusal meant for the person (db/errors.ts), whose message they may read. */
export function isPublicError(error: unknown): error is PublicError {
  return error instanceof PublicError
}

/** What a person is told when their event failed: the refusal itself, or no detail. */
export function publicMessage(error: unknown) {
  if (isPublicError(error)) return error.message
  return isConnectionError(error) ? DATABASE_UNAVAILABLE : somethingWrong
}

/** What a handler decided: the ack, and what to send the room once the ack has gone. */
export type Outcome<A extends object> = { ack: Ack<A>; broadcast?: () => unknown }
export const refuse = (error: string): Outcome<never> => ({ ack: { ok: false, error } })
export const done = <A extends object>(fields: A, broadcast?: () => unknown): Outcome<A> => ({ ack: { ok: true, ...fields }, broadcast })

/** When a handler runs: `receivedAt` is when the event reached this server. */
export type EventContext = { receivedAt: number }

export type EventRules = {
  /** The rate limit the event spends a try from (rate-limits.ts); none for events that only move a socket between rooms. */
  limit?: LiveLimitName
  /** False for the events that join: the others are refused to a socket not in the room. */
  joined?: false
}

type EventSocket = { on: (event: string, listener: (...args: unknown[]) => void) => unknown }

type Options = {
  /** Larger payloads (as JSON) are refused before they are parsed; MAX_PAYLOAD_CHARS unless given. */
  maxPayloadChars?: number
  /** Whether the socket has joined the room the parsed payload names. Without it no event checks. */
  joined?: (input: unknown) => boolean
  limits?: LiveRateLimits
  userId: string
  /** Given what a broadcast returns, so it is waited for on close and its failure logged. */
  track: (work: unknown) => void
  /** Errors that are not refusals, for the log. */
  logUnexpected: (error: unknown) => void
}

/**
 * The handler registrar of one socket for one namespace's events (app/live/protocol.ts): each
 * event's schema comes from the protocol, and its handler must return the ack the protocol
 * declares for it.
 */
export function eventHandlers<Events extends ClientEvents>(socket: EventSocket, events: Events, options: Options) {
  return function on<E extends keyof Events & string>(
    event: E,
    rules: EventRules,
    run: (input: ParsedOf<Events, E>, context: EventContext) => Promise<Outcome<Events[E]['ack']>>,
  ) {
    const schema = events[event].payload
    const maxPayloadChars = options.maxPayloadChars ?? MAX_PAYLOAD_CHARS
    if (rules.limit && !options.limits) throw new Error(`'${event}' is rate limited, but no limits were given.`)

    async function answer(input: unknown, context: EventContext): Promise<Outcome<Events[E]['ack']>> {
      if (payloadSize(input) > maxPayloadChars) return refuse(tooLong)
      if (containsNul(input)) return refuse(nulRefusal)
      // While the database is known to be down, refuse at once instead of waiting for a connection.
      if (isDatabaseDown()) return refuse(DATABASE_UNAVAILABLE)
      const parsed = schema.safeParse(input)
      if (!parsed.success) return refuse(parsed.error.issues[0]?.message ?? notUnderstood)
      if (rules.joined !== false && options.joined && !options.joined(parsed.data)) return refuse('Join the talk first.')
      if (rules.limit) {
        const refusal = await options.limits!.spend(rules.limit, options.userId)
        if (refusal) return refuse(refusal)
      }
      return run(parsed.data as ParsedOf<Events, E>, context)
    }

    socket.on(event, (...args: unknown[]) => {
      const context = { receivedAt: Date.now() }
      // socket.io passes the ack last, whatever came before it: nothing, one payload, or more.
      const ack = args.at(-1)
      const reply = typeof ack === 'function' ? (ack as (a: Ack<Events[E]['ack']>) => void) : () => {}
      const input = typeof ack === 'function' && args.length === 1 ? undefined : args[0]
      answer(input, context)
        .catch((error: unknown) => {
          if (!isPublicError(error)) options.logUnexpected(error)
          return refuse(publicMessage(error))
        })
        .then((outcome) => {
          reply(outcome.ack)
          if (outcome.broadcast) options.track(outcome.broadcast())
        })
        .catch(options.logUnexpected)
    })
  }
}

/** The `on()` of one socket for a namespace's events. */
export type On<Events extends ClientEvents> = ReturnType<typeof eventHandlers<Events>>
