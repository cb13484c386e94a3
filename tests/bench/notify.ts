/**
 * `npm run bench:notify` — "talk is live now" to a large audience.
 *
 *   npm run bench:notify -- --going 20000 --sockets 2000 --row-sample 2000
 *
 * 1. Starts the real server (`server/index.ts`, tests/support/app-server.ts) on a fresh database
 *    with demo data: its job runner and its site sockets are the ones under test. Inserts, in one
 *    statement, `--going` members (verified, profile `notify-<n>`) going to a talk of the demo host
 *    asha.rao@demo.rounds.local in her public club, the first `--sockets` of them with a session,
 *    and five talks of hers with no one going.
 * 2. Connects `--sockets` site sockets (`/`, websocket, session cookie) of people going, and waits
 *    until each has had its first unread count.
 * 3. Opens the rooms with `openTalk` (db/live/hosting.ts, what the host's `talk:open` calls), from
 *    this process on the same database: first the five empty talks (the baseline answer time), then
 *    the big one. Measures
 *      (a) the answer time of opening the big talk against the empty ones — target < 200 ms;
 *      (b) from opening until every "live now" notice is written and its email delivery queued,
 *          read from the database every 50 ms — target < 5 s;
 *      (c) from opening until each socket receives its new unread count — p95 target < 1 s.
 * 4. Baseline for (b): the same notices written one person at a time (a notice, its delivery and
 *    its email job per person, in one transaction each, as `notify` does) for `--row-sample` people
 *    of another talk, timed, and scaled to the whole audience.
 *
 * Exit code 0 when the bench ran (targets PASS or FAIL), 1 when it could not run.
 */
import os from 'node:os'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { io as connect, type Socket } from 'socket.io-client'
import { startAppServer, type AppServer } from '../support/app-server'
import { fmt, stats } from './common'

const { values } = parseArgs({
  options: {
    going: { type: 'string', default: '20000' },
    sockets: { type: 'string', default: '2000' },
    'row-sample': { type: 'string', default: '2000' },
  },
  allowPositionals: false,
})
const GOING = Number(values.going)
const SOCKETS = Math.min(Number(values.sockets), GOING)
const ROW_SAMPLE = Math.min(Number(values['row-sample']), GOING)
const HOST_EMAIL = 'asha.rao@demo.rounds.local'
const CLUB_SLUG = 'cardiology-grand-rounds'
const TARGET_OPEN_MS = 200
const TARGET_FANOUT_MS = 5000
const TARGET_SOCKET_P95_MS = 1000
const EMPTY_TALKS = 5

class BenchError extends Error {}
for (const [name, value] of Object.entries({ GOING, SOCKETS, ROW_SAMPLE })) {
  if (!Number.isFinite(value) || value < 1) throw new BenchError(`--${name.toLowerCase()} must be a positive number`)
}

let server: AppServer | undefined
let sql: postgres.Sql | undefined
const sockets: Socket[] = []
let closeDb: (() => Promise<void>) | undefined

