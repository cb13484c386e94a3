/**
 * `npm run bench:search` — search latency on the Postgres engine, and the
 * outbox's indexing throughput, at scale.
 *
 *   npm run bench:search -- --queries 1000 --warmup 100 --seed 7
 *
 * 1. Starts a throwaway Postgres (DATABASE_URL's server when set, otherwise an
 *    embedded one), migrates a fresh database and seeds it set-based with
 *    tests/bench/seed-scale.ts: 100k doctors, 5k clubs, 20k talks (plus
 *    memberships and follows); 3% of doctors opt out of search.
 * 2. Runs `--queries` mixed searches through the Postgres engine, one at a time,
 *    as the search bar asks them (all three groups, five hits each): prefixes
 *    ("car", "mum"), typos ("cardiolgy", "okafr") and filtered searches
 *    (speciality, city, talk type, upcoming/past, dates). Viewers are drawn
 *    from members of private clubs, doctors in none, and visitors. A `select 1`
 *    is interleaved as the round-trip baseline.
 * 3. Queues every profile and club in the outbox (a full rebuild; a club brings
 *    its talks) and drains it with the worker: outbox rows → documents mapped
 *    per second. Without MEILI_HOST the documents are only mapped (the
 *    Postgres engine needs no index), so this measures claim + read + map.
 *
 * Target: p95 < 30 ms for the searches. Exit code 0 when the benchmark ran
 * (PASS or FAIL), 1 when it could not run.
 */
import os from 'node:os'
import { parseArgs } from 'node:util'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { enqueueAllSearchDocuments, refreshSearchTerms } from '../../db/search'
import { specialities } from '../../db/specialities'
import type { Viewer } from '../../db/viewer'
import { drainSearchOutbox } from '../../server/search/outbox'
import { createPostgresEngine } from '../../server/search/postgres-engine'
import { parseSearchInput } from '../../server/search/query'
import type { SearchEngine, SearchRequest } from '../../server/search/types'
import { createDatabase, dropDatabase, migrateDatabase } from '../support/postgres'
import { fmt, loadLine, rng, startBenchPostgres, stats, type Stats } from './common'
import { seedScale } from './seed-scale'

const TARGET_P95_MS = 30
const SCALE = { doctors: 100_000, clubs: 5_000, talks: 20_000 }
const OPT_OUT_SHARE = 0.03

class BenchError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      queries: { type: 'string', default: '1000' },
      warmup: { type: 'string', default: '100' },
      seed: { type: 'string', default: '7' },
    },
    allowPositionals: false,
  })
  const num = (name: string, value: string | undefined, min: number) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min) throw new BenchError(`--${name} must be a whole number ≥ ${min} (got ${value}).`)
    return n
  }
  return { queries: num('queries', values.queries, 1), warmup: num('warmup', values.warmup, 0), seed: num('seed', values.seed, 0) }
}

// ---------------------------------------------------------------- workload

type Kind = 'prefix' | 'typo' | 'filtered'
type Call = { kind: Kind; label: string; viewer: Viewer; params: Record<string, string> }

const WORDS = [
  ...specialities.flatMap((s) => s.split(/[^A-Za-z]+/)),
  'Asha', 'Priya', 'Chidi', 'Mateo', 'Fatima', 'Ingrid', 'Okafor', 'Becker', 'Tanaka', 'Haddad', 'Nilsson', 'Fernández', 'Petrova',
  'Mumbai', 'Berlin', 'Bengaluru', 'Lagos', 'Dublin', 'Toronto', 'Singapore', 'Nairobi', 'Chennai',
  'Echocardiography', 'Sepsis', 'Stroke', 'Ultrasound', 'Palliative', 'Diabetes', 'Hypertension', 'Trauma', 'Genomics',
  'Grand', 'Journal', 'Rounds', 'Network', 'Society', 'Guideline', 'Difficult', 'Imaging', 'Morbidity', 'Surgery', 'Teaching',
].filter((w) => w.length >= 3)
const CITIES = ['Mumbai', 'Berlin', 'Lagos', 'Dublin', 'Tokyo', 'Cairo', 'Oslo', 'Nairobi']
const ABBREVIATIONS = ['cardio', 'neuro', 'peds', 'ent', 'gi', 'ortho', 'derm', 'pocus', 'icu', 'gp']

