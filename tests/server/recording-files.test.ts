import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import type { RecordingOutput } from '../../server/livekit/media'
import { deleteRecordingAndFile, presignUrl, recordingFileRoute, signedObjectUrl } from '../../server/livekit/recording-files'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'
import { signIn } from '../support/routes'

let dir = ''
let output: RecordingOutput
let base = ''
let close = () => {}
let owner: TestDoctor
let member: TestDoctor
let outsider: TestDoctor

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rounds-recordings-'))
  output = { storage: 'local', fileFor: (t, r) => `${t}/${r}.ogg`, localDir: dir, egressDir: '/out', s3: null }
  owner = await createDoctor({ name: 'Dr Owner' })
  member = await createDoctor({ name: 'Dr Member' })
  outsider = await createDoctor({ name: 'Dr Outsider' })
  const app = express()
  // Stands in for the session middleware: the test says who is asking.
  app.use((req, res, next) => {
    const who = req.get('x-test-user')
    if (!who) return next()
    signIn(who).then((auth) => {
      res.locals.auth = auth
      next()
    }, next)
  })
  app.get('/recordings/:id/file', recordingFileRoute(output))
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => server.close()
})

afterAll(() => {
  close()
  rmSync(dir, { recursive: true, force: true })
})

async function membersRecording() {
  const club = await createTestClub(owner, { visibility: 'private' })
  await addClubMember(club, member)
  const talk = await createTalk({ clubId: club.id, hostId: owner.id, status: 'ended' })
  const id = randomUUID()
  const file = `${talk.id}/${id}.ogg`
  mkdirSync(path.join(dir, talk.id), { recursive: true })
  writeFileSync(path.join(dir, file), 'OggS-recording-bytes')
  await rawSql()`insert into recordings (id, talk_id, status, share, storage, file_path, started_at, ended_at, duration_seconds)
    values (${id}, ${talk.id}, 'complete', 'members', 'local', ${file}, now() - interval '1 hour', now(), 3600)`
  return { id, file }
}

const get = (id: string, user?: TestDoctor) => fetch(`${base}/recordings/${id}/file`, { headers: user ? { 'x-test-user': user.id } : {} })

describe('GET /recordings/:id/file', () => {
  it('sends the file to those the recording is shared with, and the same 404 to everyone else', async () => {
    const { id } = await membersRecording()
    const ok = await get(id, member)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toBe('audio/ogg')
    expect(ok.headers.get('cache-control')).toBe('private, no-store')
    expect(await ok.text()).toBe('OggS-recording-bytes')
    for (const response of [await get(id, outsider), await get(id), await get(randomUUID(), member), await get('..%2F..%2Fetc%2Fpasswd', member)]) {
      expect(response.status).toBe(404)
      expect(await response.text()).toBe('We could not find that recording.')
    }
  })

  it('deleting removes the file and the recording answers 404 from then on', async () => {
    const { id, file } = await membersRecording()
    await expect(deleteRecordingAndFile(viewerOf(member), id, { output, stopRecording: async () => {} })).rejects.toThrow(
      'Only the talk’s host and the club’s admins can change its recordings.',
    )
    expect(existsSync(path.join(dir, file))).toBe(true)
    expect(await deleteRecordingAndFile(viewerOf(owner), id, { output, stopRecording: async () => {} })).toEqual({ id })
    expect(existsSync(path.join(dir, file))).toBe(false)
    expect((await get(id, owner)).status).toBe(404)
  })
})

describe('recordings in an S3-compatible store', () => {
  it('relays a recording from a custom endpoint with a signed request, and deletes it with one', async () => {
    const requests: { method: string; url: string }[] = []
    const { createServer } = await import('node:http')
    const store = createServer((req, res) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '' })
      if (req.method === 'DELETE') return void res.writeHead(204).end()
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '9' }).end('OggS-s3!!')
    })
    await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', resolve))
    const endpoint = `http://127.0.0.1:${(store.address() as AddressInfo).port}`
    const s3Output: RecordingOutput = {
      ...output,
      storage: 's3',
      s3: { bucket: 'rounds-recordings', region: 'us-east-1', accessKey: 'minio', secret: 'minio-secret', endpoint },
    }
    const app = express()
    app.use((req, res, next) => {
      signIn(req.get('x-test-user')!).then((auth) => {
        res.locals.auth = auth
        next()
      }, next)
    })
    app.get('/recordings/:id/file', recordingFileRoute(s3Output))
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    try {
      const { id } = await membersRecording()
      const key = `recordings/x/${id}.ogg`
      await rawSql()`update recordings set storage = 's3', file_path = ${key} where id = ${id}`
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/recordings/${id}/file`, {
        headers: { 'x-test-user': member.id },
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('audio/ogg')
      expect(await response.text()).toBe('OggS-s3!!')
      expect(requests[0].method).toBe('GET')
      const relayed = new URL(requests[0].url, 'http://minio')
      expect(relayed.pathname).toBe(`/rounds-recordings/recordings/x/${id}.ogg`)
      expect(relayed.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256')
      expect(relayed.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/)

      expect(await deleteRecordingAndFile(viewerOf(owner), id, { output: s3Output, stopRecording: async () => {} })).toEqual({ id })
      expect(requests[1].method).toBe('DELETE')
      expect(requests[1].url.split('?')[0]).toBe(`/rounds-recordings/recordings/x/${id}.ogg`)
    } finally {
      server.close()
      store.close()
    }
  })
})

describe('signed S3 URLs', () => {
  it('match the AWS Signature V4 example for a presigned GET', () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
    const url = presignUrl({
      method: 'GET',
      protocol: 'https:',
      host: 'examplebucket.s3.amazonaws.com',
      path: '/test.txt',
      region: 'us-east-1',
      accessKey: 'AKIAIOSFODNN7EXAMPLE',
      secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      expiresSeconds: 86400,
      now: new Date('2013-05-24T00:00:00Z'),
    })
    // The same parameters and signature as AWS's example (the order of parameters does not matter).
    const signed = new URL(url)
    expect(`${signed.origin}${signed.pathname}`).toBe('https://examplebucket.s3.amazonaws.com/test.txt')
    expect(Object.fromEntries(signed.searchParams)).toEqual({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request',
      'X-Amz-Date': '20130524T000000Z',
      'X-Amz-Expires': '86400',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    })
  })

  it('use path style on a custom endpoint such as MinIO, for ten minutes', () => {
    const url = new URL(
      signedObjectUrl({ bucket: 'rounds', region: 'us-east-1', accessKey: 'k', secret: 's', endpoint: 'http://minio:9000' }, 'recordings/t/r.ogg', 'GET'),
    )
    expect(url.origin).toBe('http://minio:9000')
    expect(url.pathname).toBe('/rounds/recordings/t/r.ogg')
    expect(url.searchParams.get('X-Amz-Expires')).toBe('600')
  })
})
