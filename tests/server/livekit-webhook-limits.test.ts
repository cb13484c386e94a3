import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLiveMedia } from '../../server/livekit/media'
import { MAX_WEBHOOK_BYTES, liveKitWebhookRoute } from '../../server/livekit/webhooks'
import { rawRequest } from '../support/raw-http'

// The webhook refuses an oversized body before it reads it (a declared Content-Length) or as soon
// as it passes the cap (a chunked body): the answer comes while the sender is still sending.

const settings = { url: 'http://127.0.0.1:1', apiKey: 'APIwebhooklimits', apiSecret: 'a-secret-of-at-least-32-characters-long' }
let base = ''
let close = () => {}

beforeAll(async () => {
  const app = express()
  app.post('/livekit/webhook', ...liveKitWebhookRoute({ settings, media: createLiveMedia(null), log: () => {} }))
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => server.close()
})

afterAll(() => close())

const MB = 1024 * 1024
const headers = { 'content-type': 'application/webhook+json', authorization: 'not-a-token' }

describe('POST /livekit/webhook body limits', () => {
  it('refuses a declared 100 MB body with a 413 before reading it', async () => {
    const res = await rawRequest(base, {
      path: '/livekit/webhook',
      headers,
      body: Buffer.alloc(64 * 1024, 'x'),
      declaredLength: 100 * MB,
      leaveOpen: true,
    })
    expect(res.status).toBe(413)
    expect(res.body).toBe('A LiveKit webhook is never this large.')
  })

  it('stops reading a chunked body at the cap and answers 413 while the rest is still unsent', async () => {
    const res = await rawRequest(base, {
      path: '/livekit/webhook',
      headers,
      body: Buffer.alloc(MAX_WEBHOOK_BYTES + 256 * 1024, 'x'),
      chunked: true,
      leaveOpen: true,
    })
    expect(res.status).toBe(413)
    expect(res.body).toBe('A LiveKit webhook is never this large.')
  })

  it('still reads a small body to the end and checks its signature', async () => {
    const res = await rawRequest(base, { path: '/livekit/webhook', headers, body: '{"event":"room_started"}', chunked: true })
    expect(res.status).toBe(401)
    expect(res.body).toBe('Webhook signature is not valid.')
  })

  it('answers 415 to a body that is not JSON', async () => {
    const res = await rawRequest(base, { path: '/livekit/webhook', headers: { 'content-type': 'text/plain' }, body: 'hello' })
    expect(res.status).toBe(415)
  })
})
