import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { strToU8, zipSync } from 'fflate'
import { beginExport, collectExport, finishExport, forgetExportFile, listExpiredExports, recordRequestFailure, type ExportData } from '../../db/data-rights'
import { config } from '../config'
import { signedPath } from '../signed-links'

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

/** The machine-readable file: each section's rows are JSON Postgres built, spliced in as they are. */
export function exportJson(data: ExportData) {
  const tables = data.sections
    .map((s) => `${JSON.stringify(s.table)}:{"matched_by":${JSON.stringify(s.matchedBy)},"row_count":${s.rowCount},"rows":${s.rowsJson}}`)
    .join(',\n')
  const head = {
    format: 'rounds-export/1',
    generated_at: data.generatedAt.toISOString(),
    account: data.account,
  }
  const tail = {
    requests_history: data.requestsHistory,
    who_accessed_my_data: data.accesses,
    shared_with: data.sharing,
    excluded_tables: data.excludedTables,
    excluded_columns: data.excludedColumns,
    redacted_columns: data.redactedColumns,
  }
  return `${JSON.stringify(head).slice(0, -1)},"tables":{\n${tables}\n},${JSON.stringify(tail).slice(1)}\n`
}

const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })

/** The readable summary that sits beside the JSON. */
export function exportReadme(data: ExportData) {
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
    'WHO ACCESSED YOUR DATA AT ROUNDS',
    '--------------------------------',
    ...(data.accesses.length
      ? data.accesses.map((a) => `- ${day.format(a.at)} UTC: ${a.who}. Reason: ${a.reason}${a.request ? ` (for ${a.request})` : ''}`)
      : ['- Nobody at Rounds opened your personal data.']),
    '',
    'LEFT OUT, AND WHY',
    '-----------------',
    ...Object.entries(data.excludedTables).map(([table, why]) => `- ${table}: ${why}`),
    ...Object.entries(data.excludedColumns).map(([column, why]) => `- Rows matched only by ${column}: ${why}`),
    ...Object.entries(data.redactedColumns).map(([column, why]) => `- The column ${column}: ${why}`),
    '',
    'To correct something, open Settings → Your data on Rounds.',
    '',
  ]
  return lines.join('\n')
}

/** Job `export.build`: collects, zips, stores under DATA_DIR/exports, and queues the "ready" mail. */
export async function buildExport(payload: Record<string, unknown>, now = new Date()) {
  const requestId = String(payload.requestId ?? '')
  const started = await beginExport(requestId, now)
  if (!started) return
  try {
    await writeExport(requestId, started.userId, now)
  } catch (error) {
    await recordRequestFailure(requestId, `Building the copy failed and will be retried: ${error instanceof Error ? error.message : String(error)}`, now)
    throw error
  }
}

async function writeExport(requestId: string, userId: string, now: Date) {
  const data = await collectExport(userId, now)
  const zipped = zipSync(
    {
      [EXPORT_JSON]: strToU8(exportJson(data)),
      [EXPORT_README]: strToU8(exportReadme(data)),
    },
    { level: 6, mtime: now },
  )
  await mkdir(exportsDir(), { recursive: true, mode: 0o700 })
  const file = `${requestId}.zip`
  const temporary = exportPath(`${requestId}-partial.zip`)
  await writeFile(temporary, zipped, { mode: 0o600 })
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
