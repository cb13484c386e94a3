import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { AccessToken, TokenVerifier } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOM_TOKEN_TTL_SECONDS, mintRoomToken, type LiveKitSettings, type StageRole } from '../../server/livekit/tokens'
import { liveKitWebhookRoute, verifyWebhook } from '../../server/livekit/webhooks'

const settings: LiveKitSettings = {
  url: 'wss://livekit.test.rounds.local',
  apiKey: 'APIroundsTestKey',
  apiSecret: 'rounds-test-livekit-secret-0123456789abcdef',
}

const talkId = '0b9c5c1e-6f0e-4b8e-9d55-3f1f0a2b7c11'
const doctor = {
  talkId,
  userId: '7d3a2f5e-1c4b-4a6e-8f90-123456789abc',
  displayName: 'Dr Asha Rao',
  photoUrl: '/uploads/asha.webp',
}

async function decode(role: StageRole) {
  const minted = await mintRoomToken({ ...doctor, role }, settings)
  const claims = await new TokenVerifier(settings.apiKey, settings.apiSecret).verify(minted.token)
  return { minted, claims }
}

describe('mintRoomToken', () => {
  it('lets the audience join, listen and chat, but never publish', async () => {
    const { claims } = await decode('audience')
    expect(claims.video).toEqual({ room: `talk:${talkId}`, roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: true })
  })

  it('lets a speaker publish only microphone, camera and screen share', async () => {
    const { claims } = await decode('speaker')
    expect(claims.video).toEqual({
      room: `talk:${talkId}`,
      roomJoin: true,
      canSubscribe: true,
      canPublish: true,
      canPublishData: true,
      canPublishSources: ['microphone', 'camera', 'screen_share', 'screen_share_audio'],
    })
  })

  it('gives the host the speaker grants plus room admin', async () => {
    const { claims } = await decode('host')
    expect(claims.video).toEqual({
      room: `talk:${talkId}`,
      roomJoin: true,
      canSubscribe: true,
      canPublish: true,
      canPublishData: true,
      canPublishSources: ['microphone', 'camera', 'screen_share', 'screen_share_audio'],
      roomAdmin: true,
    })
  })

  it.each(['audience', 'speaker', 'host'] as const)('names the %s by user id, lasts ten minutes and shares only the photo', async (role) => {
    const before = Math.floor(Date.now() / 1000)
    const { minted, claims } = await decode(role)
    expect(claims.sub).toBe(doctor.userId)
    expect(claims.name).toBe(doctor.displayName)
    expect(claims.iss).toBe(settings.apiKey)
    // exp and nbf are stamped a moment apart and rounded to seconds.
    expect(Math.abs(claims.exp! - claims.nbf! - ROOM_TOKEN_TTL_SECONDS)).toBeLessThanOrEqual(1)
    expect(ROOM_TOKEN_TTL_SECONDS).toBe(600)
    expect(claims.exp).toBeGreaterThanOrEqual(before + 599)
    expect(Math.abs(minted.expiresAt.getTime() / 1000 - claims.exp!)).toBeLessThanOrEqual(2)
    expect(minted.url).toBe(settings.url)
    expect(JSON.parse(claims.metadata!)).toEqual({ photoUrl: doctor.photoUrl })
    expect(claims.metadata).not.toMatch(/email|handle|@/i)
  })

  it('refuses a token signed with another secret', async () => {
    const { minted } = await decode('host')
    await expect(new TokenVerifier(settings.apiKey, 'another-secret-another-secret-0123').verify(minted.token)).rejects.toThrow()
  })

  it('throws a clear error when LiveKit is not configured', async () => {
    await expect(mintRoomToken({ ...doctor, role: 'audience' }, null)).rejects.toThrow(/not set up/)
  })
})

const event = JSON.stringify({
  event: 'room_finished',
  id: 'EV_test123',
  createdAt: '1763913600',
  room: { sid: 'RM_test123', name: `talk:${talkId}` },
})

/** The Authorization header LiveKit sends: a JWT from the API key whose sha256 claim is the body's base64 SHA-256. */
async function signedHeader(body: string, key = settings.apiKey, secret = settings.apiSecret) {
  const token = new AccessToken(key, secret)
  token.sha256 = createHash('sha256').update(body).digest('base64')
  return token.toJwt()
}

describe('verifyWebhook', () => {
  it('accepts an event signed with our key and secret', async () => {
    const verified = await verifyWebhook(event, await signedHeader(event), settings)
    expect(verified.event).toBe('room_finished')
    expect(verified.room?.name).toBe(`talk:${talkId}`)
  })

  it('rejects an altered body', async () => {
    const header = await signedHeader(event)
    await expect(verifyWebhook(event.replace('room_finished', 'room_started'), header, settings)).rejects.toThrow(/sha256/)
  })

  it('rejects a header from another key or secret', async () => {
    await expect(verifyWebhook(event, await signedHeader(event, 'APIsomeoneElse', settings.apiSecret), settings)).rejects.toThrow()
    await expect(verifyWebhook(event, await signedHeader(event, settings.apiKey, 'z'.repeat(40)), settings)).rejects.toThrow()
  })

  it('rejects an event without a header', async () => {
    await expect(verifyWebhook(event, undefined, settings)).rejects.toThrow(/authorization/)
    await expect(verifyWebhook(event, '', settings)).rejects.toThrow()
  })
})

describe('POST /livekit/webhook', () => {
  const logged: string[] = []
  let base = ''
  let close = () => {}

  beforeAll(async () => {
    const app = express()
    app.post('/livekit/webhook', ...liveKitWebhookRoute({ settings, log: (message) => logged.push(message) }))
    app.post('/unconfigured/webhook', ...liveKitWebhookRoute({ settings: null, log: (message) => logged.push(message) }))
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = () => server.close()
  })
  afterAll(() => close())

  const post = (path: string, body: string, authorization?: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/webhook+json', ...(authorization === undefined ? {} : { authorization }) },
      body,
    })

  it('answers 200 to a signed event and notes its type', async () => {
    const response = await post('/livekit/webhook', event, await signedHeader(event))
    expect(response.status).toBe(200)
    expect(logged).toContain('LiveKit webhook: room_finished')
  })

  it('answers 401 to an unsigned, altered or wrongly signed event', async () => {
    const header = await signedHeader(event)
    const loggedBefore = logged.length
    const responses = [
      await post('/livekit/webhook', event),
      await post('/livekit/webhook', event.replace('RM_test123', 'RM_other'), header),
      await post('/livekit/webhook', event, await signedHeader(event, 'APIsomeoneElse', 'z'.repeat(40))),
    ]
    for (const response of responses) {
      expect(response.status).toBe(401)
      expect(await response.text()).toBe('Webhook signature is not valid.')
    }
    expect(logged).toHaveLength(loggedBefore)
  })

  it('answers 503 when LiveKit is not configured', async () => {
    const response = await post('/unconfigured/webhook', event, await signedHeader(event))
    expect(response.status).toBe(503)
    expect(await response.text()).toBe('LiveKit is not configured.')
  })
})
