import { createReadStream } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { RecordingStorage } from '#db/recordings'
import { recordingOutput } from '#server/livekit/media'

/** A stored path inside the recordings folder, or null for one that would climb out of it. */
function localPath(file: string) {
  const dir = recordingOutput().localDir
  const full = path.resolve(dir, file)
  return full.startsWith(dir + path.sep) ? full : null
}

/** Removes a deleted recording's file. Local files only: S3 objects expire by the bucket's lifecycle rule. */
export async function removeRecordingFile(file: { storage: RecordingStorage; path: string }) {
  if (file.storage !== 'local') return
  const full = localPath(file.path)
  if (full) await rm(full, { force: true })
}

/**
 * A local recording as an HTTP response, honouring one `Range` so players can seek
 * (RFC 9110 §14). Null when the file is not there.
 */
export async function recordingFileResponse(file: { path: string; contentType: string }, range: string | null) {
  const full = localPath(file.path)
  const info = full ? await stat(full).catch(() => null) : null
  if (!full || !info?.isFile()) return null
  const headers = {
    'Content-Type': file.contentType,
    'Accept-Ranges': 'bytes',
    // Who may listen can change: never let a shared cache keep it.
    'Cache-Control': 'private, no-store',
    'X-Content-Type-Options': 'nosniff',
  }
  const size = info.size
  const match = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null
  if (range && !match) return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } })
  if (match && (match[1] || match[2])) {
    const start = match[1] ? Number(match[1]) : Math.max(0, size - Number(match[2]))
    const end = match[1] && match[2] ? Math.min(Number(match[2]), size - 1) : size - 1
    if (start >= size || start > end) return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } })
    const body = Readable.toWeb(createReadStream(full, { start, end })) as ReadableStream<Uint8Array>
    return new Response(body, {
      status: 206,
      headers: { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': String(end - start + 1) },
    })
  }
  const body = Readable.toWeb(createReadStream(full)) as ReadableStream<Uint8Array>
  return new Response(body, { status: 200, headers: { ...headers, 'Content-Length': String(size) } })
}
