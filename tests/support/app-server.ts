import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildIfStale } from '../../scripts/build-if-stale.mjs'
import { serverNodeArgs } from '../../scripts/server-process.mjs'
import { createDatabase, dropDatabase, freePort, startTestPostgres } from './postgres'

export type AppServer = {
  baseUrl: string
  databaseUrl: string
  /** Lines the server printed, for failure messages. */
  output: string[]
  stop: () => Promise<void>
}

/**
 * Builds the app if needed and runs the real server (`server/index.ts`, as
 * `npm start` does) on a free port, with demo data on a fresh database — or, with
 * `databaseUrl`, on another server's database (a second node), which it leaves in place.
 */
export async function startAppServer(options: { env?: Record<string, string>; databaseUrl?: string } = {}): Promise<AppServer> {
  buildIfStale({ quiet: true })
  const shared = options.databaseUrl !== undefined
  const pg = shared ? { serverUrl: new URL(options.databaseUrl!), stop: async () => {} } : await startTestPostgres()
  const name = `rounds_app_${process.pid}_${Date.now()}`
  const databaseUrl = options.databaseUrl ?? (await createDatabase(pg.serverUrl, name))
  const port = await freePort()
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rounds-app-'))
  const root = path.resolve(import.meta.dirname, '../..')
  const output: string[] = []
  const child: ChildProcess = spawn(process.execPath, serverNodeArgs, {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://localhost:${port}`,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      // Servers of one database share their Redis keys, as the nodes of one deployment do; servers of
      // other test runs on the same Redis count their own sign-in tries.
      REDIS_PREFIX: `test-${new URL(databaseUrl).pathname.slice(1)}`,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()))
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()))
  const baseUrl = `http://localhost:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited early:\n${output.join('')}`)
    try {
      const res = await fetch(`${baseUrl}/healthz`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`The server did not start in time:\n${output.join('')}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    baseUrl,
    databaseUrl,
    output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      if (!shared) await dropDatabase(pg.serverUrl, name)
      await pg.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
