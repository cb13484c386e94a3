import { remember } from '@epic-web/remember'
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'

// Tighter limits on the endpoints that guess at secrets (passwords, codes).
const limiters = remember('rounds:http-limits', () => ({
  signIn: new RateLimiterMemory({ keyPrefix: 'sign-in', points: 10, duration: 15 * 60 }),
  signUp: new RateLimiterMemory({ keyPrefix: 'sign-up', points: 10, duration: 60 * 60 }),
  verify: new RateLimiterMemory({ keyPrefix: 'verify', points: 20, duration: 15 * 60 }),
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
