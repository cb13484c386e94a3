/**
 * `npm run bench:live` — comment fan-out in one live talk, real server against bare Socket.io.
 *
 *   npm run bench:live -- --clients 2000 --comments 200 --rate 20 --senders 50 --outage-comments 20 --fresh 0.1
 *   npm run bench:live -- --only join     # the join storm alone: audience joins, then stop (bare, then ours)
 *
 * 1. Starts the real production server (`server/index.ts`, tests/support/app-server.ts) in its
 *    own process on a fresh database with demo data. Inserts, in one statement, the audience and
 *    sender users (verified, a month old so the new-account limits do not apply, profile
 *    `bench-<n>`, a session row each), gives the demo host
 *    asha.rao@demo.rounds.local a session, and schedules a talk in her public club
 *    `cardiology-grand-rounds`.
 * 2. Starts the bare server (tests/bench/bare-socket-server.ts): `/live`, one room, broadcast only.
 * 3. For each target (bare first, then ours) a separate load process (tests/bench/live-clients.ts)
 *    connects the audience and the senders, joins them, and the senders post the comments at a
 *    steady rate (round-robin, each sender under the 5-per-10-s comment limit). Fan-out latency
 *    (send → `comment:new` on each audience client), deliveries/s, and the server process's CPU
 *    (utime+stime from /proc/<pid>/stat) over the send window.
 * 4. Ours only: every audience connection drops at once and reconnects while the senders keep
 *    posting; recovered clients must have every comment, the others resync with `talk:join`.
 *    `--fresh` (default 0.1) of the audience disconnect and connect instead (no recovery, like a
 *    reload), so the resync path is exercised too. Missed comments are listed by seq, and split by
 *    whether their ack (the server broadcasts right after acking) came before or after the client's
 *    `connect` event.
 *
 * 100 doctors outside the room have blocked every sender, so block filtering runs on every comment.
 * Targets: every client held, p95 < 250 ms, our deliveries/s ≥ 0.7× bare.
 * Exit code 0 when the bench ran (targets PASS or FAIL), 1 when it could not run.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { startAppServer, type AppServer } from '../support/app-server'
import type { ClientMessage, ClientsConfig, PhaseResult, ReconnectResult } from './live-clients'

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '2000' },
    comments: { type: 'string', default: '200' },
    rate: { type: 'string', default: '20' },
    senders: { type: 'string', default: '50' },
    'outage-comments': { type: 'string', default: '20' },
    fresh: { type: 'string', default: '0.1' },
    only: { type: 'string' },
  },
  allowPositionals: false,
})
const CLIENTS = Number(values.clients)
const COMMENTS = Number(values.comments)
const RATE = Number(values.rate)
const SENDERS = Number(values.senders)
const OUTAGE_COMMENTS = Number(values['outage-comments'])
const FRESH = Number(values.fresh)
const JOIN_ONLY = values.only === 'join'
if (values.only !== undefined && !JOIN_ONLY) throw new Error('--only takes one value: join')
/** Doctors, not in the room, who have each blocked every sender. */
const BLOCKERS = 100
const P95_TARGET_MS = 250
const RATIO_TARGET = 0.7
const HOST_EMAIL = 'asha.rao@demo.rounds.local'
const CLUB_SLUG = 'cardiology-grand-rounds'
const here = import.meta.dirname

class BenchError extends Error {}

for (const [name, value] of Object.entries({ CLIENTS, COMMENTS, RATE, SENDERS })) {
  if (!Number.isFinite(value) || value < 1) throw new BenchError(`--${name.toLowerCase()} must be a positive number`)
}
if (SENDERS * 5 < (RATE * 10) / 1) {
  console.warn(`warning: ${SENDERS} senders at ${RATE}/s exceed the comment limit (5 per 10 s each); expect refusals`)
}

// ---------------------------------------------------------------- processes and CPU

const children = new Set<ChildProcess>()
let server: AppServer | undefined
let sql: postgres.Sql | undefined
let cleaning: Promise<void> | undefined