function typo(word: string, random: () => number) {
  const w = word.toLowerCase()
  const i = 1 + Math.floor(random() * (w.length - 2))
  const r = random()
  if (r < 0.34) return w.slice(0, i) + w.slice(i + 1) // a letter dropped
  if (r < 0.67) return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2) // two swapped
  return w.slice(0, i) + 'aeiou'[Math.floor(random() * 5)] + w.slice(i + 1) // one replaced
}

async function drawWorkload(n: number, seed: number): Promise<Call[]> {
  const sql = rawSql()
  const members = (
    await sql<{ id: string }[]>`select distinct m.user_id as id from club_members m join clubs c on c.id = m.club_id where c.visibility = 'private' order by 1`
  ).map((r) => r.id)
  const strangers = (
    await sql<{ id: string }[]>`select u.id from users u where not exists (select 1 from club_members m where m.user_id = u.id) order by 1 limit 20000`
  ).map((r) => r.id)
  if (!members.length || !strangers.length) throw new BenchError('The seeded data has no private-club members or strangers.')
  const random = rng(seed)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]
  const viewer = (): Viewer => {
    const r = random()
    if (r < 0.05) return null
    return { userId: r < 0.55 ? pick(members) : pick(strangers), role: 'member' }
  }
  const calls: Call[] = []
  for (let i = 0; i < n; i++) {
    const r = random()
    if (r < 0.4) {
      const word = pick([...WORDS, ...ABBREVIATIONS])
      const q = word.slice(0, Math.min(word.length, 2 + Math.floor(random() * 5))).toLowerCase()
      calls.push({ kind: 'prefix', label: q, viewer: viewer(), params: { q } })
    } else if (r < 0.7) {
      const word = pick(WORDS.filter((w) => w.length >= 5))
      const q = typo(word, random)
      calls.push({ kind: 'typo', label: `${q} (${word.toLowerCase()})`, viewer: viewer(), params: { q } })
    } else {
      const f = random()
      const params: Record<string, string> =
        f < 0.3
          ? { speciality: pick(specialities), q: random() < 0.5 ? pick(WORDS).slice(0, 3).toLowerCase() : '' }
          : f < 0.5
            ? { city: pick(CITIES), q: random() < 0.5 ? pick(specialities).slice(0, 4).toLowerCase() : '' }
            : f < 0.8
              ? { type: pick(['talk', 'case_discussion', 'surgery', 'quiz']), when: pick(['upcoming', 'past']), q: random() < 0.5 ? 'case' : '' }
              : (() => {
                  const start = Date.now() + Math.floor((random() - 0.5) * 300) * 86_400_000
                  const day = (t: number) => new Date(t).toISOString().slice(0, 10)
                  return { from: day(start), to: day(start + 14 * 86_400_000), speciality: pick(specialities) }
                })()
      calls.push({ kind: 'filtered', label: new URLSearchParams(params).toString(), viewer: viewer(), params })
    }
  }
  return calls
}

