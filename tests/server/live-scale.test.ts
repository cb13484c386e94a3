import postgres from 'postgres'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LiveComment, RoomState } from '../../db/live'
import type { StageUpdate } from '../../app/live/protocol'
import type { AppServer } from '../support/app-server'
import { connectLive, startAppServers, stopAppServers, type LiveClient } from '../support/live-server'

// Two real server processes on one database and one Redis, as two nodes behind a sticky load
// balancer: what one node's socket does reaches people connected to the other.

const LOCAL_REDIS = 'redis://127.0.0.1:6379'
const NO_REDIS = 'Redis is needed for the scale-out test: set REDIS_URL'

async function redisAnswers(url: string) {
  const client = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    if (client.isOpen) client.destroy()
  }
}

/** REDIS_URL, or locally (not in CI) a Redis on the usual port; never a silent skip. */
async function redisForTest() {
  const configured = process.env.REDIS_URL
  if (configured) {
    if (!(await redisAnswers(configured))) throw new Error(`${NO_REDIS} (nothing answers at ${configured})`)
    return configured
  }
  if (!process.env.CI && (await redisAnswers(LOCAL_REDIS))) return LOCAL_REDIS
  throw new Error(NO_REDIS)
}

let nodes: AppServer[] = []
const clients: LiveClient[] = []
let talkId: string
let hostCookie: string
let memberCookie: string
let memberId: string

const origin = (node: AppServer) => node.baseUrl
/** Connects to a node by address (its origin is still its public URL, as a browser's would be). */
async function connect(node: AppServer, cookie: string) {
  const client = await connectLive(node.baseUrl.replace('localhost', '127.0.0.1'), origin(node), cookie)
  clients.push(client)
  return client
}

const cookieFrom = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]

async function post(node: AppServer, path: string, form: Record<string, string>, cookie?: string) {
  return fetch(`${node.baseUrl}${path}`, {
    method: 'POST',
    body: new URLSearchParams(form),
    headers: { origin: origin(node), ...(cookie ? { cookie } : {}) },
    redirect: 'manual',
  })
}

async function signInDemoHost(node: AppServer) {
  const res = await post(node, '/login', { email: 'asha.rao@demo.rounds.local', password: 'rounds-demo-2026' })
  expect(res.status, 'the demo host signs in').toBe(302)
  return cookieFrom(res)
}

/** Signs a new doctor up over HTTP, with the code from the dev mailbox. */
async function signUpMember(node: AppServer) {
  const email = `scale.${Date.now()}.${Math.random().toString(36).slice(2, 6)}@example.org`
  const signup = await post(node, '/signup', {
    name: 'Dr Scale Member',
    email,
    password: 'a sturdy ward-round phrase',
    dateOfBirth: '1986-02-03',
  })
  expect(signup.status, 'sign-up redirects to the code page').toBe(302)
  const mailbox = await fetch(`${node.baseUrl}/dev/mailbox?to=${encodeURIComponent(email)}`).then((r) => r.text())
  const code = /(\d{6}) is your Rounds code/.exec(mailbox)?.[1]
  expect(code, 'the code reaches the dev mailbox').toMatch(/^\d{6}$/)
  const verify = await post(node, '/verify', { intent: 'verify', email, code: code! })
  expect(verify.status, 'the code signs the member in').toBe(302)
  // A month old, so the limits tested here are the room's, not a new account's (db/moderation/limits.ts).
  const sql = postgres(node.databaseUrl, { max: 1, onnotice: () => {} })
  try {
    await sql`update users set created_at = now() - interval '30 days' where email = ${email}`
  } finally {
    await sql.end({ timeout: 5 })
  }
  return cookieFrom(verify)
}

beforeAll(async () => {
  const redisUrl = await redisForTest()
  nodes = await startAppServers(2, { REDIS_URL: redisUrl })
  const sql = postgres(nodes[0].databaseUrl, { max: 1, onnotice: () => {} })
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
  hostCookie = await signInDemoHost(nodes[0])
  memberCookie = await signUpMember(nodes[1])
}, 240_000)

afterAll(async () => {
  for (const client of clients) client.socket.close()
  await stopAppServers(nodes)
}, 60_000)

