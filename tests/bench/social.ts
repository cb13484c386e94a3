/**
 * `npm run bench:social` — latency of the home feed and the club page at social
 * scale, measured in-process against a seeded throwaway Postgres.
 *
 *   npm run bench:social -- --calls 500 --warmup 50 --seed 42 [--plans]
 *
 * --plans also prints every recorded query with its full EXPLAIN (ANALYZE, BUFFERS) text.
 *
 * 1. Starts a throwaway Postgres (DATABASE_URL's server when set, otherwise an
 *    embedded one), creates and migrates a fresh database, and seeds it with
 *    tests/bench/seed-scale.ts (10k doctors, 500 clubs, 100k follows, 20k talks…).
 * 2. Measures, interleaved call by call so machine noise hits all of them alike:
 *      - baseline: `select 1` round trips through the same connection pool;
 *      - home feed: `homeFeed(viewer)` from db/feed.ts;
 *      - club page: `getClubPage` then, in parallel, upcoming talks, past talks
 *        and the first 12 members — the db calls the club page makes;
 *      - when app/routes/_index.tsx and app/routes/c.$slug*.tsx export loaders,
 *        the real Remix loaders too, called in-process with a Request and a load
 *        context like the server's.
 *    Viewers and clubs are drawn with a fixed seed: half the viewers are members of
 *    private clubs, half are "strangers" in no private club; club pages are public
 *    clubs, or (for members) one of their private clubs.
 * 3. Records the SQL of one home feed and one club page, runs EXPLAIN (ANALYZE,
 *    BUFFERS) on each query, and prints which indexes it used, flagging any Seq
 *    Scan on a big table.
 *
 * Exit code 0 when the benchmark ran (targets PASS or FAIL), 1 when it could not run.
 */
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { sql as dsql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import { closeDatabase, db, openDatabase, rawSql } from '../../db/client'
import { getClubPage, listClubMembers } from '../../db/clubs'
import { homeFeed } from '../../db/feed'
import * as schema from '../../db/schema/index'
import { listClubTalks } from '../../db/talks'
import type { Viewer } from '../../db/viewer'
import { createDatabase, dropDatabase, migrateDatabase } from '../support/postgres'
import { fmt, loadLine, rng, startBenchPostgres, stats } from './common'
import { createLiveMedia } from '../../server/livekit/media'
import { seedScale } from './seed-scale'

const TARGET_P95_MS = 50
/** Tables big enough that a Seq Scan on them is a finding. */
const BIG_TABLES = new Set(['talks', 'follows', 'club_members', 'profiles', 'talk_rsvps', 'club_follows', 'users'])
const ROOT = path.resolve(import.meta.dirname, '../..')

type SignedInViewer = NonNullable<Viewer>
type Bench = { label: string; target: boolean; samples: number[]; failures: number; run: (i: number) => Promise<void> }

class BenchError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '500' },
      warmup: { type: 'string', default: '50' },
      seed: { type: 'string', default: '42' },
      plans: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  })
  const num = (name: string, value: string | undefined, min: number) => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min) throw new BenchError(`--${name} must be a whole number ≥ ${min} (got ${value}).`)
    return n
  }
  return {
    calls: num('calls', values.calls, 1),
    warmup: num('warmup', values.warmup, 0),
    seed: num('seed', values.seed, 0),
    /** Also print each query's full text plan. */
    plans: values.plans ?? false,
  }
}

// ---------------------------------------------------------------- database


// ---------------------------------------------------------------- workload

type Workload = {
  feedViewers: SignedInViewer[]
  clubCalls: { viewer: SignedInViewer; slug: string; private: boolean }[]
  members: { userId: string; privateSlugs: string[] }[]
  strangers: string[]
}

