/**
 * `npm run bench:quiz` — 2,000 people answer one live quiz question.
 *
 *   npm run bench:quiz -- --participants 2000 --spread 1500
 *
 * 1. Starts the real server (`server/index.ts`) in its own process on a fresh database
 *    (tests/support/app-server.ts); this process is the load generator.
 * 2. Creates a host and N doctors with sessions, a talk and a 4-option quiz attached to it.
 * 3. Connects N `/live` sockets, joins the talk, the host opens the question, and every
 *    participant answers within --spread ms (1 in 10 also retries, as a flaky network would).
 * 4. Checks: every answer stored exactly once (count in the database), the last broadcast's
 *    tallies equal the answers sent, and the latency from an answer being stored (its ack) to
 *    the first `quiz:results` broadcast that includes it: p95 under 500 ms.
 *
 * Exit code 0 when every check passes, 1 otherwise.
 */
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { participants: { type: 'string', default: '2000' }, spread: { type: 'string', default: '1500' } },
  allowPositionals: false,
})
const N = Number(values.participants)
const SPREAD_MS = Number(values.spread)
const P95_TARGET_MS = 500
const WINDOW_MS = 2000

process.env.SEED_DEMO_DATA ??= 'false'
const { startAppServer } = await import('../support/app-server')
const { openDatabase, closeDatabase, rawSql } = await import('../../db/client')
const { createQuiz } = await import('../../db/quizzes')
const { createClub } = await import('../../db/clubs')
const { connectLive } = await import('../support/live-server')
const { signIn } = await import('../support/routes')
type LiveClient = Awaited<ReturnType<typeof connectLive>>
type Tally = { questionId: string; total: number; options: { id: string; count: number }[]; asOf: string }

const now = () => performance.now()
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

/** When each event reached a client, in the order of `client.received`. */
const receivedAt = new Map<LiveClient, number[]>()
async function connectTimed(base: string, origin: string, cookie: string) {
  const client = await connectLive(base, origin, cookie)
  const times: number[] = []
  receivedAt.set(client, times)
  client.socket.onAny(() => times.push(now()))
  return client
}

async function inBatches<T>(items: T[], size: number, run: (item: T, index: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map((item, j) => run(item, i + j)))
}

