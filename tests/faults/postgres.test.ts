import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LiveComment } from '../../db/live'
import { startEmbeddedPostgres } from '../../db/client'
import { buildIfStale } from '../../scripts/build-if-stale.mjs'
import { expectRunning, postmasterPid, processAlive, signIn, sleep, startNode, waitFor, type TestNode } from '../support/faults'
import { connectLive, type LiveClient } from '../support/live-server'
import { freePort } from '../support/postgres'

// The server on its embedded Postgres (the default of `npm start`) and on a Postgres of its own
// that the test stops: a crashed node comes back with everything it acknowledged, a dead embedded
// Postgres is restarted, SIGTERM stops the database last, and while the database is down every
// answer is a fast "temporarily unavailable".

const root = path.resolve(import.meta.dirname, '../..')
const parent = mkdtempSync(path.join(os.tmpdir(), 'rounds-faults-pg-'))
// Readable by the postgres user the embedded server runs as when the tests run as root.
chmodSync(parent, 0o755)
const dataDir = path.join(parent, 'data')
const pgDir = path.join(dataDir, 'postgres')
const clients: LiveClient[] = []
let port: number
let pgPort: number
let node: TestNode | undefined

const embeddedEnv = () => ({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), DATABASE_URL: '', REDIS_URL: '' })
const embeddedUrl = () => `postgres://postgres:postgres@127.0.0.1:${pgPort}/rounds`

async function openTalk(target: TestNode, cookie: string) {
  const sql = postgres(embeddedUrl(), { max: 1, onnotice: () => {} })
  try {
    const [talk] = await sql<{ id: string }[]>`
      select t.id from talks t join clubs c on c.id = t.club_id
      where c.slug = 'cardiology-grand-rounds' and t.status <> 'ended' order by t.starts_at limit 1`
    const client = await connectLive(target.baseUrl.replace('localhost', '127.0.0.1'), target.baseUrl, cookie)
    clients.push(client)
    await client.ok('talk:join', { talkId: talk.id })
    await client.ok('talk:open', { talkId: talk.id })
    return { client, talkId: talk.id }
  } finally {
    await sql.end({ timeout: 5 })
  }
}

async function commentStored(id: string) {
  const sql = postgres(embeddedUrl(), { max: 1, onnotice: () => {} })
  try {
    return (await sql`select 1 from talk_comments where id = ${id}`).length === 1
  } finally {
    await sql.end({ timeout: 5 })
  }
}

beforeAll(async () => {
  buildIfStale({ quiet: true })
  port = await freePort()
  pgPort = await freePort()
}, 300_000)

afterAll(async () => {
  for (const client of clients) client.socket.close()
  await node?.stop().catch(() => node?.kill9())
  const pid = postmasterPid(pgDir)
  if (pid && processAlive(pid)) process.kill(pid, 'SIGINT')
  await waitFor('the embedded Postgres stops', () => !pid || !processAlive(pid), 20_000).catch(() => {})
  rmSync(parent, { recursive: true, force: true })
}, 60_000)

describe('the server on its embedded Postgres', () => {
  let cookie: string
  let acked: string

  it('comes back after kill -9 with its Postgres still running, and keeps what it acknowledged', async () => {
    node = startNode({ name: 'node', env: embeddedEnv(), port })
    await node.waitHealthy()
    cookie = await signIn(node, 'asha.rao@demo.rounds.local')
    const { client, talkId } = await openTalk(node, cookie)
    const { comment } = await client.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'Acknowledged before the crash' })
    acked = comment.id
    client.socket.close()

    const leftover = postmasterPid(pgDir)
    await node.kill9()
    expect(leftover && processAlive(leftover), 'the killed node leaves its Postgres running').toBe(true)

    node = startNode({ name: 'node', env: embeddedEnv(), port })
    await node.waitHealthy(60_000)
    const output = node.output.join('')
    expect(output).toContain(`The Postgres of an earlier run (PID ${leftover}) is still running`)
    expect(output).not.toContain('undefined')
    expect(await commentStored(acked), 'the acknowledged comment is still there').toBe(true)
  })

  it('restarts its Postgres when it dies, tells /healthz within 2 s and serves again within 5 s', async () => {
    const target = node!
    const pid = postmasterPid(pgDir)!
    process.kill(pid, 'SIGKILL')
    await waitFor('/healthz says the database is down', async () => (await target.health()).database === 'down', 2000, 50)
    await waitFor('/healthz says the database is up again', async () => (await target.health()).database === 'up', 5000, 100).catch((error: Error) => {
      throw new Error(`${error.message}\n${target.output.join('')}`)
    })
    const page = await fetch(`${target.baseUrl}/login`)
    expect(page.status).toBe(200)
    expect(postmasterPid(pgDir)).not.toBe(pid)
    expect(target.output.join('')).toContain('The embedded Postgres is running again.')
    expectRunning(target)
  })

  it('on SIGTERM finishes the requests in flight before it stops its Postgres, then exits cleanly', async () => {
    const target = node!
    const pid = postmasterPid(pgDir)!
    // Pages that read the database, in flight when the signal arrives.
    const pages = Array.from({ length: 12 }, () => fetch(`${target.baseUrl}/login`, { headers: { cookie } }).then((r) => r.status, () => 'refused'))
    await sleep(5)
    const code = await target.stop()
    const statuses = await Promise.all(pages)
    expect(statuses.filter((s) => typeof s === 'number' && s >= 500), `no request in flight failed: ${statuses.join(', ')}\n${target.output.join('')}`).toEqual([])
    expect(code).toBe(0)
    expect(target.output.join('')).toContain('Stopped cleanly.')
    expect(processAlive(pid), 'its Postgres stopped with it').toBe(false)
  })

  it('`npm start` passes SIGTERM on: the server and its Postgres stop', async () => {
    const output: string[] = []
    const npm = spawn('npm', ['start'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://localhost:${port}`, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), DATABASE_URL: '', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    npm.stdout?.on('data', (d: Buffer) => output.push(d.toString()))
    npm.stderr?.on('data', (d: Buffer) => output.push(d.toString()))
    try {
      // npm start builds the app first when its sources changed since the last build.
      await waitFor('npm start serves /healthz', async () => (await fetch(`http://localhost:${port}/healthz`).catch(() => null))?.ok, 150_000, 200)
    } catch (error) {
      npm.kill('SIGKILL')
      throw new Error(`${(error as Error).message}\n${output.join('')}`)
    }
    const pid = postmasterPid(pgDir)!
    const npmExited = new Promise((resolve) => npm.once('exit', resolve))
    npm.kill('SIGTERM')
    await waitFor('the server stops listening', async () => !(await fetch(`http://localhost:${port}/healthz`).catch(() => null)), 20_000, 200)
    await waitFor('its Postgres stops', () => !processAlive(pid), 20_000, 100).catch((error: Error) => {
      throw new Error(`${error.message}\n${output.join('')}`)
    })
    // Its last words may reach the pipe after its Postgres is gone.
    await Promise.race([npmExited, sleep(10_000)])
    expect(output.join('')).toContain('Stopped cleanly.')
  }, 200_000)
})