async function drawWorkload(calls: number, seed: number): Promise<Workload> {
  const sql = rawSql()
  const members = (
    await sql<{ userId: string; slugs: string[] }[]>`
      select m.user_id as "userId", array_agg(c.slug order by c.slug) as slugs
      from club_members m join clubs c on c.id = m.club_id
      where c.visibility = 'private'
      group by m.user_id order by m.user_id`
  ).map((r) => ({ userId: r.userId, privateSlugs: r.slugs }))
  const strangers = (
    await sql<{ id: string }[]>`
      select u.id from users u
      where not exists (select 1 from club_members m join clubs c on c.id = m.club_id
                        where m.user_id = u.id and c.visibility = 'private')
      order by u.id`
  ).map((r) => r.id)
  const publicSlugs = (await sql<{ slug: string }[]>`select slug from clubs where visibility = 'public' order by slug`).map((r) => r.slug)
  if (!members.length || !strangers.length || !publicSlugs.length) throw new BenchError('The seeded data has no private-club members, strangers or public clubs.')

  const random = rng(seed)
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]
  const asViewer = (userId: string): SignedInViewer => ({ userId, role: 'member' })
  const feedViewers: SignedInViewer[] = []
  const clubCalls: Workload['clubCalls'] = []
  for (let i = 0; i < calls; i++) {
    feedViewers.push(asViewer(random() < 0.5 ? pick(members).userId : pick(strangers)))
    if (random() < 0.5) {
      const m = pick(members)
      const own = random() < 0.5
      clubCalls.push({ viewer: asViewer(m.userId), slug: own ? pick(m.privateSlugs) : pick(publicSlugs), private: own })
    } else {
      clubCalls.push({ viewer: asViewer(pick(strangers)), slug: pick(publicSlugs), private: false })
    }
  }
  return { feedViewers, clubCalls, members, strangers }
}

// ---------------------------------------------------------------- the calls

/** The db calls the club page makes: the club first (it 404s for a club the viewer may not see), then the rest. */
async function clubPageDb(viewer: SignedInViewer, slug: string) {
  const page = await getClubPage(viewer, slug)
  const [upcoming, past, members] = await Promise.all([
    listClubTalks(viewer, page.club.id, 'upcoming'),
    listClubTalks(viewer, page.club.id, 'past'),
    listClubMembers(viewer, slug, { limit: 12, offset: 0 }),
  ])
  return { page, upcoming, past, members }
}

type LoaderArgs = { request: Request; params: Record<string, string>; context: Record<string, unknown> }
type Loader = (args: LoaderArgs) => unknown
type RouteLoaders = { home?: { file: string; loader: Loader; callsHomeFeed: boolean }; club: { file: string; loader: Loader }[] }

/** The real route loaders, when the route files exist and export one. */
async function findLoaders(log: (line: string) => void): Promise<RouteLoaders> {
  const found: RouteLoaders = { club: [] }
  const load = async (file: string): Promise<Loader | undefined> => {
    const full = path.join(ROOT, 'app/routes', file)
    if (!existsSync(full)) return undefined
    try {
      const mod = (await import(pathToFileURL(full).href)) as { loader?: Loader }
      if (typeof mod.loader !== 'function') log(`  app/routes/${file}: no loader export.`)
      return mod.loader
    } catch (error) {
      log(`  app/routes/${file}: could not import (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).`)
      return undefined
    }
  }
  const home = await load('_index.tsx')
  if (home) {
    const source = readFileSync(path.join(ROOT, 'app/routes/_index.tsx'), 'utf8')
    found.home = { file: '_index.tsx', loader: home, callsHomeFeed: /\bhomeFeed\b/.test(source) }
  }
  // A layout (c.$slug.tsx) and its index (c.$slug._index.tsx) both load for /c/:slug; Remix runs them in parallel.
  for (const file of ['c.$slug.tsx', 'c.$slug._index.tsx']) {
    const loader = await load(file)
    if (loader) found.club.push({ file, loader })
  }
  return found
}

function loadContext(viewer: SignedInViewer) {
  const now = new Date()
  return {
    viewer,
    auth: {
      user: { id: viewer.userId, role: viewer.role, email: `${viewer.userId}@bench.rounds.local`, emailVerified: true },
      session: { id: 'bench-session', userId: viewer.userId, expiresAt: new Date(now.getTime() + 86_400_000), fresh: false, createdAt: now },
    },
    cspNonce: 'bench-nonce',
    clientAddress: '10.9.9.9',
    devMailbox: true,
    media: createLiveMedia(null),
    publicUrl: 'http://localhost:3000',
  }
}

