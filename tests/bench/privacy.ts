/**
 * `npm run bench:privacy` — how long it takes to export and to erase a very active doctor.
 *
 *   npm run bench:privacy -- --rows 50000
 *
 * 1. Starts a throwaway Postgres (DATABASE_URL's server when set, otherwise an embedded one),
 *    creates and migrates a fresh database.
 * 2. Seeds one doctor with --rows activity rows spread over the tables that exist: live-room
 *    comments (35%), attendance (25%), questions (10%), votes on others' questions (10%), quiz
 *    answers (10%) and follows both ways (10%), plus the people, clubs and talks they refer to.
 * 3. Times, through the same job functions the server runs: a `select 1` baseline; the export
 *    job (collect in one snapshot, zip, write to DATA_DIR/exports); the erasure job (one
 *    transaction over every table, then sockets and files). Target: each under 5 s.
 *
 * 4. The retention job (db/retention-apply.ts, what the daily `retention.apply` job runs) over
 *    --retention-rows activity rows past their 180 days, on the real server (built, started as
 *    `npm start` does): first the p99 of a signed-in doctor's view of a public profile over HTTP
 *    with nothing else running, then the same page while the job deletes the rows in batches.
 *    Targets: the job under 30 s, and the page's p99 during it under 2× the baseline p99.
 *
 *   npm run bench:privacy -- --retention-rows 1000000
 *   npm run bench:privacy -- --only retention
 *
 * Exit code 0 when the benchmark ran (targets PASS or FAIL), 1 when it could not run.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'

const TARGET_MS = 5000

const RETENTION_TARGET_MS = 30_000
const RETENTION_P99_RATIO = 2

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '50000' },
    'retention-rows': { type: 'string', default: '1000000' },
    'baseline-seconds': { type: 'string', default: '15' },
    /** `retention` runs only part 4. */
    only: { type: 'string' },
  },
  allowPositionals: false,
})
const ROWS = Number(values.rows)
if (!Number.isInteger(ROWS) || ROWS < 100) {
  console.error('--rows must be a whole number ≥ 100.')
  process.exit(1)
}
const RETENTION_ROWS = Number(values['retention-rows'])
if (!Number.isInteger(RETENTION_ROWS) || RETENTION_ROWS < 1000) {
  console.error('--retention-rows must be a whole number ≥ 1000.')
  process.exit(1)
}
const BASELINE_SECONDS = Number(values['baseline-seconds'])
if (!Number.isFinite(BASELINE_SECONDS) || BASELINE_SECONDS < 2) {
  console.error('--baseline-seconds must be a number ≥ 2.')
  process.exit(1)
}

// Before any module reads the config: exports go to a temporary folder.
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rounds-bench-privacy-'))
process.env.DATA_DIR = dataDir
process.env.SEED_DEMO_DATA = 'false'

const { closeDatabase, openDatabase, rawSql } = await import('../../db/client')
const { createAccount } = await import('../../db/accounts')
const { requestErasure, requestExport } = await import('../../db/data-rights/index')
const { runDueJobs } = await import('../../server/jobs/index')
const { exportPath } = await import('../../server/jobs/exports')
const { createDatabase, dropDatabase, migrateDatabase, startTestPostgres } = await import('../support/postgres')
const { applyRetentionSchedule } = await import('../../db/retention-apply')
const { startAppServer } = await import('../support/app-server')
const { fmt, loadLine, stats } = await import('./common')
const { createDoctor } = await import('../support/factories')

const DAY = 24 * 60 * 60 * 1000

function ms(start: bigint) {
  return Number(process.hrtime.bigint() - start) / 1e6
}

