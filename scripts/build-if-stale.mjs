// Builds the Remix app when the build is missing or older than its sources.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
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

function isStale() {
  const built = path.join(root, 'build/server/index.js')
  const inputs = ['app', 'db', 'server', 'public'].map((d) => path.join(root, d)).filter(existsSync)
  const configs = ['package.json', 'vite.config.ts', 'remix.config.js'].map((f) => statSync(path.join(root, f)).mtimeMs)
  const sourceTime = Math.max(...inputs.map(newestMtime), ...configs)
  return !existsSync(built) || statSync(built).mtimeMs < sourceTime
}

const lockDir = path.join(root, '.build-lock')
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

/**
 * Holds a lock directory while building, so processes that start the server at the same time
 * (test files, a second `npm start`) wait for one build instead of writing over each other's.
 */
function withBuildLock(run) {
  for (;;) {
    try {
      mkdirSync(lockDir)
      break
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      // A lock left by a build that was killed is taken over after ten minutes.
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > 10 * 60_000) rmSync(lockDir, { recursive: true, force: true })
      } catch {
        // Removed by its owner meanwhile.
      }
      sleep(250)
    }
  }
  try {
    return run()
  } finally {
    rmSync(lockDir, { recursive: true, force: true })
  }
}

export function buildIfStale({ quiet = false } = {}) {
  if (!isStale()) return
  withBuildLock(() => {
    // Another process may have built while this one waited.
    if (isStale()) build(quiet)
  })
}

function build(quiet) {
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
