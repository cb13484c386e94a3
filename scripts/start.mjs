// `npm start`: builds the app when the build is missing or older than the
// sources, then serves it. Stops cleanly on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const built = path.join(root, 'build/server/index.js')

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    const m = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs
    if (m > newest) newest = m
  }
  return newest
}

const sources = ['app', 'db', 'public'].map((d) => path.join(root, d)).filter(existsSync)
const sourceTime = Math.max(...sources.map(newestMtime), statSync(path.join(root, 'package.json')).mtimeMs)
if (!existsSync(built) || statSync(built).mtimeMs < sourceTime) {
  console.log('[rounds] Building the app…')
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/@remix-run/dev/dist/cli.js'), 'vite:build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

const server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/index.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production' },
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
server.on('exit', (code) => process.exit(code ?? 0))