async function seed(sql: ReturnType<typeof rawSql>) {
  const created = await createAccount({ email: 'busy.doctor@bench.rounds.local', passwordHash: '!bench', dateOfBirth: '1980-01-01', name: 'Dr Busy Bench' })
  if (!created) throw new Error('Could not create the bench doctor.')
  const me = created.userId
  const comments = Math.round(ROWS * 0.35)
  const attendance = Math.round(ROWS * 0.25)
  const questions = Math.round(ROWS * 0.1)
  const votes = Math.round(ROWS * 0.1)
  const answers = Math.round(ROWS * 0.1)
  const follows = ROWS - comments - attendance - questions - votes - answers
  const others = Math.max(100, Math.ceil(follows / 2))
  await sql`insert into users (id, email, password_hash, date_of_birth, email_verified_at)
    select 'u' || g, 'other' || g || '@bench.rounds.local', '!bench', '1980-01-01', now() from generate_series(1, ${others}) g`
  await sql`insert into profiles (user_id, handle, name) select 'u' || g, 'other-' || g, 'Dr Other ' || g from generate_series(1, ${others}) g`
  await sql`insert into clubs (id, slug, name, owner_id) values ('c1', 'bench-club', 'Bench Club', 'u1')`
  await sql`insert into club_members (club_id, user_id, role) select 'c1', 'u' || g, case when g = 1 then 'owner' else 'member' end::club_role from generate_series(1, ${others}) g`
  await sql`insert into club_members (club_id, user_id) values ('c1', ${me})`
  await sql`insert into talks (id, club_id, host_id, title, starts_at, status) select 't' || g, 'c1', 'u1', 'Bench talk ' || g, now() - g * interval '1 day', 'ended' from generate_series(1, 200) g`
  await sql`insert into talk_comments (id, talk_id, user_id, body) select 'cm' || g, 't' || (1 + g % 200), ${me}, 'Comment number ' || g || ' on the ECG findings' from generate_series(1, ${comments}) g`
  await sql`insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at, left_at) select 'at' || g, 't' || (1 + g % 200), ${me}, 's' || g, now() - interval '2 hours', now() - interval '1 hour' from generate_series(1, ${attendance}) g`
  await sql`insert into talk_questions (id, talk_id, user_id, body) select 'mq' || g, 't' || (1 + g % 200), ${me}, 'Question ' || g || ': what dose?' from generate_series(1, ${questions}) g`
  await sql`insert into talk_questions (id, talk_id, user_id, body) select 'oq' || g, 't' || (1 + g % 200), 'u' || (1 + g % ${others}), 'Their question ' || g from generate_series(1, ${votes}) g`
  await sql`insert into talk_question_votes (question_id, user_id) select 'oq' || g, ${me} from generate_series(1, ${votes}) g`
  await sql`insert into quizzes (id, club_id, author_id, title, kind, status) values ('q1', 'c1', 'u1', 'Bench quiz', 'quiz', 'closed')`
  await sql`insert into quiz_questions (id, quiz_id, position, prompt) select 'qq' || g, 'q1', g, 'Question ' || g from generate_series(1, ${answers}) g`
  await sql`insert into quiz_answers (id, quiz_id, question_id, user_id, option_ids, correct, points) select 'qa' || g, 'q1', 'qq' || g, ${me}, '{}', g % 2 = 0, 100 from generate_series(1, ${answers}) g`
  const following = Math.ceil(follows / 2)
  await sql`insert into follows (follower_id, followee_id) select ${me}, 'u' || g from generate_series(1, ${following}) g`
  await sql`insert into follows (follower_id, followee_id) select 'u' || g, ${me} from generate_series(1, ${follows - following}) g`
  await sql`analyze`
  return { me, counts: { talk_comments: comments, talk_attendance: attendance, talk_questions: questions, talk_question_votes: votes, quiz_answers: answers, follows } }
}