async function cleanup() {
  for (const socket of sockets) socket.close()
  await closeDb?.().catch(() => {})
  await sql?.end({ timeout: 5 }).catch(() => {})
  await server?.stop().catch(() => {})
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function seed(db: postgres.Sql) {
  const t0 = performance.now()
  const [ids] = await db<{ hostId: string; clubId: string }[]>`
    select (select id from users where email = ${HOST_EMAIL}) as "hostId", (select id from clubs where slug = ${CLUB_SLUG}) as "clubId"`
  if (!ids?.hostId || !ids.clubId) throw new BenchError(`The demo host ${HOST_EMAIL} or club ${CLUB_SLUG} is missing`)
  const talk = (title: string) => db<{ id: string }[]>`
    insert into talks (id, club_id, host_id, title, description, starts_at, status)
    values (gen_random_uuid()::text, ${ids.clubId}, ${ids.hostId}, ${title}, '', now() + interval '5 minutes', 'scheduled') returning id`
  const [big] = await talk('Bench: live now to everyone going')
  const [rowByRow] = await talk('Bench: live now, one person at a time')
  const empty: string[] = []
  for (let i = 0; i < EMPTY_TALKS; i++) empty.push((await talk(`Bench: empty room ${i + 1}`))[0].id)
  const rows = await db<{ g: number; id: string; sid: string | null }[]>`
    with n as (
      select g, gen_random_uuid()::text as id, substr(md5(random()::text) || md5(random()::text), 1, 40) as sid
      from generate_series(1, ${GOING}::int) g),
    u as (
      insert into users (id, email, password_hash, date_of_birth, email_verified_at, created_at)
      select id, 'notify-' || g || '@bench.rounds.local', '!bench', '1985-01-01', now(), now() - interval '30 days' from n),
    p as (insert into profiles (user_id, handle, name) select id, 'notify-' || g, 'Dr Notify ' || g from n),
    r as (insert into talk_rsvps (talk_id, user_id) select ${big.id}, id from n),
    r2 as (insert into talk_rsvps (talk_id, user_id) select ${rowByRow.id}, id from n where g <= ${ROW_SAMPLE}),
    s as (
      insert into sessions (id, user_id, expires_at, created_at)
      select encode(sha256(convert_to(sid, 'UTF8')), 'hex'), id, now() + interval '14 days', now() from n where g <= ${SOCKETS})
    select g, id, case when g <= ${SOCKETS} then sid end as sid from n order by g`
  await db`analyze`
  console.log(`${GOING} members going (${SOCKETS} with a session) and ${EMPTY_TALKS + 2} talks ready in ${Math.round(performance.now() - t0)} ms`)
  return { hostId: ids.hostId, bigTalk: big.id, rowTalk: rowByRow.id, emptyTalks: empty, people: rows }
}

type Listener = { socket: Socket; userId: string; ready: boolean; receivedAt: number | null }

async function connectSockets(baseUrl: string, people: { id: string; sid: string | null }[], since: { t: number | null }) {
  const url = baseUrl.replace('localhost', '127.0.0.1')
  const listeners: Listener[] = []
  const t0 = performance.now()
  const BATCH = 100
  for (let i = 0; i < people.length; i += BATCH) {
    await Promise.all(
      people.slice(i, i + BATCH).map(
        (person) =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(url, {
              transports: ['websocket'],
              extraHeaders: { cookie: `rounds_session=${person.sid}`, origin: baseUrl },
              forceNew: true,
              reconnection: false,
              timeout: 30_000,
            })
            sockets.push(socket)
            const listener: Listener = { socket, userId: person.id, ready: false, receivedAt: null }
            listeners.push(listener)
            socket.on('notifications:unread', (payload: { unread: number }) => {
              listener.ready = true
              if (since.t !== null && listener.receivedAt === null && payload.unread > 0) listener.receivedAt = performance.now()
            })
            socket.once('connect', () => resolve())
            socket.once('connect_error', (error) => reject(new BenchError(`A site socket could not connect: ${error.message}`)))
          }),
      ),
    )
  }
  console.log(`${listeners.length} site sockets connected in ${Math.round(performance.now() - t0)} ms`)
  return listeners
}

