// `npm start`: builds the app if needed, then serves it. SIGINT and SIGTERM are passed on to the
// server, which finishes open requests and stops its database; this process exits when it has.
// (package.json runs this with `exec`, so npm's signal reaches this process and not only its shell.)
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import path from 'node:path'
import { buildIfStale } from './build-if-stale.mjs'
import { serverNodeArgs } from './server-process.mjs'

const root = path.resolve(import.meta.dirname, '..')
let server
let stopRequested
const stopSignals = ['SIGINT', 'SIGTERM']
for (const signal of stopSignals) {
  process.on(signal, () => {
    stopRequested = signal
    // Every signal is passed on: a second Ctrl-C or SIGTERM reaches the server too.
    if (server && server.exitCode === null && server.signalCode === null) server.kill(signal)
  })
}
try {
  buildIfStale()
} catch (error) {
  console.error(`[rounds] ${error.message}`)
  process.exit(1)
}
if (stopRequested) process.exit(128 + constants.signals[stopRequested])
server = spawn(process.execPath, serverNodeArgs, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production' },
})
server.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)))
