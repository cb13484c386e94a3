import { randomInt, randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { db, rawSql } from '../../db/client'
import { notify } from '../../db/notifications'
import { fanOutTalkNotice } from '../../db/notifications/fan-out'
import { getPhoneNumber, PHONE_CODES_PER_HOUR } from '../../db/phone-numbers'
import { getCommunicationPreferences, updateCommunicationPreferences } from '../../db/privacy/index'
import { runDueJobs } from '../../server/jobs/index'
import { textMessageOf, TEXT_MESSAGE_MAX } from '../../server/notifications/text'
import * as settingsNotificationsRoute from '../../app/routes/settings.notifications'
import { addClubMember, createDoctor, createTalk, createTestClub, type TestDoctor } from '../support/factories'
import { callAction, callLoader, signIn } from '../support/routes'

// Text messages (SMS, WhatsApp) on a server without a provider: they land in the local sink
// (/dev/mailbox), the same code path as a provider up to the HTTP call (tests/server/sms-and-channels.test.ts).

const runJobs = (at = new Date()) => runDueJobs({ now: () => at, log: () => {} })

/** A number no other test uses, so the sink's messages to it are this test's. */
const freshNumber = () => `+4477009${String(randomInt(0, 100_000)).padStart(5, '0')}${randomInt(0, 10)}`

const textsTo = (number: string) => rawSql()<{ channel: string; text: string }[]>`select channel, text from dev_text_messages where "to" = ${number} order by sent_at, id`

const textDeliveries = (userId: string) =>
  rawSql()<{ channel: string; status: string; error: string | null }[]>`select channel, status, error from notification_deliveries
    where user_id = ${userId} and channel in ('sms', 'whatsapp') order by channel`

async function settings(doctor: TestDoctor) {
  const auth = await signIn(doctor.id)
  const post = (form: Record<string, string>) => callAction(settingsNotificationsRoute, { auth, form })
  const load = async () => (await callLoader(settingsNotificationsRoute, { auth })).data as { channels: string[]; phone: { number: string | null; pending: { number: string } | null } | null }
  return { post, load }
}

/** Adds and confirms a number through Settings → Notifications, reading the code from the sink. */
async function confirmedDoctor(choices: { sms: boolean; whatsapp: boolean }) {
  const doctor = await createDoctor()
  const number = freshNumber()
  const page = await settings(doctor)
  expect((await page.post({ intent: 'phone-send', phone: number })).status).toBe(200)
  const code = /code is (\d{6})/.exec((await textsTo(number)).at(-1)!.text)![1]
  expect((await page.post({ intent: 'phone-confirm', code })).status).toBe(200)
  const prefs = await getCommunicationPreferences(doctor.id)
  const off = { engagement: false, promotional: false }
  await updateCommunicationPreferences(doctor.id, {
    email: { engagement: prefs.email.engagement, promotional: false },
    push: off,
    sms: { engagement: choices.sms, promotional: false },
    whatsapp: { engagement: choices.whatsapp, promotional: false },
  })
  return { doctor, number, page }
}

function talkChanged(doctor: TestDoctor, now = new Date()) {
  return db.transaction((tx) =>
    notify(tx, {
      recipientId: doctor.id,
      kind: 'talk_changed',
      data: { talkId: randomUUID(), title: 'Sepsis in the first hour', startsAt: new Date(now.getTime() + 3_600_000).toISOString(), rescheduled: true },
      now,
    }),
  )
}

describe('a phone number for text messages', () => {
  it('is used only once the code texted to it comes back; wrong codes and bad numbers are refused with a reason', async () => {
    const doctor = await createDoctor()
    const page = await settings(doctor)
    // Before any number: the page offers a number, and no text column.
    let loaded = await page.load()
    expect(loaded.phone).toMatchObject({ number: null, pending: null })
    expect(loaded.channels).not.toContain('sms')

    for (const phone of ['07700 900123', '+44', 'call me']) {
      const refused = await page.post({ intent: 'phone-send', phone })
      expect(refused.status).toBe(400)
      expect(refused.data).toMatchObject({ ok: false, message: expect.stringContaining('country code') })
    }
    const missing = await page.post({ intent: 'phone-send' })
    expect(missing.status).toBe(400)
    expect(missing.data).toMatchObject({ ok: false, message: 'Enter a phone number.' })
    const nul = await page.post({ intent: 'phone-send', phone: '+447700900123\u0000' })
    expect(nul.status).toBe(400)
    expect(String(nul.data)).toMatch(/unusual character/)
    expect(await getPhoneNumber(doctor.id)).toEqual({ number: null, verifiedAt: null, pending: null })

    const number = freshNumber()
    // Spaces and dashes are the person's way of writing it; the stored number is E.164.
    const spaced = `${number.slice(0, 3)} ${number.slice(3, 7)}-${number.slice(7)}`
    expect((await page.post({ intent: 'phone-send', phone: spaced })).data).toMatchObject({ ok: true, message: expect.stringContaining(number) })
    const [sent] = await textsTo(number)
    expect(sent.channel).toBe('sms')
    const code = /code is (\d{6})/.exec(sent.text)![1]
    loaded = await page.load()
    expect(loaded.phone).toMatchObject({ number: null, pending: { number } })
    expect(loaded.channels).not.toContain('sms')

    const wrong = code === '000000' ? '111111' : '000000'
    const refused = await page.post({ intent: 'phone-confirm', code: wrong })
    expect(refused.status).toBe(400)
    expect(refused.data).toMatchObject({ message: 'That code is not right. 4 tries left.' })
    expect((await page.post({ intent: 'phone-confirm', code: 'abc' })).status).toBe(400)
    expect((await getPhoneNumber(doctor.id)).number).toBeNull()

    expect((await page.post({ intent: 'phone-confirm', code: ` ${code.slice(0, 3)} ${code.slice(3)} ` })).data).toMatchObject({ ok: true })
    loaded = await page.load()
    expect(loaded.phone).toMatchObject({ number, pending: null })
    expect(loaded.channels).toEqual(expect.arrayContaining(['sms', 'whatsapp']))
    // The code works once.
    expect((await page.post({ intent: 'phone-confirm', code })).status).toBe(409)
  })

  it('stops taking a code after five wrong tries, and sends at most five codes an hour', async () => {
    const doctor = await createDoctor()
    const page = await settings(doctor)
    const number = freshNumber()
    await page.post({ intent: 'phone-send', phone: number })
    const code = /code is (\d{6})/.exec((await textsTo(number))[0].text)![1]
    const wrong = code === '000000' ? '111111' : '000000'
    for (let i = 0; i < 5; i++) expect((await page.post({ intent: 'phone-confirm', code: wrong })).status).toBe(400)
    expect((await page.post({ intent: 'phone-confirm', code })).data).toMatchObject({ message: 'That code has expired. Send a new one.' })
    expect((await getPhoneNumber(doctor.id)).number).toBeNull()

    for (let i = 1; i < PHONE_CODES_PER_HOUR; i++) expect((await page.post({ intent: 'phone-send', phone: number })).status).toBe(200)
    const limited = await page.post({ intent: 'phone-send', phone: number })
    expect(limited.status).toBe(429)
    expect(limited.data).toMatchObject({ message: expect.stringMatching(/^Too many codes asked for\. Try again in \d+ minutes?\.$/) })
    expect(await textsTo(number)).toHaveLength(PHONE_CODES_PER_HOUR)
  })

  it('keeps the confirmed number while a new one waits for its code, and removing it stops every text', async () => {
    const { doctor, number, page } = await confirmedDoctor({ sms: true, whatsapp: false })
    const next = freshNumber()
    await page.post({ intent: 'phone-send', phone: next })
    expect(await getPhoneNumber(doctor.id)).toMatchObject({ number, pending: { number: next } })

    await talkChanged(doctor)
    await page.post({ intent: 'phone-remove' })
    expect(await getPhoneNumber(doctor.id)).toEqual({ number: null, verifiedAt: null, pending: null })
    await runJobs()
    expect(await textDeliveries(doctor.id)).toEqual([{ channel: 'sms', status: 'skipped', error: 'No confirmed phone number any more.' }])
    expect(await textsTo(number)).toHaveLength(1) // the confirmation code only
    expect((await page.load()).channels).not.toContain('sms')
  })
})

describe('notices by text', () => {
  it('sends a talk change on each channel the person turned on, and nothing by text for a follow', async () => {
    const { doctor, number } = await confirmedDoctor({ sms: true, whatsapp: true })
    const told = await talkChanged(doctor)
    expect(told).toMatchObject({ texted: 2 })
    const follower = await createDoctor({ name: 'Dr Follows' })
    await db.transaction((tx) => notify(tx, { recipientId: doctor.id, kind: 'follow', actorId: follower.id, target: { type: 'user', id: doctor.id } }))
    await runJobs()

    const texts = (await textsTo(number)).slice(1)
    expect(texts.map((t) => t.channel).sort()).toEqual(['sms', 'whatsapp'])
    for (const t of texts) {
      expect(t.text).toMatch(/^Rounds: .*Sepsis in the first hour/)
      expect(t.text).toContain('http://localhost:3000/')
      expect(t.text.length).toBeLessThanOrEqual(TEXT_MESSAGE_MAX)
    }
    expect((await textDeliveries(doctor.id)).map((d) => d.status)).toEqual(['sent', 'sent'])
  })

  it('obeys the choice at send time: a channel turned off after the notice was queued sends nothing', async () => {
    const { doctor, number } = await confirmedDoctor({ sms: true, whatsapp: false })
    expect(await talkChanged(doctor)).toMatchObject({ texted: 1 })
    const off = { engagement: false, promotional: false }
    await updateCommunicationPreferences(doctor.id, { email: off, push: off, sms: off, whatsapp: off })
    await runJobs()
    expect(await textDeliveries(doctor.id)).toEqual([{ channel: 'sms', status: 'skipped', error: 'Turned off in Settings → Notifications.' }])
    expect(await textsTo(number)).toHaveLength(1)
  })

  it('texts a talk reminder to those going, on the channel each chose', async () => {
    const host = await createDoctor()
    const club = await createTestClub(host)
    const startsAt = new Date(Date.now() + 10 * 60_000)
    const talk = await createTalk({ clubId: club.id, hostId: host.id, startsAt, title: 'Night-shift ECGs' })
    const going = await confirmedDoctor({ sms: true, whatsapp: false })
    const byWhatsapp = await confirmedDoctor({ sms: false, whatsapp: true })
    const notChosen = await confirmedDoctor({ sms: false, whatsapp: false })
    for (const { doctor } of [going, byWhatsapp, notChosen]) {
      await addClubMember(club, doctor)
      await rawSql()`insert into talk_rsvps (talk_id, user_id) values (${talk.id}, ${doctor.id})`
    }
    const now = new Date()
    const result = await fanOutTalkNotice((work) => db.transaction(work), {
      talkId: talk.id,
      kind: 'talk_reminder',
      subject: `${talk.id}:10`,
      data: { talkId: talk.id, title: talk.title, startsAt: startsAt.toISOString(), offsetMinutes: 10 },
      now,
      includeHost: true,
      expiresAt: startsAt,
    })
    expect(result.texted).toBe(2)

    await runJobs(now)
    expect((await textsTo(going.number)).slice(1)).toEqual([{ channel: 'sms', text: expect.stringContaining('Night-shift ECGs') }])
    expect((await textsTo(byWhatsapp.number)).slice(1)).toEqual([{ channel: 'whatsapp', text: expect.stringContaining('Night-shift ECGs') }])
    expect(await textDeliveries(notChosen.doctor.id)).toEqual([])
  })

  it('does not send a text that comes too late: a reminder once its talk has started', async () => {
    const { doctor, number } = await confirmedDoctor({ sms: true, whatsapp: false })
    const now = new Date()
    const startsAt = new Date(now.getTime() + 1000)
    await db.transaction((tx) =>
      notify(tx, {
        recipientId: doctor.id,
        kind: 'talk_changed',
        data: { talkId: randomUUID(), title: 'Sepsis in the first hour', startsAt: startsAt.toISOString(), rescheduled: true },
        now,
        expiresAt: startsAt,
      }),
    )
    // The worker reached it only after the talk began.
    await runJobs(new Date(startsAt.getTime() + 60_000))
    expect(await textDeliveries(doctor.id)).toEqual([{ channel: 'sms', status: 'skipped', error: 'Too late: the notice no longer applies.' }])
    expect(await textsTo(number)).toHaveLength(1)
  })
})

describe('the words of a text', () => {
  it('are the notice’s title and words and its address, cut to fit', () => {
    const short = textMessageOf({ title: 'Starting in 10 minutes', body: 'Night-shift ECGs', link: '/t/abc' }, 'https://rounds.example.org')
    expect(short).toBe('Rounds: Starting in 10 minutes — Night-shift ECGs https://rounds.example.org/t/abc')
    const long = textMessageOf({ title: 'A'.repeat(200), body: 'B'.repeat(400), link: null }, 'https://rounds.example.org')
    expect(long.length).toBe(TEXT_MESSAGE_MAX)
    expect(long.endsWith('… https://rounds.example.org/notifications')).toBe(true)
  })
})
