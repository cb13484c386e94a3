import { createWriteStream } from 'node:fs'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import { once } from 'node:events'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import { Worker } from 'node:worker_threads'
import { createDeflateRaw, type DeflateRaw } from 'node:zlib'
import { Zip, ZipPassThrough, type FlateError } from 'fflate'
import {
  beginExport,
  finishExport,
  forgetExportFile,
  listExpiredExports,
  recordRequestFailure,
  streamExport,
  type ExportAccount,
  type ExportData,
  type ExportedFile,
  type ExportSummary,
} from '../../db/data-rights/index'
import { retentionScheduleText } from '../../db/retention-schedule'
import { isDatabaseOpen, openDatabase } from '../../db/connection'
import type { ExportWorkerInput, ExportWorkerResult } from './export-worker'
import { config } from '../config'
import { signedPath } from '../signed-links'
import { readDocument } from '../verification-documents'

export function exportsDir() {
  return path.resolve(config().DATA_DIR, 'exports')
}

/** The file for a stored name, never outside the exports folder. */
export function exportPath(file: string) {
  if (!/^[\w-]+\.zip$/.test(file)) throw new Error('Not an export file name.')
  return path.join(exportsDir(), file)
}

export const EXPORT_JSON = 'rounds-data.json'
export const EXPORT_README = 'README.txt'

export function exportDownloadPath(requestId: string, expiresAt: Date) {
  return signedPath('/exports', 'export', requestId, expiresAt)
}

/*
 * The machine-readable file, written as it is read:
 *   {"format":…,"generated_at":…,"account":…,"tables":{"<table>":{"matched_by":[…],"rows":[…],"row_count":n},…},
 *    "requests_history":…,"who_accessed_my_data":…,"shared_with":…,"excluded_tables":…,…}
 * Each row is the JSON Postgres built, spliced in as it is.
 */
function jsonHead(account: ExportAccount, generatedAt: Date) {
  const head = { format: 'rounds-export/1', generated_at: generatedAt.toISOString(), account }
  return `${JSON.stringify(head).slice(0, -1)},"tables":{`
}

function jsonTail(data: Omit<ExportSummary, 'sections'>) {
  const tail = {
    requests_history: data.requestsHistory,
    who_accessed_my_data: data.accesses,
    shared_with: data.sharing,
    people_you_blocked_or_muted: data.blockedAndMuted,
    excluded_tables: data.excludedTables,
    excluded_columns: data.excludedColumns,
    redacted_columns: data.redactedColumns,
  }
  return `\n},${JSON.stringify(tail).slice(1)}\n`
}

/** The same file for an export already in memory (collectExport). */
export function exportJson(data: ExportData) {
  const tables = data.sections
    .map((s) => `\n${JSON.stringify(s.table)}:{"matched_by":${JSON.stringify(s.matchedBy)},"rows":${s.rowsJson},"row_count":${s.rowCount}}`)
    .join(',')
  return `${jsonHead(data.account, data.generatedAt)}${tables}${jsonTail(data)}`
}

const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })

/** An uploaded file as it went into the ZIP: its entry name, or why it could not be copied. */
export type FileInExport = ExportedFile & { entry: string | null; bytes: number }

export const EXPORT_FILES_DIR = 'files'

/** The readable summary that sits beside the JSON. */
export function exportReadme(data: ExportSummary, files: FileInExport[] = []) {
  const lines = [
    'YOUR DATA FROM ROUNDS',
    '=====================',
    '',
    `For ${data.account.name ?? 'you'} (${data.account.email}), made ${day.format(data.generatedAt)} UTC.`,
    '',
    `${EXPORT_JSON} holds everything Rounds keeps about you, table by table, in JSON.`,
    'Each table lists the rows that name you, and which columns matched.',
    '',
    'WHAT IS IN IT',
    '-------------',
    ...data.sections.map((s) => `  ${s.table.padEnd(28)} ${s.rowCount} ${s.rowCount === 1 ? 'row' : 'rows'}`),
    '',
    'WHO SAW YOUR DATA',
    '-----------------',
    ...data.sharing.map((line) => `- ${line}`),
    '',
    'PEOPLE YOU BLOCKED OR MUTED',
    '---------------------------',
    ...(data.blockedAndMuted.length
      ? data.blockedAndMuted.map((r) => `- ${r.kind === 'block' ? 'Blocked' : 'Muted'} ${r.name} (@${r.handle}) on ${day.format(r.since)} UTC`)
      : ['- Nobody.']),
    '',
    'WHO ACCESSED YOUR DATA AT ROUNDS',
    '--------------------------------',
    ...(data.accesses.length
      ? data.accesses.map((a) => `- ${day.format(a.at)} UTC: ${a.who}. Reason: ${a.reason}${a.request ? ` (for ${a.request})` : ''}`)
      : ['- Nobody at Rounds opened your personal data.']),
    '',
    'FILES YOU UPLOADED',
    '------------------',
    ...(files.length
      ? files.map((f) => (f.entry ? `- ${f.entry}: ${f.label} (${f.bytes} bytes).` : `- ${f.label}: the file is missing from our server, so it could not be copied.`))
      : ['- None: you have no photo or other file stored on Rounds.']),
    '',
    'LEFT OUT, AND WHY',
    '-----------------',
    ...Object.entries(data.excludedTables).map(([table, why]) => `- ${table}: ${why}`),
    ...Object.entries(data.excludedColumns).map(([column, why]) => `- Rows matched only by ${column}: ${why}`),
    ...Object.entries(data.redactedColumns).map(([column, why]) => `- The column ${column}: ${why}`),
    '',
    'HOW LONG ROUNDS KEEPS DATA',
    '--------------------------',
    // The schedule of db/retention-schedule.ts, the same one /privacy shows; its own title line left out.
    ...retentionScheduleText(config().publicUrl).split('\n').slice(2),
    '',
    'To correct something, open Settings → Your data on Rounds.',
    '',
  ]
  return lines.join('\n')
}

