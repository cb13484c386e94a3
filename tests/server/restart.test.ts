import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildIfStale } from '../../scripts/build-if-stale.mjs'
import { freePort } from '../support/postgres'

// `npm start` on a fresh machine: the embedded Postgres in DATA_DIR, demo data,
// a clean stop on SIGTERM, and everything people created still there after a restart.

const root = path.resolve(import.meta.dirname, '../..')
let dataDir: string
let port: number
let pgPort: number
let baseUrl: string

function startServer() {
  const output: string[] = []
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: baseUrl,
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(pgPort),
  }
  delete env.DATABASE_URL
  delete env.REDIS_URL
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/index.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()))
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()))
  return { child, output }
}

async function waitHealthy(child: ChildProcess, output: string[]) {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${output.join('')}`)
    const ok = await fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false)
    if (ok) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`server did not start:\n${output.join('')}`)
}

async function stop(child: ChildProcess) {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  child.kill('SIGTERM')
  return exited
}

function cookieFrom(res: Response) {
  const raw = res.headers.get('set-cookie') ?? ''
  return raw.split(';')[0]
}

beforeAll(async () => {
  buildIfStale({ quiet: true })
  const parent = mkdtempSync(path.join(os.tmpdir(), 'rounds-restart-'))
  chmodSync(parent, 0o755)
  dataDir = path.join(parent, 'data')
  port = await freePort()
  pgPort = await freePort()
  baseUrl = `http://localhost:${port}`
}, 180_000)

afterAll(() => {
  rmSync(path.dirname(dataDir), { recursive: true, force: true })
})

describe('the server on its embedded Postgres', () => {
  it('serves demo data, stops cleanly and keeps what people created across a restart', async () => {
    const first = startServer()
    await waitHealthy(first.child, first.output)
    expect(first.output.join('')).toContain('Added demo clubs, doctors and talks.')
    const home = await fetch(`${baseUrl}/`).then((r) => r.text())
    expect(home).toContain('Cardiology Grand Rounds')

    const email = `restart.${Date.now()}@example.org`
    const form = new URLSearchParams({ name: 'Rhea Restart', email, password: 'a sturdy ward-round phrase', dateOfBirth: '1985-03-04' })
    const signup = await fetch(`${baseUrl}/signup`, {
      method: 'POST',
      body: form,
      headers: { origin: baseUrl },
      redirect: 'manual',
    })
    expect(signup.status).toBe(302)
    const mailbox = await fetch(`${baseUrl}/dev/mailbox?to=${encodeURIComponent(email)}`).then((r) => r.text())
    const code = /(\d{6}) is your Rounds code/.exec(mailbox)?.[1]
    expect(code).toMatch(/^\d{6}$/)
    const verify = await fetch(`${baseUrl}/verify`, {
      method: 'POST',
      body: new URLSearchParams({ intent: 'verify', email, code: code! }),
      headers: { origin: baseUrl },
      redirect: 'manual',
    })
    expect(verify.status).toBe(302)
    const cookie = cookieFrom(verify)
    expect(cookie).toMatch(/^rounds_session=/)

    expect(await stop(first.child)).toBe(0)
    expect(first.output.join('')).toContain('Stopped cleanly.')

    const second = startServer()
    await waitHealthy(second.child, second.output)
    expect(second.output.join('')).not.toContain('Added demo clubs')
    const settings = await fetch(`${baseUrl}/settings/profile`, { headers: { cookie }, redirect: 'manual' })
    expect(settings.status).toBe(200)
    expect(await settings.text()).toContain('Rhea Restart')
    await checkHttpGuards()
    expect(await stop(second.child)).toBe(0)
  }, 180_000)
})

/** What every request passes through before Remix: origin check, body limit, headers, 404s. */
async function checkHttpGuards() {
  const login = new URLSearchParams({ email: 'asha.rao@demo.rounds.local', password: 'rounds-demo-2026' })
  const noOrigin = await fetch(`${baseUrl}/login`, { method: 'POST', body: login, redirect: 'manual' })
  expect(noOrigin.status).toBe(403)
  expect(await noOrigin.text()).toContain('sent from another site')
  const evil = await fetch(`${baseUrl}/login`, { method: 'POST', body: login, headers: { origin: 'https://evil.example' }, redirect: 'manual' })
  expect(evil.status).toBe(403)
  const ok = await fetch(`${baseUrl}/login`, { method: 'POST', body: login, headers: { origin: baseUrl }, redirect: 'manual' })
  expect(ok.status).toBe(302)
  expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly/i)
  expect(ok.headers.get('set-cookie')).toMatch(/SameSite=Lax/i)

  const huge = await fetch(`${baseUrl}/settings/profile`, {
    method: 'POST',
    body: 'x'.repeat(7 * 1024 * 1024),
    headers: { origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  })
  expect(huge.status).toBe(413)

  const page = await fetch(`${baseUrl}/`)
  const csp = page.headers.get('content-security-policy') ?? ''
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/)
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1]
  expect(await page.text()).toContain(`nonce="${nonce}"`)
  expect(page.headers.get('x-content-type-options')).toBe('nosniff')

  const missing = await fetch(`${baseUrl}/no-such-page`)
  expect(missing.status).toBe(404)
  expect(await missing.text()).toContain('We could not find that page')

  const health = await fetch(`${baseUrl}/healthz`).then((r) => r.json())
  expect(health).toMatchObject({ ok: true, database: 'up' })
}