/** Calls a loader as the Express adapter would; resolves to the HTTP status (thrown Responses included). */
async function callLoader(loader: Loader, url: string, params: Record<string, string>, viewer: SignedInViewer) {
  const request = new Request(new URL(url, 'http://localhost:3000'), { headers: { 'user-agent': 'Mozilla/5.0 bench:social' } })
  let value: unknown
  try {
    value = await loader({ request, params, context: loadContext(viewer) })
  } catch (error) {
    if (!(error instanceof Response)) throw error
    value = error
  }
  if (value instanceof Response) {
    await value.text()
    return value.status
  }
  return 200
}

// ---------------------------------------------------------------- EXPLAIN

type Recorded = { phase: string; query: string; params: unknown[] }
type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] }

/** Runs `work` with every drizzle query recorded: the db/ modules read the connection from a remembered state. */
async function recordQueries(work: (setPhase: (phase: string) => void) => Promise<void>): Promise<Recorded[]> {
  const remembered = (globalThis as { __remember_epic_web?: Map<string, unknown> }).__remember_epic_web
  const state = remembered?.get('rounds:db') as { db?: unknown } | undefined
  if (!state?.db) throw new BenchError('Could not reach the open database state to record queries.')
  const recorded: Recorded[] = []
  let phase = ''
  const original = state.db
  state.db = drizzle(rawSql(), {
    schema,
    logger: { logQuery: (query, params) => recorded.push({ phase, query, params: [...params] }) },
  })
  try {
    await work((p) => (phase = p))
  } finally {
    state.db = original
  }
  return recorded
}

function labelOf(r: Recorded) {
  const q = r.query
  const patterns: [RegExp, string][] = [
    [/power\(/, 'trending talks'],
    [/"club_follows".*"follows".*order by "talks"\."starts_at" asc/s, 'upcoming from follows'],
    [/^select "id", .*from "talks" where "talks"\."id" in/s, 'upcoming: why each talk'],
    [/from "profiles" where "profiles"\."user_id" = /, 'viewer profile'],
    [/"club_bans".*order by/s, 'recommended clubs'],
    [/from "clubs" where lower\("clubs"\."slug"\)/, 'club access (loadAccess)'],
    [/from \(select 1\) as one/, 'club counts'],
    [/"talks"\."club_id" = .*order by "talks"\."starts_at" asc/s, 'club upcoming talks'],
    [/"talks"\."club_id" = .*order by "talks"\."starts_at" desc/s, 'club past talks'],
    [/count\(\*\) filter .* from "club_members"/s, 'club member counts'],
    [/from "club_members" inner join "profiles"/, 'club member list'],
  ]
  return patterns.find(([re]) => re.test(q))?.[1] ?? `query: ${q.slice(0, 60)}…`
}

function walk(node: PlanNode, visit: (n: PlanNode) => void) {
  visit(node)
  for (const child of node.Plans ?? []) walk(child, visit)
}

type PlanSummary = {
  label: string
  ms: number
  /** Median wall time of the query itself, run again without EXPLAIN. */
  plainMs: number
  hit: number
  read: number
  indexes: Map<string, { types: Set<string>; loops: number }>
  seqScans: { table: string; rows: number; loops: number; removed: number }[]
}

async function explain(r: Recorded, print?: (line: string) => void): Promise<PlanSummary> {
  const sql = rawSql()
  if (print) {
    const text = await sql.unsafe(`explain (analyze, buffers) ${r.query}`, r.params as never[])
    print(`  ---- ${r.phase} · ${labelOf(r)}`)
    print(`  ${r.query}`)
    print(`  params: ${JSON.stringify(r.params)}`)
    for (const row of text) print(`    ${String((row as Record<string, unknown>)['QUERY PLAN'])}`)
  }
  const rows = await sql.unsafe(`explain (analyze, buffers, format json) ${r.query}`, r.params as never[])
  const raw = (rows[0] as Record<string, unknown>)['QUERY PLAN']
  const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode; 'Execution Time': number }[]
  const top = doc[0]
  const plain: number[] = []
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now()
    await sql.unsafe(r.query, r.params as never[])
    plain.push(performance.now() - t0)
  }
  const summary: PlanSummary = {
    label: `${r.phase} · ${labelOf(r)}`,
    ms: top['Execution Time'],
    plainMs: stats(plain).p50,
    hit: Number(top.Plan['Shared Hit Blocks'] ?? 0),
    read: Number(top.Plan['Shared Read Blocks'] ?? 0),
    indexes: new Map(),
    seqScans: [],
  }
  walk(top.Plan, (n) => {
    const type = String(n['Node Type'])
    const loops = Number(n['Actual Loops'] ?? 1)
    if (typeof n['Index Name'] === 'string') {
      const entry = summary.indexes.get(n['Index Name']) ?? { types: new Set<string>(), loops: 0 }
      entry.types.add(type)
      entry.loops += loops
      summary.indexes.set(n['Index Name'], entry)
    }
    if (type === 'Seq Scan') {
      summary.seqScans.push({
        table: String(n['Relation Name']),
        rows: Number(n['Actual Rows'] ?? 0),
        loops,
        removed: Number(n['Rows Removed by Filter'] ?? 0),
      })
    }
  })
  return summary
}

