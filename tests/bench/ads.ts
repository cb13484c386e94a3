/**
 * `npm run bench:ads` — the signed-in home page with ad selection on, against the same page with
 * it off (`X-Bench-Ads: off`, honoured only with BENCH_ROUTES=1), on one production server in one
 * run. Twenty approved campaigns are running, with club, speciality, interest and run-of-site
 * targeting, so selection does its real work (campaign cache, one query for the member's facts,
 * the eligibility rule per campaign, the impression into the buffer).
 *
 *   npm run bench:ads -- --duration 10 --warmup 3 --connections 20
 *
 * Order: warm-up both, then off, on, off, on at saturation (figures are the mean of the two
 * rounds of each). Target: home with ads ≥ 0.9× the req/s of home without, and its p50 within
 * 10 % as well. Exit code 0 when the benchmark ran, 1 when it could not.
 */
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import postgres from 'postgres'
import { selectAd } from '../../db/ads/selection'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { startAppServer, type AppServer } from '../support/app-server'

const DEMO_EMAIL = 'tom.becker@demo.rounds.local'
const DEMO_PASSWORD = 'rounds-demo-2026'
const TARGET_RATIO = 0.9
const ACCEPT_ENCODING = 'gzip, deflate, br, zstd'

type Round = { reqPerSec: number; p50: number; p99: number; errors: number; non2xx: number; requests: number }

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '20' },
    },
  })
  return { duration: Number(values.duration), warmup: Number(values.warmup), connections: Number(values.connections) }
}

async function signIn(baseUrl: string) {
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: baseUrl },
    body: new URLSearchParams({ email: DEMO_EMAIL, password: DEMO_PASSWORD, redirectTo: '/' }),
  })
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('rounds_session=') && c.length > 'rounds_session='.length)
  if (!cookie) throw new Error(`Sign-in as ${DEMO_EMAIL} failed: HTTP ${res.status}.`)
  return cookie
}

/** Twenty running campaigns of every kind, straight into the server's database. */
async function seedCampaigns(databaseUrl: string) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  try {
    const advertiserId = randomUUID()
    await sql`insert into advertisers (id, name, website, status) values (${advertiserId}, 'Bench Pharma', 'https://bench.example', 'approved')`
    const clubs = await sql<{ id: string }[]>`select id from clubs where visibility = 'public' order by name limit 5`
    for (let i = 0; i < 20; i++) {
      const kind = i % 4
      await sql`insert into ad_campaigns (id, advertiser_id, name, headline, body, image_path, image_alt, landing_url, sponsor_name,
          starts_at, ends_at, daily_cap, target_club_ids, audience_specialities, target_interests, status)
        values (${randomUUID()}, ${advertiserId}, ${'Bench ' + i}, 'A headline', 'Some text.', 'bench.webp', 'An image', 'https://bench.example',
          'Bench Pharma', now() - interval '1 day', now() + interval '7 days', 100000000,
          ${kind === 0 ? clubs.map((c) => c.id) : []}::text[], ${kind === 1 ? ['Cardiology', 'Neurology'] : []}::text[],
          ${kind === 2 ? ['heart failure', 'stroke'] : []}::text[], 'approved')`
    }
  } finally {
    await sql.end()
  }
}

