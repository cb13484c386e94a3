import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LiveComment } from '../../db/live'
import { buildIfStale } from '../../scripts/build-if-stale.mjs'
import { expectRunning, postForm, signIn, startNode, startTestRedis, waitFor, type TestNode, type TestRedis } from '../support/faults'
import { connectLive, type LiveClient } from '../support/live-server'
import { createDatabase, dropDatabase, freePort, startTestPostgres } from '../support/postgres'

// Two nodes sharing one Redis of the test's own, which the test kills, stalls and brings back:
// no node exits, live rooms keep answering, /healthz says what Redis is doing within 2 s, and
// rooms are shared across the nodes again within 5 s of Redis's return, including on a node that
// started while Redis was down.

let pg: Awaited<ReturnType<typeof startTestPostgres>>
let databaseName: string
let databaseUrl: string
let redis: TestRedis
let a: TestNode
let b: TestNode
let talkId: string
let cookie: string
const clients: LiveClient[] = []

type CommentEvent = { talkId: string; comment: LiveComment }

async function connect(node: TestNode) {
  const client = await connectLive(node.baseUrl.replace('localhost', '127.0.0.1'), node.baseUrl, cookie)
  clients.push(client)
  await client.ok('talk:join', { talkId })
  return client
}

function redisSays(node: TestNode, status: string) {
  return waitFor(`${node.name}'s /healthz says redis: ${status}`, async () => (await node.health()).redis === status, 2000, 50)
}

async function send(client: LiveClient, body: string) {
  const started = Date.now()
  const { comment } = await client.ok<{ comment: LiveComment }>('comment:send', { talkId, body })
  return { comment, ms: Date.now() - started }
}

/** Sends comments from `from` until one reaches `to`, for at most `withinMs`. */
async function reaches(from: LiveClient, to: LiveClient, label: string, withinMs: number) {
  const deadline = Date.now() + withinMs
  for (let n = 1; ; n++) {
    const { comment } = await send(from, `${label} #${n}`)
    const arrived = await to.next<CommentEvent>('comment:new', (p) => p.comment.id === comment.id, 1500).then(
      () => true,
      () => false,
    )
    if (arrived) return comment
    if (Date.now() > deadline) throw new Error(`${label}: no comment from one node reached the other within ${withinMs} ms`)
  }
}

beforeAll(async () => {
  buildIfStale({ quiet: true })
  redis = await startTestRedis()
  pg = await startTestPostgres()
  databaseName = `rounds_faults_redis_${process.pid}`
  databaseUrl = await createDatabase(pg.serverUrl, databaseName)
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url }
  a = startNode({ name: 'node-a', env, port: await freePort() })
  await a.waitHealthy()
  b = startNode({ name: 'node-b', env, port: await freePort() })
  await b.waitHealthy()
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  try {
    const [talk] = await sql<{ id: string }[]>`
      select t.id from talks t
      join clubs c on c.id = t.club_id
      join profiles p on p.user_id = t.host_id
      where c.slug = 'cardiology-grand-rounds' and p.handle = 'asha-rao' and t.status <> 'ended'
      order by t.starts_at limit 1`
    talkId = talk.id
  } finally {
    await sql.end({ timeout: 5 })
  }
  cookie = await signIn(a, 'asha.rao@demo.rounds.local')
}, 300_000)

afterAll(async () => {
  for (const client of clients) client.socket.close()
  for (const node of [b, a]) await node?.stop().catch(() => node.kill9())
  await redis?.kill()
  if (databaseName) await dropDatabase(pg.serverUrl, databaseName).catch(() => {})
  await pg?.stop()
}, 60_000)

