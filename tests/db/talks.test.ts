import { beforeAll, describe, expect, it } from 'vitest'
import { inviteToClub, joinClub, removeMember } from '../../db/clubs'
import { getTalkForViewer, getTalkShareInfo, listUpcomingTalks, setRsvp } from '../../db/talks'
import { anonymous } from '../../db/viewer'
import { countTableRows, createDoctor, createTalk, createTestClub, viewerOf, type TestClub, type TestDoctor } from '../support/factories'

const as = viewerOf

let owner: TestDoctor
let publicClub: TestClub
let privateClub: TestClub
let publicTalk: string
let privateTalk: string
let endedTalk: string

beforeAll(async () => {
  owner = await createDoctor()
  publicClub = await createTestClub(owner, { name: 'Open Radiology' })
  privateClub = await createTestClub(owner, { name: 'Closed Radiology', visibility: 'private' })
  publicTalk = (await createTalk({ clubId: publicClub.id, hostId: owner.id, title: 'Chest films', description: 'Bring cases' })).id
  privateTalk = (await createTalk({ clubId: privateClub.id, hostId: owner.id, title: 'Private films' })).id
  endedTalk = (await createTalk({ clubId: publicClub.id, hostId: owner.id, startsAt: new Date(Date.now() - 86_400_000), status: 'ended' }))
    .id
})

describe('setRsvp', () => {
  it('counts a doctor once however often they say they are going, and forgets them when they say no', async () => {
    const doctor = await createDoctor()
    const before = await countTableRows('talk_rsvps')
    await setRsvp(as(doctor), publicTalk, true)
    await setRsvp(as(doctor), publicTalk, true)
    expect(await countTableRows('talk_rsvps')).toBe(before + 1)
    expect(await getTalkForViewer(as(doctor), publicTalk)).toMatchObject({ going: true, rsvpCount: 1 })
    await setRsvp(as(doctor), publicTalk, false)
    await setRsvp(as(doctor), publicTalk, false)
    expect(await countTableRows('talk_rsvps')).toBe(before)
    expect(await getTalkForViewer(as(doctor), publicTalk)).toMatchObject({ going: false, rsvpCount: 0 })
  })

  it('refuses a talk that has ended with 409', async () => {
    const doctor = await createDoctor()
    await expect(setRsvp(as(doctor), endedTalk, true)).rejects.toMatchObject({ name: 'PublicError', status: 409 })
    expect(await getTalkForViewer(as(doctor), endedTalk)).toMatchObject({ going: false, rsvpCount: 0 })
  })

  it('answers 404 for a talk in a private club the doctor is not in, as for one that does not exist', async () => {
    const stranger = await createDoctor()
    const before = await countTableRows('talk_rsvps')
    for (const id of [privateTalk, '00000000-0000-0000-0000-000000000000', 'not-a-talk-id']) {
      await expect(setRsvp(as(stranger), id, true)).rejects.toMatchObject({
        name: 'PublicError',
        status: 404,
        message: 'We could not find that talk.',
      })
    }
    expect(await countTableRows('talk_rsvps')).toBe(before)
  })

  it('works for members of the private club, and stops when they are removed', async () => {
    const member = await createDoctor()
    await inviteToClub(as(owner), privateClub.slug, member.handle)
    await joinClub(as(member), privateClub.slug)
    await setRsvp(as(member), privateTalk, true)
    expect(await getTalkForViewer(as(member), privateTalk)).toMatchObject({ going: true })
    await removeMember(as(owner), privateClub.slug, member.handle, { ban: false })
    await expect(setRsvp(as(member), privateTalk, true)).rejects.toMatchObject({ status: 404 })
    expect(await getTalkForViewer(as(member), privateTalk)).toBeNull()
  })

  it('asks a visitor to sign in', async () => {
    await expect(setRsvp(anonymous, publicTalk, true)).rejects.toMatchObject({ status: 401 })
  })
})

describe('talk visibility', () => {
  it('lists upcoming talks of private clubs only to their members', async () => {
    const stranger = await createDoctor()
    for (const viewer of [anonymous, as(stranger)]) {
      const ids = (await listUpcomingTalks(viewer, 50)).map((t) => t.id)
      expect(ids).toContain(publicTalk)
      expect(ids).not.toContain(privateTalk)
    }
    expect((await listUpcomingTalks(as(owner), 50)).map((t) => t.id)).toContain(privateTalk)
  })
})

describe('getTalkShareInfo', () => {
  it('gives a share card for a talk in a public club', async () => {
    expect(await getTalkShareInfo(publicTalk)).toMatchObject({ title: 'Chest films', clubName: 'Open Radiology', description: 'Bring cases' })
  })

  it('gives nothing for a talk in a private club, or for an unknown id', async () => {
    expect(await getTalkShareInfo(privateTalk)).toBeNull()
    expect(await getTalkShareInfo('00000000-0000-0000-0000-000000000000')).toBeNull()
    expect(await getTalkShareInfo('x'.repeat(1024 * 1024))).toBeNull()
  })
})