async function load(baseUrl: string, headers: Record<string, string>, seconds: number, connections: number): Promise<Round> {
  const r = await autocannon({ url: `${baseUrl}/`, headers: { 'Accept-Encoding': ACCEPT_ENCODING, ...headers }, connections, duration: seconds, timeout: 10 })
  return { reqPerSec: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx, requests: r.requests.total }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const fmt = (n: number, d = 1) => n.toFixed(d)
const line = (label: string, r: Round) =>
  `${label.padEnd(22)} ${fmt(r.reqPerSec).padStart(9)} ${fmt(r.p50).padStart(8)} ${fmt(r.p99).padStart(8)} ${String(r.errors).padStart(7)} ${String(r.non2xx).padStart(7)} ${String(r.requests).padStart(9)}`

async function main() {
  const opts = options()
  console.log('Rounds ad selection benchmark: home page with ads on vs off, one server, one run')
  console.log(`Node ${process.version} · ${os.cpus().length} CPU cores · ${opts.connections} connections · ${opts.duration}s rounds · load ${fmt(os.loadavg()[0], 2)}\n`)
  let server: AppServer | undefined
  try {
    server = await startAppServer({ env: { BENCH_ROUTES: '1' } })
    await seedCampaigns(server.databaseUrl)
    const cookie = await signIn(server.baseUrl)
    const on = { Cookie: cookie }
    const off = { Cookie: cookie, 'X-Bench-Ads': 'off' }
    const withAd = await (await fetch(`${server.baseUrl}/`, { headers: on })).text()
    const withoutAd = await (await fetch(`${server.baseUrl}/`, { headers: off })).text()
    if (!withAd.includes('data-testid="ad-slot"')) throw new Error('The home page showed no ad with ads on: the benchmark would measure nothing.')
    if (withoutAd.includes('data-testid="ad-slot"')) throw new Error('The home page showed an ad with ads off.')
    console.log('Checked: GET / shows one ad with ads on, none with X-Bench-Ads: off.\n')
    if (opts.warmup > 0) {
      await load(server.baseUrl, off, opts.warmup, opts.connections)
      await load(server.baseUrl, on, opts.warmup, opts.connections)
    }
    console.log(`${'run'.padEnd(22)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'non2xx'.padStart(7)} ${'requests'.padStart(9)}`)
    const rounds: Record<'off' | 'on', Round[]> = { off: [], on: [] }
    for (const [i, which] of (['off', 'on', 'off', 'on'] as const).entries()) {
      const r = await load(server.baseUrl, which === 'on' ? on : off, opts.duration, opts.connections)
      rounds[which].push(r)
      console.log(line(`home, ads ${which} #${Math.floor(i / 2) + 1}`, r))
    }
    const sum = (rs: Round[]): Round => ({
      reqPerSec: mean(rs.map((r) => r.reqPerSec)),
      p50: mean(rs.map((r) => r.p50)),
      p99: mean(rs.map((r) => r.p99)),
      errors: rs.reduce((a, r) => a + r.errors, 0),
      non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
      requests: rs.reduce((a, r) => a + r.requests, 0),
    })
    const o = sum(rounds.off)
    const n = sum(rounds.on)
    console.log('\nMean of the 2 rounds:')
    console.log(line('home, ads off', o))
    console.log(line('home, ads on', n))
    if (o.errors + o.non2xx + n.errors + n.non2xx > 0) {
      console.error('\nBENCHMARK INVALID — not every request was answered with 2xx.')
      return 1
    }
    // The selection alone, called directly against the same database: what it adds to a page.
    await openDatabase({ url: server.databaseUrl, runMigrations: false, maxConnections: 2 })
    const [tom] = await rawSql()<{ id: string }[]>`select id from users where email = ${DEMO_EMAIL}`
    const times: number[] = []
    for (let i = 0; i < 300; i++) {
      const started = performance.now()
      const ad = await selectAd({ userId: tom.id, role: 'member' }, { kind: 'home' }, { record: false })
      times.push(performance.now() - started)
      if (!ad) throw new Error('selectAd chose no ad for the demo doctor.')
    }
    await closeDatabase()
    times.sort((a, b) => a - b)
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]
    console.log(`
selectAd alone, 300 calls in this process: p50 ${fmt(at(0.5), 2)} ms · p90 ${fmt(at(0.9), 2)} ms · p99 ${fmt(at(0.99), 2)} ms`)
    const ratio = n.reqPerSec / o.reqPerSec
    const p50Ratio = o.p50 > 0 ? n.p50 / o.p50 : 1
    const ok = ratio >= TARGET_RATIO
    console.log(`\n  ${ok ? 'PASS' : 'FAIL'}  ads-on req/s ≥ ${TARGET_RATIO}× ads-off (${fmt(ratio, 3)}×: ${fmt(n.reqPerSec)} vs ${fmt(o.reqPerSec)} req/s)`)
    console.log(`  info  p50 ads on / off: ${fmt(p50Ratio, 3)}× (${fmt(n.p50)} vs ${fmt(o.p50)} ms)`)
    const loadAvg = os.loadavg()[0]
    if (loadAvg > os.cpus().length / 2) console.log(`  note  load average ${fmt(loadAvg, 2)} on ${os.cpus().length} cores: other work shares the machine; figures are noisy.`)
    console.log(`\nOVERALL: ${ok ? 'PASS' : 'FAIL'}`)
    return 0
  } catch (error) {
    console.error('\nBenchmark could not run:', error instanceof Error ? error.message : error)
    const output = server?.output.join('').trim()
    if (output) console.error(`\nServer output (last lines):\n${output.split('\n').slice(-30).join('\n')}`)
    return 1
  } finally {
    await server?.stop().catch(() => {})
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
