import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { AccessToken, TokenVerifier } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { rawSql } from '../../db/client'
import type { RoomState } from '../../db/live'
import { CONSENT_REQUIRED_MESSAGE, RECORDING_POLICY_VERSION } from '../../db/recording-policy'
import { listTalkRecordings } from '../../db/recordings'
import { createLiveMedia, recordingOutput } from '../../server/livekit/media'
import { liveKitWebhookRoute } from '../../server/livekit/webhooks'
import { notifyRecordingChange } from '../../server/realtime/index'
import { parseConfig as parseEnv } from '../../server/config'
import { createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'
import { startFakeLiveKit, type FakeLiveKit } from '../support/fake-livekit'
import { startRealtimeServer, type LiveClient, type RealtimeServer } from '../support/live-server'
import { signIn } from '../support/routes'

// The live room with LiveKit configured, against a local stand-in for LiveKit's API that records
// each Twirp call; and without it (a second server), where everything but media works.

const parseConfig = (env: Record<string, string>) => parseEnv(env as NodeJS.ProcessEnv)

let livekit: FakeLiveKit
let server: RealtimeServer
let bare: RealtimeServer

const output = recordingOutput(parseConfig({ DATA_DIR: '.data/test-recordings' }))

beforeAll(async () => {
  livekit = await startFakeLiveKit()
  server = await startRealtimeServer({ media: createLiveMedia(livekit.settings, output, () => {}) })
})

afterAll(async () => {
  await server.close()
  await livekit.close()
})

type Person = LiveClient & { doctor: TestDoctor }

async function joinAs(doctor: TestDoctor, talkId: string, on: RealtimeServer = server): Promise<Person> {
  const auth = await signIn(doctor.id)
  const client = await on.connect(auth.cookie)
  expect(await client.send('talk:join', { talkId })).toMatchObject({ ok: true })
  return Object.assign(client, { doctor })
}

async function recordedTalk(options: { recorded?: boolean; on?: RealtimeServer } = {}) {
  const hostDoctor = await createDoctor({ name: 'Dr Host' })
  const club = await createTestClub(hostDoctor)
  const talk = await createTalk({ clubId: club.id, hostId: hostDoctor.id, startsAt: new Date() })
  if (options.recorded !== false) await rawSql()`update talks set recorded = true where id = ${talk.id}`
  const host = await joinAs(hostDoctor, talk.id, options.on)
  expect(await host.send('talk:open', { talkId: talk.id })).toEqual({ ok: true, status: 'live' })
  return { talkId: talk.id, host }
}

/** Someone in the audience invited to the stage, with the invitation waiting. */
async function invited(talkId: string, host: Person, name = 'Dr Guest', on: RealtimeServer = server) {
  const guest = await joinAs(await createDoctor({ name }), talkId, on)
  expect(await host.send('stage:invite', { talkId, userId: guest.doctor.id })).toMatchObject({ ok: true })
  return guest
}

async function grantOf(person: Person, talkId: string) {
  const ack = await person.ok<{ token: string; role: string; canPublish: boolean; url: string; expiresAt: string }>('media:token', { talkId })
  const claims = await new TokenVerifier(livekit.settings.apiKey, livekit.settings.apiSecret).verify(ack.token)
  return { ack, video: claims.video! }
}

async function consentRows(talkId: string, userId: string) {
  return rawSql()<{ kind: string; policy_version: string }[]>`
    select kind::text, policy_version from recording_consents where talk_id = ${talkId} and user_id = ${userId} order by id`
}

async function onStage(talkId: string) {
  const rows = await rawSql()<{ user_id: string }[]>`select user_id from talk_stage where talk_id = ${talkId} and status = 'on_stage'`
  return rows.map((r) => r.user_id)
}

const permissionCalls = (userId: string) =>
  livekit.callsTo('RoomService/UpdateParticipant').filter((c) => c.body.identity === userId)

describe('the consent gate', () => {
  it('keeps an invited member off the stage of a recorded talk until they accept the recording consent', async () => {
    const { talkId, host } = await recordedTalk()
    const guest = await invited(talkId, host)

    expect(await guest.send('stage:respond', { talkId, accept: true })).toEqual({ ok: false, error: CONSENT_REQUIRED_MESSAGE })
    expect(await guest.send('stage:respond', { talkId, accept: true, recordingConsent: '2001-01-01' })).toEqual({
      ok: false,
      error: 'The recording policy has changed. Read it again and accept.',
    })
    expect(await onStage(talkId)).toEqual([host.doctor.id])
    expect(await consentRows(talkId, guest.doctor.id)).toEqual([])

    // No publish grant by any path while they have not consented: the token says audience.
    const before = await grantOf(guest, talkId)
    expect(before.ack).toMatchObject({ ok: true, role: 'audience', canPublish: false, url: livekit.settings.url })
    expect(before.video.canPublish).toBe(false)
    expect(before.video.canPublishSources).toBeUndefined()

    const ack = await guest.send('stage:respond', { talkId, accept: true, recordingConsent: RECORDING_POLICY_VERSION })
    expect(ack).toMatchObject({ ok: true })
    expect(await onStage(talkId)).toEqual([host.doctor.id, guest.doctor.id])
    expect(await consentRows(talkId, guest.doctor.id)).toEqual([{ kind: 'given', policy_version: RECORDING_POLICY_VERSION }])
    expect(await guest.next('media:role')).toEqual({ talkId, role: 'speaker', canPublish: true })
    const after = await grantOf(guest, talkId)
    expect(after.ack).toMatchObject({ role: 'speaker', canPublish: true })
    expect(after.video).toMatchObject({ canPublish: true, canPublishSources: ['microphone', 'camera', 'screen_share', 'screen_share_audio'] })
  })

  it('declining keeps the person in the audience and writes no consent', async () => {
    const { talkId, host } = await recordedTalk()
    const guest = await invited(talkId, host)
    expect(await guest.send('stage:respond', { talkId, accept: false })).toMatchObject({ ok: true })
    expect(await onStage(talkId)).toEqual([host.doctor.id])
    expect(await consentRows(talkId, guest.doctor.id)).toEqual([])
    expect((await grantOf(guest, talkId)).ack.role).toBe('audience')
  })

  it('tells everyone joining that the talk is recorded, and the host who has not consented cannot publish', async () => {
    const { talkId, host } = await recordedTalk()
    const listener = await joinAs(await createDoctor(), talkId)
    const state = (await listener.ok<{ state: RoomState }>('talk:sync', { talkId })).state
    expect(state.recording).toEqual({
      recorded: true,
      active: false,
      startedAt: null,
      policyVersion: RECORDING_POLICY_VERSION,
      consented: false,
      missingConsent: [],
    })
    const hostState = (await host.ok<{ state: RoomState }>('talk:sync', { talkId })).state
    expect(hostState.recording.missingConsent).toEqual(['Dr Host'])

    const hostGrant = await grantOf(host, talkId)
    expect(hostGrant.ack).toMatchObject({ role: 'host', canPublish: false })
    expect(hostGrant.video).toMatchObject({ roomAdmin: true, canPublish: false })

    expect(await host.send('recording:consent', { talkId, policyVersion: RECORDING_POLICY_VERSION })).toEqual({ ok: true })
    expect(await host.next('media:role')).toEqual({ talkId, role: 'host', canPublish: true })
    expect((await grantOf(host, talkId)).video).toMatchObject({ roomAdmin: true, canPublish: true })
    // LiveKit got the whole permission set, publishing on.
    expect(permissionCalls(host.doctor.id).at(-1)?.body).toEqual({
      room: `talk:${talkId}`,
      identity: host.doctor.id,
      permission: {
        canSubscribe: true,
        canPublish: true,
        canPublishData: true,
        canPublishSources: ['MICROPHONE', 'CAMERA', 'SCREEN_SHARE', 'SCREEN_SHARE_AUDIO'],
      },
    })
    // Someone in the audience is not asked to consent.
    expect(await listener.send('recording:consent', { talkId, policyVersion: RECORDING_POLICY_VERSION })).toEqual({
      ok: false,
      error: 'Only people on stage, or invited to it, are asked to agree to be recorded.',
    })
  })

  it('a reconnecting member gets no publish grant without consent, even when the talk became recorded while they were on stage', async () => {
    const { talkId, host } = await recordedTalk({ recorded: false })
    const guest = await invited(talkId, host)
    expect(await guest.send('stage:respond', { talkId, accept: true })).toMatchObject({ ok: true })
    expect((await grantOf(guest, talkId)).ack).toMatchObject({ role: 'speaker', canPublish: true })

    expect(await host.send('talk:set-recorded', { talkId, recorded: true })).toEqual({ ok: true })
    expect(await guest.next('recording:update', (u: { recorded?: boolean }) => u.recorded === true)).toEqual({
      talkId,
      recorded: true,
      active: false,
      startedAt: null,
    })
    // Their publishing is taken away in LiveKit at once…
    expect(permissionCalls(guest.doctor.id).at(-1)?.body.permission).toEqual({ canSubscribe: true, canPublishData: true })
    await guest.next('media:role', (r: { canPublish?: boolean }) => r.canPublish === false)

    // …and a new socket (a reconnect) gets an audience token.
    guest.socket.disconnect()
    const again = await joinAs(guest.doctor, talkId)
    const grant = await grantOf(again, talkId)
    expect(grant.ack).toMatchObject({ role: 'audience', canPublish: false })
    expect(grant.video.canPublish).toBe(false)
  })
})

describe('withdrawing consent', () => {
  it('takes the speaker off the stage and turns publishing off in LiveKit before the ack', async () => {
    const { talkId, host } = await recordedTalk()
    const guest = await invited(talkId, host, 'Dr Withdrawn')
    await guest.ok('stage:respond', { talkId, accept: true, recordingConsent: RECORDING_POLICY_VERSION })
    const callsBefore = permissionCalls(guest.doctor.id).length

    expect(await guest.send('recording:withdraw', { talkId })).toMatchObject({ ok: true })
    const calls = permissionCalls(guest.doctor.id)
    expect(calls.length).toBe(callsBefore + 1)
    expect(calls.at(-1)?.path).toBe('/twirp/livekit.RoomService/UpdateParticipant')
    expect(calls.at(-1)?.body).toEqual({
      room: `talk:${talkId}`,
      identity: guest.doctor.id,
      // The full set, publishing off (protobuf JSON leaves false out).
      permission: { canSubscribe: true, canPublishData: true },
    })
    expect(await onStage(talkId)).toEqual([host.doctor.id])
    expect(await consentRows(talkId, guest.doctor.id)).toEqual([
      { kind: 'given', policy_version: RECORDING_POLICY_VERSION },
      { kind: 'withdrawn', policy_version: RECORDING_POLICY_VERSION },
    ])
    await host.next('stage:update', (u: { stage: unknown[] }) => u.stage.length === 1)
    expect((await grantOf(guest, talkId)).ack).toMatchObject({ role: 'audience', canPublish: false })
    // Withdrawing twice is refused, nothing written.
    expect(await guest.send('recording:withdraw', { talkId })).toEqual({ ok: false, error: 'You have not agreed to be recorded in this talk.' })
    expect(await consentRows(talkId, guest.doctor.id)).toHaveLength(2)
  })
})

describe('starting and stopping a recording', () => {
  it('refuses to start while anyone on stage has not agreed, naming them, and calls no egress', async () => {
    const { talkId, host } = await recordedTalk()
    const egressBefore = livekit.callsTo('Egress/StartRoomCompositeEgress').length
    expect(await host.send('recording:start', { talkId })).toEqual({
      ok: false,
      error: 'Recording cannot start: Dr Host has not agreed to be recorded.',
    })
    await host.ok('recording:consent', { talkId, policyVersion: RECORDING_POLICY_VERSION })
    // A speaker on stage from before the talk was recorded, without consent.
    const [speaker] = await Promise.all([createDoctor({ name: 'Dr Unasked' })])
    const guest = await joinAs(speaker, talkId)
    await rawSql()`insert into talk_stage (talk_id, user_id, status) values (${talkId}, ${speaker.id}, 'on_stage')`
    expect(await host.send('recording:start', { talkId })).toEqual({
      ok: false,
      error: 'Recording cannot start: Dr Unasked has not agreed to be recorded.',
    })
    expect(livekit.callsTo('Egress/StartRoomCompositeEgress').length).toBe(egressBefore)
    const [{ n }] = await rawSql()<{ n: number }[]>`select count(*)::int as n from recordings where talk_id = ${talkId}`
    expect(n).toBe(0)
    // Nor may anyone but a host start one.
    expect(await guest.send('recording:start', { talkId })).toEqual({ ok: false, error: 'Only the talk’s hosts can do that.' })
  })

  it('starts an audio-only room composite egress, shows REC to everyone, and stops it', async () => {
    const { talkId, host } = await recordedTalk()
    const listener = await joinAs(await createDoctor(), talkId)
    await host.ok('recording:consent', { talkId, policyVersion: RECORDING_POLICY_VERSION })

    const ack = await host.ok<{ recording: { id: string; status: string; startedAt: string } }>('recording:start', { talkId })
    expect(ack.recording.status).toBe('active')
    const [call] = livekit.callsTo('Egress/StartRoomCompositeEgress').filter((c) => c.body.roomName === `talk:${talkId}`)
    const file = { fileType: 'OGG', filepath: `/out/${talkId}/${ack.recording.id}.ogg` }
    // The SDK sends the output in both the legacy and the list field.
    expect(call.body).toEqual({ roomName: `talk:${talkId}`, audioOnly: true, file, fileOutputs: [file] })
    const update = await listener.next<{ active: boolean; startedAt: string }>('recording:update', (u) => u.active)
    expect(update).toEqual({ talkId, recorded: true, active: true, startedAt: ack.recording.startedAt })
    const [row] = await rawSql()<{ status: string; egress_id: string; storage: string; file_path: string }[]>`
      select status::text, egress_id, storage, file_path from recordings where id = ${ack.recording.id}`
    expect(row).toEqual({ status: 'active', egress_id: `EG_${`talk:${talkId}`.slice(-8)}`, storage: 'local', file_path: `${talkId}/${ack.recording.id}.ogg` })
    expect((await listener.ok<{ state: RoomState }>('talk:sync', { talkId })).state.recording).toMatchObject({ active: true, startedAt: ack.recording.startedAt })

    // While it runs, the talk cannot stop being recorded, nor a second recording start.
    expect(await host.send('talk:set-recorded', { talkId, recorded: false })).toEqual({ ok: false, error: 'Stop the recording first.' })
    expect(await host.send('recording:start', { talkId })).toEqual({ ok: false, error: 'A recording is running already.' })

    expect(await host.send('recording:stop', { talkId })).toEqual({ ok: true })
    expect(livekit.callsTo('Egress/StopEgress').at(-1)?.body).toEqual({ egressId: row.egress_id })
    await listener.next('recording:update', (u: { active?: boolean; startedAt?: string | null }) => u.active === false)
    const [stopped] = await rawSql()<{ status: string }[]>`select status::text from recordings where id = ${ack.recording.id}`
    expect(stopped.status).toBe('ending')
  })

  it('egress_ended from LiveKit completes the recording, tells the room, and it appears on the talk page', async () => {
    const { talkId, host } = await recordedTalk()
    const listener = await joinAs(await createDoctor(), talkId)
    await host.ok('recording:consent', { talkId, policyVersion: RECORDING_POLICY_VERSION })
    const { recording } = await host.ok<{ recording: { id: string } }>('recording:start', { talkId })
    await host.ok('recording:stop', { talkId })
    // Consent, start and stop each told the room.
    await expect.poll(() => listener.all('recording:update').length).toBe(3)
    const [{ egress_id: egressId }] = await rawSql()<{ egress_id: string }[]>`select egress_id from recordings where id = ${recording.id}`

    const app = express()
    app.post('/livekit/webhook', ...liveKitWebhookRoute({ settings: livekit.settings, log: () => {}, onRecordingChange: notifyRecordingChange }))
    const web = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => web.once('listening', () => resolve()))
    try {
      const body = JSON.stringify({
        event: 'egress_ended',
        id: `EV_${recording.id}`,
        createdAt: String(Math.floor(Date.now() / 1000)),
        egressInfo: {
          egressId,
          roomName: `talk:${talkId}`,
          status: 'EGRESS_COMPLETE',
          fileResults: [{ filename: `/out/${talkId}/${recording.id}.ogg`, location: `/out/${talkId}/${recording.id}.ogg`, duration: '5000000000' }],
        },
      })
      const token = new AccessToken(livekit.settings.apiKey, livekit.settings.apiSecret)
      token.sha256 = createHash('sha256').update(body).digest('base64')
      const before = listener.all('recording:update').length
      const response = await fetch(`http://127.0.0.1:${(web.address() as AddressInfo).port}/livekit/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/webhook+json', authorization: await token.toJwt() },
        body,
      })
      expect(response.status).toBe(200)
      await expect.poll(() => listener.all('recording:update').length).toBe(before + 1)
      expect(listener.all('recording:update').at(-1)).toEqual({ talkId, recorded: true, active: false, startedAt: null })
    } finally {
      web.close()
    }
    const [listed] = await listTalkRecordings(viewerOf(host.doctor), talkId)
    expect(listed).toMatchObject({ id: recording.id, status: 'complete', durationSeconds: 5, share: 'private', canManage: true })
    expect(listed.playbackUrl).toBe(`/recordings/${recording.id}/file`)
    expect(listed.speakers.map((s) => s.name)).toEqual(['Dr Host'])
    expect(await listTalkRecordings(viewerOf(listener.doctor), talkId)).toEqual([])
  })

  it('a failed egress start is refused with a plain sentence and leaves a failed row, not a running one', async () => {
    const { talkId, host } = await recordedTalk()
    await host.ok('recording:consent', { talkId, policyVersion: RECORDING_POLICY_VERSION })
    livekit.failNext('Egress/StartRoomCompositeEgress')
    const original = console.warn
    console.warn = () => {}
    try {
      expect(await host.send('recording:start', { talkId })).toEqual({ ok: false, error: 'The recording could not start. Try again in a moment.' })
    } finally {
      console.warn = original
    }
    const rows = await rawSql()<{ status: string }[]>`select status::text from recordings where talk_id = ${talkId}`
    expect(rows).toEqual([{ status: 'failed' }])
    expect((await host.ok<{ state: RoomState }>('talk:sync', { talkId })).state.recording.active).toBe(false)
  })

  it('ending the talk stops the running recording', async () => {
    const { talkId, host } = await recordedTalk()
    await host.ok('recording:consent', { talkId, policyVersion: RECORDING_POLICY_VERSION })
    await host.ok('recording:start', { talkId })
    const stopsBefore = livekit.callsTo('Egress/StopEgress').length
    expect(await host.send('talk:end', { talkId })).toEqual({ ok: true, status: 'ended' })
    expect(livekit.callsTo('Egress/StopEgress').length).toBe(stopsBefore + 1)
    const [row] = await rawSql()<{ status: string }[]>`select status::text from recordings where talk_id = ${talkId}`
    expect(row.status).toBe('ending')
    // Then the media room closes, after the recording was told to stop.
    await vi.waitFor(() => expect(livekit.callsTo('RoomService/DeleteRoom').map((c) => c.body)).toContainEqual({ room: `talk:${talkId}` }))
    const order = livekit.calls.map((c) => c.path)
    expect(order.lastIndexOf('/twirp/livekit.Egress/StopEgress')).toBeLessThan(order.lastIndexOf('/twirp/livekit.RoomService/DeleteRoom'))
  })
})

describe('recording output', () => {
  it('writes to the S3-compatible bucket when RECORDINGS_S3_* are set', async () => {
    const s3 = recordingOutput(
      parseConfig({
        RECORDINGS_S3_BUCKET: 'rounds-recordings',
        RECORDINGS_S3_REGION: 'eu-west-2',
        RECORDINGS_S3_ACCESS_KEY: 'minio-key',
        RECORDINGS_S3_SECRET: 'minio-secret',
        RECORDINGS_S3_ENDPOINT: 'http://minio:9000',
      }),
    )
    expect(s3.storage).toBe('s3')
    const media = createLiveMedia(livekit.settings, s3, () => {})
    const talkId = '0b9c5c1e-6f0e-4b8e-9d55-3f1f0a2b7c11'
    const path = s3.fileFor(talkId, 'rec-1')
    expect(path).toBe(`recordings/${talkId}/rec-1.ogg`)
    await media.startRecording(talkId, path)
    const file = {
      fileType: 'OGG',
      filepath: path,
      s3: { accessKey: 'minio-key', secret: 'minio-secret', region: 'eu-west-2', endpoint: 'http://minio:9000', bucket: 'rounds-recordings', forcePathStyle: true },
    }
    expect(livekit.callsTo('Egress/StartRoomCompositeEgress').at(-1)?.body).toEqual({ roomName: `talk:${talkId}`, audioOnly: true, file, fileOutputs: [file] })
  })

  it('refuses some but not all RECORDINGS_S3_* settings', () => {
    expect(() => parseConfig({ RECORDINGS_S3_BUCKET: 'rounds-recordings' })).toThrow(
      /RECORDINGS_S3_REGION: is required when RECORDINGS_S3_BUCKET is set[\s\S]*RECORDINGS_S3_SECRET/,
    )
    expect(() => parseConfig({ RECORDINGS_S3_ENDPOINT: 'http://minio:9000' })).toThrow(/RECORDINGS_S3_BUCKET: is required when RECORDINGS_S3_ENDPOINT is set/)
    expect(recordingOutput(parseConfig({})).storage).toBe('local')
  })
})

describe('room control in LiveKit', () => {
  it('moves to the audience, asks to mute and removes through RoomService', async () => {
    const { talkId, host } = await recordedTalk({ recorded: false })
    const guest = await invited(talkId, host)
    await guest.ok('stage:respond', { talkId, accept: true })

    expect(await host.send('stage:ask-mute', { talkId, userId: guest.doctor.id })).toEqual({ ok: true })
    const mute = livekit.callsTo('RoomService/MutePublishedTrack').filter((c) => c.body.identity === guest.doctor.id)
    // Only the microphone: the camera stays as it was.
    expect(mute.map((c) => c.body)).toEqual([{ room: `talk:${talkId}`, identity: guest.doctor.id, trackSid: 'TR_mic', muted: true }])

    expect(await host.send('stage:move-to-audience', { talkId, userId: guest.doctor.id })).toMatchObject({ ok: true })
    expect(permissionCalls(guest.doctor.id).at(-1)?.body.permission).toEqual({ canSubscribe: true, canPublishData: true })

    expect(await host.send('talk:remove', { talkId, userId: guest.doctor.id })).toMatchObject({ ok: true })
    expect(livekit.callsTo('RoomService/RemoveParticipant').at(-1)?.body).toEqual({ room: `talk:${talkId}`, identity: guest.doctor.id })
  })

  it('signs every call with the API key', async () => {
    const [call] = livekit.calls
    expect(call.authorization).toMatch(/^Bearer ey/)
    const claims = await new TokenVerifier(livekit.settings.apiKey, livekit.settings.apiSecret).verify(call.authorization!.slice(7))
    expect(claims.iss).toBe(livekit.settings.apiKey)
  })
})

describe('without LiveKit', () => {
  beforeAll(async () => {
    await server.close()
    bare = await startRealtimeServer({ media: createLiveMedia(null, output) })
  })
  afterAll(async () => {
    await bare.close()
    // The LiveKit-backed server again for anything after.
    server = await startRealtimeServer({ media: createLiveMedia(livekit.settings, output, () => {}) })
  })

  it('refuses media tokens and recording, while the stage and consent work the same', async () => {
    const { talkId, host } = await recordedTalk({ on: bare })
    expect(await host.send('media:token', { talkId })).toEqual({ ok: false, error: 'Live audio and video are not set up on this server.' })
    await host.ok('recording:consent', { talkId, policyVersion: RECORDING_POLICY_VERSION })
    expect(await host.send('recording:start', { talkId })).toEqual({
      ok: false,
      error: 'Recording needs live audio and video, which are not set up on this server.',
    })
    const guest = await invited(talkId, host, 'Dr Offline', bare)
    expect(await guest.send('stage:respond', { talkId, accept: true })).toEqual({ ok: false, error: CONSENT_REQUIRED_MESSAGE })
    expect(await guest.send('stage:respond', { talkId, accept: true, recordingConsent: RECORDING_POLICY_VERSION })).toMatchObject({ ok: true })
    const [{ n }] = await rawSql()<{ n: number }[]>`select count(*)::int as n from recordings where talk_id = ${talkId}`
    expect(n).toBe(0)
  })
})
