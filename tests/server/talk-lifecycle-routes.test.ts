import { beforeAll, describe, expect, it } from 'vitest'
import * as editRoute from '../../app/routes/t.$id_.edit'
import * as icsRoute from '../../app/routes/t.$id[.ics]'
import * as talkRoute from '../../app/routes/t.$id'
import { rawSql } from '../../db/client'
import { openTalk } from '../../db/live'
import { listNotifications } from '../../db/notifications'
import { scheduleTalk, setRsvp } from '../../db/talks'
import { renderNotificationMail } from '../../server/mail/templates/notifications'
import { addClubMember, createDoctor, createTestClub, viewerOf, type TestClub, type TestDoctor } from '../support/factories'
import { callAction, callLoader, fieldErrors, formErrors, signIn, type SignedIn } from '../support/routes'

const HOUR = 60 * 60 * 1000

let host: TestDoctor
let going: TestDoctor
let member: TestDoctor
let club: TestClub
let hostAuth: SignedIn

beforeAll(async () => {
  host = await createDoctor({ name: 'Dr Route Host' })
  going = await createDoctor({ name: 'Dr Route Going' })
  member = await createDoctor({ name: 'Dr Route Member' })
  club = await createTestClub(host, { name: 'Route Lifecycle Club' })
  await addClubMember(club, going)
  await addClubMember(club, member)
  hostAuth = await signIn(host.id)
})

async function newTalk(startsAt = new Date(Date.now() + 24 * HOUR)) {
  const { id } = await scheduleTalk(viewerOf(host), club.slug, {
    type: 'talk',
    title: 'Valve disease, case by case',
    description: '',
    startsAt,
    durationMinutes: 60,
    cohostHandles: [],
    speakerHandles: [],
  })
  await setRsvp(viewerOf(going), id, true)
  return id
}

/** The form as the edit page sends it: the start typed as a Stockholm wall clock. */
const editForm = (overrides: Record<string, string> = {}) => ({
  intent: 'edit',
  type: 'talk',
  title: 'Valve disease, case by case',
  description: '',
  date: '2027-06-10',
  time: '18:30',
  timeZone: 'Europe/Stockholm',
  durationMinutes: '60',
  cohostHandles: '',
  speakerHandles: '',
  ...overrides,
})

async function ics(id: string) {
  const answer = await callLoader(icsRoute, { url: `/t/${id}.ics`, params: { id }, auth: await signIn(going.id) })
  expect(answer.status).toBe(200)
  return String(answer.data)
}

const line = (body: string, name: string) => body.split('\r\n').find((l) => l.startsWith(`${name}:`))

async function talkRow(id: string) {
  const [row] = await rawSql()<{ title: string; starts_at: string; status: string; sequence: number; cancelled_at: string | null }[]>`
    select title, starts_at, status, sequence, cancelled_at from talks where id = ${id}`
  return row
}

