import { parentPort, workerData } from 'node:worker_threads'
import { closeDatabase, openDatabase } from '../../db/connection'
import { writeExportZip } from './exports'

/*
 * Builds one export in a worker thread (server/jobs/exports.ts starts it): reading hundreds of
 * thousands of rows makes garbage and JSON text the main thread would otherwise collect and
 * copy between live-room events. The worker has its own connection and heap; it posts
 * `{ ok: true }` or `{ ok: false, error }` and ends.
 */

export type ExportWorkerInput = { databaseUrl: string; userId: string; file: string; now: string }
export type ExportWorkerResult = { ok: true } | { ok: false; error: string }

const input = workerData as ExportWorkerInput
const controller = new AbortController()
parentPort?.on('message', (message: unknown) => {
  if (message === 'abort') controller.abort(new Error('The export was stopped: another worker has the job now.'))
})

let result: ExportWorkerResult
try {
  await openDatabase({ url: input.databaseUrl, runMigrations: false, maxConnections: 1 })
  await writeExportZip(input.userId, input.file, { now: new Date(input.now), signal: controller.signal })
  result = { ok: true }
} catch (error) {
  result = { ok: false, error: error instanceof Error ? error.message : String(error) }
} finally {
  await closeDatabase().catch(() => {})
}
parentPort?.postMessage(result)
parentPort?.close()