async function main() {
  if (values.only === 'retention') {
    rmSync(dataDir, { recursive: true, force: true })
    return retentionBench()
  }
  const pg = await startTestPostgres()
  const name = `rounds_bench_privacy_${process.pid}`
  const url = await createDatabase(pg.serverUrl, name)
  try {
    await migrateDatabase(url)
    await openDatabase({ url, runMigrations: false, maxConnections: 5 })
    const sql = rawSql()
    const seedStart = process.hrtime.bigint()
    const { me, counts } = await seed(sql)
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    console.log(`Seeded one doctor with ${total} activity rows in ${(ms(seedStart) / 1000).toFixed(1)} s:`, counts)

    const baseline: number[] = []
    for (let i = 0; i < 200; i++) {
      const start = process.hrtime.bigint()
      await sql`select 1`
      baseline.push(ms(start))
    }
    baseline.sort((a, b) => a - b)

    const viewer = { userId: me, role: 'member' as const }
    const { id: exportId } = await requestExport(viewer)
    const exportStart = process.hrtime.bigint()
    const exportRun = await runDueJobs()
    const exportMs = ms(exportStart)
    const [exported] = await sql<{ status: string; export_file: string | null }[]>`select status, export_file from data_requests where id = ${exportId}`
    if (exported.status !== 'completed' || !exported.export_file || exportRun.failed) throw new Error(`The export did not complete (${exported.status}).`)
    const zipBytes = statSync(exportPath(exported.export_file)).size

    const asked = new Date()
    await requestErasure(viewer, asked)
    const later = new Date(asked.getTime() + 8 * DAY)
    const eraseStart = process.hrtime.bigint()
    const eraseRun = await runDueJobs({ now: () => later })
    const eraseMs = ms(eraseStart)
    const [left] = await sql<{ n: number }[]>`
      select (select count(*) from users where id = ${me}) + (select count(*) from talk_comments where user_id = ${me})
        + (select count(*) from talk_attendance where user_id = ${me}) + (select count(*) from follows where follower_id = ${me} or followee_id = ${me})
        + (select count(*) from talk_question_votes where user_id = ${me}) + (select count(*) from quiz_answers where user_id = ${me}) as n`
    if (eraseRun.failed || Number(left.n) !== 0) throw new Error(`The erasure did not complete (${left.n} rows left).`)

    const verdict = (value: number) => (value < TARGET_MS ? 'PASS' : 'FAIL')
    console.log('')
    console.log(`baseline  select 1           p50 ${baseline[100].toFixed(2)} ms   p99 ${baseline[197].toFixed(2)} ms`)
    console.log(`export    ${total} rows → ZIP   ${exportMs.toFixed(0).padStart(6)} ms   (${(zipBytes / 1024).toFixed(0)} KiB)   target < ${TARGET_MS} ms: ${verdict(exportMs)}`)
    console.log(`erasure   ${total} rows         ${eraseMs.toFixed(0).padStart(6)} ms   target < ${TARGET_MS} ms: ${verdict(eraseMs)}`)
  } finally {
    await closeDatabase()
    await dropDatabase(pg.serverUrl, name).catch(() => {})
    await pg.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  await retentionBench()
}

// ---------------------------------------------------------------- the retention job on a live server

/** The page measured: a public profile, read by another signed-in doctor (both made by the bench). */
let PAGE_PATH = ''
/** Requests in flight at once while measuring the page: a steady stream, not saturation. */
const PAGE_CLIENTS = 2

async function signInOver(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: baseUrl },
    body: new URLSearchParams({ email, password, redirectTo: '/' }),
  })
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('rounds_session=') && c.length > 'rounds_session='.length)
  if (!cookie) throw new Error(`Sign-in as ${email} failed: HTTP ${res.status}.`)
  return cookie
}

/** Loads the page from PAGE_CLIENTS loops until `until` resolves (or `ms` pass); returns each load's time. */
async function loadPage(baseUrl: string, cookie: string, until: Promise<unknown>) {
  const samples: number[] = []
  let done = false
  void until.finally(() => (done = true))
  const client = async () => {
    while (!done) {
      const start = process.hrtime.bigint()
      const res = await fetch(`${baseUrl}${PAGE_PATH}`, { headers: { Cookie: cookie, 'Accept-Encoding': 'gzip, br' } })
      const body = await res.text()
      if (res.status !== 200 || !body.includes('Dr Bench Subject')) throw new Error(`GET ${PAGE_PATH} answered ${res.status}.`)
      samples.push(ms(start))
    }
  }
  await Promise.all(Array.from({ length: PAGE_CLIENTS }, client))
  return samples
}

