/**
 * `npm run bench:http` — the signed-in profile page against an empty page in the site's frame
 * (`/bench/frame`: session, page chrome, header and footer, the document Remix renders around
 * every page), both full Remix documents, on the real production server, in one run. For
 * information it also loads a bare Remix resource route (`/bench/bare`, Remix's own cost).
 *
 *   npm run bench:http -- --duration 10 --warmup 3 --connections 50 --rate 200
 *
 * The server runs in its own process (tests/support/app-server.ts) with BENCH_ROUTES=1, which
 * the benchmark pages need; autocannon runs here and asks for compressed responses, as browsers
 * do. Order: warm-up each target, then bare, frame, profile at saturation, twice (figures are
 * the MEAN of the two rounds); then frame and profile at a fixed offered load of --rate
 * requests per second, twice. It also prints the bytes each page costs on the wire: the
 * document and the scripts and stylesheets it loads, as sent and uncompressed.
 * Targets: profile req/s ≥ 0.6× frame at saturation; profile p99 < 100 ms at --rate req/s.
 * Exit code 0 when the benchmark ran (targets PASS or FAIL), 1 when it could not
 * run (server did not start, sign-in failed, errors or non-2xx responses).
 */
import { request } from 'node:http'
import os from 'node:os'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { startAppServer, type AppServer } from '../support/app-server'

const DEMO_EMAIL = 'tom.becker@demo.rounds.local'
const DEMO_PASSWORD = 'rounds-demo-2026'
const PROFILE_PATH = '/u/asha-rao'
const BARE_PATH = '/bench/bare'
const FRAME_PATH = '/bench/frame'
const TARGET_RATIO = 0.6
const TARGET_P99_MS = 100
/** What Chrome sends; the server answers with brotli. */
const ACCEPT_ENCODING = 'gzip, deflate, br, zstd'

type Target = { name: 'bare' | 'frame' | 'profile'; path: string; headers: Record<string, string> }
type Round = { reqPerSec: number; p50: number; p99: number; errors: number; non2xx: number; requests: number; bytesPerRequest: number }

class BenchError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      rate: { type: 'string', default: '200' },
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
    rate: Math.round(num('rate', values.rate, 1)),
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

/** Loads a target at saturation, or at `rate` requests per second across all connections. */
async function load(baseUrl: string, target: Target, seconds: number, connections: number, rate?: number): Promise<Round> {
  const result = await autocannon({
    url: `${baseUrl}${target.path}`,
    method: 'GET',
    headers: { 'Accept-Encoding': ACCEPT_ENCODING, ...target.headers },
    connections,
    duration: seconds,
    timeout: 10,
    ...(rate ? { overallRate: rate } : {}),
  })
  return {
    reqPerSec: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    requests: result.requests.total,
    // Response bytes read, headers included.
    bytesPerRequest: result.requests.total > 0 ? result.throughput.total / result.requests.total : 0,
  }
}

/** One GET with the body as it came over the wire (fetch would decode it). */
function wireBytes(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; body: Buffer; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, bytes: body.length, body, encoding: String(res.headers['content-encoding'] ?? 'identity') })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

type PageWeight = { label: string; html: [number, number]; assets: [number, number]; assetCount: number; encodings: Set<string> }