async function main() {
  console.log(`bench:notify — "live now" to ${GOING} going, ${SOCKETS} of them with the site open`)
  console.log(`node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  const t0 = performance.now()
  server = await startAppServer()
  console.log(`server up in ${Math.round(performance.now() - t0)} ms at ${server.baseUrl}`)
  sql = postgres(server.databaseUrl, { max: 4, onnotice: () => {} })
  const world = await seed(sql)

  // The data layer in this process, on the server's database: openTalk as the host's socket calls it.
  process.env.DATABASE_URL = server.databaseUrl
  const client = await import('../../db/client')
  await client.openDatabase({ url: server.databaseUrl, runMigrations: false })
  closeDb = () => client.closeDatabase()
  const { openTalk } = await import('../../db/live')
  const host = { userId: world.hostId, role: 'member' as const }

  const since: { t: number | null } = { t: null }
  const listeners = await connectSockets(server.baseUrl, world.people.slice(0, SOCKETS), since)
  // The server tells a socket's count when asked or when it changes; give it a moment to settle.
  await sleep(1000)

  // (a) baseline: opening rooms with no one going.
  const emptyTimes: number[] = []
  for (const talkId of world.emptyTalks) {
    const start = performance.now()
    await openTalk(host, talkId)
    emptyTimes.push(performance.now() - start)
  }
  await sleep(500)

  // (a), (b), (c): the big room.
  const openedAt = performance.now()
  since.t = openedAt
  await openTalk(host, world.bigTalk)
  const openMs = performance.now() - openedAt

  let fanOutMs = NaN
  let notices = 0
  let queued = 0
  const deadline = openedAt + 60_000
  while (performance.now() < deadline) {
    const [row] = await sql<{ notices: number; queued: number }[]>`
      select count(*)::int as notices,
        (select count(*)::int from notification_deliveries d where d.notification_id in (
          select id from notifications where kind = 'talk_live' and data->>'talkId' = ${world.bigTalk})) as queued
      from notifications where kind = 'talk_live' and data->>'talkId' = ${world.bigTalk}`
    notices = row.notices
    queued = row.queued
    if (notices >= GOING && queued >= GOING) {
      fanOutMs = performance.now() - openedAt
      break
    }
    await sleep(50)
  }
  // Sockets: wait until each has heard, or 15 s.
  const socketDeadline = performance.now() + 15_000
  while (performance.now() < socketDeadline && listeners.some((l) => l.receivedAt === null)) await sleep(50)
  const heard = listeners.filter((l) => l.receivedAt !== null).map((l) => l.receivedAt! - openedAt)
  const missed = listeners.length - heard.length
  // A socket that never heard counts as the longest possible wait.
  const socketStats = stats([...heard, ...Array<number>(missed).fill(Number.POSITIVE_INFINITY)])

  // (b) baseline: the same notices, one person at a time, for a sample.
  const rowStart = performance.now()
  const people = await sql<{ user_id: string }[]>`select user_id from talk_rsvps where talk_id = ${world.rowTalk} order by user_id`
  for (const person of people) {
    await sql.begin(async (tx) => {
      const [notice] = await tx<{ id: string }[]>`
        insert into notifications (id, user_id, kind, subject, target_type, target_id, actor_ids, data)
        select gen_random_uuid()::text, ${person.user_id}, 'talk_live', ${`talk:${world.rowTalk}:live`}, 'club', t.club_id, array[t.host_id],
          jsonb_build_object('talkId', t.id, 'title', t.title)
        from talks t where t.id = ${world.rowTalk}
        on conflict (user_id, kind, subject) do nothing returning id`
      if (!notice) return
      const [delivery] = await tx<{ id: string }[]>`
        insert into notification_deliveries (id, notification_id, user_id, channel) values (gen_random_uuid()::text, ${notice.id}, ${person.user_id}, 'email')
        returning id`
      await tx`insert into jobs (queue, payload, singleton_key) values ('notification.email', ${tx.json({ deliveryId: delivery.id })}, ${`notification-email:${delivery.id}`})`
    })
  }
  const rowMs = performance.now() - rowStart
  const rowScaledMs = (rowMs / people.length) * GOING

  const emptyMedian = stats(emptyTimes).p50
  console.log('\nresults')
  console.log(`  (a) opening the room: ${fmt(openMs)} ms with ${GOING} going; ${fmt(emptyMedian)} ms median with no one going (${emptyTimes.map((t) => fmt(t)).join(', ')} ms)`)
  console.log(`      target < ${TARGET_OPEN_MS} ms ${verdict(openMs < TARGET_OPEN_MS)}`)
  console.log(`  (b) every notice written and its email queued: ${Number.isFinite(fanOutMs) ? `${fmt(fanOutMs)} ms` : `not within 60 s (${notices} notices, ${queued} deliveries)`}`)
  console.log(`      one person at a time: ${people.length} in ${fmt(rowMs)} ms, ${fmt(rowScaledMs)} ms for ${GOING} (${fmt(rowScaledMs / fanOutMs, 1)}× slower)`)
  console.log(`      target < ${TARGET_FANOUT_MS} ms ${verdict(fanOutMs < TARGET_FANOUT_MS)}`)
  console.log(`  (c) ${heard.length}/${listeners.length} open pages got their new count: p50 ${fmt(socketStats.p50)} ms, p95 ${fmt(socketStats.p95)} ms, p99 ${fmt(socketStats.p99)} ms, max ${fmt(socketStats.max)} ms`)
  console.log(`      target p95 < ${TARGET_SOCKET_P95_MS} ms ${verdict(socketStats.p95 < TARGET_SOCKET_P95_MS)}`)
  console.log(`  load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; the server, Postgres and this process share the machine.`)
  const trouble = new Map<string, number>()
  for (const line of server.output.join('').split('\n')) {
    if (!/warn|error|could not|failed/i.test(line)) continue
    const key = line.replace(/\d+/g, 'N').slice(0, 160)
    trouble.set(key, (trouble.get(key) ?? 0) + 1)
  }
  for (const [line, n] of trouble) console.log(`  server said ${n}×: ${line}`)
}

let exitCode = 0
try {
  await main()
} catch (error) {
  exitCode = 1
  console.error('\nbench:notify could not run:', error instanceof BenchError ? error.message : error)
  if (server) console.error(server.output.slice(-20).join(''))
} finally {
  await cleanup()
}
process.exit(exitCode)