/** Job `export.build`: streams the account into a ZIP under DATA_DIR/exports, and queues the "ready" mail. */
export async function buildExport(payload: Record<string, unknown>, now = new Date(), signal?: AbortSignal) {
  const requestId = String(payload.requestId ?? '')
  const started = await beginExport(requestId, now)
  if (!started) return
  try {
    await writeExport(requestId, started.userId, now, signal)
  } catch (error) {
    // Another worker has the job now (this one lost its lease): it records what happens.
    if (signal?.aborted) throw error
    await recordRequestFailure(requestId, `Building the copy failed and will be retried: ${error instanceof Error ? error.message : String(error)}`, now)
    throw error
  }
}

/**
 * A ZIP entry deflated by Node's zlib, which works on libuv's thread pool: compressing a large
 * export costs the event loop (and so the live rooms) nothing. fflate's `Zip` writes the headers.
 */
class ZlibZipEntry extends ZipPassThrough {
  private readonly deflater: DeflateRaw

  constructor(filename: string, mtime: Date) {
    super(filename)
    this.compression = 8
    this.mtime = mtime
    this.deflater = createDeflateRaw({ level: 6 })
    this.deflater.on('data', (chunk: Buffer) => this.ondata(null, new Uint8Array(chunk.buffer as ArrayBuffer, chunk.byteOffset, chunk.length), false))
    this.deflater.on('end', () => this.ondata(null, new Uint8Array(0), true))
    this.deflater.on('error', (error: Error) => this.ondata(error as FlateError, new Uint8Array(0), false))
  }

  protected override process(chunk: Uint8Array, final: boolean) {
    if (chunk.length) this.deflater.write(chunk)
    if (final) this.deflater.end()
  }

  /** Resolves once zlib has taken in what it was given. */
  async drained() {
    if (this.deflater.writableNeedDrain) await once(this.deflater, 'drain')
  }

  destroy() {
    this.deflater.destroy()
  }
}

/** The ZIP format fflate writes has no ZIP64: an entry stops at 4 GiB. */
const MAX_ENTRY_BYTES = 0xffff_ffff

/** A ZIP written to `file` entry by entry, with back-pressure from zlib and the disk. */
function zipFile(file: string, mtime: Date) {
  const out = createWriteStream(file, { mode: 0o600 })
  let failure: Error | null = null
  let done: () => void
  const ended = new Promise<void>((resolve) => (done = resolve))
  const zip = new Zip((error, chunk, final) => {
    if (error) {
      failure = error
      out.destroy(error)
      done()
      return
    }
    out.write(chunk)
    if (final) done()
  })
  let entry: ZlibZipEntry | null = null
  let size = 0
  const check = () => {
    if (failure) throw failure
    if (out.errored) throw out.errored
  }
  return {
    begin(name: string) {
      entry = new ZlibZipEntry(name, mtime)
      size = 0
      zip.add(entry)
    },
    async write(text: string | Buffer) {
      check()
      const bytes = typeof text === 'string' ? Buffer.from(text) : text
      size += bytes.length
      if (size > MAX_ENTRY_BYTES) throw new Error('The copy is larger than 4 GiB, more than one ZIP file can hold.')
      entry!.push(bytes)
      await entry!.drained()
      if (out.writableNeedDrain) await once(out, 'drain')
      check()
    },
    end() {
      entry!.push(new Uint8Array(0), true)
    },
    async close() {
      zip.end()
      await ended
      check()
      out.end()
      await finished(out)
    },
    abort() {
      entry?.destroy()
      zip.terminate()
      out.destroy()
    },
  }
}

