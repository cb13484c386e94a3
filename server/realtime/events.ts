import { z } from 'zod'

export type Ack<T = Record<string, never>> = ({ ok: true } & T) | { ok: false; error: string }

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
    const parsed = schema.safeParse(payload)
    if (!parsed.success) {
      reply({ ok: false, error: parsed.error.issues[0]?.message ?? 'That request was not understood.' })
      return
    }
    run(parsed.data).then(reply, (error: unknown) => {
      const message = error instanceof Error && error.name === 'PublicError' ? error.message : 'Something went wrong. Try again.'
      if (!(error instanceof Error && error.name === 'PublicError')) console.error('[realtime]', error)
      reply({ ok: false, error: message })
    })
  }
}
