import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildIfStale } from '../../scripts/build-if-stale.mjs'
import { serverNodeArgs } from '../../scripts/server-process.mjs'

// The built routes import db/ and server/ from source, so the server process holds one copy of
// each module (docs/decisions/020-one-module-graph.md).

const root = path.resolve(import.meta.dirname, '../..')
const builtServer = path.join(root, 'build/server/index.js')
let code = ''

beforeAll(() => {
  buildIfStale({ quiet: true })
  code = readFileSync(builtServer, 'utf8')
}, 180_000)

describe('the server build', () => {
  it('bundles no db/ or server/ module and imports them by #db/ and #server/', () => {
    const specifiers = [...code.matchAll(/\bfrom\s*"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1] ?? m[2])
    const own = specifiers.filter((s) => s.startsWith('#'))
    expect(own).toContain('#db/errors')
    expect(own).toContain('#db/clubs')
    expect(own.every((s) => /^#(db|server)\//.test(s))).toBe(true)
    // Only the build's own chunks are imported by path.
    expect(specifiers.filter((s) => (s.startsWith('.') || s.startsWith('/')) && !s.startsWith('./assets/'))).toEqual([])
    expect(code).not.toContain('class PublicError')
    expect(code).not.toMatch(/drizzle-orm/)
  })

  it('loads in the server process, where the routes\' imports reach the modules the server loaded', () => {
    // The same loader the server runs with (tsx), without starting the server. The server imports
    // by relative path ('../db/errors'), the built routes by '#db/errors'.
    const tsx = serverNodeArgs[serverNodeArgs.indexOf('--import') + 1]
    const script = `
      const { pathToFileURL } = await import('node:url')
      const build = await import(pathToFileURL(${JSON.stringify(builtServer)}).href)
      const { PublicError: asServer } = await import('./db/errors')
      const { PublicError: asRoutes } = await import('#db/errors')
      console.log(JSON.stringify({ routes: Object.keys(build.routes).length, same: asServer === asRoutes }))
    `
    const result = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
    })
    expect(result.stderr).toBe('')
    const out = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { routes: number; same: boolean }
    expect(out.routes).toBeGreaterThan(20)
    expect(out.same).toBe(true)
  }, 60_000)
})
