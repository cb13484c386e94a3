export type Coalescer<V> = {
  /** Adds a value for a key; it goes out with the key's next flush. */
  add: (key: string, value: V) => void
  /** Adds a value for a key and resolves once the flush that carries it has succeeded (rejects with its error). */
  addAndWait: (key: string, value: V) => Promise<void>
  /** Flushes everything pending now, whatever the interval, and waits for flushes in flight. */
  drain: () => Promise<void>
}

type Waiter = { resolve: () => void; reject: (error: unknown) => void }
type KeyState<V> = { pending?: V; waiters: Waiter[]; timer?: NodeJS.Timeout; running?: Promise<void> }

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

  /** Flushes one value and settles those waiting for it; never rejects. */
  function flushOne(key: string, value: V, waiters: Waiter[]) {
    return options.flush(key, value).then(
      () => {
        for (const waiter of waiters) waiter.resolve()
      },
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error)
        options.onError(error, key)
      },
    )
  }

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
    const waiters = state.waiters
    state.pending = undefined
    state.waiters = []
    state.running = flushOne(key, value, waiters).finally(() => {
      state.running = undefined
      state.timer = setTimeout(() => run(key), options.intervalMs)
      state.timer.unref()
    })
  }

  function add(key: string, value: V) {
    let state = states.get(key)
    if (!state) {
      state = { waiters: [] }
      states.set(key, state)
    }
    state.pending = options.merge(state.pending, value)
    // A timer or a flush in flight will pick the value up, keeping to the interval.
    if (!state.timer && !state.running) {
      state.timer = setTimeout(() => run(key), 0)
      state.timer.unref()
    }
    return state
  }

  return {
    add(key, value) {
      add(key, value)
    },
    addAndWait(key, value) {
      const state = add(key, value)
      return new Promise<void>((resolve, reject) => state.waiters.push({ resolve, reject }))
    },
    async drain() {
      const inFlight: Promise<void>[] = []
      for (const [key, state] of states) {
        clearTimeout(state.timer)
        state.timer = undefined
        const pending = state.pending
        const waiters = state.waiters
        state.pending = undefined
        state.waiters = []
        const previous = state.running ?? Promise.resolve()
        inFlight.push(
          previous.then(async () => {
            clearTimeout(state.timer)
            if (pending !== undefined) await flushOne(key, pending, waiters)
          }),
        )
      }
      await Promise.all(inFlight)
      for (const state of states.values()) clearTimeout(state.timer)
      states.clear()
    },
  }
}
