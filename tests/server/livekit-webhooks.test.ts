import { createHash, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { AccessToken } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { createLiveMedia, recordingOutput } from '../../server/livekit/media'
import { parseConfig } from '../../server/config'
import { liveKitWebhookRoute } from '../../server/livekit/webhooks'
import { createDoctor, createTalk, createTestClub } from '../support/factories'
import { startFakeLiveKit, type FakeLiveKit } from '../support/fake-livekit'

// POST /livekit/webhook with events signed by the real key and secret: each is applied once,
// late ones change nothing, and participants are reconciled against the database through a
// local stand-in for LiveKit's API.

let livekit: FakeLiveKit
let base = ''
let close = () => {}
const changed: string[] = []

beforeAll(async () => {
  livekit = await startFakeLiveKit()
  const media = createLiveMedia(livekit.settings, recordingOutput(parseConfig({} as NodeJS.ProcessEnv)), () => {})
  const app = express()
  app.post(
    '/livekit/webhook',
    ...liveKitWebhookRoute({ settings: livekit.settings, media, log: () => {}, onRecordingChange: (talkId) => changed.push(talkId) }),
  )
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => server.close()
})

afterAll(async () => {
  close()
  await livekit.close()
})

async function signed(body: string, key = livekit.settings.apiKey, secret = livekit.settings.apiSecret) {
  const token = new AccessToken(key, secret)
  token.sha256 = createHash('sha256').update(body).digest('base64')
  return token.toJwt()
}

async function post(body: string, authorization?: string | null) {
  const header = authorization === undefined ? await signed(body) : authorization
  return fetch(`${base}/livekit/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/webhook+json', ...(header === null ? {} : { authorization: header }) },
    body,
  })
}

const seconds = (date: Date) => String(Math.floor(date.getTime() / 1000))
const nanos = (date: Date) => String(BigInt(date.getTime()) * 1_000_000n)

/** A live recorded talk with a recording running under egress `egressId`. */
async function recordingTalk() {
  const host = await createDoctor({ name: 'Dr Host' })
  const club = await createTestClub(host)
  const talk = await createTalk({ clubId: club.id, hostId: host.id, status: 'live', startsAt: new Date() })
  await rawSql()`update talks set recorded = true where id = ${talk.id}`
  const recordingId = randomUUID()
  const egressId = `EG_${randomUUID().slice(0, 12)}`
  await rawSql()`insert into recordings (id, talk_id, started_by, status, storage, file_path, egress_id, started_at)
    values (${recordingId}, ${talk.id}, ${host.id}, 'active', 'local', ${`${talk.id}/${recordingId}.ogg`}, ${egressId}, now())`
  return { talkId: talk.id, host, recordingId, egressId }
}

async function recordingRow(id: string) {
  const [row] = await rawSql()<{ status: string; file_location: string | null; duration_seconds: number | null; ended_at: string | null }[]>`
    select status::text, file_location, duration_seconds, to_char(ended_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ended_at
    from recordings where id = ${id}`
  return row
}

function egressEvent(kind: 'egress_started' | 'egress_ended', egressId: string, talkId: string, at: Date, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    event: kind,
    id: `EV_${randomUUID()}`,
    createdAt: seconds(at),
    egressInfo: { egressId, roomName: `talk:${talkId}`, status: kind === 'egress_started' ? 'EGRESS_ACTIVE' : 'EGRESS_COMPLETE', ...extra },
  })
}

describe('egress events', () => {
  it('egress_ended completes the recording with its file, location and duration', async () => {
    const { talkId, recordingId, egressId } = await recordingTalk()
    const start = new Date(Date.now() - 90_000)
    const end = new Date()
    const body = egressEvent('egress_ended', egressId, talkId, end, {
      startedAt: nanos(start),
      endedAt: nanos(end),
      fileResults: [{ filename: `/out/${talkId}/${recordingId}.ogg`, location: `/out/${talkId}/${recordingId}.ogg`, duration: String(90n * 1_000_000_000n), size: '1200000' }],
    })
    const response = await post(body)
    expect(response.status).toBe(200)
    expect(await recordingRow(recordingId)).toEqual({
      status: 'complete',
      file_location: `/out/${talkId}/${recordingId}.ogg`,
      duration_seconds: 90,
      ended_at: end.toISOString(),
    })
    expect(changed.filter((t) => t === talkId)).toHaveLength(1)
  })

  it('a duplicated event is applied once, and an older one delivered late changes nothing', async () => {
    const { talkId, recordingId, egressId } = await recordingTalk()
    const now = Date.now()
    const ended = egressEvent('egress_ended', egressId, talkId, new Date(now), {
      fileResults: [{ filename: 'a.ogg', location: 's3://bucket/a.ogg', duration: String(30n * 1_000_000_000n) }],
    })
    expect((await post(ended)).status).toBe(200)
    const [{ n: eventsAfterFirst }] = await rawSql()<{ n: number }[]>`select count(*)::int as n from livekit_webhook_events`
    const afterFirst = await recordingRow(recordingId)

    // The same event again (LiveKit retried): 200, nothing written, nobody told twice.
    expect((await post(ended)).status).toBe(200)
    expect(await recordingRow(recordingId)).toEqual(afterFirst)
    const [{ n: eventsAfterSecond }] = await rawSql()<{ n: number }[]>`select count(*)::int as n from livekit_webhook_events`
    expect(eventsAfterSecond).toBe(eventsAfterFirst)
    expect(changed.filter((t) => t === talkId)).toHaveLength(1)

    // egress_started, stamped before the end, arrives after it: the recording stays complete.
    expect((await post(egressEvent('egress_started', egressId, talkId, new Date(now - 60_000)))).status).toBe(200)
    expect(await recordingRow(recordingId)).toEqual(afterFirst)
    expect(afterFirst.status).toBe('complete')
    expect(changed.filter((t) => t === talkId)).toHaveLength(1)
  })

  it('a failed egress marks the recording failed with its reason', async () => {
    const { talkId, recordingId, egressId } = await recordingTalk()
    const body = egressEvent('egress_ended', egressId, talkId, new Date(), { status: 'EGRESS_FAILED', error: 'no space left on device' })
    expect((await post(body)).status).toBe(200)
    const [row] = await rawSql()<{ status: string; error: string }[]>`select status::text, error from recordings where id = ${recordingId}`
    expect(row).toEqual({ status: 'failed', error: 'no space left on device' })
  })

  it('answers 401 to an altered body, a wrong key and no header, and changes nothing', async () => {
    const { talkId, recordingId, egressId } = await recordingTalk()
    const body = egressEvent('egress_ended', egressId, talkId, new Date())
    const header = await signed(body)
    const responses = [
      await post(body.replace('EGRESS_COMPLETE', 'EGRESS_FAILED'), header),
      await post(body, await signed(body, 'APIsomeoneElse', 'z'.repeat(40))),
      await post(body, await signed(body, livekit.settings.apiKey, 'another-secret-another-secret-0123')),
      await post(body, null),
    ]
    for (const response of responses) {
      expect(response.status).toBe(401)
      expect(await response.text()).toBe('Webhook signature is not valid.')
    }
    expect((await recordingRow(recordingId)).status).toBe('active')
    const [{ n }] = await rawSql()<{ n: number }[]>`select count(*)::int as n from livekit_webhook_events where id = ${JSON.parse(body).id as string}`
    expect(n).toBe(0)
  })
})

describe('participant events', () => {
  function participantEvent(kind: 'participant_joined' | 'track_published' | 'participant_left', talkId: string, identity: string, canPublish: boolean) {
    return JSON.stringify({
      event: kind,
      id: `EV_${randomUUID()}`,
      createdAt: seconds(new Date()),
      room: { name: `talk:${talkId}` },
      participant: { identity, permission: { canSubscribe: true, canPublish, canPublishData: true } },
      ...(kind === 'track_published' ? { track: { sid: 'TR_mic', type: 'AUDIO' } } : {}),
    })
  }

  const callsFor = (method: string, identity: string) => livekit.callsTo(method).filter((c) => c.body.identity === identity)

  it('corrects someone who joined LiveKit with a publish grant they no longer have, once', async () => {
    const { talkId } = await recordingTalk()
    const member = await createDoctor()
    // An old speaker token: they have since left the stage, so LiveKit must take publishing away.
    const body = participantEvent('participant_joined', talkId, member.id, true)
    expect((await post(body)).status).toBe(200)
    expect(callsFor('RoomService/UpdateParticipant', member.id).map((c) => c.body)).toEqual([
      { room: `talk:${talkId}`, identity: member.id, permission: { canSubscribe: true, canPublishData: true } },
    ])
    // The duplicate does nothing.
    expect((await post(body)).status).toBe(200)
    expect(callsFor('RoomService/UpdateParticipant', member.id)).toHaveLength(1)
    // A track published by someone not allowed to publish is cut off too.
    expect((await post(participantEvent('track_published', talkId, member.id, true))).status).toBe(200)
    expect(callsFor('RoomService/UpdateParticipant', member.id)).toHaveLength(2)
  })

  it('leaves the recorder (egress) alone: it is not a person of the talk', async () => {
    const { talkId } = await recordingTalk()
    const before = livekit.calls.length
    for (const permission of [{ canSubscribe: true, recorder: true, hidden: true }, { canSubscribe: true }]) {
      const body = JSON.stringify({
        event: 'participant_joined',
        id: `EV_${randomUUID()}`,
        createdAt: seconds(new Date()),
        room: { name: `talk:${talkId}` },
        participant: { identity: `EG_${randomUUID().slice(0, 12)}`, permission },
      })
      expect((await post(body)).status).toBe(200)
    }
    expect(livekit.calls.length).toBe(before)
  })

  it('leaves alone a participant whose grants match, and removes someone removed from the talk', async () => {
    const { talkId, host } = await recordingTalk()
    const listener = await createDoctor()
    expect((await post(participantEvent('participant_joined', talkId, listener.id, false))).status).toBe(200)
    expect(callsFor('RoomService/UpdateParticipant', listener.id)).toEqual([])
    expect((await post(participantEvent('participant_left', talkId, listener.id, false))).status).toBe(200)
    expect(livekit.calls.filter((c) => c.body.identity === listener.id)).toEqual([])

    const removed = await createDoctor()
    await rawSql()`insert into talk_removals (talk_id, user_id, removed_by) values (${talkId}, ${removed.id}, ${host.id})`
    expect((await post(participantEvent('participant_joined', talkId, removed.id, false))).status).toBe(200)
    expect(callsFor('RoomService/RemoveParticipant', removed.id).map((c) => c.body)).toEqual([{ room: `talk:${talkId}`, identity: removed.id }])
  })
})
