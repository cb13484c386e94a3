import { beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { enterTalk, openTalk } from '../../db/live'
import { cancelTalk, getTalkForViewer, listTalkRoles, scheduleTalk, updateTalk, type ScheduleInput } from '../../db/talks'
import { anonymous } from '../../db/viewer'
import {
  addClubMember,
  countLiveRows,
  countTableRows,
  createDoctor,
  createTestClub,
  viewerOf,
  type TestClub,
  type TestDoctor,
} from '../support/factories'

const as = viewerOf
const HOUR = 60 * 60 * 1000

let owner: TestDoctor
let admin: TestDoctor
let moderator: TestDoctor
let member: TestDoctor
let colleague: TestDoctor
let outsider: TestDoctor
let club: TestClub
let privateClub: TestClub

beforeAll(async () => {
  owner = await createDoctor({ name: 'Dr Owner' })
  admin = await createDoctor({ name: 'Dr Admin' })
  moderator = await createDoctor({ name: 'Dr Moderator' })
  member = await createDoctor({ name: 'Dr Member' })
  colleague = await createDoctor({ name: 'Dr Colleague' })
  outsider = await createDoctor({ name: 'Dr Outsider' })
  club = await createTestClub(owner, { name: 'Scheduling Club' })
  privateClub = await createTestClub(owner, { name: 'Private Scheduling Club', visibility: 'private' })
  for (const c of [club, privateClub]) {
    await addClubMember(c, admin, 'admin')
    await addClubMember(c, moderator, 'moderator')
    await addClubMember(c, member)
    await addClubMember(c, colleague)
  }
})

const input = (overrides: Partial<ScheduleInput> = {}): ScheduleInput => ({
  type: 'case_discussion',
  title: 'Difficult airways',
  description: 'Bring your cases.',
  startsAt: new Date(Date.now() + 24 * HOUR),
  durationMinutes: 60,
  cohostHandles: [],
  speakerHandles: [],
  ...overrides,
})

async function counts() {
  return { talks: await countLiveRows('talks'), roles: await countLiveRows('talk_roles') }
}

describe('scheduleTalk', () => {
  it('lets the owner schedule a talk with co-hosts and speakers, and hosts it', async () => {
    const { id } = await scheduleTalk(as(owner), club.slug, input({ cohostHandles: [member.handle], speakerHandles: [`@${colleague.handle.toUpperCase()}`] }))
    const talk = await getTalkForViewer(as(outsider), id)
    expect(talk).toMatchObject({ title: 'Difficult airways', type: 'case_discussion', status: 'scheduled', durationMinutes: 60, host: { handle: owner.handle } })
    expect(await listTalkRoles(id)).toEqual([
      { handle: owner.handle, name: 'Dr Owner', role: 'host' },
      { handle: member.handle, name: 'Dr Member', role: 'cohost' },
      { handle: colleague.handle, name: 'Dr Colleague', role: 'speaker' },
    ])
    // The scheduled co-host runs the room like a host.
    expect(await openTalk(as(member), id)).toEqual({ status: 'live' })
    expect((await enterTalk(as(colleague), id, 'schedule-socket-1')).me.role).toBe('speaker')
  })

  it('lets club admins schedule, but not moderators, members or outsiders; nothing is written when refused', async () => {
    expect(await scheduleTalk(as(admin), club.slug, input())).toHaveProperty('id')
    const before = await counts()
    for (const d of [moderator, member, outsider]) {
      await expect(scheduleTalk(as(d), club.slug, input())).rejects.toMatchObject({ name: 'PublicError', status: 403 })
    }
    await expect(scheduleTalk(as(outsider), privateClub.slug, input())).rejects.toMatchObject({ status: 404 })
    await expect(scheduleTalk(as(owner), 'no-such-club', input())).rejects.toMatchObject({ status: 404 })
    await expect(scheduleTalk(anonymous, club.slug, input())).rejects.toMatchObject({ status: 401 })
    expect(await counts()).toEqual(before)
  })

  it('names the co-host or speaker who is not a member of the club', async () => {
    const before = await counts()
    await expect(scheduleTalk(as(owner), club.slug, input({ cohostHandles: [member.handle, outsider.handle] }))).rejects.toMatchObject({
      status: 400,
      field: 'cohostHandles',
      message: `@${outsider.handle} is not a member of this club. Invite them to the club first.`,
    })
    await expect(scheduleTalk(as(owner), club.slug, input({ speakerHandles: ['nobody-has-this-handle'] }))).rejects.toMatchObject({
      status: 400,
      field: 'speakerHandles',
      message: expect.stringContaining('@nobody-has-this-handle'),
    })
    await expect(scheduleTalk(as(owner), club.slug, input({ cohostHandles: [member.handle], speakerHandles: [member.handle] }))).rejects.toMatchObject({
      status: 400,
    })
    await expect(scheduleTalk(as(owner), club.slug, input({ cohostHandles: ['not a handle!'] }))).rejects.toMatchObject({ status: 400 })
    expect(await counts()).toEqual(before)
  })

  it('checks the title, description, start and duration', async () => {
    const before = await counts()
    const bad: [Partial<ScheduleInput>, string][] = [
      [{ title: 'ab' }, 'title'],
      [{ title: 'x'.repeat(121) }, 'title'],
      [{ title: 'Line\u0007bell' }, 'title'],
      [{ description: 'd'.repeat(5001) }, 'description'],
      [{ startsAt: new Date(Date.now() - 6 * 60 * 1000) }, 'startsAt'],
      [{ startsAt: new Date('nope') }, 'startsAt'],
      [{ durationMinutes: 9 }, 'durationMinutes'],
      [{ durationMinutes: 481 }, 'durationMinutes'],
      [{ durationMinutes: 30.5 }, 'durationMinutes'],
      [{ type: 'party' as ScheduleInput['type'] }, 'type'],
    ]
    for (const [overrides, field] of bad) {
      await expect(scheduleTalk(as(owner), club.slug, input(overrides))).rejects.toMatchObject({ name: 'PublicError', status: 400, field })
    }
    expect(await counts()).toEqual(before)
    // The edges are allowed: a start a few minutes ago, 10 and 480 minutes, 3 and 120 characters.
    await scheduleTalk(as(owner), club.slug, input({ startsAt: new Date(Date.now() - 2 * 60 * 1000), durationMinutes: 10, title: 'abc' }))
    await scheduleTalk(as(owner), club.slug, input({ durationMinutes: 480, title: 't'.repeat(120), description: 'd'.repeat(5000) }))
    expect((await counts()).talks).toBe(before.talks + 2)
  })

  it('drops the host from their own co-host list', async () => {
    const { id } = await scheduleTalk(as(owner), club.slug, input({ cohostHandles: [owner.handle, member.handle] }))
    expect((await listTalkRoles(id)).map((r) => r.role)).toEqual(['host', 'cohost'])
    expect(await countLiveRows('talk_roles', id)).toBe(1)
  })
})

describe('updateTalk', () => {
  it('lets the host or a club admin change a scheduled talk, replacing its co-hosts and speakers', async () => {
    const { id } = await scheduleTalk(as(admin), club.slug, input({ cohostHandles: [member.handle] }))
    const startsAt = new Date(Date.now() + 48 * HOUR)
    await updateTalk(as(admin), id, input({ title: 'Airways, revisited', startsAt, durationMinutes: 90, speakerHandles: [colleague.handle] }))
    expect(await getTalkForViewer(as(member), id)).toMatchObject({ title: 'Airways, revisited', durationMinutes: 90, startsAt })
    expect((await listTalkRoles(id)).map((r) => [r.handle, r.role])).toEqual([
      [admin.handle, 'host'],
      [colleague.handle, 'speaker'],
    ])
    await updateTalk(as(owner), id, input({ title: 'Owner edit' }))
    expect((await getTalkForViewer(as(member), id))?.title).toBe('Owner edit')
  })

  it('refuses others, bad input and talks that have started, changing nothing', async () => {
    const { id } = await scheduleTalk(as(owner), club.slug, input({ cohostHandles: [member.handle] }))
    const snapshot = async () => (await rawSql()`select title, duration_minutes from talks where id = ${id}`)[0]
    const before = await snapshot()
    await expect(updateTalk(as(moderator), id, input({ title: 'Hijack' }))).rejects.toMatchObject({ status: 403 })
    // A scheduled co-host runs the room but does not edit the talk.
    await expect(updateTalk(as(member), id, input({ title: 'Hijack' }))).rejects.toMatchObject({ status: 403 })
    await expect(updateTalk(anonymous, id, input())).rejects.toMatchObject({ status: 401 })
    await expect(updateTalk(as(owner), '00000000-0000-0000-0000-000000000000', input())).rejects.toMatchObject({ status: 404 })
    await expect(updateTalk(as(owner), 'junk', input())).rejects.toMatchObject({ status: 404 })
    await expect(updateTalk(as(owner), id, input({ durationMinutes: 5 }))).rejects.toMatchObject({ status: 400 })
    await expect(updateTalk(as(owner), id, input({ speakerHandles: [outsider.handle] }))).rejects.toMatchObject({ status: 400, field: 'speakerHandles' })
    expect(await snapshot()).toEqual(before)
    expect(await countLiveRows('talk_roles', id)).toBe(1)
    await openTalk(as(owner), id)
    await expect(updateTalk(as(owner), id, input({ title: 'Too late' }))).rejects.toMatchObject({ status: 409 })
    expect(await snapshot()).toEqual(before)
  })

  it('hides a private club’s talk from outsiders', async () => {
    const { id } = await scheduleTalk(as(owner), privateClub.slug, input())
    await expect(updateTalk(as(outsider), id, input())).rejects.toMatchObject({ status: 404 })
    await expect(cancelTalk(as(outsider), id)).rejects.toMatchObject({ status: 404 })
  })
})

describe('cancelTalk', () => {
  it('keeps a cancelled talk as a record with its roles and RSVPs, for the host or a club admin', async () => {
    const { id } = await scheduleTalk(as(owner), club.slug, input({ cohostHandles: [member.handle] }))
    await rawSql()`insert into talk_rsvps (talk_id, user_id) values (${id}, ${member.id})`
    const rsvps = await countTableRows('talk_rsvps')
    await expect(cancelTalk(as(member), id)).rejects.toMatchObject({ status: 403 })
    await expect(cancelTalk(as(moderator), id)).rejects.toMatchObject({ status: 403 })
    expect(await countLiveRows('talks', id)).toBe(1)
    expect(await cancelTalk(as(admin), id)).toEqual({ id })
    expect(await countLiveRows('talks', id)).toBe(1)
    expect(await countLiveRows('talk_roles', id)).toBe(1)
    expect(await countTableRows('talk_rsvps')).toBe(rsvps)
    expect(await getTalkForViewer(as(member), id)).toMatchObject({ cancelled: true, status: 'ended' })
    await expect(cancelTalk(as(owner), id)).rejects.toMatchObject({ status: 409 })
  })

  it('refuses a talk that is live', async () => {
    const { id } = await scheduleTalk(as(owner), club.slug, input())
    await openTalk(as(owner), id)
    await expect(cancelTalk(as(owner), id)).rejects.toMatchObject({ status: 409 })
    expect(await countLiveRows('talks', id)).toBe(1)
  })
})

describe('listTalkRoles', () => {
  it('is empty for an unknown or malformed id', async () => {
    expect(await listTalkRoles('00000000-0000-0000-0000-000000000000')).toEqual([])
    expect(await listTalkRoles('junk')).toEqual([])
  })
})
