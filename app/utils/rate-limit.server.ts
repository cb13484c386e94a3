import { remember } from '@epic-web/remember'
import { RateLimiterRes } from 'rate-limiter-flexible'
import { sharedLimiter } from '#server/redis'

// Tighter limits on the endpoints that guess at secrets (passwords, codes). Counted in Redis when
// REDIS_URL is set, so every node sees the same tries; in this node's memory otherwise, or while
// Redis is away or slow (server/redis.ts).
const limiters = remember('rounds:http-limits', () => ({
  signIn: sharedLimiter({ keyPrefix: 'http:sign-in', points: 10, duration: 15 * 60 }),
  signUp: sharedLimiter({ keyPrefix: 'http:sign-up', points: 10, duration: 60 * 60 }),
  verify: sharedLimiter({ keyPrefix: 'http:verify', points: 20, duration: 15 * 60 }),
  // Asking for a reset code, counted per address and per email (known or not).
  passwordReset: sharedLimiter({ keyPrefix: 'http:password-reset', points: 10, duration: 60 * 60 }),
}))

export type LimitName = keyof typeof limiters

/** Spends one try; returns the minutes to wait when the limit is reached, or null. */
export async function spendTry(name: LimitName, key: string): Promise<number | null> {
  try {
    await limiters[name].consume(key)
    return null
  } catch (result) {
    if (result instanceof RateLimiterRes) return Math.max(1, Math.ceil(result.msBeforeNext / 60_000))
    throw result
  }
}

export async function resetTries(name: LimitName, key: string) {
  await limiters[name].delete(key)
}