async function retentionBench() {
  console.log('')
  console.log(`Retention: starting the real server (builds the app first if it changed)…`)
  const app = await startAppServer({ env: { SEED_DEMO_DATA: 'false' } })
  try {
    await openDatabase({ url: app.databaseUrl, runMigrations: false, maxConnections: 3 })
    const sql = rawSql()
    const subject = await createDoctor({ name: 'Dr Bench Subject', profile: { visibility: 'public', bio: 'Cardiology, Pune.' } })
    const reader = await createDoctor({ name: 'Dr Bench Reader' })
    PAGE_PATH = `/u/${subject.handle}`
    await sql`insert into users (id, email, password_hash, date_of_birth, email_verified_at)
      select 'bench-u' || g, 'bench' || g || '@bench.rounds.local', '!bench', '1980-01-01', now() from generate_series(1, 200) g`
    const people = [subject.id, reader.id, ...Array.from({ length: 200 }, (_, i) => `bench-u${i + 1}`)]
    const seedStart = process.hrtime.bigint()
    // Old views spread over the demo people, 181 days to about a year old; plus a day of recent ones that stay.
    await sql`insert into activity_events (id, user_id, kind, subject, created_at)
      select gen_random_uuid()::text, (${people}::text[])[1 + g % ${people.length}], 'talk', 'talk-' || (g % 500),
        now() - interval '181 days' - (g % 15000000) * interval '1 second'
      from generate_series(1, ${RETENTION_ROWS}) g`
    await sql`insert into activity_events (id, user_id, kind, subject, created_at)
      select gen_random_uuid()::text, (${people}::text[])[1 + g % ${people.length}], 'profile', 'p-' || g, now() - (g % 86400) * interval '1 second'
      from generate_series(1, 10000) g`
    await sql`vacuum analyze activity_events`
    console.log(`Seeded ${RETENTION_ROWS.toLocaleString('en')} activity rows past the limit (and 10,000 recent) in ${(ms(seedStart) / 1000).toFixed(1)} s.`)

    const cookie = await signInOver(app.baseUrl, reader.email, reader.password)
    // Warm-up, then the baseline with nothing else running.
    await loadPage(app.baseUrl, cookie, new Promise((r) => setTimeout(r, 3000)))
    const baseline = stats(await loadPage(app.baseUrl, cookie, new Promise((r) => setTimeout(r, BASELINE_SECONDS * 1000))))

    const jobStart = process.hrtime.bigint()
    const job = applyRetentionSchedule(new Date())
    const [during, runs] = await Promise.all([loadPage(app.baseUrl, cookie, job), job])
    const jobMs = ms(jobStart)
    const duringStats = stats(during)
    const activity = runs.find((r) => r.rule === 'activity-events')!
    const [left] = await sql<{ old: number; recent: number }[]>`
      select count(*) filter (where created_at < now() - interval '180 days')::int as old,
        count(*) filter (where created_at >= now() - interval '180 days')::int as recent from activity_events`
    if (left.old !== 0 || left.recent < 10000) throw new Error(`The retention job left ${left.old} old rows and ${left.recent} recent ones.`)

    const ratio = duringStats.p99 / baseline.p99
    console.log('')
    console.log(loadLine())
    console.log(`page      GET ${PAGE_PATH} (signed in), ${PAGE_CLIENTS} clients`)
    console.log(`  baseline          n ${String(baseline.n).padStart(5)}   p50 ${fmt(baseline.p50)} ms   p99 ${fmt(baseline.p99)} ms   max ${fmt(baseline.max)} ms`)
    console.log(`  during the job    n ${String(duringStats.n).padStart(5)}   p50 ${fmt(duringStats.p50)} ms   p99 ${fmt(duringStats.p99)} ms   max ${fmt(duringStats.max)} ms`)
    console.log(
      `retention ${activity.rows.toLocaleString('en')} activity rows deleted in ${activity.batches} batches; whole schedule ${jobMs.toFixed(0)} ms   target < ${RETENTION_TARGET_MS} ms: ${jobMs < RETENTION_TARGET_MS ? 'PASS' : 'FAIL'}`,
    )
    console.log(`page p99 during / baseline = ${fmt(ratio, 2)}×   target < ${RETENTION_P99_RATIO}×: ${ratio < RETENTION_P99_RATIO ? 'PASS' : 'FAIL'}`)
  } finally {
    await closeDatabase()
    await app.stop()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[bench:privacy] Could not run:', error)
    process.exit(1)
  },
)
