/**
 * `npm run bench:http` — HTTP throughput of the signed-in profile page against a
 * bare Remix resource route, on the real production server, in one run. For information it also
 * loads the bare route with the session cookie (the session check every signed-in request pays)
 * and an empty page in the site's frame (`/bench/frame`: session, page chrome, header and
 * footer, the document Remix renders around every page), so the profile page's cost splits into
 * the framework's document, the frame and the profile's own part.
 *
 *   npm run bench:http -- --duration 10 --warmup 3 --connections 50
 *
 * The server runs in its own process (tests/support/app-server.ts); autocannon
 * runs here. Order: warm-up each target, then bare, bare signed in, frame,
 * profile, twice; the reported figures are the MEAN of the two measured rounds.
 * The target is judged against the bare route without a cookie.
 * Exit code 0 when the benchmark ran (targets PASS or FAIL), 1 when it could not
 * run (server did not start, sign-in failed, errors or non-2xx responses).
 */
import os from 'node:os'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { startAppServer, type AppServer } from '../support/app-server'

const DEMO_EMAIL = 'tom.becker@demo.rounds.local'
const DEMO_PASSWORD = 'rounds-demo-2026'
const PROFILE_PATH = '/u/asha-rao'
const BARE_PATH = '/bench/bare'
const FRAME_PATH = '/bench/frame'
const TARGET_RATIO = 0.5
const TARGET_P99_MS = 100

type Target = { name: 'bare' | 'bare-signed-in' | 'frame' | 'profile'; path: string; headers: Record<string, string> }
type Round = { reqPerSec: number; p50: number; p99: number; errors: number; non2xx: number; requests: number }

class BenchError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
    },
    allowPositionals: false,
  })
  const num = (name: string, value: string | undefined, min: number) => {
    const n = Number(value)
    if (!Number.isFinite(n) || n < min) throw new BenchError(`--${name} must be a number ≥ ${min} (got ${value}).`)
    return n
  }
  return {
    duration: num('duration', values.duration, 1),
    warmup: num('warmup', values.warmup, 0),
    connections: Math.round(num('connections', values.connections, 1)),
  }
}

async function signIn(baseUrl: string): Promise<string> {
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
  if (res.status < 300 || res.status >= 400 || !cookie) {
    const body = await res.text().catch(() => '')
    const reason = body.match(/That email[^<]*|Too many[^<]*|Enter your[^<]*|Enter an?[^<]*/)?.[0]
    throw new BenchError(
      `Sign-in as ${DEMO_EMAIL} failed: HTTP ${res.status}, no rounds_session cookie${reason ? ` (“${reason}”)` : ''}.`,
    )
  }
  return cookie
}

async function check(baseUrl: string, cookie: string) {
  const profile = await fetch(`${baseUrl}${PROFILE_PATH}`, { headers: { Cookie: cookie }, redirect: 'manual' })
  const html = await profile.text()
  if (profile.status !== 200 || !html.includes('Asha')) {
    throw new BenchError(`GET ${PROFILE_PATH} as ${DEMO_EMAIL} returned HTTP ${profile.status} without 'Asha'.`)
  }
  // A signed-out visitor (or a private profile) gets the basic card; we want the full, signed-in view.
  if (html.includes('basic-card-notice')) {
    throw new BenchError(`GET ${PROFILE_PATH} showed the basic card: the session cookie was not accepted.`)
  }
  const bare = await fetch(`${baseUrl}${BARE_PATH}`, { redirect: 'manual' })
  await bare.arrayBuffer()
  if (bare.status !== 200) throw new BenchError(`GET ${BARE_PATH} returned HTTP ${bare.status}.`)
  const frame = await fetch(`${baseUrl}${FRAME_PATH}`, { headers: { Cookie: cookie }, redirect: 'manual' })
  if (frame.status !== 200 || !(await frame.text()).includes('My profile')) {
    throw new BenchError(`GET ${FRAME_PATH} as ${DEMO_EMAIL} returned HTTP ${frame.status} without the signed-in header.`)
  }
}

async function load(baseUrl: string, target: Target, seconds: number, connections: number): Promise<Round> {
  const result = await autocannon({
    url: `${baseUrl}${target.path}`,
    method: 'GET',
    headers: target.headers,
    connections,
    duration: seconds,
    timeout: 10,
  })
  return {
    reqPerSec: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    requests: result.requests.total,
  }
}

