// Builds the Remix app when the build is missing or older than its sources.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(import.meta.dirname, '..')

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    const m = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs
    if (m > newest) newest = m
  }
  return newest
}

export function buildIfStale({ quiet = false } = {}) {
  const built = path.join(root, 'build/server/index.js')
  const inputs = ['app', 'db', 'server', 'public'].map((d) => path.join(root, d)).filter(existsSync)
  const configs = ['package.json', 'vite.config.ts', 'remix.config.js'].map((f) => statSync(path.join(root, f)).mtimeMs)
  const sourceTime = Math.max(...inputs.map(newestMtime), ...configs)
  if (existsSync(built) && statSync(built).mtimeMs >= sourceTime) return
  if (!quiet) console.log('[rounds] Building the app…')
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/@remix-run/dev/dist/cli.js'), 'vite:build'], {
    cwd: root,
    stdio: quiet ? 'pipe' : 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (result.status !== 0) {
    if (quiet) process.stderr.write(result.stderr ?? '')
    throw new Error('The app failed to build.')
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildIfStale()
