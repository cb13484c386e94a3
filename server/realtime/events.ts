import { z } from 'zod'
import { DATABASE_UNAVAILABLE, isConnectionError, isDatabaseDown } from '../../db/health'

export type Ack<T = Record<string, never>> = ({ ok: true } & T) | { ok: false; error: string }

/** Postgres cannot store a NUL character in text: refused wherever a socket sends text. */
export const nulRefusal = 'Your message contains a hidden character we cannot store. Remove it and try again.'

/** Whether any string in a payload (values or keys, at any depth) holds a NUL character. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0')
  if (value === null || typeof value !== 'object' || depth > 32) return false
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1))
  return Object.entries(value).some(([key, item]) => key.includes('\0') || containsNul(item, depth + 1))
}

/** Wraps a socket handler: validate → run → ack. Bad input and refusals become `{ ok: false, error }`. */
export function handler<S extends z.ZodTypeAny, R extends Record<string, unknown>>(
  schema: S,
  run: (input: z.infer<S>) => Promise<Ack<R>>,
) {
  return (...args: unknown[]) => {
    // socket.io passes the ack last, whatever came before it: nothing, one payload, or more.
    const ack = args.at(-1)
    const reply = typeof ack === 'function' ? (ack as (a: Ack<R>) => void) : () => {}
    const payload = typeof ack === 'function' && args.length === 1 ? undefined : args[0]
    if (containsNul(payload)) return reply({ ok: false, error: nulRefusal })
    // While the database is known to be down, refuse at once instead of waiting for a connection.
    if (isDatabaseDown()) {
      reply({ ok: false, error: DATABASE_UNAVAILABLE })
      return
    }
    const parsed = schema.safeParse(payload)
    if (!parsed.success) {
      reply({ ok: false, error: parsed.error.issues[0]?.message ?? 'That request was not understood.' })
      return
    }
    run(parsed.data).then(reply, (error: unknown) => {
      const message = error instanceof Error && error.name === 'PublicError' ? error.message : isConnectionError(error) ? DATABASE_UNAVAILABLE : 'Something went wrong. Try again.'
      if (!(error instanceof Error && error.name === 'PublicError')) console.error('[realtime]', error)
      reply({ ok: false, error: message })
    })
  }
}