/** Other work on the machine (tests, browsers) skews the figures; say so. */
function loadLine() {
  const [one, five] = os.loadavg()
  const busy = one > os.cpus().length / 2
  return `Load average ${fmt(one, 2)} (1 min), ${fmt(five, 2)} (5 min)${busy ? ' — the machine is busy with other work; figures will be noisy.' : '.'}`
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const fmt = (n: number, digits = 1) => n.toFixed(digits)

function summarize(rounds: Round[]): Round {
  return {
    reqPerSec: mean(rounds.map((r) => r.reqPerSec)),
    p50: mean(rounds.map((r) => r.p50)),
    p99: mean(rounds.map((r) => r.p99)),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
    requests: rounds.reduce((a, r) => a + r.requests, 0),
  }
}

function line(label: string, r: Round) {
  return `${label.padEnd(22)} ${fmt(r.reqPerSec).padStart(9)} ${fmt(r.p50).padStart(8)} ${fmt(r.p99).padStart(8)} ${String(r.errors).padStart(7)} ${String(r.non2xx).padStart(7)} ${String(r.requests).padStart(9)}`
}

async function main(): Promise<number> {
  let opts: ReturnType<typeof options>
  try {
    opts = options()
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    console.error('Usage: npm run bench:http -- [--duration 10] [--warmup 3] [--connections 50]')
    return 1
  }
  console.log('Rounds HTTP benchmark')
  console.log(`Node ${process.version} · ${os.cpus().length} CPU cores (${os.cpus()[0]?.model.trim() ?? 'unknown'}) · ${os.platform()} ${os.arch()}`)
  console.log(
    `${opts.connections} connections · warm-up ${opts.warmup}s per target · ${opts.duration}s per measured round · order bare, bare signed in, frame, profile, twice · figures are the mean of the 2 rounds`,
  )
  console.log('Server and load generator share this machine; autocannon itself uses CPU.')
  console.log(`${loadLine()}\n`)

  let server: AppServer | undefined
  const stopServer = async () => {
    const s = server
    server = undefined
    if (s) await s.stop().catch((e: unknown) => console.error('Stopping the server failed:', e))
  }
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the server…`)
    void stopServer().finally(() => process.exit(1))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  try {
    console.log('Starting the app server (build if stale, fresh database with demo data)…')
    const started = Date.now()
    server = await startAppServer()
    const { baseUrl } = server
    console.log(`Server up at ${baseUrl} in ${fmt((Date.now() - started) / 1000)}s.`)

    const cookie = await signIn(baseUrl)
    await check(baseUrl, cookie)
    console.log(`Signed in as ${DEMO_EMAIL}; GET ${PROFILE_PATH} → 200, full (signed-in) view of Asha's public profile.\n`)

    const bare: Target = { name: 'bare', path: BARE_PATH, headers: {} }
    const profile: Target = { name: 'profile', path: PROFILE_PATH, headers: { Cookie: cookie } }
    // For information: the same fixed route with the session cookie, which every signed-in
    // request pays for (the session check) before any page runs.
    const bareSignedIn: Target = { name: 'bare-signed-in', path: BARE_PATH, headers: { Cookie: cookie } }
    // For information: an empty page in the site's frame, signed in — what every page costs before its own part.
    const frame: Target = { name: 'frame', path: FRAME_PATH, headers: { Cookie: cookie } }
    const targets = [bare, bareSignedIn, frame, profile]

    const problems: string[] = []
    const note = (label: string, r: Round) => {
      if (r.errors || r.non2xx) problems.push(`${label}: ${r.errors} errors, ${r.non2xx} non-2xx responses`)
    }

    if (opts.warmup > 0) {
      for (const t of targets) {
        process.stdout.write(`Warming up ${t.name} (${opts.warmup}s)… `)
        const r = await load(baseUrl, t, opts.warmup, opts.connections)
        note(`warm-up ${t.name}`, r)
        console.log(`${fmt(r.reqPerSec, 0)} req/s`)
      }
    }

    const rounds: Record<Target['name'], Round[]> = { bare: [], 'bare-signed-in': [], frame: [], profile: [] }
    console.log('')
    console.log(`${'run'.padEnd(22)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'non2xx'.padStart(7)} ${'requests'.padStart(9)}`)
    const order = [...targets, ...targets]
    for (const [i, t] of order.entries()) {
      const r = await load(baseUrl, t, opts.duration, opts.connections)
      const label = `${t.name} round ${Math.floor(i / targets.length) + 1}`
      note(label, r)
      rounds[t.name].push(r)
      console.log(line(label, r))
    }

    const b = summarize(rounds.bare)
    const bs = summarize(rounds['bare-signed-in'])
    const f = summarize(rounds.frame)
    const p = summarize(rounds.profile)
    const per = (x: Round, y: Round) => (y.reqPerSec > 0 ? x.reqPerSec / y.reqPerSec : 0)
    const ratio = per(p, b)
    console.log('')
    console.log('Mean of the 2 rounds:')
    console.log(line(`bare ${BARE_PATH}`, b))
    console.log(line(`bare, signed in`, bs))
    console.log(line(`frame ${FRAME_PATH}`, f))
    console.log(line(`profile ${PROFILE_PATH}`, p))
    console.log(`\nprofile/bare req/s ratio: ${fmt(ratio, 2)} (judged)`)
    console.log('For information:')
    console.log(`  bare-signed-in/bare ${fmt(per(bs, b), 2)} (the session check)`)
    console.log(`  frame/bare          ${fmt(per(f, b), 2)} (an empty page: Remix's document, the site frame and its data)`)
    console.log(`  profile/frame       ${fmt(per(p, f), 2)} (the profile page's own part)`)
    console.log(loadLine())

    if (problems.length) {
      console.error(`\nBENCHMARK INVALID — the server did not answer every request with 2xx:\n  ${problems.join('\n  ')}`)
      return 1
    }

    const ratioOk = ratio >= TARGET_RATIO
    const p99Ok = p.p99 < TARGET_P99_MS
    console.log('\nTargets:')
    console.log(`  ${ratioOk ? 'PASS' : 'FAIL'}  profile req/s ≥ ${TARGET_RATIO}× bare   (${fmt(ratio, 2)}×: ${fmt(p.reqPerSec)} vs ${fmt(b.reqPerSec)} req/s)`)
    console.log(`  ${p99Ok ? 'PASS' : 'FAIL'}  profile p99 < ${TARGET_P99_MS} ms     (${fmt(p.p99)} ms)`)
    console.log(`\nOVERALL: ${ratioOk && p99Ok ? 'PASS' : 'FAIL'}`)
    return 0
  } catch (error) {
    if (error instanceof BenchError) console.error(`\nBenchmark could not run: ${error.message}`)
    else console.error('\nBenchmark could not run:', error)
    const output = server?.output.join('').trim()
    if (output) console.error(`\nServer output (last lines):\n${output.split('\n').slice(-30).join('\n')}`)
    return 1
  } finally {
    await stopServer()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
