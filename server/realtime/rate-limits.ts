import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import { sharedLimiter, type SharedLimiter } from '../redis'

/** Per-person limits in a live room (docs/live-room.md): points per window of seconds. */
export const liveLimits = {
  comment: { points: 5, duration: 10, what: 'comments' },
  question: { points: 3, duration: 30, what: 'questions' },
  reaction: { points: 20, duration: 10, what: 'reactions' },
  other: { points: 30, duration: 10, what: 'requests' },
  // Quiz and poll events (docs/quizzes.md) have their own allowance, apart from the room's.
  quiz: { points: 30, duration: 10, what: 'answers' },
} as const

export type LiveLimitName = keyof typeof liveLimits

export type LiveRateLimits = {
  /** Spends one try for this person; returns the refusal to show when the limit is reached, or null. */
  spend: (name: LiveLimitName, userId: string) => Promise<string | null>
  /** Which store the counts live in, for the boot log and tests. */
  store: 'memory' | 'redis'
}

/**
 * With Redis (server/redis.ts) the counts are shared by every node, so a person cannot multiply a
 * limit by landing on several; when Redis fails or is slow to answer, each node counts in memory,
 * so a Redis outage or stall never holds up a room.
 */
export function createLiveRateLimits(options: { redis?: boolean } = {}): LiveRateLimits {
  const limiters = Object.fromEntries(
    Object.entries(liveLimits).map(([name, { points, duration }]) => {
      const keyPrefix = `live:${name}`
      const limiter: SharedLimiter = options.redis ? sharedLimiter({ keyPrefix, points, duration }) : new RateLimiterMemory({ keyPrefix, points, duration })
      return [name, limiter]
    }),
  ) as Record<LiveLimitName, SharedLimiter>

  return {
    store: options.redis ? 'redis' : 'memory',
    async spend(name, userId) {
      try {
        await limiters[name].consume(userId)
        return null
      } catch (result) {
        if (!(result instanceof RateLimiterRes)) throw result
        const seconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000))
        return `You are sending ${liveLimits[name].what} too fast. Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`
      }
    },
  }
}