describe('two nodes when their Redis fails', () => {
  let onA: LiveClient
  let onB: LiveClient
  const ackedDuringOutage: string[] = []

  it('share a live room while Redis is up', async () => {
    expect(await a.health()).toEqual({ ok: true, database: 'up', redis: 'up' })
    expect(await b.health()).toEqual({ ok: true, database: 'up', redis: 'up' })
    onA = await connect(a)
    onB = await connect(b)
    await onA.ok('talk:open', { talkId })
    await reaches(onA, onB, 'Before the outage', 5000)
  })

  it('keep running and answering when Redis is killed, and say so in /healthz within 2 s', async () => {
    await redis.kill()
    await Promise.all([redisSays(a, 'down'), redisSays(b, 'down')])
    // Rate limits fall back to each node's own count, so a comment is still acknowledged at once.
    const { comment, ms } = await send(onA, 'During the outage')
    ackedDuringOutage.push(comment.id)
    expect(ms, 'a comment is acknowledged without waiting for Redis').toBeLessThan(1500)
    await onA.next<CommentEvent>('comment:new', (p) => p.comment.id === comment.id)
    expect((await a.health()).database).toBe('up')
    expectRunning(a)
    expectRunning(b)
  })

  it('share the room again within 5 s of Redis coming back', async () => {
    await redis.start()
    const back = Date.now()
    await Promise.all([
      waitFor("node A's /healthz says redis: up", async () => (await a.health()).redis === 'up', 5000, 50),
      waitFor("node B's /healthz says redis: up", async () => (await b.health()).redis === 'up', 5000, 50),
    ])
    await reaches(onA, onB, 'After the outage', 5000 - (Date.now() - back))
    expect(Date.now() - back).toBeLessThan(6500)
  })

  it('answer within the limiter timeout while Redis is stalled, and report it down', async () => {
    redis.pause()
    try {
      await Promise.all([redisSays(a, 'down'), redisSays(b, 'down')])
      const { comment, ms } = await send(onB, 'While Redis is stalled')
      ackedDuringOutage.push(comment.id)
      expect(ms, 'a comment is acknowledged without waiting for a stalled Redis').toBeLessThan(1500)
    } finally {
      redis.resume()
    }
    await Promise.all([redisSays(a, 'up'), redisSays(b, 'up')])
  })

  it('a node restarted while Redis is down starts, and joins the shared room when Redis returns', async () => {
    await redis.kill()
    await b.kill9()
    onB.socket.close()
    b = startNode({ name: 'node-b', env: { DATABASE_URL: databaseUrl, REDIS_URL: redis.url }, port: b.port })
    await b.waitHealthy(60_000)
    expect(await b.health()).toEqual({ ok: true, database: 'up', redis: 'down' })
    onB = await connect(b)
    await redis.start()
    const back = Date.now()
    await waitFor("node B's /healthz says redis: up", async () => (await b.health()).redis === 'up', 5000, 50)
    await waitFor("node A's /healthz says redis: up", async () => (await a.health()).redis === 'up', 5000, 50)
    await reaches(onA, onB, 'After the restart', Math.max(1000, 5000 - (Date.now() - back)))
    expect(b.output.join('')).toMatch(/live rooms are now shared with the other nodes/)
    expectRunning(a)
  })

  it('count sign-in tries on every node together while Redis is up', async () => {
    const email = `nobody.${Date.now()}@example.org`
    // Ten tries in 15 minutes for one address, made through either node; the eleventh is refused.
    for (let n = 0; n < 10; n++) {
      const res = await postForm(n % 2 ? b : a, '/login', { email, password: 'not the password' })
      expect(res.status, `try ${n + 1} is checked`).toBe(400)
    }
    const refused = await postForm(b, '/login', { email, password: 'not the password' })
    expect(refused.status).toBe(429)
    expect(await refused.text()).toContain('Too many sign-in attempts.')
  })

  it('lost none of the comments acknowledged while Redis was away', async () => {
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
    try {
      const rows = await sql<{ id: string }[]>`select id from talk_comments where id in ${sql(ackedDuringOutage)}`
      expect(rows.map((r) => r.id).sort()).toEqual([...ackedDuringOutage].sort())
    } finally {
      await sql.end({ timeout: 5 })
    }
  })
})
