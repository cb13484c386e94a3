import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { migrationsFolder, startEmbeddedPostgres } from '../../db/client'

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** A Postgres server for a test run: DATABASE_URL's when set, otherwise a throwaway embedded one. */
export async function startTestPostgres(): Promise<{ serverUrl: URL; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    return { serverUrl: new URL(process.env.DATABASE_URL), stop: async () => {} }
  }
  const parent = mkdtempSync(path.join(os.tmpdir(), 'rounds-test-pg-'))
  // Readable by the postgres user the package runs the server as when we are root.
  chmodSync(parent, 0o755)
  const dataDir = path.join(parent, 'data')
  const { server, url } = await startEmbeddedPostgres({ dataDir, port: await freePort() })
  return {
    serverUrl: new URL(url),
    stop: async () => {
      await server.stop()
      rmSync(path.dirname(dataDir), { recursive: true, force: true })
    },
  }
}

export function databaseUrl(serverUrl: URL, name: string) {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function withAdmin<T>(serverUrl: URL, run: (sql: postgres.Sql) => Promise<T>) {
  const sql = postgres(databaseUrl(serverUrl, 'postgres'), { max: 1, onnotice: () => {} })
  try {
    return await run(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

export async function createDatabase(serverUrl: URL, name: string, template?: string) {
  await withAdmin(serverUrl, async (sql) => {
    await sql.unsafe(`drop database if exists "${name}" with (force)`)
    await sql.unsafe(`create database "${name}"${template ? ` template "${template}"` : ''}`)
  })
  return databaseUrl(serverUrl, name)
}

export async function dropDatabase(serverUrl: URL, name: string) {
  await withAdmin(serverUrl, (sql) => sql.unsafe(`drop database if exists "${name}" with (force)`))
}

export async function migrateDatabase(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await migrate(drizzle(sql), { migrationsFolder })
  } finally {
    await sql.end({ timeout: 5 })
  }
}
