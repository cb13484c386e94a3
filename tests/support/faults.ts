import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import path from 'node:path'
import { expect } from 'vitest'
import { buildIfStale } from '../../scripts/build-if-stale.mjs'
import { serverNodeArgs } from '../../scripts/server-process.mjs'
import { freePort } from './postgres'

// Processes the fault tests start, kill and restart: the real server (as `npm start` runs it) and
// a Redis of their own. Never the machine's shared Postgres or Redis.

const root = path.resolve(import.meta.dirname, '../..')

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it returns a truthy value; fails with `what` and the last value after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      last = await check()
      if (last) return last as T
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`)
    await sleep(everyMs)
  }
}

function portAnswers(port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

export function processAlive(pid: number) {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const stat = (() => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      return ''
    }
  })()
  return !/^\d+ \(.*\) Z/.test(stat)
}

/** The PID in an embedded Postgres data directory's postmaster.pid, if any. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

export type TestRedis = {
  url: string
  port: number
  /** SIGKILL: gone at once, nothing saved. */
  kill: () => Promise<void>
  /** Starts it again on the same port (empty). */
  start: () => Promise<void>
  /** SIGSTOP / SIGCONT: a Redis that keeps its connections but answers nothing. */
  pause: () => void
  resume: () => void
}

/** A redis-server of the test's own on a free port, without persistence. */
export async function startTestRedis(): Promise<TestRedis> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error('redis-server is needed for the fault tests: apt-get install -y redis-server')
  }
  const port = await freePort()
  let child: ChildProcess | undefined
  const redis: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    start: async () => {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
      await waitFor('redis-server answers', () => portAnswers(port), 10_000, 50)
    },
    kill: async () => {
      const running = child
      if (!running || running.exitCode !== null || running.signalCode !== null) return
      const exited = new Promise((resolve) => running.once('exit', resolve))
      running.kill('SIGCONT')
      running.kill('SIGKILL')
      await exited
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
  }
  await redis.start()
  return redis
}

export type Health = { ok: boolean; database: string; redis: string }

export type TestNode = {
  name: string
  port: number
  baseUrl: string
  child: ChildProcess
  output: string[]
  health: () => Promise<Health>
  waitHealthy: (timeoutMs?: number) => Promise<void>
  /** SIGKILL, and wait for the process to be gone. */
  kill9: () => Promise<void>
  /** SIGTERM; resolves with the exit code. */
  stop: () => Promise<number | null>
  exited: () => boolean
}

/**
 * The real server (`server/index.ts` with `npm start`'s Node arguments) on a free port (or `port`,
 * to restart a node where it was). `env` adds to or overrides the environment; a value of '' removes it.
 */
export function startNode(options: { name: string; env: Record<string, string>; port: number }): TestNode {
  buildIfStale({ quiet: true })
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(options.port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://localhost:${options.port}`,
    NODE_NAME: options.name,
    ...options.env,
  }
  for (const [key, value] of Object.entries(options.env)) if (value === '') delete env[key]
  const child = spawn(process.execPath, serverNodeArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const output: string[] = []
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()))
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()))
  const baseUrl = `http://localhost:${options.port}`
  const exited = () => child.exitCode !== null || child.signalCode !== null
  const node: TestNode = {
    name: options.name,
    port: options.port,
    baseUrl,
    child,
    output,
    exited,
    health: async () => {
      if (exited()) throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}):\n${output.join('')}`)
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) })
      return (await res.json()) as Health
    },
    waitHealthy: async (timeoutMs = 90_000) => {
      await waitFor(
        `${options.name} answers /healthz`,
        async () => {
          if (exited()) throw new Error(`${options.name} exited:\n${output.join('')}`)
          return (await fetch(`${baseUrl}/healthz`).catch(() => null))?.ok
        },
        timeoutMs,
        200,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${output.join('')}`)
      })
    },
    kill9: async () => {
      if (exited()) return
      const gone = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await gone
    },
    stop: async () => {
      if (exited()) return child.exitCode
      const gone = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      child.kill('SIGTERM')
      const code = await Promise.race([gone, sleep(20_000).then(() => 'timeout' as const)])
      if (code === 'timeout') {
        child.kill('SIGKILL')
        throw new Error(`${options.name} did not stop within 20 s of SIGTERM:\n${output.join('')}`)
      }
      return code
    },
  }
  return node
}

/** Asserts a node is still running, with its output when it is not. */
export function expectRunning(node: TestNode) {
  expect(node.exited(), `${node.name} is still running\n${node.output.join('')}`).toBe(false)
}

export const cookieFrom = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]

export async function postForm(node: TestNode, pathname: string, form: Record<string, string>, cookie?: string) {
  return fetch(`${node.baseUrl}${pathname}`, {
    method: 'POST',
    body: new URLSearchParams(form),
    headers: { origin: node.baseUrl, ...(cookie ? { cookie } : {}) },
    redirect: 'manual',
  })
}

export const demoPassword = 'rounds-demo-2026'

export async function signIn(node: TestNode, email: string) {
  const res = await postForm(node, '/login', { email, password: demoPassword })
  expect(res.status, `${email} signs in on ${node.name}`).toBe(302)
  return cookieFrom(res)
}
