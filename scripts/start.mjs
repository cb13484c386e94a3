// `npm start`: builds the app if needed, then serves it. Stops cleanly on Ctrl-C.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { buildIfStale } from './build-if-stale.mjs'
import { serverNodeArgs } from './server-process.mjs'

const root = path.resolve(import.meta.dirname, '..')
try {
  buildIfStale()
} catch (error) {
  console.error(`[rounds] ${error.message}`)
  process.exit(1)
}
const server = spawn(process.execPath, serverNodeArgs, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production' },
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
server.on('exit', (code) => process.exit(code ?? 0))