function printPlan(p: PlanSummary, print: (line: string) => void) {
  print(`  ${p.label.padEnd(52)} ${fmt(p.ms, 2).padStart(6)} ms under EXPLAIN, ${fmt(p.plainMs, 2).padStart(6)} ms plain · buffers hit ${p.hit}, read ${p.read}`)
  const idx = [...p.indexes].map(([name, e]) => `${name} (${[...e.types].join('/')}${e.loops > 1 ? ` ×${e.loops}` : ''})`)
  print(`      indexes: ${idx.length ? idx.join(', ') : 'none'}`)
  for (const s of p.seqScans) {
    const big = BIG_TABLES.has(s.table)
    const what = `Seq Scan on ${s.table} (${s.loops > 1 ? `${s.loops} loops, ` : ''}${s.rows} rows kept, ${s.removed} filtered out)`
    print(big ? `      ⚠ FLAG: ${what} — a big table` : `      seq:     ${what} — small table, fine`)
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const opts = options()
  const out = (line = '') => console.log(line)
  out('Rounds social-scale benchmark: home feed and club page')
  out(`Node ${process.version} · ${os.cpus().length} CPU cores (${os.cpus()[0]?.model.trim() ?? 'unknown'}) · ${os.platform()} ${os.arch()}`)
  out(`${opts.calls} measured calls per target after ${opts.warmup} warm-up calls · seed ${opts.seed} · target p95 < ${TARGET_P95_MS} ms`)
  out(loadLine())
  out()

  const runStarted = performance.now()
  let pg: Awaited<ReturnType<typeof startBenchPostgres>> | undefined
  let dbName: string | undefined
  let cleaning: Promise<void> | undefined
  let interrupted: NodeJS.Signals | null = null
  const report = (what: string) => (e: unknown) => {
    // After Ctrl-C the embedded server gets the signal too and may already be going down.
    if (!interrupted) console.error(`${what} failed:`, e)
  }
  const cleanup = () =>
    (cleaning ??= (async () => {
      await closeDatabase().catch(report('Closing the database'))
      // An embedded server's whole data directory goes when it stops; a DATABASE_URL server keeps running, so drop ours.
      if (pg && dbName && process.env.DATABASE_URL) await dropDatabase(pg.serverUrl, dbName).catch(report('Dropping the database'))
      await pg?.stop().catch(report('Stopping Postgres'))
    })())
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return
    interrupted = signal
    console.error(`\n${signal}: stopping and cleaning up…`)
    void cleanup().finally(() => process.exit(130))
  }
  const checkInterrupted = () => {
    if (interrupted) throw new BenchError(`interrupted by ${interrupted}.`)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  try {
    // ---- database
    let t0 = performance.now()
    pg = await startBenchPostgres('rounds-bench-pg')
    dbName = `rounds_bench_social_${process.pid}`
    const url = await createDatabase(pg.serverUrl, dbName)
    await migrateDatabase(url)
    await openDatabase({ url, runMigrations: false })
    const where = process.env.DATABASE_URL ? `the server at DATABASE_URL (${pg.serverUrl.host})` : 'a throwaway embedded Postgres'
    const [{ version }] = await rawSql()<{ version: string }[]>`select current_setting('server_version') as version`
    out(`Database: ${where}, Postgres ${version}, database ${dbName} (started and migrated in ${fmt(performance.now() - t0, 0)} ms)`)
    out()

    // ---- seed
    out('Seeding (set-based SQL):')
    const seed = await seedScale(rawSql(), {}, out)
    checkInterrupted()
    out(`Seeded in ${fmt(seed.totalMs / 1000, 1)} s:`)
    out(`  ${Object.entries(seed.counts).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(' · ')}`)
    out()

    // ---- workload
    const work = await drawWorkload(opts.calls + opts.warmup, opts.seed)
    out(
      `Workload: ${work.members.length.toLocaleString('en')} doctors are in a private club, ${work.strangers.length.toLocaleString('en')} in none; ` +
        `feed viewers half from each; club pages ${work.clubCalls.filter((c) => c.private).length} of ${work.clubCalls.length} on a private club the viewer is in.`,
    )

    // ---- loaders
    out('Route loaders:')
    const loaders = await findLoaders(out)
    if (loaders.home) {
      out(`  home: app/routes/${loaders.home.file} exports a loader${loaders.home.callsHomeFeed ? ' (it calls homeFeed)' : ' — it does NOT call homeFeed yet; measured anyway'}`)
    } else out('  home: app/routes/_index.tsx has no usable loader; measuring the db calls only.')
    if (loaders.club.length) out(`  club: ${loaders.club.map((c) => `app/routes/${c.file}`).join(' + ')} (called in parallel, as Remix does for nested routes)`)
    else out('  club: no app/routes/c.$slug.tsx or c.$slug._index.tsx loader yet; measuring the db calls only.')
    out()

    // ---- the benchmarks, interleaved
    const feedShapes = { upcoming: 0, recommended: 0, trending: 0 }
    const clubShapes = { upcoming: 0, past: 0, members: 0 }
    const warm = opts.warmup
    const benches: Bench[] = [
      {
        label: 'baseline: select 1 (postgres-js)',
        target: false,
        samples: [],
        failures: 0,
        run: async () => {
          await rawSql()`select 1`
        },
      },
      {
        label: 'baseline: select 1 (drizzle)',
        target: false,
        samples: [],
        failures: 0,
        run: async () => {
          await db.execute(dsql`select 1`)
        },
      },
      {
        label: 'home feed: homeFeed()',
        target: true,
        samples: [],
        failures: 0,
        run: async (i) => {
          const feed = await homeFeed(work.feedViewers[i])
          if (i >= warm) {
            feedShapes.upcoming += feed.upcoming.length
            feedShapes.recommended += feed.recommendedClubs.length
            feedShapes.trending += feed.trending.length
          }
        },
      },
      {
        label: 'club page: db calls',
        target: true,
        samples: [],
        failures: 0,
        run: async (i) => {
          const c = work.clubCalls[i]
          const r = await clubPageDb(c.viewer, c.slug)
          if (i >= warm) {
            clubShapes.upcoming += r.upcoming.length
            clubShapes.past += r.past.length
            clubShapes.members += r.members.people.length
          }
        },
      },
    ]
    const statusCounts: Record<string, Map<number, number>> = {}
    const countStatus = (label: string, status: number) => {
      const m = (statusCounts[label] ??= new Map())
      m.set(status, (m.get(status) ?? 0) + 1)
    }
    if (loaders.home) {
      const home = loaders.home
      const label = 'home feed: loader (_index.tsx)'
      benches.push({
        label,
        target: true,
        samples: [],
        failures: 0,
        run: async (i) => countStatus(label, await callLoader(home.loader, '/', {}, work.feedViewers[i])),
      })
    }
    if (loaders.club.length) {
      const club = loaders.club
      const label = `club page: loader${club.length > 1 ? 's' : ''} (${club.map((c) => c.file).join(' + ')})`
      benches.push({
        label,
        target: true,
        samples: [],
        failures: 0,
        run: async (i) => {
          const c = work.clubCalls[i]
          const statuses = await Promise.all(club.map((r) => callLoader(r.loader, `/c/${c.slug}`, { slug: c.slug }, c.viewer)))
          countStatus(label, Math.max(...statuses))
        },
      })
    }

    t0 = performance.now()
    const errors: string[] = []
    for (let i = 0; i < opts.warmup + opts.calls; i++) {
      checkInterrupted()
      for (const b of benches) {
        const started = performance.now()
        try {
          await b.run(i)
        } catch (error) {
          b.failures++
          if (errors.length < 5) errors.push(`${b.label}: ${error instanceof Error ? error.message : String(error)}`)
          continue
        }
        if (i >= opts.warmup) b.samples.push(performance.now() - started)
      }
    }
    const measuredMs = performance.now() - t0

    out(`Latency in ms, ${opts.calls} calls each (interleaved, one call at a time, ${fmt(measuredMs / 1000, 1)} s in all):`)
    out(`  ${'what'.padEnd(52)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'mean'.padStart(7)} ${'max'.padStart(7)}  result`)
    const verdicts: { label: string; pass: boolean }[] = []
    for (const b of benches) {
      const s = stats(b.samples)
      let verdict = ''
      if (b.target) {
        const pass = b.failures === 0 && s.n > 0 && s.p95 < TARGET_P95_MS
        verdicts.push({ label: b.label, pass })
        verdict = `${pass ? 'PASS' : 'FAIL'} (p95 ${pass ? '<' : '≥'} ${TARGET_P95_MS} ms${b.failures ? `, ${b.failures} calls threw` : ''})`
      }
      out(`  ${b.label.padEnd(52)} ${fmt(s.p50).padStart(7)} ${fmt(s.p95).padStart(7)} ${fmt(s.p99).padStart(7)} ${fmt(s.mean).padStart(7)} ${fmt(s.max).padStart(7)}  ${verdict}`)
    }
    for (const e of errors) out(`  error: ${e}`)
    for (const [label, m] of Object.entries(statusCounts)) {
      out(`  ${label} statuses: ${[...m].map(([s, n]) => `${s}×${n}`).join(', ')}`)
    }
    const n = opts.calls
    out(
      `  feed shape (mean per call): ${fmt(feedShapes.upcoming / n)} upcoming, ${fmt(feedShapes.recommended / n)} recommended clubs, ${fmt(feedShapes.trending / n)} trending`,
    )
    out(`  club page shape (mean per call): ${fmt(clubShapes.upcoming / n)} upcoming talks, ${fmt(clubShapes.past / n)} past talks, ${fmt(clubShapes.members / n)} members listed`)
    out()

    // ---- EXPLAIN
    const busiest = await rawSql()<{ userId: string }[]>`
      select follower_id as "userId" from follows f
      where follower_id in ${rawSql()(work.members.map((m) => m.userId))}
      group by follower_id order by count(*) desc, follower_id limit 1`
    const busyViewer: SignedInViewer = { userId: busiest[0]?.userId ?? work.members[0].userId, role: 'member' }
    const busyPrivate = work.members.find((m) => m.userId === busyViewer.userId)?.privateSlugs[0] ?? work.members[0].privateSlugs[0]
    const quietViewer: SignedInViewer = { userId: work.strangers[0], role: 'member' }
    const publicCall = work.clubCalls.find((c) => !c.private)!
    const recorded = await recordQueries(async (phase) => {
      phase('feed (busy viewer)')
      await homeFeed(busyViewer)
      phase('feed (quiet viewer)')
      await homeFeed(quietViewer)
      phase('club (private, member)')
      await clubPageDb(busyViewer, busyPrivate)
      phase('club (public, stranger)')
      await clubPageDb(quietViewer, publicCall.slug)
    })
    out(`EXPLAIN (ANALYZE, BUFFERS) of ${recorded.length} recorded queries (one feed for a busy and a quiet viewer, one private and one public club page):`)
    let flags = 0
    for (const r of recorded) {
      checkInterrupted()
      const plan = await explain(r, opts.plans ? out : undefined)
      flags += plan.seqScans.filter((s) => BIG_TABLES.has(s.table)).length
      printPlan(plan, out)
    }
    out(flags ? `  ${flags} Seq Scan(s) on big tables flagged above.` : '  No Seq Scan on a big table (talks, follows, club_members, profiles, talk_rsvps, club_follows, users).')
    out()

    // ---- summary
    out('Summary:')
    for (const v of verdicts) out(`  ${v.pass ? 'PASS' : 'FAIL'}  ${v.label}`)
    out(`  Seeding took ${fmt(seed.totalMs / 1000, 1)} s; the whole run ${fmt((performance.now() - runStarted) / 1000, 1)} s.`)
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
    console.error(error instanceof BenchError ? `bench:social could not run: ${error.message}` : error)
    process.exit(1)
  },
)
