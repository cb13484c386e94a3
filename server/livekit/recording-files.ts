import { rm } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import aws4 from 'aws4'
import type { RequestHandler, Response } from 'express'
import { PublicError } from '../../db/errors'
import { deleteRecording, recordingFileFor, type RecordingStorage } from '../../db/recordings'
import { toViewer } from '../http/session'
import type { LiveMedia, RecordingOutput } from './media'

/*
 * Serving and removing recording files. Local files (egress writes them to a volume this server
 * also mounts) are sent by GET /recordings/:id/file after the data layer says the viewer may
 * watch; S3 objects get a redirect to a URL signed for ten minutes (AWS Signature V4, query
 * string form: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
 */

const PLAYBACK_URL_SECONDS = 10 * 60

export type PresignInput = {
  method: 'GET' | 'DELETE'
  protocol: 'https:' | 'http:'
  host: string
  /** The object's path, starting with '/', not yet encoded. */
  path: string
  region: string
  accessKey: string
  secret: string
  expiresSeconds: number
  now?: Date
}

/** A URL that lets its holder make one kind of request to one object until it expires (signed by aws4). */
export function presignUrl(input: PresignInput): string {
  const amzDate = (input.now ?? new Date()).toISOString().replace(/[-:]|\.\d{3}/g, '')
  const encodedPath = input.path.split('/').map(encodeURIComponent).join('/')
  const signed = aws4.sign(
    {
      host: input.host,
      method: input.method,
      path: `${encodedPath}?X-Amz-Expires=${input.expiresSeconds}&X-Amz-Date=${amzDate}`,
      service: 's3',
      region: input.region,
      signQuery: true,
    },
    { accessKeyId: input.accessKey, secretAccessKey: input.secret },
  )
  return `${input.protocol}//${input.host}${signed.path}`
}

/** The AWS S3 host browsers fetch a bucket's objects from (virtual-host style). */
export const awsS3Host = (s3: { bucket: string; region: string }) => `${s3.bucket}.s3.${s3.region}.amazonaws.com`

/** A signed URL for a recording object: path-style on a custom endpoint (MinIO), virtual-host style on AWS. */
export function signedObjectUrl(s3: NonNullable<RecordingOutput['s3']>, key: string, method: 'GET' | 'DELETE', now?: Date) {
  const endpoint = s3.endpoint ? new URL(s3.endpoint) : null
  return presignUrl({
    method,
    protocol: endpoint ? (endpoint.protocol as 'http:' | 'https:') : 'https:',
    host: endpoint ? endpoint.host : awsS3Host(s3),
    path: endpoint ? `/${s3.bucket}/${key}` : `/${key}`,
    region: s3.region,
    accessKey: s3.accessKey,
    secret: s3.secret,
    expiresSeconds: PLAYBACK_URL_SECONDS,
    now,
  })
}

/** The absolute path of a local recording, or null when `relative` would leave the recordings directory. */
function localPath(output: RecordingOutput, relative: string) {
  const full = path.resolve(output.localDir, relative)
  return full.startsWith(output.localDir + path.sep) ? full : null
}

/** GET /recordings/:id/file, after the session middleware. */
export function recordingFileRoute(output: RecordingOutput): RequestHandler {
  return (req, res) => {
    const viewer = toViewer(res.locals.auth ?? null)
    recordingFileFor(viewer, String(req.params.id ?? ''))
      .then((file) => {
        res.set('Cache-Control', 'private, no-store')
        if (file.storage === 's3') {
          if (!output.s3) return res.status(404).type('text/plain').send('We could not find that recording.')
          const signed = signedObjectUrl(output.s3, file.path, 'GET')
          // AWS S3 is reachable by browsers: send them there. A custom endpoint (MinIO) is usually
          // on the private network, so Rounds relays the bytes.
          if (!output.s3.endpoint) return res.redirect(302, signed)
          return relay(signed, req.get('range'), res, file.contentType)
        }
        const full = localPath(output, file.path)
        if (!full) return res.status(404).type('text/plain').send('We could not find that recording.')
        res.type(file.contentType).sendFile(full, (error) => {
          if (error && !res.headersSent) res.status(404).type('text/plain').send('We could not find that recording.')
        })
      })
      .catch((error: unknown) => {
        if (res.headersSent) return void res.destroy()
        if (error instanceof PublicError) res.status(error.status).type('text/plain').send(error.message)
        else {
          console.error('[recordings]', error)
          res.status(503).type('text/plain').send('The recording cannot be played right now. Try again in a moment.')
        }
      })
  }
}

async function relay(url: string, range: string | undefined, res: Response, contentType: string) {
  const upstream = await fetch(url, { headers: range ? { range } : {} })
  if (!upstream.ok || !upstream.body) {
    res.status(upstream.status === 404 ? 404 : 503).type('text/plain')
    res.send(upstream.status === 404 ? 'We could not find that recording.' : 'The recording cannot be played right now. Try again in a moment.')
    return
  }
  res.status(upstream.status).type(contentType)
  for (const header of ['content-length', 'content-range', 'accept-ranges', 'etag', 'last-modified']) {
    const value = upstream.headers.get(header)
    if (value) res.set(header, value)
  }
  await pipeline(Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream), res)
}

/** Removes a deleted recording's file from storage; a file already gone is fine. */
export async function removeRecordingFile(output: RecordingOutput, file: { storage: RecordingStorage; path: string }) {
  if (file.storage === 'local') {
    const full = localPath(output, file.path)
    if (full) await rm(full, { force: true })
    return
  }
  if (!output.s3) return
  const response = await fetch(signedObjectUrl(output.s3, file.path, 'DELETE'), { method: 'DELETE' })
  if (!response.ok && response.status !== 404) throw new Error(`Deleting the recording from storage failed (${response.status}).`)
}

/**
 * Deletes a recording for a manager (db/recordings.ts `deleteRecording` decides who), then its
 * file from storage and, if it was still running, its egress. For the talk page's action.
 */
export async function deleteRecordingAndFile(
  viewer: Parameters<typeof deleteRecording>[0],
  recordingId: string,
  media: Pick<LiveMedia, 'output' | 'stopRecording'>,
) {
  const deleted = await deleteRecording(viewer, recordingId)
  if (deleted.wasRunning && deleted.egressId) await media.stopRecording(deleted.egressId)
  if (deleted.file) {
    await removeRecordingFile(media.output, deleted.file).catch((error: unknown) =>
      console.warn('[recordings] the file stays in storage:', error instanceof Error ? error.message : error),
    )
  }
  return { id: deleted.id }
}