describe('/t/:id/edit', () => {
  it('shows the host the form and the talk page links to it; others get 403 or 404, and a visitor is sent to sign in', async () => {
    const id = await newTalk()
    const page = await callLoader(editRoute, { url: `/t/${id}/edit`, params: { id }, auth: hostAuth })
    expect(page).toMatchObject({ status: 200, data: { talk: { id, rsvpCount: 1 }, locked: null } })
    expect(await callLoader(talkRoute, { url: `/t/${id}`, params: { id }, auth: hostAuth })).toMatchObject({ data: { mayEdit: true } })
    expect(await callLoader(talkRoute, { url: `/t/${id}`, params: { id }, auth: await signIn(member.id) })).toMatchObject({ data: { mayEdit: false } })

    expect((await callLoader(editRoute, { url: `/t/${id}/edit`, params: { id }, auth: await signIn(member.id) })).status).toBe(403)
    const missing = '3f1c2a4e-0000-4000-8000-000000000000'
    expect((await callLoader(editRoute, { url: `/t/${missing}/edit`, params: { id: missing }, auth: hostAuth })).status).toBe(404)
    expect(await callLoader(editRoute, { url: `/t/${id}/edit`, params: { id } })).toMatchObject({ status: 302 })
  })

  it('reschedules in the zone the form was shown in, raises the .ics SEQUENCE and tells those going', async () => {
    const id = await newTalk()
    const before = await ics(id)
    expect(line(before, 'SEQUENCE')).toBe('SEQUENCE:0')
    expect(line(before, 'STATUS')).toBe('STATUS:CONFIRMED')
    const uid = line(before, 'UID')

    const saved = await callAction(editRoute, { url: `/t/${id}/edit`, params: { id }, form: editForm(), auth: hostAuth })
    expect(saved).toMatchObject({ status: 302, location: `/t/${id}` })
    // 18:30 in Stockholm in June (CEST, UTC+2) is 16:30 UTC.
    expect(new Date((await talkRow(id)).starts_at).toISOString()).toBe('2027-06-10T16:30:00.000Z')

    const after = await ics(id)
    expect(line(after, 'UID')).toBe(uid)
    expect(line(after, 'SEQUENCE')).toBe('SEQUENCE:1')
    expect(line(after, 'DTSTART')).toBe('DTSTART:20270610T163000Z')
    expect(line(after, 'LAST-MODIFIED')).toMatch(/^LAST-MODIFIED:\d{8}T\d{6}Z$/)
    expect(line(after, 'DTSTAMP')).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/)
    const notices = await listNotifications(viewerOf(going))
    expect(notices.items.find((n) => n.link === `/t/${id}`)).toMatchObject({ kind: 'talk_changed', title: '“Valve disease, case by case” has a new time' })
  })

  it('refuses a missing or invalid field, a past start and a non-host with a 4xx, changing nothing', async () => {
    const id = await newTalk()
    const before = await talkRow(id)
    const post = (form: Record<string, string>, auth: SignedIn = hostAuth) => callAction(editRoute, { url: `/t/${id}/edit`, params: { id }, form, auth })

    const noTitle = await post(editForm({ title: '' }))
    expect(noTitle.status).toBe(400)
    expect(fieldErrors((noTitle.data as { edit: unknown }).edit, 'title')).not.toEqual([])
    const badTime = await post(editForm({ time: '25:99x' }))
    expect(badTime.status).toBe(400)
    expect(fieldErrors((badTime.data as { edit: unknown }).edit, 'time')).toEqual(['Enter the time as hours and minutes, such as 14:30.'])
    const past = await post(editForm({ date: '2020-01-01' }))
    expect(past.status).toBe(400)
    expect(fieldErrors((past.data as { edit: unknown }).edit, 'date')).toEqual(['That start is in the past. Choose a time from now on.'])
    const noConfirm = await post({ intent: 'cancel', reason: 'Oops' })
    expect(noConfirm.status).toBe(400)
    expect(fieldErrors((noConfirm.data as { cancel: unknown }).cancel, 'confirm')).toEqual(['Tick “Yes, cancel this talk” to confirm.'])
    expect((await post(editForm({ title: 'Hijacked' }), await signIn(member.id))).status).toBe(403)
    expect((await post({ intent: 'cancel', confirm: 'on' }, await signIn(member.id))).status).toBe(403)

    expect(await talkRow(id)).toEqual(before)
  })

  it('refuses to reschedule a live talk with a clear message', async () => {
    const id = await newTalk()
    await openTalk(viewerOf(host), id)
    const page = await callLoader(editRoute, { url: `/t/${id}/edit`, params: { id }, auth: hostAuth })
    expect(page.data).toMatchObject({ locked: 'This talk is live, so it can no longer be changed or rescheduled.' })
    const answer = await callAction(editRoute, { url: `/t/${id}/edit`, params: { id }, form: editForm(), auth: hostAuth })
    expect(answer.status).toBe(409)
    expect(formErrors((answer.data as { edit: unknown }).edit)).toEqual(['This talk is live, so it can no longer be changed or rescheduled.'])
    expect((await talkRow(id)).status).toBe('live')
  })

  it('cancels with a reason: the page says so without RSVP controls, the .ics says CANCELLED, and those going are told', async () => {
    const id = await newTalk()
    const answer = await callAction(editRoute, {
      url: `/t/${id}/edit`,
      params: { id },
      form: { intent: 'cancel', reason: 'The room is closed for repairs.', confirm: 'on' },
      auth: hostAuth,
    })
    expect(answer).toMatchObject({ status: 302, location: `/t/${id}` })
    expect(await talkRow(id)).toMatchObject({ status: 'ended', sequence: 1 })

    const page = await callLoader(talkRoute, { url: `/t/${id}`, params: { id }, auth: await signIn(going.id) })
    expect(page.data).toMatchObject({ talk: { cancelled: true, cancelReason: 'The room is closed for repairs.' } })
    const rsvp = await callAction(talkRoute, { url: `/t/${id}`, params: { id }, form: { intent: 'going' }, auth: await signIn(member.id) })
    expect(rsvp).toMatchObject({ status: 409, data: { ok: false, message: 'This talk is cancelled.' } })

    const body = await ics(id)
    expect(line(body, 'STATUS')).toBe('STATUS:CANCELLED')
    expect(line(body, 'SEQUENCE')).toBe('SEQUENCE:1')
    expect(line(body, 'SUMMARY')).toBe('SUMMARY:Cancelled: Valve disease\\, case by case')

    const notices = await listNotifications(viewerOf(going))
    expect(notices.items.find((n) => n.link === `/t/${id}`)).toMatchObject({
      kind: 'talk_cancelled',
      body: 'The host wrote: The room is closed for repairs.',
    })
    const locked = await callLoader(editRoute, { url: `/t/${id}/edit`, params: { id }, auth: hostAuth })
    expect(locked.data).toMatchObject({ locked: 'This talk is cancelled, so it can no longer be changed.' })
  })
})

