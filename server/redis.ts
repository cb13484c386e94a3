import { remember } from '@epic-web/remember'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import { createClient } from 'redis'

/**
 * The one Redis connection of this process, shared by the Socket.io adapter, the live-room limits
 * and the HTTP limits. Redis is an accelerator, never a dependency to start or stay up: the client
 * reconnects on its own, commands fail at once while it is away (no offline queue), and every user
 * of it has a local fallback.
 */
export type RedisClient = ReturnType<typeof createClient>
export type RedisStatus = 'up' | 'down' | 'off'

/** How long a limiter waits for Redis before counting locally instead. */
export const REDIS_LIMIT_TIMEOUT_MS = 200
/**
 * A command that gets no answer in this time fails, so a stalled Redis cannot hold up a room.
 * (node-redis's own `timeout` covers only the wait before a command is written, so callers that
 * must not hang race their commands with withTimeout.)
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1000
const PING_EVERY_MS = 500

type Shared = {
  url?: string
  /** Starts every key and stream name (REDIS_PREFIX). */
  prefix: string
  client?: RedisClient
  /** The last ping answered in time. */
  answering: boolean
  pinger?: NodeJS.Timeout
  readyListeners: Set<() => void>
  log: (message: string) => void
}

// In development Vite's SSR loader gives the routes their own copy of this module; this globalThis
// slot lets it use the client the server opened (docs/decisions/020-one-module-graph.md).
const shared = remember('rounds:redis', (): Shared => ({ prefix: 'rounds', answering: false, readyListeners: new Set(), log: () => {} }))

/**
 * Creates the shared client for `url` (once; later calls return it) and starts connecting without
 * waiting: a node starts while Redis is down and joins it when it answers.
 */
export function connectRedis(
  url: string,
  log: (message: string) => void = (m) => console.log(`[rounds] ${m}`),
  prefix = 'rounds',
): RedisClient {
  if (shared.client && shared.url === url) return shared.client
  shared.url = url
  shared.prefix = prefix
  shared.log = log
  const client = createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: REDIS_COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: 2000,
      // Keep trying for as long as the process runs, at most every 2 s.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** Math.min(retries, 5), 2000),
    },
  })
  let wasUp: boolean | undefined
  const report = (up: boolean) => {
    if (wasUp === up) return
    if (up) log(wasUp === undefined ? 'Connected to Redis.' : 'Redis is back.')
    else log(wasUp === undefined ? 'Redis does not answer yet; running on this node alone until it does.' : 'Lost Redis; counting limits on this node and retrying.')
    wasUp = up
  }
  // Without a listener an 'error' event would end the process.
  client.on('error', () => {
    shared.answering = false
    report(false)
  })
  client.on('end', () => (shared.answering = false))
  client.on('ready', () => {
    shared.answering = true
    report(true)
    for (const listener of shared.readyListeners) listener()
  })
  shared.client = client
  client.connect().catch(() => {
    // connect() retries by itself until the client is closed; a rejection means it was closed.
  })
  // isReady turns false as soon as the connection drops; a stalled Redis keeps the connection open,
  // so a ping with a short timeout tells that case apart.
  let pinging = false
  shared.pinger = setInterval(() => {
    if (!client.isReady) {
      shared.answering = false
      return
    }
    if (pinging) return
    pinging = true
    withTimeout(client.ping(), REDIS_COMMAND_TIMEOUT_MS)
      .then(
        () => {
          shared.answering = true
          report(true)
        },
        () => {
          shared.answering = false
          report(false)
        },
      )
      .finally(() => (pinging = false))
  }, PING_EVERY_MS)
  shared.pinger.unref()
  return client
}

/** The key prefix of this deployment's keys and streams in Redis (REDIS_PREFIX). */
export function redisKeyPrefix(): string {
  return shared.prefix
}

/** The shared client when REDIS_URL is configured and connectRedis was called, otherwise undefined. */
export function redisClient(): RedisClient | undefined {
  return shared.client
}

/** What /healthz reports: off when not configured, up when the last ping answered in time. */
export function redisStatus(): RedisStatus {
  if (!shared.client) return 'off'
  return shared.client.isReady && shared.answering ? 'up' : 'down'
}

/** Calls `listener` now if Redis is ready, and every time it becomes ready again; returns a remover. */
export function whenRedisReady(listener: () => void): () => void {
  shared.readyListeners.add(listener)
  if (shared.client?.isReady) listener()
  return () => shared.readyListeners.delete(listener)
}

export async function closeRedis() {
  const client = shared.client
  if (!client) return
  clearInterval(shared.pinger)
  shared.client = undefined
  shared.url = undefined
  shared.answering = false
  shared.readyListeners.clear()
  if (client.isOpen) await client.close().catch(() => client.destroy())
}

export type SharedLimiter = {
  /** Resolves when the try is allowed; rejects with the RateLimiterRes when the limit is reached. */
  consume: (key: string) => Promise<RateLimiterRes>
  delete: (key: string) => Promise<unknown>
}

/**
 * A limit counted in Redis when the shared client is there, so every node counts the same tries,
 * and in this process's memory when Redis is not configured, fails, or takes longer than
 * REDIS_LIMIT_TIMEOUT_MS to answer.
 */
export function sharedLimiter(options: { keyPrefix: string; points: number; duration: number }): SharedLimiter {
  const memory = new RateLimiterMemory(options)
  let store: { client: RedisClient; limiter: RateLimiterRedis } | undefined
  const inRedis = () => {
    const client = shared.client
    if (!client) return undefined
    if (store?.client !== client) store = { client, limiter: new RateLimiterRedis({ storeClient: client, useRedisPackage: true, ...options, keyPrefix: `${shared.prefix}:${options.keyPrefix}` }) }
    return client.isReady && shared.answering ? store.limiter : undefined
  }
  return {
    async consume(key) {
      const limiter = inRedis()
      if (!limiter) return memory.consume(key)
      try {
        return await withTimeout(limiter.consume(key), REDIS_LIMIT_TIMEOUT_MS)
      } catch (result) {
        if (result instanceof RateLimiterRes) throw result
        return memory.consume(key)
      }
    },
    async delete(key) {
      await memory.delete(key)
      const limiter = inRedis()
      if (limiter) await withTimeout(limiter.delete(key), REDIS_LIMIT_TIMEOUT_MS).catch(() => {})
    },
  }
}

/** Rejects when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error instanceof Error || error instanceof RateLimiterRes ? error : new Error(String(error)))
      },
    )
  })
}
