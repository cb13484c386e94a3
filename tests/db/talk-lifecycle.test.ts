import { beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { openTalk } from '../../db/live'
import { listNotifications } from '../../db/notifications'
import { cancelTalk, getTalkForViewer, scheduleTalk, setRsvp, updateTalk, type ScheduleInput } from '../../db/talks'
import { addClubMember, addTalkRole, createDoctor, createTestClub, viewerOf, type TestClub, type TestDoctor } from '../support/factories'

const as = viewerOf
const HOUR = 60 * 60 * 1000

let host: TestDoctor
let admin: TestDoctor
let cohost: TestDoctor
let going: TestDoctor
let banned: TestDoctor
let removed: TestDoctor
let member: TestDoctor
let club: TestClub

beforeAll(async () => {
  host = await createDoctor({ name: 'Dr Lifecycle Host' })
  admin = await createDoctor({ name: 'Dr Lifecycle Admin' })
  cohost = await createDoctor({ name: 'Dr Lifecycle Cohost' })
  going = await createDoctor({ name: 'Dr Lifecycle Going' })
  banned = await createDoctor({ name: 'Dr Lifecycle Banned' })
  removed = await createDoctor({ name: 'Dr Lifecycle Removed' })
  member = await createDoctor({ name: 'Dr Lifecycle Member' })
  club = await createTestClub(host, { name: 'Lifecycle Club', visibility: 'private' })
  await addClubMember(club, admin, 'admin')
  for (const d of [cohost, going, banned, removed, member]) await addClubMember(club, d)
})

const input = (overrides: Partial<ScheduleInput> = {}): ScheduleInput => ({
  type: 'talk',
  title: 'Heart failure in 2027',
  description: 'What changed this year.',
  startsAt: new Date(Date.now() + 24 * HOUR),
  durationMinutes: 60,
  cohostHandles: [],
  speakerHandles: [],
  ...overrides,
})

/** A talk with a co-host and three RSVPs: one fine, one then banned from the club, one removed from the talk. */
async function talkWithAudience() {
  const { id } = await scheduleTalk(as(host), club.slug, input())
  await addTalkRole(id, cohost, 'cohost')
  for (const d of [going, banned, removed]) await setRsvp(as(d), id, true)
  await rawSql()`insert into club_bans (club_id, user_id) values (${club.id}, ${banned.id}) on conflict do nothing`
  await rawSql()`insert into talk_removals (talk_id, user_id) values (${id}, ${removed.id})`
  return id
}

async function notices(doctor: TestDoctor, talkId: string) {
  const page = await listNotifications(as(doctor), { limit: 100 })
  return page.items.filter((n) => n.link === `/t/${talkId}`)
}

async function talkRow(id: string) {
  const [row] = await rawSql()<{ title: string; starts_at: string; status: string; sequence: number; cancelled_at: string | null; updated_at: string }[]>`
    select title, starts_at, status, sequence, cancelled_at, updated_at from talks where id = ${id}`
  return { ...row, starts_at: new Date(row.starts_at), updated_at: new Date(row.updated_at), cancelled_at: row.cancelled_at && new Date(row.cancelled_at) }
}

describe('rescheduling a talk', () => {
  it('raises the sequence and tells those going and the co-hosts, but nobody who may no longer see it', async () => {
    const id = await talkWithAudience()
    const before = await talkRow(id)
    expect(before.sequence).toBe(0)
    const startsAt = new Date(Date.now() + 48 * HOUR)
    await updateTalk(as(host), id, input({ startsAt }))
    const after = await talkRow(id)
    expect(after.sequence).toBe(1)
    expect(after.starts_at.getTime()).toBe(startsAt.getTime())
    expect(after.updated_at.getTime()).toBeGreaterThanOrEqual(before.updated_at.getTime())

    const [told] = await notices(going, id)
    expect(told).toMatchObject({ kind: 'talk_changed', title: '“Heart failure in 2027” has a new time', read: false })
    expect(told.body).toContain('It now starts')
    expect(await notices(cohost, id)).toHaveLength(1)
    expect(await notices(banned, id)).toHaveLength(0)
    expect(await notices(removed, id)).toHaveLength(0)
    expect(await notices(member, id)).toHaveLength(0)
    // The person who made the change is not told about it.
    expect(await notices(host, id)).toHaveLength(0)

    // A club admin's change tells the host too, and raises the sequence again.
    await updateTalk(as(admin), id, input({ startsAt, title: 'Heart failure in 2027, revised' }))
    expect((await talkRow(id)).sequence).toBe(2)
    const [hostNotice] = await notices(host, id)
    expect(hostNotice).toMatchObject({ kind: 'talk_changed', title: '“Heart failure in 2027, revised” was updated' })
    expect(await notices(going, id)).toHaveLength(2)
  })

  it('refuses a past start, a live talk and a bad field with a 4xx, changing nothing', async () => {
    const id = await talkWithAudience()
    const before = await talkRow(id)
    await expect(updateTalk(as(host), id, input({ startsAt: new Date(Date.now() - 2 * HOUR) }))).rejects.toMatchObject({
      status: 400,
      field: 'startsAt',
    })
    await expect(updateTalk(as(host), id, input({ startsAt: new Date('nonsense') }))).rejects.toMatchObject({ status: 400, field: 'startsAt' })
    await expect(updateTalk(as(host), id, input({ title: '' }))).rejects.toMatchObject({ status: 400, field: 'title' })
    await expect(updateTalk(as(host), id, input({ durationMinutes: 5000 }))).rejects.toMatchObject({ status: 400, field: 'durationMinutes' })
    expect(await talkRow(id)).toEqual(before)
    await openTalk(as(host), id)
    const live = await talkRow(id)
    await expect(updateTalk(as(host), id, input({ startsAt: new Date(Date.now() + 72 * HOUR) }))).rejects.toMatchObject({
      status: 409,
      message: 'This talk is live, so it can no longer be changed or rescheduled.',
    })
    await expect(cancelTalk(as(host), id)).rejects.toMatchObject({ status: 409 })
    expect(await talkRow(id)).toEqual(live)
    expect(await notices(going, id)).toHaveLength(0)
  })

  it('refuses a member who is not the host, and an outsider, changing nothing and telling no one', async () => {
    const id = await talkWithAudience()
    const outsider = await createDoctor({ name: 'Dr Lifecycle Outsider' })
    const before = await talkRow(id)
    await expect(updateTalk(as(member), id, input({ title: 'Hijacked' }))).rejects.toMatchObject({ status: 403 })
    await expect(updateTalk(as(cohost), id, input({ title: 'Hijacked' }))).rejects.toMatchObject({ status: 403 })
    await expect(cancelTalk(as(member), id)).rejects.toMatchObject({ status: 403 })
    await expect(updateTalk(as(outsider), id, input())).rejects.toMatchObject({ status: 404 })
    await expect(cancelTalk(as(outsider), id)).rejects.toMatchObject({ status: 404 })
    await expect(cancelTalk(null, id)).rejects.toMatchObject({ status: 401 })
    expect(await talkRow(id)).toEqual(before)
    expect(await notices(going, id)).toHaveLength(0)
  })
})

describe('cancelling a talk', () => {
  it('keeps the talk as a cancelled record with its reason, raises the sequence and tells those going', async () => {
    const id = await talkWithAudience()
    await cancelTalk(as(host), id, '  The speaker is unwell. ')
    const row = await talkRow(id)
    expect(row).toMatchObject({ status: 'ended', sequence: 1 })
    expect(row.cancelled_at).toBeInstanceOf(Date)
    expect(await getTalkForViewer(as(going), id)).toMatchObject({ cancelled: true, cancelReason: 'The speaker is unwell.', going: true })

    const [told] = await notices(going, id)
    expect(told).toMatchObject({ kind: 'talk_cancelled', title: '“Heart failure in 2027” is cancelled', body: 'The host wrote: The speaker is unwell.' })
    expect(await notices(cohost, id)).toHaveLength(1)
    expect(await notices(banned, id)).toHaveLength(0)
    expect(await notices(removed, id)).toHaveLength(0)

    // Nothing more happens to a cancelled talk: no new RSVP, no change, no opening.
    await expect(setRsvp(as(member), id, true)).rejects.toMatchObject({ status: 409, message: 'This talk is cancelled.' })
    await expect(updateTalk(as(host), id, input())).rejects.toMatchObject({ status: 409 })
    await expect(cancelTalk(as(host), id)).rejects.toMatchObject({ status: 409 })
    await expect(openTalk(as(host), id)).rejects.toBeTruthy()
    expect((await talkRow(id)).sequence).toBe(1)
  })

  it('refuses a reason it cannot store, changing nothing', async () => {
    const id = await talkWithAudience()
    await expect(cancelTalk(as(host), id, 'x'.repeat(501))).rejects.toMatchObject({ status: 400, field: 'reason' })
    await expect(cancelTalk(as(host), id, 'bad\u0000reason')).rejects.toMatchObject({ status: 400, field: 'reason' })
    expect(await talkRow(id)).toMatchObject({ status: 'scheduled', sequence: 0, cancelled_at: null })
  })
})