console.log(`bench:quiz — ${N} participants, answers spread over ${SPREAD_MS} ms`)
const t0 = now()
const server = await startAppServer({ env: { SEED_DEMO_DATA: 'false' } })
const clients: LiveClient[] = []
let failed = false
try {
  await openDatabase({ url: server.databaseUrl, runMigrations: false, maxConnections: 10 })
  const sql = rawSql()
  console.log(`server up in ${Math.round(now() - t0)} ms (${server.baseUrl})`)

  // People: inserted in bulk (the sign-up path is not what is measured), each with a real session.
  const ids = Array.from({ length: N + 1 }, () => randomUUID())
  const rows = ids.map((id, i) => ({ id, email: `bench-${i}-${id.slice(0, 6)}@bench.rounds.local`, i }))
  for (let i = 0; i < rows.length; i += 500) {
    const batch = rows.slice(i, i + 500)
    await sql`insert into users ${sql(batch.map((r) => ({ id: r.id, email: r.email, password_hash: '!bench', date_of_birth: '1985-01-01', email_verified_at: new Date().toISOString() })))}`
    await sql`insert into profiles ${sql(batch.map((r) => ({ user_id: r.id, handle: `bench-${r.i}-${r.id.slice(0, 6)}`, name: `Dr Bench ${r.i}` })))}`
  }
  const [hostId, ...people] = ids
  const host = { userId: hostId, role: 'member' as const }
  const club = await createClub(host, { name: `Bench club ${hostId.slice(0, 6)}`, slug: `bench-${hostId.slice(0, 8)}`, description: '', specialities: [], visibility: 'public' })
  const talkId = randomUUID()
  await sql`insert into talks (id, club_id, host_id, title, description, starts_at, status) values (${talkId}, ${club.id}, ${hostId}, 'Bench quiz', '', now(), 'live')`
  const { id: quizId } = await createQuiz(host, club.slug, {
    kind: 'quiz',
    title: 'Bench quiz',
    talkId,
    questions: [{ kind: 'single', prompt: 'Which one?', timeLimitSeconds: 60, options: [{ label: 'A', correct: true }, { label: 'B' }, { label: 'C' }, { label: 'D' }] }],
  })

  const cookies: string[] = []
  await inBatches([hostId, ...people], 50, async (id, i) => {
    cookies[i] = (await signIn(id)).cookie
  })
  console.log(`${N} doctors and sessions ready at ${Math.round(now() - t0)} ms`)

  const base = server.baseUrl.replace('localhost', '127.0.0.1')
  const hostClient = await connectTimed(base, server.baseUrl, cookies[0])
  clients.push(hostClient)
  await hostClient.ok('talk:join', { talkId })
  const joinStart = now()
  await inBatches(people, 100, async (_id, i) => {
    const client = await connectTimed(base, server.baseUrl, cookies[i + 1])
    clients[i + 1] = client
    await client.ok('talk:join', { talkId })
  })
  console.log(`${N} sockets connected and joined in ${Math.round(now() - joinStart)} ms`)

  await hostClient.ok('quiz:launch', { talkId, quizId })
  const opened = await hostClient.ok<{ state: { question: { id: string; options: { id: string }[] } } }>('quiz:next', { talkId, quizId })
  const question = opened.state.question
  await Promise.all(clients.slice(1).map((c) => c.next('quiz:state', (s: { phase?: string }) => s.phase === 'question', 10_000)))
  console.log(`quiz launched and question 1 on every screen at ${Math.round(now() - t0)} ms`)

  // Every participant: answer at a random moment in the window; 1 in 10 retries the same answer.
  const expected = question.options.map(() => 0)
  const acked: { client: LiveClient; ackAt: number; sentAt: number; answeredAt: string }[] = []
  const errors: string[] = []
  const answerStart = now()
  await Promise.all(
    clients.slice(1).map(async (client, i) => {
      const choice = i % question.options.length
      expected[choice]++
      await new Promise((r) => setTimeout(r, Math.random() * SPREAD_MS))
      const payload = { talkId, questionId: question.id, optionIds: [question.options[choice].id] }
      const sentAt = now()
      const ack = await client.send('quiz:answer', payload)
      const ackAt = now()
      if (!ack.ok) return void errors.push(ack.error ?? 'refused')
      acked.push({ client, sentAt, ackAt, answeredAt: (ack as unknown as { answer: { answeredAt: string } }).answer.answeredAt })
      if (i % 10 === 0) {
        const again = await client.send('quiz:answer', payload)
        if (!again.ok || !(again as unknown as { repeated: boolean }).repeated) errors.push(`retry: ${again.error ?? 'not marked repeated'}`)
      }
    }),
  )
  const answerMs = now() - answerStart
  // The last broadcast (total = N) to everyone, then the figures.
  await Promise.all(clients.map((c) => c.next<{ tally: Tally }>('quiz:results', (p) => p.tally.total >= N, 10_000)))

  const [stored] = await sql<{ n: number; people: number }[]>`
    select count(*)::int as n, count(distinct user_id)::int as people from quiz_answers where question_id = ${question.id}`
  const broadcastsPerClient = clients[1].all('quiz:results').length
  const final = hostClient.all<{ tally: Tally }>('quiz:results').at(-1)!.tally
  const finalOk = final.total === N && final.options.every((o, i) => o.count === expected[i])
  const sortedLatency = [...receiveLatencies()].sort((a, b) => a - b)

  function receiveLatencies() {
    return acked.map(({ client, ackAt, answeredAt }) => {
      const times = receivedAt.get(client) ?? []
      const index = client.received.findIndex((r) => r.event === 'quiz:results' && (r.payload as { tally: Tally }).tally.asOf >= answeredAt)
      return index === -1 ? Infinity : times[index] - ackAt
    })
  }

  const p50 = pct(sortedLatency, 50)
  const p95 = pct(sortedLatency, 95)
  const max = sortedLatency.at(-1) ?? Infinity
  console.log('')
  console.log(`answers sent:            ${acked.length} of ${N} in ${Math.round(answerMs)} ms (target: within ${WINDOW_MS} ms) ${answerMs <= WINDOW_MS + 200 ? 'PASS' : 'FAIL'}`)
  console.log(`refused or failed:       ${errors.length}${errors.length ? ` (${[...new Set(errors)].slice(0, 3).join('; ')})` : ''}`)
  console.log(`stored in the database:  ${stored.n} rows, ${stored.people} people (expected ${N} each) ${stored.n === N && stored.people === N ? 'PASS' : 'FAIL'}`)
  console.log(`final tallies:           ${final.options.map((o) => o.count).join(' / ')} (expected ${expected.join(' / ')}) ${finalOk ? 'PASS' : 'FAIL'}`)
  console.log(`broadcasts per client:   ${broadcastsPerClient} over ~${Math.round(answerMs / 1000)} s (coalesced, ≤ 4/s)`)
  console.log(`stored → on screen:      p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${max.toFixed(0)} ms (target p95 < ${P95_TARGET_MS} ms) ${p95 < P95_TARGET_MS ? 'PASS' : 'FAIL'}`)
  failed = !(stored.n === N && stored.people === N && finalOk && p95 < P95_TARGET_MS && errors.length === 0 && answerMs <= WINDOW_MS + 200)
} catch (error) {
  console.error(error)
  console.error(server.output.slice(-20).join(''))
  failed = true
} finally {
  for (const c of clients) c?.socket.close()
  await closeDatabase().catch(() => {})
  await server.stop()
}
process.exit(failed ? 1 : 0)
