import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AccessToken } from 'livekit-server-sdk'
import type { BrowserContextOptions, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { RECORDING_POLICY_VERSION } from '../../db/recording-policy'
import { startAppServer, type AppServer } from '../support/app-server'
import { startFakeLiveKit, type FakeLiveKit } from '../support/fake-livekit'
import { asha, CLUB, dayAhead, type Doctor, newDoctor, screenshot, setUpBrowser, signIn, signUpAndVerify, talkIdOf } from './support'

const { newUserContext, expectBrowserErrors } = setUpBrowser()





/** Schedules a talk with "Record this talk" ticked; ends on the new talk's page. */
async function scheduleRecordedTalk(host: Page, title: string) {
  await host.goto(`/c/${CLUB}/talks/new`)
  await host.getByLabel('Kind of session').selectOption('surgery')
  await host.getByLabel('Title').fill(title)
  await host.getByLabel('Date').fill(dayAhead(1))
  await host.getByLabel('Time').fill('12:00')
  await host.getByLabel('Record this talk').check()
  await host.getByRole('button', { name: 'Schedule talk' }).click()
  await host.waitForURL((url) => url.searchParams.get('scheduled') === '1')
  return talkIdOf(host)
}

/** A new doctor who joins the club and enters the live room from the talk page. */
async function memberEnters(page: Page, doctor: Doctor, talkId: string) {
  await signUpAndVerify(page, doctor)
  await page.goto(`/c/${CLUB}`)
  await page.getByRole('button', { name: 'Join club' }).click()
  await page.getByText('Welcome — you are now a member of this club.').waitFor()
  await page.goto(`/t/${talkId}`)
}

const onStage = (page: Page, name: string) => page.getByTestId('stage').getByTestId('stage-person').filter({ hasText: name })

describe('a recorded talk', () => {
  test('without JavaScript, "Record this talk" marks the talk as recorded, and leaving it unticked does not', async () => {
    const { page } = await newUserContext({ javaScriptEnabled: false })
    await signIn(page, asha)
    const recordedId = await scheduleRecordedTalk(page, `Ward round teaching, recorded ${Date.now().toString(36)}`)
    expect(await page.getByTestId('recorded-notice').innerText()).toContain('This talk is recorded.')

    await page.goto(`/c/${CLUB}/talks/new`)
    await page.getByLabel('Title').fill(`Ward round teaching, not recorded ${Date.now().toString(36)}`)
    await page.getByLabel('Date').fill(dayAhead(1))
    await page.getByLabel('Time').fill('12:00')
    await page.getByRole('button', { name: 'Schedule talk' }).click()
    await page.waitForURL((url) => url.searchParams.get('scheduled') === '1' && !url.pathname.includes(recordedId))
    expect(await page.getByTestId('recorded-notice').count()).toBe(0)
  })

  test('everyone is told; a speaker consents to the policy before speaking, may decline or withdraw; recording waits for consent', async () => {
    const { page: host } = await newUserContext()
    await signIn(host, asha)
    const title = `Laparoscopic cholecystectomy, recorded ${Date.now().toString(36)}`
    const talkId = await scheduleRecordedTalk(host, title)
    expect(await host.getByTestId('recorded-notice').innerText()).toContain('This talk is recorded.')

    await host.getByRole('link', { name: 'Open the room' }).click()
    await host.waitForURL(`**/t/${talkId}/live`)
    await host.getByTestId('recorded-notice').waitFor()
    await host.getByTestId('media-off').waitFor()
    await host.getByRole('button', { name: 'Open the room' }).click()
    await expect.poll(() => host.getByTestId('room-status').innerText()).toMatch(/live/i)
    await onStage(host, asha.name).waitFor()
    expect(await host.getByLabel('Record this talk').isChecked()).toBe(true)

    // A member is told before entering, and again in the room.
    const member = newDoctor('Ines Duarte')
    const { page: guest } = await newUserContext()
    await memberEnters(guest, member, talkId)
    expect(await guest.getByTestId('recorded-notice').innerText()).toContain('This talk is recorded.')
    await guest.getByRole('link', { name: 'Join the live room' }).click()
    await guest.waitForURL(`**/t/${talkId}/live`)
    await guest.getByTestId('recorded-notice').waitFor()
    expect(await guest.getByTestId('recorded-notice').innerText()).toContain('Listening from the audience is not recorded.')
    // Nothing runs yet: no REC light for anyone.
    expect(await guest.getByTestId('rec-indicator').count()).toBe(0)

    // Hand up, invited: the invitation is the consent dialog, with the policy and its version.
    await guest.getByRole('button', { name: 'Raise hand' }).click()
    const hand = host.getByTestId('hand').filter({ hasText: member.name })
    await hand.getByRole('button', { name: /^Invite to stage/ }).click()
    const invitation = guest.getByRole('dialog', { name: 'You are invited to the stage' })
    await invitation.waitFor()
    expect(await invitation.getByTestId('recording-policy-version').innerText()).toBe(`Recording policy version ${RECORDING_POLICY_VERSION}`)
    expect(await invitation.getByTestId('recording-policy').innerText()).toContain('You can withdraw your consent at any time')
    expect(await invitation.getByRole('button', { name: 'Accept', exact: true }).count()).toBe(0)
    await screenshot(guest, 'recording-consent-dialog')

    // Declining keeps the member in the audience.
    await invitation.getByRole('button', { name: 'Decline, stay in the audience' }).click()
    await invitation.waitFor({ state: 'hidden' })
    await guest.getByRole('button', { name: 'Raise hand' }).waitFor()
    expect(await onStage(guest, member.name).count()).toBe(0)
    await expect.poll(() => onStage(host, member.name).count()).toBe(0)

    // Invited again, the member agrees and is on stage for both.
    await guest.getByRole('button', { name: 'Raise hand' }).click()
    await host.getByTestId('hand').filter({ hasText: member.name }).getByRole('button', { name: /^Invite to stage/ }).click()
    await invitation.waitFor()
    await invitation.getByRole('button', { name: 'I agree to be recorded — go on stage' }).click()
    await invitation.waitFor({ state: 'hidden' })
    await onStage(guest, member.name).waitFor()
    await onStage(host, member.name).waitFor()

    // The host went on stage by opening the room, without consenting: the recording waits for her.
    const controls = host.getByTestId('host-recording')
    await expect.poll(() => controls.getByTestId('missing-consent').innerText()).toBe(`Waiting for consent from ${asha.name}.`)
    await screenshot(host, 'recording-host-waiting-for-consent')

    const hostConsent = host.getByTestId('stage-consent')
    expect(await hostConsent.getByTestId('recording-policy-version').innerText()).toContain(RECORDING_POLICY_VERSION)
    await hostConsent.getByRole('button', { name: 'I agree to be recorded' }).click()
    await hostConsent.waitFor({ state: 'hidden' })
    await expect.poll(() => controls.getByTestId('missing-consent').count()).toBe(0)

    // Everyone has agreed; without LiveKit on this server the recording cannot run: it is not offered, and the host reads why.
    expect(await controls.getByTestId('recording-unavailable').innerText()).toBe('Recording needs live audio and video, which are not set up on this server.')
    expect(await controls.getByRole('button', { name: 'Start recording' }).count()).toBe(0)
    expect(await host.getByTestId('rec-indicator').count()).toBe(0)

    // The member withdraws: they leave the stage.
    await guest.getByRole('button', { name: 'Stop being recorded' }).click()
    await guest.getByRole('button', { name: 'Withdraw consent and leave the stage' }).click()
    await guest.getByRole('button', { name: 'Raise hand' }).waitFor()
    expect(await onStage(guest, member.name).count()).toBe(0)
    await expect.poll(() => onStage(host, member.name).count()).toBe(0)

    // Unticking "Record this talk" tells the room at once.
    await host.getByLabel('Record this talk').click()
    await expect.poll(() => guest.getByTestId('recorded-notice').count()).toBe(0)
    await expect.poll(() => host.getByLabel('Record this talk').isChecked()).toBe(false)
    await host.getByLabel('Record this talk').click()
    await guest.getByTestId('recorded-notice').waitFor()
  })
})

/** A second of silence per `seconds`, as a WAV file (8 kHz, 8-bit mono): enough for a player to seek in. */
function silence(seconds: number) {
  const samples = 8000 * seconds
  const header = Buffer.alloc(44)
  header.write('RIFF', 0)
  header.writeUInt32LE(36 + samples, 4)
  header.write('WAVEfmt ', 8)
  header.writeUInt32LE(16, 16)
  header.writeUInt16LE(1, 20)
  header.writeUInt16LE(1, 22)
  header.writeUInt32LE(8000, 24)
  header.writeUInt32LE(8000, 28)
  header.writeUInt16LE(1, 32)
  header.writeUInt16LE(8, 34)
  header.write('data', 36)
  header.writeUInt32LE(samples, 40)
  return Buffer.concat([header, Buffer.alloc(samples, 128)])
}

describe('a recorded talk with LiveKit configured', () => {
  let liveKit: FakeLiveKit
  let app: AppServer
  let recordingsDir: string

  beforeAll(async () => {
    liveKit = await startFakeLiveKit()
    recordingsDir = mkdtempSync(path.join(os.tmpdir(), 'rounds-e2e-recordings-'))
    app = await startAppServer({
      env: {
        LIVEKIT_URL: liveKit.settings.url,
        LIVEKIT_API_KEY: liveKit.settings.apiKey,
        LIVEKIT_API_SECRET: liveKit.settings.apiSecret,
        RECORDINGS_DIR: recordingsDir,
      },
    })
  })
  afterAll(async () => {
    await app?.stop()
    await liveKit?.close()
    if (recordingsDir) rmSync(recordingsDir, { recursive: true, force: true })
  })

  const on = (options: BrowserContextOptions = {}) => newUserContext({ baseURL: app.baseUrl, ...options })

  /** What LiveKit's egress would send when the file is written: a signed `egress_ended` webhook. */
  async function egressEnded(egressId: string, talkId: string, file: string, startedAt: number, endedAt: number) {
    const ns = (ms: number) => (BigInt(ms) * 1_000_000n).toString()
    const body = JSON.stringify({
      event: 'egress_ended',
      id: `EV_${egressId}_${Date.now()}`,
      createdAt: String(Math.floor(endedAt / 1000) + 1),
      egressInfo: {
        egressId,
        roomName: `talk:${talkId}`,
        status: 'EGRESS_COMPLETE',
        startedAt: ns(startedAt),
        endedAt: ns(endedAt),
        fileResults: [{ filename: file, location: file, duration: ns(endedAt - startedAt) }],
      },
    })
    const token = new AccessToken(liveKit.settings.apiKey, liveKit.settings.apiSecret)
    token.sha256 = createHash('sha256').update(body).digest('base64')
    const response = await fetch(`${app.baseUrl}/livekit/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/webhook+json', authorization: await token.toJwt() },
      body,
    })
    expect(response.status).toBe(200)
  }

  test('REC shows to everyone while it runs; afterwards the recording is on the talk page for those it is shared with', async () => {
    // The browsers cannot reach LiveKit's media here: they say so and the room goes on. After a
    // failed signal connection the SDK asks LiveKit over HTTP why, which the page's CSP (ws:/wss: only) refuses.
    expectBrowserErrors(/WebSocket connection to .* failed/, /Failed to load resource/)
    const { page: host } = await on()
    await signIn(host, asha)
    const talkId = await scheduleRecordedTalk(host, `Aortic valve repair, recorded ${Date.now().toString(36)}`)
    await host.goto(`/t/${talkId}/live`)
    expect(await host.getByTestId('media-off').count()).toBe(0)
    await host.getByRole('button', { name: 'Open the room' }).click()
    await onStage(host, asha.name).waitFor()
    const mediaProblem = host.getByTestId('media-problem')
    await mediaProblem.getByText('Audio and video could not connect.', { exact: false }).waitFor({ timeout: 30_000 })
    // Nothing offers a microphone that cannot reach anyone; the host may try again.
    expect(await host.getByRole('button', { name: 'Microphone' }).count()).toBe(0)
    await mediaProblem.getByRole('button', { name: 'Try again' }).waitFor()
    await host.getByTestId('stage-consent').getByRole('button', { name: 'I agree to be recorded' }).click()

    const member = newDoctor('Tomas Berg')
    const { page: guest } = await on()
    await memberEnters(guest, member, talkId)
    await guest.getByRole('link', { name: 'Join the live room' }).click()
    await guest.getByTestId('recorded-notice').waitFor()
    await guest.getByRole('button', { name: 'Raise hand' }).click()
    await host.getByTestId('hand').filter({ hasText: member.name }).getByRole('button', { name: /^Invite to stage/ }).click()
    const invitation = guest.getByRole('dialog', { name: 'You are invited to the stage' })
    await invitation.getByRole('button', { name: 'I agree to be recorded — go on stage' }).click()
    await onStage(host, member.name).waitFor()

    // Everyone on stage has agreed: the recording starts and both see the REC light.
    const controls = host.getByTestId('host-recording')
    await controls.getByRole('button', { name: 'Start recording' }).click()
    for (const page of [host, guest]) {
      const rec = page.getByTestId('rec-indicator')
      await rec.waitFor()
      expect(await rec.getAttribute('role')).toBe('status')
      expect(await rec.innerText()).toContain('REC')
      expect(await rec.textContent()).toContain('Recording')
      await expect.poll(() => rec.getByTestId('rec-elapsed').innerText()).toMatch(/^0:0\d$/)
    }
    await screenshot(host, 'recording-host-rec')
    await screenshot(guest, 'recording-speaker-rec')
    const startedAt = Date.now()
    const egressStarts = liveKit.callsTo('Egress/StartRoomCompositeEgress')
    expect(egressStarts).toHaveLength(1)
    // The file egress is told to write is named after the recording.
    const startCall = JSON.stringify(egressStarts[0].body)
    const { egressId } = egressStarts[0].answer as { egressId: string }
    const recordingId = new RegExp(`${talkId}/([0-9a-f-]{36})\\.ogg`).exec(startCall)?.[1]
    expect(recordingId, `egress start call ${startCall}`).toBeTruthy()

    // The member withdraws part way: a chapter and the end of their bar on the timeline.
    await new Promise((r) => setTimeout(r, 2_100))
    await guest.getByRole('button', { name: 'Stop being recorded' }).click()
    await guest.getByRole('button', { name: 'Withdraw consent and leave the stage' }).click()
    await expect.poll(() => onStage(host, member.name).count()).toBe(0)
    await new Promise((r) => setTimeout(r, 1_100))
    await controls.getByRole('button', { name: 'Stop recording' }).click()
    for (const page of [host, guest]) await expect.poll(() => page.getByTestId('rec-indicator').count()).toBe(0)
    const endedAt = Date.now()

    // Egress writes the file and says so.
    const file = `${talkId}/${recordingId}.ogg`
    mkdirSync(path.join(recordingsDir, talkId), { recursive: true })
    writeFileSync(path.join(recordingsDir, file), silence(8))
    await egressEnded(egressId, talkId, file, startedAt - 200, endedAt)
    await host.getByRole('button', { name: 'End the talk' }).click()
    await host.getByRole('button', { name: 'End now' }).click()
    await expect.poll(() => host.getByTestId('room-status').innerText()).toMatch(/ended/i)
    // Ended, the talk no longer says it is recorded: its page says what happened.
    await expect.poll(() => host.getByTestId('recorded-notice').count()).toBe(0)

    // The host sees it first: only the host may listen until it is shared.
    await host.goto(`/t/${talkId}`)
    expect(await host.getByTestId('recording-outcome').innerText()).toBe('Recorded — replay available')
    expect(await host.getByTestId('recorded-notice').count()).toBe(0)
    const recording = host.getByTestId('recording')
    await recording.waitFor()
    expect(await recording.getByTestId('recording-player').getAttribute('src')).toBe(`/recordings/${recordingId}/file`)
    const chapters = recording.getByTestId('recording-chapters')
    expect(await chapters.innerText()).toContain(`${member.name} leaves the stage`)
    const timeline = recording.getByTestId('speaker-timeline')
    expect(await timeline.innerText()).toContain(asha.name)
    expect(await timeline.innerText()).toContain(member.name)
    expect(await recording.getByLabel('Who may listen').inputValue()).toBe('private')
    await screenshot(host, 'recording-talk-page')

    // A chapter seeks the player.
    const chapter = chapters.getByRole('link').filter({ hasText: `${member.name} leaves the stage` })
    const at = /(\d+):(\d+)/.exec(await chapter.innerText())
    await chapter.click()
    await expect.poll(() => recording.getByTestId('recording-player').evaluate((el: HTMLAudioElement) => Math.round(el.currentTime))).toBe(
      Number(at?.[1]) * 60 + Number(at?.[2]),
    )

    await guest.goto(`/t/${talkId}`)
    await guest.getByRole('heading', { level: 1 }).waitFor()
    expect(await guest.getByTestId('recording').count()).toBe(0)
    expect((await guest.request.get(`/recordings/${recordingId}/file`)).status()).toBe(404)

    await recording.getByLabel('Who may listen').selectOption('attendees')
    await recording.getByRole('button', { name: 'Save sharing' }).click()
    await recording.getByText('Saved: people who attended the talk may listen.').waitFor()

    // The member attended: now they may listen, and the player may seek (ranges).
    await guest.reload()
    await guest.getByTestId('recording').waitFor()
    expect(await guest.getByTestId('recording').getByLabel('Who may listen').count()).toBe(0)
    const part = await guest.request.get(`/recordings/${recordingId}/file`, { headers: { Range: 'bytes=0-99' } })
    expect(part.status()).toBe(206)
    expect(part.headers()['content-range']).toBe(`bytes 0-99/${silence(8).length}`)

    // Deleting, without JavaScript: the confirmation is a field, its error beside it.
    const { page: plain } = await on({ javaScriptEnabled: false })
    await signIn(plain, asha)
    await plain.goto(`/t/${talkId}`)
    const plainRecording = plain.getByTestId('recording')
    await plainRecording.getByText('Delete this recording', { exact: true }).click()
    expectBrowserErrors(/status of 400 \(Bad Request\)/)
    await plainRecording.getByRole('button', { name: 'Delete recording' }).click()
    await plain.getByText('Tick “Yes, delete this recording” to confirm.').waitFor()
    const again = plain.getByTestId('recording')
    await again.getByLabel('Yes, delete this recording').check()
    await again.getByRole('button', { name: 'Delete recording' }).click()
    await plain.getByText('The recording is deleted.').waitFor()
    expect(await plain.getByTestId('recording').count()).toBe(0)

    await guest.reload()
    await guest.getByRole('heading', { level: 1 }).waitFor()
    expect(await guest.getByTestId('recording').count()).toBe(0)
    expect((await guest.request.get(`/recordings/${recordingId}/file`)).status()).toBe(404)
  })
})
