export type Coalescer<V> = {
  /** Adds a value for a key; it goes out with the key's next flush. */
  add: (key: string, value: V) => void
  /** Flushes everything pending now, whatever the interval, and waits for flushes in flight. */
  drain: () => Promise<void>
}

type KeyState<V> = { pending?: V; timer?: NodeJS.Timeout; running?: Promise<void> }

/**
 * Gathers values per key (a talk) and hands them to `flush` at most once per `intervalMs`
 * per key: the first value after a quiet spell goes out on the next turn of the event loop,
 * later ones wait until the interval since the last flush has passed. A flush never overlaps
 * another for the same key.
 */
export function createCoalescer<V>(options: {
  intervalMs: number
  merge: (pending: V | undefined, next: V) => V
  flush: (key: string, value: V) => Promise<void>
  onError: (error: unknown, key: string) => void
}): Coalescer<V> {
  const states = new Map<string, KeyState<V>>()

  function run(key: string) {
    const state = states.get(key)
    if (!state) return
    state.timer = undefined
    if (state.pending === undefined) {
      // A quiet interval has passed since the last flush: forget the key.
      states.delete(key)
      return
    }
    const value = state.pending
    state.pending = undefined
    state.running = options
      .flush(key, value)
      .catch((error: unknown) => options.onError(error, key))
      .finally(() => {
        state.running = undefined
        state.timer = setTimeout(() => run(key), options.intervalMs)
        state.timer.unref()
      })
  }

  return {
    add(key, value) {
      let state = states.get(key)
      if (!state) {
        state = {}
        states.set(key, state)
      }
      state.pending = options.merge(state.pending, value)
      // A timer or a flush in flight will pick the value up, keeping to the interval.
      if (state.timer || state.running) return
      state.timer = setTimeout(() => run(key), 0)
      state.timer.unref()
    },
    async drain() {
      const inFlight: Promise<void>[] = []
      for (const [key, state] of states) {
        clearTimeout(state.timer)
        state.timer = undefined
        const pending = state.pending
        state.pending = undefined
        const previous = state.running ?? Promise.resolve()
        inFlight.push(
          previous.then(async () => {
            clearTimeout(state.timer)
            if (pending !== undefined) await options.flush(key, pending).catch((error: unknown) => options.onError(error, key))
          }),
        )
      }
      await Promise.all(inFlight)
      for (const state of states.values()) clearTimeout(state.timer)
      states.clear()
    },
  }
}