describe('the mail about a changed or cancelled talk', () => {
  const facts = (kind: string, data: Record<string, unknown>) => ({
    kind,
    actors: [],
    club: { slug: 'route-club', name: 'Route <Club>' },
    data: { talkId: '3f1c2a4e-0000-4000-8000-000000000000', title: 'Valve <disease>', ...data },
    title: '',
    body: '',
    link: null,
    recipientHandle: null,
  })
  const common = { publicUrl: 'https://rounds.example', unsubscribeUrl: 'https://rounds.example/unsubscribe?token=t' }

  it('names the new start in the reader’s zone and links to the talk', () => {
    const mail = renderNotificationMail('talk_changed', {
      ...common,
      facts: facts('talk_changed', { startsAt: '2027-06-10T16:30:00.000Z', rescheduled: true }),
      timeZone: 'Europe/Stockholm',
    })
    expect(mail.subject).toBe('“Valve <disease>” has a new time')
    expect(mail.text).toContain('It now starts Thursday, 10 June 2027 at 18:30 CEST. In Route <Club>.')
    expect(mail.text).toContain('https://rounds.example/t/3f1c2a4e-0000-4000-8000-000000000000')
    expect(mail.html).toContain('Valve &lt;disease&gt;')
    expect(mail.html).not.toContain('Valve <disease>')
  })

  it('gives the host’s reason for a cancellation, with the unsubscribe link', () => {
    const mail = renderNotificationMail('talk_cancelled', { ...common, facts: facts('talk_cancelled', { reason: 'Unwell.' }), timeZone: null })
    expect(mail.subject).toBe('“Valve <disease>” is cancelled')
    expect(mail.text).toContain('The host wrote: Unwell.')
    expect(mail.text).toContain('https://rounds.example/unsubscribe?token=t')
  })
})