describe('the live room on two nodes sharing Redis', () => {
  let host: LiveClient
  let member: LiveClient

  it('a comment sent through node A reaches a member connected to node B', async () => {
    const [a, b] = nodes
    host = await connect(a, hostCookie)
    member = await connect(b, memberCookie)
    await host.ok('talk:join', { talkId })
    expect(await host.ok('talk:open', { talkId })).toMatchObject({ status: 'live' })
    const joined = await member.ok<{ state: RoomState }>('talk:join', { talkId })
    memberId = joined.state.me.userId
    expect(joined.state.talk.status).toBe('live')

    const { comment } = await host.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'Welcome to grand rounds' })
    expect(await member.next('comment:new', (p: { comment: LiveComment }) => p.comment.id === comment.id)).toEqual({ talkId, comment })
    // And the other way round.
    const reply = await member.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'Thank you, Dr Rao' })
    expect(await host.next('comment:new', (p: { comment: LiveComment }) => p.comment.id === reply.comment.id)).toEqual({
      talkId,
      comment: reply.comment,
    })
    await host.next<{ count: number }>('audience:count', (p) => p.count === 2, 4000)
  })

  it('raise a hand on B → invite from A → accept on B gives both nodes the same stage', async () => {
    expect(await member.ok('hand:raise', { talkId })).toMatchObject({ stage: { handPosition: 1 } })
    const queue = await host.next<StageUpdate>('stage:update', (u) => u.hands.some((h) => h.userId === memberId))
    expect(queue.hands.map((h) => h.userId)).toEqual([memberId])

    await host.ok('stage:invite', { talkId, userId: memberId })
    expect(await member.next('stage:invited')).toMatchObject({ talkId })

    await member.ok('stage:respond', { talkId, accept: true })
    const onStage = (u: StageUpdate) => u.stage.some((p) => p.userId === memberId)
    const [hostView, memberView] = await Promise.all([
      host.next<StageUpdate>('stage:update', onStage),
      member.next<StageUpdate>('stage:update', onStage),
    ])
    expect(memberView.stage).toEqual(hostView.stage)
    expect(memberView.handCount).toBe(hostView.handCount)

    const [hostState, memberState] = await Promise.all([
      host.ok<{ state: RoomState }>('talk:sync', { talkId }),
      member.ok<{ state: RoomState }>('talk:sync', { talkId }),
    ])
    expect(memberState.state.stage).toEqual(hostState.state.stage)
    expect(memberState.state.me.onStage).toBe(true)
  })

  it('rate limits count a person’s requests on every node together', async () => {
    const [a] = nodes
    const memberOnA = await connect(a, memberCookie)
    await memberOnA.ok('talk:join', { talkId })
    // Three questions in 30 seconds, asked through either node; the fourth is refused on the other.
    for (let n = 0; n < 3; n++) await (n % 2 ? member : memberOnA).ok('question:ask', { talkId, body: `Question ${n}` })
    const refused = await member.send('question:ask', { talkId, body: 'One too many' })
    expect(refused.ok).toBe(false)
    expect(refused.error).toMatch(/^You are sending questions too fast\./)
    memberOnA.socket.close()
  })

  it('a block made through node B stops comments both ways between people on different nodes, and undoing it restores them', async () => {
    const [a, b] = nodes
    const blocked = await post(b, '/u/asha-rao', { intent: 'block' }, memberCookie)
    expect(blocked.status).toBe(302)
    expect(blocked.headers.get('location')).toContain('/settings/blocked?done=blocked')
    // What each says after the block: neither hears the other; a marker proves delivery has caught up.
    const fromHost = await host.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'Heard on the other node?' })
    const fromMember = await member.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'Said from node B' })
    const otherOnA = await connect(a, await signUpMember(a))
    await otherOnA.ok('talk:join', { talkId })
    const marker = await otherOnA.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'marker' })
    await Promise.all([
      host.next('comment:new', (p: { comment: LiveComment }) => p.comment.id === marker.comment.id),
      member.next('comment:new', (p: { comment: LiveComment }) => p.comment.id === marker.comment.id),
    ])
    const heard = (client: LiveClient) => client.all<{ comment: LiveComment }>('comment:new').map((p) => p.comment.id)
    expect(heard(member)).not.toContain(fromHost.comment.id)
    expect(heard(host)).not.toContain(fromMember.comment.id)

    const undone = await post(b, '/settings/blocked', { intent: 'unblock', handle: 'asha-rao' }, memberCookie)
    expect(undone.status).toBeLessThan(400)
    const again = await host.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'And now?' })
    expect(await member.next('comment:new', (p: { comment: LiveComment }) => p.comment.id === again.comment.id)).toMatchObject({ talkId })
    otherOnA.socket.close()
  })

  it('removing someone on node A takes them out on node B', async () => {
    await host.ok('talk:remove', { talkId, userId: memberId })
    expect(await member.next('talk:removed')).toMatchObject({ talkId })
    expect(await member.send('comment:send', { talkId, body: 'Still here?' })).toEqual({ ok: false, error: 'Join the talk first.' })
    expect((await member.send('talk:join', { talkId })).ok).toBe(false)
  })

  it('signing out through node A disconnects the live socket on node B', async () => {
    const [a] = nodes
    const closed = new Promise<string>((resolve) => member.socket.once('disconnect', (reason) => resolve(reason)))
    const res = await post(a, '/logout', {}, memberCookie)
    expect(res.status).toBe(302)
    expect(await closed).toBe('io server disconnect')
    await expect(connectLive(nodes[1].baseUrl.replace('localhost', '127.0.0.1'), origin(nodes[1]), memberCookie)).rejects.toThrow(
      'Please sign in to join live rooms.',
    )
  })

  it('a node that stops closes the stays of the people on it, and the other node carries on', async () => {
    const [a, b] = nodes
    const hostOnB = await connect(b, hostCookie)
    await hostOnB.ok('talk:join', { talkId })
    const sql = postgres(a.databaseUrl, { max: 1, onnotice: () => {} })
    const openStays = async () => {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from talk_attendance where talk_id = ${talkId} and left_at is null`
      return row.n
    }
    try {
      expect(await openStays()).toBe(2) // the host, on A and on B
      await b.stop()
      expect(b.output.join('')).toContain('Stopped cleanly.')
      expect(await openStays()).toBe(1)
      expect((await host.ok<{ state: RoomState }>('talk:sync', { talkId })).state.audienceCount).toBe(1)
    } finally {
      await sql.end({ timeout: 5 })
    }
  })
})