/** Reads the account table by table and streams it into the ZIP at `file`; returns what it wrote. */
export async function writeExportZip(userId: string, file: string, options: { now?: Date; signal?: AbortSignal } = {}) {
  const now = options.now ?? new Date()
  const zip = zipFile(file, now)
  try {
    zip.begin(EXPORT_JSON)
    let tables = 0
    let firstBatch = true
    const summary = await streamExport(
      userId,
      {
        start: (account) => zip.write(jsonHead(account, now)),
        startTable: (table, matchedBy) => {
          firstBatch = true
          return zip.write(`${tables++ ? ',' : ''}\n${JSON.stringify(table)}:{"matched_by":${JSON.stringify(matchedBy)},"rows":[`)
        },
        rows: (rows) => {
          const text = `${firstBatch ? '' : ','}\n${rows.join(',\n')}`
          firstBatch = false
          return zip.write(text)
        },
        endTable: (_table, rowCount) => zip.write(`\n],"row_count":${rowCount}}`),
      },
      { now, signal: options.signal },
    )
    await zip.write(jsonTail(summary))
    zip.end()
    const files: FileInExport[] = []
    for (const file of summary.files) {
      options.signal?.throwIfAborted()
      const bytes = await readUpload(userId, file)
      if (!bytes) {
        files.push({ ...file, entry: null, bytes: 0 })
        continue
      }
      const entry = `${EXPORT_FILES_DIR}/${file.kind.replace(/_/g, '-')}-${file.name}`
      zip.begin(entry)
      await zip.write(bytes)
      zip.end()
      files.push({ ...file, entry, bytes: bytes.length })
    }
    zip.begin(EXPORT_README)
    await zip.write(exportReadme(summary, files))
    zip.end()
    await zip.close()
    return summary
  } catch (error) {
    zip.abort()
    await rm(file, { force: true })
    throw error
  }
}

/**
 * The bytes of an uploaded file, or null when it is gone. Uploads are DATA_DIR/uploads/<name>
 * (server/uploads.ts, not imported here: it loads the image library into the export worker).
 */
async function readUpload(userId: string, file: ExportedFile): Promise<Buffer | null> {
  try {
    if (file.store === 'verification') return await readDocument(userId, file.name)
    if (!/^[\w-]+\.[a-z0-9]+$/i.test(file.name)) return null
    return await readFile(path.join(path.resolve(config().DATA_DIR, 'uploads'), file.name))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/**
 * writeExportZip in a worker thread (server/jobs/export-worker.ts), so the reading, the JSON and
 * their garbage stay off the thread that serves pages and live rooms. `signal` stops the worker.
 */
export async function writeExportZipInWorker(userId: string, file: string, options: { now?: Date; signal?: AbortSignal } = {}) {
  if (!isDatabaseOpen()) throw new Error('The database is not open yet: call openDatabase() at start-up.')
  // Already open: this only reads the URL it was opened with.
  const { url } = await openDatabase()
  const input: ExportWorkerInput = { databaseUrl: url, userId, file, now: (options.now ?? new Date()).toISOString() }
  const worker = new Worker(path.join(import.meta.dirname, 'export-worker-entry.mjs'), { workerData: input, execArgv: [] })
  const stop = () => worker.postMessage('abort')
  options.signal?.addEventListener('abort', stop, { once: true })
  try {
    const result = await new Promise<ExportWorkerResult>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
      worker.once('exit', (code) => reject(new Error(`The export worker stopped before it finished (exit code ${code}).`)))
    })
    if (!result.ok) throw new Error(result.error)
  } finally {
    options.signal?.removeEventListener('abort', stop)
  }
  options.signal?.throwIfAborted()
}

async function writeExport(requestId: string, userId: string, now: Date, signal?: AbortSignal) {
  await mkdir(exportsDir(), { recursive: true, mode: 0o700 })
  const file = `${requestId}.zip`
  const temporary = exportPath(`${requestId}-partial.zip`)
  await writeExportZipInWorker(userId, temporary, { now, signal })
  await rename(temporary, exportPath(file))
  const { publicUrl } = config()
  const done = await finishExport(requestId, file, now, (mail) => [
    {
      queue: 'mail.send',
      payload: {
        to: mail.email,
        subject: 'Your copy of your Rounds data is ready',
        text: [
          'The copy of your data you asked for is ready.',
          '',
          `Download it (you will be asked to sign in): ${publicUrl}${exportDownloadPath(mail.requestId, mail.expiresAt)}`,
          '',
          `The link works for 7 days, until ${day.format(mail.expiresAt)} UTC. After that, ask for a new copy in Settings → Your data.`,
          'If you did not ask for this, sign in and check Settings → Devices and sessions.',
        ].join('\n'),
      },
    },
  ])
  // Cancelled or erased meanwhile: do not keep the file.
  if (!done) await rm(exportPath(file), { force: true })
}

/** Job `exports.prune`: deletes copies whose 7 days are over. */
export async function pruneExports(now = new Date()) {
  for (const expired of await listExpiredExports(now)) {
    if (expired.file) await rm(exportPath(expired.file), { force: true })
    await forgetExportFile(expired.id, now)
  }
}
