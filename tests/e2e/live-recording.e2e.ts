import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { RECORDING_POLICY_VERSION } from '../../db/recording-policy'
import { newDoctor, signIn, signUpAndVerify, setUpBrowser, type Doctor } from './support'

const { newUserContext } = setUpBrowser()

// The demo data (db/seed.ts): Asha owns this public club and hosts talks in it.
const asha: Doctor = { name: 'Asha Rao', email: 'asha.rao@demo.rounds.local', password: 'rounds-demo-2026', dateOfBirth: '' }
const CLUB = 'cardiology-grand-rounds'

/** A day a little ahead, as the date field wants it. */
function dayAhead(days: number) {
  return new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10)
}

function talkIdOf(page: Page) {
  const id = /\/t\/([0-9a-f-]{36})/.exec(new URL(page.url()).pathname)?.[1]
  if (!id) throw new Error(`Not on a talk page: ${page.url()}`)
  return id
}

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
    await controls.getByRole('button', { name: 'Start recording' }).click()
    await controls.getByRole('alert').getByText(`Recording cannot start: ${asha.name} has not agreed to be recorded.`).waitFor()

    const hostConsent = host.getByTestId('stage-consent')
    expect(await hostConsent.getByTestId('recording-policy-version').innerText()).toContain(RECORDING_POLICY_VERSION)
    await hostConsent.getByRole('button', { name: 'I agree to be recorded' }).click()
    await hostConsent.waitFor({ state: 'hidden' })
    await expect.poll(() => controls.getByTestId('missing-consent').count()).toBe(0)

    // Everyone has agreed; without LiveKit on this server the recording still cannot run, and the host reads why.
    await controls.getByRole('button', { name: 'Start recording' }).click()
    await controls.getByRole('alert').getByText('Recording needs live audio and video, which are not set up on this server.').waitFor()
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