function cleanup() {
  cleaning ??= (async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await sql?.end({ timeout: 5 }).catch(() => {})
    await server?.stop().catch(() => {})
  })()
  return cleaning
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`)
    void cleanup().finally(() => process.exit(1))
  })
}

const TICKS = 100 // USER_HZ on Linux
function cpuTicks(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14 and 15)
}
/** Busy ticks of the whole machine (all cores), from /proc/stat. */
function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const [user, nice, system, , , irq, softirq, steal] = fields
  return user + nice + system + irq + softirq + (steal ?? 0)
}
/** CPU % (one core = 100%) of each pid, then of the whole machine, since the call. */
function cpuMeter(pids: number[]) {
  const start = [...pids.map(cpuTicks), machineTicks()]
  const t0 = performance.now()
  return () => {
    const seconds = (performance.now() - t0) / 1000
    const now = [...pids.map(cpuTicks), machineTicks()]
    return now.map((ticks, i) => ((ticks - start[i]) / TICKS / seconds) * 100)
  }
}

/** startAppServer does not expose its child: the `server/index.ts` process whose PORT is ours. */
function findServerPid(port: string) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (!cmdline.includes('server/index.ts')) continue
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0')
      if (environ.includes(`PORT=${port}`)) return Number(entry)
    } catch {
      // gone, or not ours to read
    }
  }
  throw new BenchError(`Could not find the server process for port ${port}`)
}

function startBareServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.join(here, 'bare-socket-server.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  children.add(child)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new BenchError('The bare server did not start in 30 s')), 30_000)
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer)
      resolve({ child, port: message.port })
    })
    child.once('exit', (code) => reject(new BenchError(`The bare server exited (${code})`)))
  })
}

type Run = { phase: PhaseResult; reconnect: ReconnectResult | null; serverCpu: number; loadCpu: number; machineCpu: number }

/** One load process against one server; CPU of `serverPid` and of the load process over the send window. */
function runClients(config: ClientsConfig, serverPid: number): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'live-clients.ts')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.add(child)
  let meter: (() => number[]) | undefined
  let cpu = [NaN, NaN, NaN]
  let phase: PhaseResult | undefined
  let reconnect: ReconnectResult | null = null
  return new Promise<Run>((resolve, reject) => {
    child.on('message', (message: ClientMessage) => {
      switch (message.type) {
        case 'progress':
          console.log(`  [${message.label}] connected ${message.connected}/${message.target}, joined ${message.joined}`)
          break
        case 'window-start':
          meter = cpuMeter([serverPid, child.pid!])
          break
        case 'window-end':
          if (meter) cpu = meter()
          break
        case 'phase':
          phase = message.result
          break
        case 'reconnect':
          reconnect = message.result
          break
        case 'fatal':
          reject(new BenchError(`[${config.label}] load process failed: ${message.error}`))
          break
      }
    })
    child.once('exit', (code) => {
      children.delete(child)
      if (!phase) return reject(new BenchError(`[${config.label}] load process exited (${code}) without results`))
      if (config.reconnect && !reconnect) return reject(new BenchError(`[${config.label}] load process exited (${code}) before the reconnect phase finished`))
      resolve({ phase, reconnect, serverCpu: cpu[0], loadCpu: cpu[1], machineCpu: cpu[2] })
    })
    child.send({ type: 'config', config })
  })
}

// ---------------------------------------------------------------- the run

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL')

async function main() {
  console.log(`bench:live — ${CLIENTS} clients in one talk, ${COMMENTS} comments at ${RATE}/s from ${SENDERS} senders`)
  console.log(`node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  const t0 = performance.now()
  server = await startAppServer()
  const port = new URL(server.baseUrl).port
  const serverPid = findServerPid(port)
  console.log(`server up in ${Math.round(performance.now() - t0)} ms at ${server.baseUrl} (pid ${serverPid})`)

  sql = postgres(server.databaseUrl, { max: 2, onnotice: () => {} })
  const people = CLIENTS + SENDERS
  const rows = await sql<{ g: number; sid: string }[]>`
    with n as (
      select g, gen_random_uuid()::text as id, substr(md5(random()::text) || md5(random()::text), 1, 40) as sid
      from generate_series(1, ${people}::int) g),
    u as (
      insert into users (id, email, password_hash, date_of_birth, email_verified_at, created_at)
      select id, 'bench-' || g || '@bench.rounds.local', '!bench', '1985-01-01', now(), now() - interval '30 days' from n),
    p as (insert into profiles (user_id, handle, name) select id, 'bench-' || g, 'Dr Bench ' || g from n),
    -- Fourteen days, as after the talk page that a person opens just before joining: that page
    -- slides the session forward, so the socket's own handshake has nothing to write.
    s as (insert into sessions (id, user_id, expires_at, created_at) select encode(sha256(convert_to(sid, 'UTF8')), 'hex'), id, now() + interval '14 days', now() from n)
    select g, sid from n order by g`
  const cookies = rows.map((r) => `rounds_session=${r.sid}`)
  // Block filtering has work to do: BLOCKERS doctors outside the room have each blocked every
  // sender, so each comment's "not to receive" read returns them and its broadcast passes their
  // rooms by. They hold no socket, so every delivery the clients count is still due.
  const [blocks] = await sql<{ n: number }[]>`
    with b as (
      select gen_random_uuid()::text as id, g from generate_series(1, ${BLOCKERS}::int) g),
    u as (
      insert into users (id, email, password_hash, date_of_birth, email_verified_at, created_at)
      select id, 'bench-blocker-' || g || '@bench.rounds.local', '!bench', '1985-01-01', now(), now() - interval '30 days' from b
      returning id),
    senders as (select id from users
      where (case when email ~ '^bench-[0-9]+@bench[.]rounds[.]local$' then split_part(split_part(email, '@', 1), '-', 2)::int end) > ${CLIENTS}::int),
    r as (
      insert into person_relations (user_id, other_id, kind)
      select u.id, senders.id, 'block' from u, senders
      returning 1)
    select count(*)::int as n from r`
  const [talk] = await sql<{ talkId: string; hostSid: string }[]>`
    with h as (select id from users where email = ${HOST_EMAIL}),
    c as (select id from clubs where slug = ${CLUB_SLUG}),
    t as (
      insert into talks (id, club_id, host_id, title, description, starts_at, status)
      select gen_random_uuid()::text, c.id, h.id, 'Bench: comment fan-out', '', now(), 'scheduled' from h, c
      returning id),
    k as (select substr(md5(random()::text) || md5(random()::text), 1, 40) as sid),
    s as (
      insert into sessions (id, user_id, expires_at, created_at)
      select encode(sha256(convert_to(k.sid, 'UTF8')), 'hex'), h.id, now() + interval '1 day', now() from h, k
      returning id)
    select t.id as "talkId", k.sid as "hostSid" from t, s, k`
  if (!talk) throw new BenchError(`The demo host ${HOST_EMAIL} or club ${CLUB_SLUG} is missing`)
  console.log(`${people} users with sessions, ${blocks?.n ?? 0} blocks of the senders, and the talk ready at ${Math.round(performance.now() - t0)} ms`)

  const base: Omit<ClientsConfig, 'url' | 'origin' | 'label' | 'hostCookie' | 'reconnect'> = {
    talkId: talk.talkId,
    audienceCookies: cookies.slice(0, CLIENTS),
    senderCookies: cookies.slice(CLIENTS),
    comments: COMMENTS,
    rate: RATE,
    batchSize: 100,
    batchGapMs: 100,
    outageComments: OUTAGE_COMMENTS,
    freshFraction: Number.isFinite(FRESH) ? Math.min(1, Math.max(0, FRESH)) : 0,
    joinOnly: JOIN_ONLY,
  }

  console.log('\nbare Socket.io server')
  const bare = await startBareServer()
  const bareUrl = `http://127.0.0.1:${bare.port}`
  const bareRun = await runClients({ ...base, url: bareUrl, origin: bareUrl, label: 'bare', hostCookie: null, reconnect: false }, bare.child.pid!)
  bare.child.kill('SIGTERM')
  printPhase(bareRun)

  console.log('\nRounds server')
  const oursRun = await runClients(
    { ...base, url: server.baseUrl.replace('localhost', '127.0.0.1'), origin: server.baseUrl, label: 'ours', hostCookie: `rounds_session=${talk.hostSid}`, reconnect: !JOIN_ONLY },
    serverPid,
  )
  printPhase(oursRun)
  if (JOIN_ONLY) {
    const joinRatio = oursRun.phase.rampMs / bareRun.phase.rampMs
    console.log('\njoin storm')
    console.log(`  ours ${fmt(oursRun.phase.rampMs)} ms, bare ${fmt(bareRun.phase.rampMs)} ms, ratio ${fmt(joinRatio, 2)} (target ≤ 2) ${verdict(joinRatio <= 2)}`)
    console.log(`  joined: ours ${oursRun.phase.joined}/${CLIENTS} (${oursRun.phase.joinFailures} failures), bare ${bareRun.phase.joined}/${CLIENTS}`)
    console.log(`  load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
    return
  }

  const ours = oursRun.phase
  const ratio = ours.deliveriesPerSec / bareRun.phase.deliveriesPerSec
  const held = ours.joined === CLIENTS && ours.heldAtEnd === CLIENTS
  const r = oursRun.reconnect!
  console.log('\nreconnect (ours): every audience connection dropped at once, senders kept posting')
  console.log(`  ${r.dropped - r.fresh} dropped the transport (socket.io.engine.close(), recoverable); ${r.fresh} disconnected and reconnected (no recovery, like a reload)`)
  console.log(`  dropped ${r.dropped}, back ${r.reconnected} in ${fmt(r.reconnectMs)} ms, not back ${r.notReconnected}; ${r.outageSent}/${OUTAGE_COMMENTS} comments posted during the outage (${r.outageSendErrors} refused)`)
  console.log(`  recovered (socket.recovered): ${r.recovered}, of which ${r.recoveredComplete} have every comment; ${r.recoveredMissing} comments missing in total`)
  console.log(`    of the comments they have, ${r.recoveredViaSync} came from the sync after recovery rather than from replay`)
  console.log(`    sync ack p50 ${fmt(r.syncAckMs.p50)} ms, p95 ${fmt(r.syncAckMs.p95)} ms, max ${fmt(r.syncAckMs.max)} ms; ${r.syncRetried} synced on a retry, ${r.syncFellBackToJoin} fell back to talk:join`)
  if (r.recoveredWithGaps > 0) {
    const seqs = Object.keys(r.missingBySeq).map(Number).sort((a, b) => a - b)
    const outage = seqs.filter((seq) => seq >= COMMENTS).length
    console.log(`  ${r.recoveredWithGaps} recovered clients have gaps: seqs ${seqs[0]}–${seqs.at(-1)} (${outage} of ${seqs.length} distinct seqs posted during the outage; seq ≥ ${COMMENTS})`)
    console.log(`  of the comments they missed, ${r.missedAckedBeforeConnect} were acked (and broadcast) before that client's 'connect' event, ${r.missedAckedAfterConnect} after it`)
    console.log(`  missed per seq: ${seqs.slice(0, 25).map((seq) => `${seq}×${r.missingBySeq[seq]}`).join(' ')}${seqs.length > 25 ? ' …' : ''}`)
  }
  console.log(`  not recovered → talk:join: ${r.resynced} resynced, ${r.resyncedComplete} have every outage comment (received or in state.comments); ${r.resyncedMissing} missing in total`)
  if (r.resyncFailures > 0) {
    const counts = Object.entries(r.resyncErrors).sort((a, b) => b[1] - a[1])
    console.log(`  ${r.resyncFailures} failed sync/join acks (${r.unsynced} clients left without the room's state); first: ${r.firstResyncError}`)
    console.log(`  failed acks by error: ${counts.map(([message, n]) => `${n}× ${message}`).join('; ')}`)
  }
  const resyncSeqs = Object.keys(r.resyncedMissingBySeq).map(Number).sort((a, b) => a - b)
  if (resyncSeqs.length) console.log(`  resynced clients missed (seq×clients): ${resyncSeqs.map((seq) => `${seq}×${r.resyncedMissingBySeq[seq]}`).join(' ')}`)
  const reconnectOk = r.notReconnected === 0 && r.recoveredMissing === 0 && r.unsynced === 0 && r.resyncedMissing === 0 && r.outageSendErrors === 0

  console.log('\nsummary')
  console.log(`  clients held:        ${ours.joined}/${CLIENTS} joined, ${ours.heldAtEnd} still connected after the comments ${verdict(held)}`)
  console.log(`  join storm:          ours ${fmt(ours.rampMs)} ms, bare ${fmt(bareRun.phase.rampMs)} ms, ratio ${fmt(ours.rampMs / bareRun.phase.rampMs, 2)} (target ≤ 2) ${verdict(ours.rampMs / bareRun.phase.rampMs <= 2)}`)
  console.log(`  fan-out latency p95: ours ${fmt(ours.p95)} ms, bare ${fmt(bareRun.phase.p95)} ms (target < ${P95_TARGET_MS} ms) ${verdict(ours.p95 < P95_TARGET_MS)}`)
  console.log(`  throughput:          ours ${fmt(ours.deliveriesPerSec)}/s, bare ${fmt(bareRun.phase.deliveriesPerSec)}/s, ratio ${fmt(ratio, 2)} (target ≥ ${RATIO_TARGET}) ${verdict(ratio >= RATIO_TARGET)}`)
  console.log(`  deliveries:          ours ${ours.delivered}/${ours.expected}, bare ${bareRun.phase.delivered}/${bareRun.phase.expected} ${verdict(ours.delivered === ours.expected)}`)
  console.log(`  reconnect:           ${r.recovered} recovered, ${r.resynced} resynced, ${r.recoveredMissing + r.resyncedMissing} comments missing ${verdict(reconnectOk)}`)
  console.log(`  server CPU (1 core = 100%): ours ${fmt(oursRun.serverCpu)}%, bare ${fmt(bareRun.serverCpu)}%; load process ${fmt(oursRun.loadCpu)}% / ${fmt(bareRun.loadCpu)}%`)
  console.log(`  load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  // What the server said about trouble (dropped slow consumers, warnings, errors), counted by line.
  const trouble = new Map<string, number>()
  for (const line of server.output.join('').split('\n')) {
    if (!/slow consumer|warn|error|could not|failed/i.test(line)) continue
    const key = line.replace(/\d+/g, 'N').slice(0, 160)
    trouble.set(key, (trouble.get(key) ?? 0) + 1)
  }
  for (const [line, n] of trouble) console.log(`  server said ${n}×: ${line}`)
  console.log('  note: the offered load is fixed (the same comments at the same rate), so the throughput ratio shows whether')
  console.log('  ours keeps up with bare, not its ceiling; the server, Postgres and the load process share the 2 cores.')
}

function printPhase(run: Run) {
  const p = run.phase
  console.log(`  [${p.label}] connected ${p.connected}, joined ${p.joined} in ${fmt(p.rampMs)} ms (${p.connectFailures} connect and ${p.joinFailures} join failures${p.firstError ? `; first: ${p.firstError}` : ''})`)
  console.log(`  [${p.label}] sent ${p.sent}/${COMMENTS} in ${fmt(p.sendWindowMs)} ms (${p.sendErrors} refused${p.firstSendError ? `: ${p.firstSendError}` : ''}); delivered ${p.delivered}/${p.expected}`)
  console.log(`  [${p.label}] latency p50 ${fmt(p.p50, 1)} ms, p95 ${fmt(p.p95, 1)} ms, p99 ${fmt(p.p99, 1)} ms, max ${fmt(p.max, 1)} ms`)
  console.log(`  [${p.label}] ${fmt(p.deliveriesPerSec)} deliveries/s over ${fmt(p.windowMs)} ms; server CPU ${fmt(run.serverCpu)}%, load process CPU ${fmt(run.loadCpu)}%, whole machine ${fmt(run.machineCpu)}% of ${os.cpus().length * 100}%`)
}

let exitCode = 0
try {
  await main()
} catch (error) {
  exitCode = 1
  console.error('\nbench:live could not run:', error instanceof BenchError ? error.message : error)
  if (server) console.error(server.output.slice(-20).join(''))
} finally {
  await cleanup()
}
process.exit(exitCode)