describe('the server when its database stops and comes back', () => {
  let db: Awaited<ReturnType<typeof startEmbeddedPostgres>>
  let cookie: string
  let live: { client: LiveClient; talkId: string }
  const external = path.join(parent, 'external')

  beforeAll(async () => {
    const externalPort = await freePort()
    db = await startEmbeddedPostgres({ dataDir: external, port: externalPort })
    pgPort = externalPort // openTalk and commentStored read this database
    node = startNode({ name: 'node', env: { DATABASE_URL: db.url, REDIS_URL: '' }, port })
    await node.waitHealthy()
    cookie = await signIn(node, 'asha.rao@demo.rounds.local')
    live = await openTalk(node, cookie)
  }, 120_000)

  afterAll(async () => {
    await node?.stop().catch(() => node?.kill9())
    node = undefined
    await db?.server.stop()
  }, 60_000)

  it('answers 503 "temporarily unavailable" at once while it is down, and says so in /healthz within 2 s', async () => {
    const target = node!
    await db.server.stop()
    await waitFor('/healthz says the database is down', async () => (await target.health()).database === 'down', 2000, 50)
    const health = await fetch(`${target.baseUrl}/healthz`)
    expect(health.status).toBe(503)

    let started = Date.now()
    const page = await fetch(`${target.baseUrl}/login`, { headers: { cookie } })
    expect(Date.now() - started, 'the page answers at once').toBeLessThan(500)
    expect(page.status).toBe(503)
    expect(await page.text()).toContain('Rounds is temporarily unavailable. Try again in a minute.')

    started = Date.now()
    const ack = await live.client.send('comment:send', { talkId: live.talkId, body: 'While the database is down' })
    expect(Date.now() - started, 'the event is answered at once').toBeLessThan(500)
    expect(ack).toEqual({ ok: false, error: 'Rounds is temporarily unavailable. Try again in a minute.' })
    expectRunning(target)
  })

  it('serves again within 5 s of the database coming back, with nothing acknowledged lost', async () => {
    const target = node!
    await db.server.start()
    const back = Date.now()
    await waitFor('/healthz says the database is up', async () => (await target.health()).database === 'up', 5000, 50)
    await waitFor('pages answer again', async () => (await fetch(`${target.baseUrl}/login`, { headers: { cookie } })).status === 200, 5000 - (Date.now() - back), 100)
    const { comment } = await live.client.ok<{ comment: LiveComment }>('comment:send', { talkId: live.talkId, body: 'After the database came back' })
    expect(await commentStored(comment.id)).toBe(true)
    expectRunning(target)
  })
})

describe('the server when another program holds the embedded Postgres port', () => {
  it('stops with a message that names the port and what to do', async () => {
    const blocker = createServer((socket) => socket.end())
    const blockedPort = await freePort()
    await new Promise<void>((resolve) => blocker.listen(blockedPort, '127.0.0.1', resolve))
    const otherDataDir = path.join(parent, 'other')
    try {
      const target = startNode({ name: 'node', env: { DATA_DIR: otherDataDir, EMBEDDED_PG_PORT: String(blockedPort), DATABASE_URL: '', REDIS_URL: '' }, port: await freePort() })
      const code = await new Promise<number | null>((resolve) => target.child.once('exit', resolve))
      const output = target.output.join('')
      expect(code).toBe(1)
      expect(output).toContain(`[rounds] Could not start: Port ${blockedPort} is already in use by another program, so the embedded Postgres cannot start.`)
      expect(output).not.toContain('undefined')
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
      const pid = postmasterPid(path.join(otherDataDir, 'postgres'))
      expect(pid === undefined || !processAlive(pid), 'no Postgres is left running').toBe(true)
    }
  })
})