function requestFor(call: Call): SearchRequest {
  const parsed = parseSearchInput(new URLSearchParams(call.params), { perPage: 5 })
  if (!parsed.ok) throw new BenchError(`A drawn search did not parse (${call.label}): ${parsed.message}`)
  return parsed.request
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const opts = options()
  const out = (line = '') => console.log(line)
  out('Rounds search benchmark: Postgres engine latency and outbox throughput')
  out(`Node ${process.version} · ${os.cpus().length} CPU cores (${os.cpus()[0]?.model.trim() ?? 'unknown'}) · ${os.platform()} ${os.arch()}`)
  out(`${opts.queries} measured searches after ${opts.warmup} warm-up · seed ${opts.seed} · target p95 < ${TARGET_P95_MS} ms`)
  out(loadLine())
  out()

  const runStarted = performance.now()
  let pg: Awaited<ReturnType<typeof startBenchPostgres>> | undefined
  let dbName: string | undefined
  let interrupted: NodeJS.Signals | null = null
  let cleaning: Promise<void> | undefined
  const cleanup = () =>
    (cleaning ??= (async () => {
      await closeDatabase().catch(() => {})
      if (pg && dbName && process.env.DATABASE_URL) await dropDatabase(pg.serverUrl, dbName).catch(() => {})
      await pg?.stop().catch(() => {})
    })())
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return
    interrupted = signal
    console.error(`\n${signal}: stopping and cleaning up…`)
    void cleanup().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const checkInterrupted = () => {
    if (interrupted) throw new BenchError(`interrupted by ${interrupted}.`)
  }

  try {
    let t0 = performance.now()
    pg = await startBenchPostgres('rounds-bench-search')
    dbName = `rounds_bench_search_${process.pid}`
    const url = await createDatabase(pg.serverUrl, dbName)
    await migrateDatabase(url)
    await openDatabase({ url, runMigrations: false })
    const [{ version }] = await rawSql()<{ version: string }[]>`select current_setting('server_version') as version`
    out(`Database: ${process.env.DATABASE_URL ? `the server at DATABASE_URL (${pg.serverUrl.host})` : 'a throwaway embedded Postgres'}, Postgres ${version}, database ${dbName} (ready in ${fmt(performance.now() - t0, 0)} ms)`)
    out()

    out('Seeding (set-based SQL):')
    const seed = await seedScale(rawSql(), SCALE, out)
    t0 = performance.now()
    const optedOut = await rawSql().unsafe(
      `update profiles set discoverable = false where ('x' || substr(md5('optout:' || user_id), 1, 8))::bit(32)::bigint < ${Math.floor(OPT_OUT_SHARE * 2 ** 32)}`,
    )
    await rawSql().unsafe('vacuum (analyze) profiles')
    out(`  ${'opt-outs'.padEnd(34)} ${String(optedOut.count).padStart(8)} rows ${fmt(performance.now() - t0, 0).padStart(7)} ms`)
    out(`Seeded in ${fmt(seed.totalMs / 1000, 1)} s: ${Object.entries(seed.counts).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(' · ')}`)
    t0 = performance.now()
    const terms = await refreshSearchTerms()
    out(`Typo vocabulary (search_terms) rebuilt: ${terms.toLocaleString('en')} words in ${fmt(performance.now() - t0, 0)} ms.`)
    out()
    checkInterrupted()

    // ---- searches
    const engine: SearchEngine = createPostgresEngine()
    const calls = await drawWorkload(opts.queries + opts.warmup, opts.seed)
    const requests = calls.map(requestFor)
    const kinds = { prefix: 0, typo: 0, filtered: 0 }
    for (const c of calls.slice(opts.warmup)) kinds[c.kind]++
    out(`Workload: ${kinds.prefix} prefix, ${kinds.typo} typo, ${kinds.filtered} filtered searches; viewers ${calls.filter((c) => c.viewer === null).length} visitors, the rest signed in.`)

    const samples: Record<Kind | 'all' | 'baseline', number[]> = { prefix: [], typo: [], filtered: [], all: [], baseline: [] }
    const slowest: { ms: number; call: Call }[] = []
    let hits = 0
    let empty = 0
    const errors: string[] = []
    t0 = performance.now()
    for (let i = 0; i < calls.length; i++) {
      checkInterrupted()
      const measured = i >= opts.warmup
      let started = performance.now()
      await rawSql()`select 1`
      if (measured) samples.baseline.push(performance.now() - started)
      started = performance.now()
      try {
        const r = await engine.search(calls[i].viewer, requests[i])
        const ms = performance.now() - started
        if (measured) {
          samples[calls[i].kind].push(ms)
          samples.all.push(ms)
          slowest.push({ ms, call: calls[i] })
          const n = Object.values(r.groups).reduce((sum, g) => sum + g.hits.length, 0)
          hits += n
          if (n === 0) empty++
        }
      } catch (error) {
        errors.push(`${calls[i].label}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    const searchMs = performance.now() - t0
    out(`Latency in ms, ${opts.queries} searches (one at a time, ${fmt(searchMs / 1000, 1)} s in all):`)
    out(`  ${'what'.padEnd(36)} ${'n'.padStart(5)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'mean'.padStart(7)} ${'max'.padStart(7)}`)
    const row = (label: string, s: Stats) =>
      out(`  ${label.padEnd(36)} ${String(s.n).padStart(5)} ${fmt(s.p50).padStart(7)} ${fmt(s.p95).padStart(7)} ${fmt(s.p99).padStart(7)} ${fmt(s.mean).padStart(7)} ${fmt(s.max).padStart(7)}`)
    row('baseline: select 1', stats(samples.baseline))
    row('prefix ("car", "mum")', stats(samples.prefix))
    row('typo ("cardiolgy")', stats(samples.typo))
    row('filtered (speciality, city, type…)', stats(samples.filtered))
    const all = stats(samples.all)
    row('all searches', all)
    out(`  mean hits per search ${fmt(hits / Math.max(1, samples.all.length))} (3 groups × 5 at most); ${empty} searches found nothing`)
    out('  slowest:')
    for (const s of slowest.sort((a, b) => b.ms - a.ms).slice(0, 5)) out(`    ${fmt(s.ms).padStart(7)} ms  ${s.call.kind.padEnd(8)} ${s.call.label}${s.call.viewer ? '' : ' (visitor)'}`)
    for (const e of errors.slice(0, 5)) out(`  error: ${e}`)
    const pass = errors.length === 0 && all.p95 < TARGET_P95_MS
    out(`  ${pass ? 'PASS' : 'FAIL'}: p95 ${fmt(all.p95)} ms ${pass ? '<' : '≥'} ${TARGET_P95_MS} ms${errors.length ? `, ${errors.length} searches threw` : ''}`)
    out()
    checkInterrupted()

    // ---- indexing throughput
    t0 = performance.now()
    const queued = await enqueueAllSearchDocuments()
    const enqueueMs = performance.now() - t0
    out(`Indexing: queued ${queued.toLocaleString('en')} outbox rows (every profile and club) in ${fmt(enqueueMs, 0)} ms; draining with the worker, ${process.env.MEILI_HOST ? 'mapping only (this bench never writes to Meilisearch)' : 'mapping only (no MEILI_HOST)'}:`)
    for (const limit of [100, 500]) {
      if (limit !== 100) await enqueueAllSearchDocuments()
      t0 = performance.now()
      const drained = await drainSearchOutbox(engine, { limit })
      const ms = performance.now() - t0
      out(
        `  batches of ${String(limit).padStart(3)}: ${drained.claimed.toLocaleString('en')} rows → ${drained.mapped.toLocaleString('en')} documents in ${fmt(ms / 1000, 1)} s: ` +
          `${Math.round(drained.claimed / (ms / 1000)).toLocaleString('en')} rows/s, ${Math.round(drained.mapped / (ms / 1000)).toLocaleString('en')} documents/s` +
          `${drained.failures ? ` (${drained.failures} failed batches)` : ''}`,
      )
    }
    out()
    out('Summary:')
    out(`  ${pass ? 'PASS' : 'FAIL'}  search p50 ${fmt(all.p50)} ms, p95 ${fmt(all.p95)} ms (select 1: p50 ${fmt(stats(samples.baseline).p50, 2)} ms)`)
    out(`  The whole run took ${fmt((performance.now() - runStarted) / 1000, 1)} s.`)
    out(loadLine())
    return 0
  } finally {
    await cleanup()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof BenchError ? `bench:search could not run: ${error.message}` : error)
    process.exit(1)
  },
)