/** A page's document and the scripts and stylesheets it loads: [sent compressed, uncompressed] bytes. */
async function pageWeight(baseUrl: string, label: string, path: string, headers: Record<string, string>): Promise<PageWeight> {
  const plain = await wireBytes(`${baseUrl}${path}`, headers)
  if (plain.status !== 200) throw new BenchError(`GET ${path} returned HTTP ${plain.status}.`)
  const packed = await wireBytes(`${baseUrl}${path}`, { ...headers, 'Accept-Encoding': ACCEPT_ENCODING })
  const assets = [...new Set([...plain.body.toString().matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]))]
  const weight: PageWeight = { label, html: [packed.bytes, plain.bytes], assets: [0, 0], assetCount: assets.length, encodings: new Set([packed.encoding]) }
  for (const asset of assets) {
    const [a, b] = await Promise.all([wireBytes(`${baseUrl}${asset}`, { 'Accept-Encoding': ACCEPT_ENCODING }), wireBytes(`${baseUrl}${asset}`, {})])
    weight.assets[0] += a.bytes
    weight.assets[1] += b.bytes
    weight.encodings.add(a.encoding)
  }
  return weight
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`

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
    bytesPerRequest: mean(rounds.map((r) => r.bytesPerRequest)),
    p50: mean(rounds.map((r) => r.p50)),
    p99: mean(rounds.map((r) => r.p99)),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
    requests: rounds.reduce((a, r) => a + r.requests, 0),
  }
}

function line(label: string, r: Round) {
  return `${label.padEnd(26)} ${fmt(r.reqPerSec).padStart(9)} ${fmt(r.p50).padStart(8)} ${fmt(r.p99).padStart(8)} ${String(r.errors).padStart(7)} ${String(r.non2xx).padStart(7)} ${String(r.requests).padStart(9)} ${fmt(r.bytesPerRequest, 0).padStart(9)}`
}

const header = `${'run'.padEnd(26)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'non2xx'.padStart(7)} ${'requests'.padStart(9)} ${'bytes/req'.padStart(9)}`

async function main(): Promise<number> {
  let opts: ReturnType<typeof options>
  try {
    opts = options()
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    console.error('Usage: npm run bench:http -- [--duration 10] [--warmup 3] [--connections 50] [--rate 200]')
    return 1
  }
  console.log('Rounds HTTP benchmark')
  console.log(`Node ${process.version} · ${os.cpus().length} CPU cores (${os.cpus()[0]?.model.trim() ?? 'unknown'}) · ${os.platform()} ${os.arch()}`)
  console.log(
    `${opts.connections} connections · warm-up ${opts.warmup}s per target · ${opts.duration}s per measured round · order bare, frame, profile at saturation, twice; then frame, profile at ${opts.rate} req/s, twice · figures are the mean of the 2 rounds · Accept-Encoding: ${ACCEPT_ENCODING}`,
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
    server = await startAppServer({ env: { BENCH_ROUTES: '1' } })
    const { baseUrl } = server
    console.log(`Server up at ${baseUrl} in ${fmt((Date.now() - started) / 1000)}s.`)

    const cookie = await signIn(baseUrl)
    await check(baseUrl, cookie)
    console.log(`Signed in as ${DEMO_EMAIL}; GET ${PROFILE_PATH} → 200, full (signed-in) view of Asha's public profile.\n`)

    const bare: Target = { name: 'bare', path: BARE_PATH, headers: {} }
    // The baseline: an empty page in the site's frame, signed in — what every page costs before its own part.
    const frame: Target = { name: 'frame', path: FRAME_PATH, headers: { Cookie: cookie } }
    const profile: Target = { name: 'profile', path: PROFILE_PATH, headers: { Cookie: cookie } }
    const targets = [bare, frame, profile]

    const weights = [
      await pageWeight(baseUrl, `home / (signed in)`, '/', { Cookie: cookie }),
      await pageWeight(baseUrl, `frame ${FRAME_PATH}`, FRAME_PATH, { Cookie: cookie }),
      await pageWeight(baseUrl, `profile ${PROFILE_PATH}`, PROFILE_PATH, { Cookie: cookie }),
    ]
    console.log('Bytes on the wire per page (body only; sent with compression / uncompressed):')
    for (const w of weights) {
      const sent = w.html[0] + w.assets[0]
      const raw = w.html[1] + w.assets[1]
      console.log(
        `  ${w.label.padEnd(26)} document ${kib(w.html[0])} / ${kib(w.html[1])} · ${w.assetCount} scripts and stylesheets ${kib(w.assets[0])} / ${kib(w.assets[1])} · total ${kib(sent)} / ${kib(raw)} (${[...w.encodings].join(', ')})`,
      )
    }
    console.log('')

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

    const rounds: Record<Target['name'], Round[]> = { bare: [], frame: [], profile: [] }
    console.log('')
    console.log(`At saturation, ${opts.connections} connections:`)
    console.log(header)
    const order = [...targets, ...targets]
    for (const [i, t] of order.entries()) {
      const r = await load(baseUrl, t, opts.duration, opts.connections)
      const label = `${t.name} round ${Math.floor(i / targets.length) + 1}`
      note(label, r)
      rounds[t.name].push(r)
      console.log(line(label, r))
    }

    const fixed: Record<'frame' | 'profile', Round[]> = { frame: [], profile: [] }
    console.log('')
    console.log(`At a fixed offered load of ${opts.rate} req/s (${opts.connections} connections):`)
    console.log(header)
    for (const [i, t] of [frame, profile, frame, profile].entries()) {
      const r = await load(baseUrl, t, opts.duration, opts.connections, opts.rate)
      const label = `${t.name} @${opts.rate} round ${Math.floor(i / 2) + 1}`
      note(label, r)
      fixed[t.name as 'frame' | 'profile'].push(r)
      console.log(line(label, r))
    }

    const b = summarize(rounds.bare)
    const f = summarize(rounds.frame)
    const p = summarize(rounds.profile)
    const fr = summarize(fixed.frame)
    const pr = summarize(fixed.profile)
    const per = (x: Round, y: Round) => (y.reqPerSec > 0 ? x.reqPerSec / y.reqPerSec : 0)
    const ratio = per(p, f)
    console.log('')
    console.log('Mean of the 2 rounds:')
    console.log(header)
    console.log(line(`bare ${BARE_PATH}`, b))
    console.log(line(`frame ${FRAME_PATH}`, f))
    console.log(line(`profile ${PROFILE_PATH}`, p))
    console.log(line(`frame @${opts.rate} req/s`, fr))
    console.log(line(`profile @${opts.rate} req/s`, pr))
    console.log(`\nprofile/frame req/s ratio: ${fmt(ratio, 2)} (judged)`)
    console.log('For information:')
    console.log(`  frame/bare          ${fmt(per(f, b), 2)} (an empty page: the site frame and its data, against Remix's bare route)`)
    console.log(`  profile/bare        ${fmt(per(p, b), 2)}`)
    console.log(loadLine())

    if (problems.length) {
      console.error(`\nBENCHMARK INVALID — the server did not answer every request with 2xx:\n  ${problems.join('\n  ')}`)
      return 1
    }

    const ratioOk = ratio >= TARGET_RATIO
    const p99Ok = pr.p99 < TARGET_P99_MS
    console.log('\nTargets:')
    console.log(`  ${ratioOk ? 'PASS' : 'FAIL'}  profile req/s ≥ ${TARGET_RATIO}× frame at saturation   (${fmt(ratio, 2)}×: ${fmt(p.reqPerSec)} vs ${fmt(f.reqPerSec)} req/s)`)
    console.log(`  ${p99Ok ? 'PASS' : 'FAIL'}  profile p99 < ${TARGET_P99_MS} ms at ${opts.rate} req/s      (${fmt(pr.p99)} ms; p50 ${fmt(pr.p50)} ms; ${fmt(pr.reqPerSec)} req/s served)`)
    if (pr.reqPerSec < opts.rate * 0.95) {
      console.log(`  note: the server answered ${fmt(pr.reqPerSec)} of the ${opts.rate} req/s offered, so requests queued and the p99 measures the queue.`)
    }
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
