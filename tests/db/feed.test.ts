import { beforeAll, describe, expect, it } from 'vitest'
import { followClub, inviteToClub, joinClub, leaveClub, removeMember } from '../../db/clubs'
import { homeFeed } from '../../db/feed'
import { followUser } from '../../db/follows'
import { setRsvp } from '../../db/talks'
import { createDoctor, createTalk, createTestClub, viewerOf, type TestClub, type TestDoctor } from '../support/factories'

const as = viewerOf
const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR

async function joinPrivate(owner: TestDoctor, club: TestClub, doctor: TestDoctor) {
  await inviteToClub(as(owner), club.slug, doctor.handle)
  await joinClub(as(doctor), club.slug)
}

/** The first `n` of a pool of doctors say they are going. */
async function rsvp(talkId: string, people: TestDoctor[], n: number) {
  await Promise.all(people.slice(0, n).map((d) => setRsvp(as(d), talkId, true)))
}

describe('upcoming talks', () => {
  const now = new Date()
  const at = (hours: number) => new Date(now.getTime() + hours * HOUR)
  let viewer: TestDoctor
  let followedClub: TestClub
  let memberClub: TestClub
  const talk: Record<string, string> = {}

  beforeAll(async () => {
    viewer = await createDoctor({ name: 'Dr Feed Viewer' })
    const owner = await createDoctor({ name: 'Dr Club Owner' })
    const host = await createDoctor({ name: 'Dr Unfollowed Host' })
    const followedPerson = await createDoctor({ name: 'Dr Priya Followed' })

    followedClub = await createTestClub(owner, { name: 'Followed Cardiology Club' })
    const elsewhere = await createTestClub(owner, { name: 'Elsewhere Club' })
    memberClub = await createTestClub(owner, { name: 'Private Renal Circle', visibility: 'private' })
    const secretClub = await createTestClub(owner, { name: 'Secret Surgical Club', visibility: 'private' })
    const leftClub = await createTestClub(owner, { name: 'Left Behind Club', visibility: 'private' })

    await followClub(as(viewer), followedClub.slug)
    await followUser(as(viewer), followedPerson.handle)
    await joinPrivate(owner, memberClub, viewer)
    // The viewer followed this private club while in it, then left: the follow alone must not show its talks.
    await joinPrivate(owner, leftClub, viewer)
    await followClub(as(viewer), leftClub.slug)
    await leaveClub(as(viewer), leftClub.slug)
    // The followed person hosts in a private club the viewer is not in.
    await joinPrivate(owner, secretClub, followedPerson)

    talk.club = (await createTalk({ clubId: followedClub.id, hostId: host.id, startsAt: at(1) })).id
    talk.person = (await createTalk({ clubId: elsewhere.id, hostId: followedPerson.id, startsAt: at(2) })).id
    talk.member = (await createTalk({ clubId: memberClub.id, hostId: host.id, startsAt: at(3) })).id
    talk.secret = (await createTalk({ clubId: secretClub.id, hostId: followedPerson.id, startsAt: at(4), title: 'Secret talk' })).id
    talk.left = (await createTalk({ clubId: leftClub.id, hostId: host.id, startsAt: at(5), title: 'Left talk' })).id
    talk.ended = (await createTalk({ clubId: followedClub.id, hostId: host.id, startsAt: at(-1), status: 'ended' })).id
    talk.unrelated = (await createTalk({ clubId: elsewhere.id, hostId: host.id, startsAt: at(6) })).id
  })

  it('come from followed clubs, followed people and the private clubs the viewer is in, each saying why', async () => {
    const { upcoming } = await homeFeed(as(viewer), now)
    expect(upcoming.map((t) => [t.id, t.reason])).toEqual([
      [talk.club, 'Because you follow Followed Cardiology Club'],
      [talk.person, 'Because you follow Dr Priya Followed'],
      [talk.member, 'Because you are in Private Renal Circle'],
    ])
  })

  it('never include a private club the viewer is not in, even when they follow its host or once followed the club', async () => {
    const feed = await homeFeed(as(viewer), now)
    const json = JSON.stringify(feed)
    for (const hidden of [talk.secret, talk.left]) expect(json).not.toContain(hidden)
    for (const name of ['Secret Surgical Club', 'Secret talk', 'Left Behind Club', 'Left talk']) expect(json).not.toContain(name)
  })

  it('drop a private club as soon as the viewer is removed from it', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner, { name: 'Short Stay Club', visibility: 'private' })
    const guest = await createDoctor()
    await joinPrivate(owner, club, guest)
    const id = (await createTalk({ clubId: club.id, hostId: owner.id, startsAt: at(1) })).id
    expect((await homeFeed(as(guest), now)).upcoming.map((t) => t.id)).toEqual([id])
    await removeMember(as(owner), club.slug, guest.handle, { ban: false })
    expect((await homeFeed(as(guest), now)).upcoming).toEqual([])
  })
})

describe('recommended clubs', () => {
  it('lead with the viewer’s speciality and never offer private clubs, their own clubs or clubs that banned them', async () => {
    const viewer = await createDoctor({ profile: { speciality: 'Nephrology', interests: ['Dialysis'] } })
    const owner = await createDoctor()
    const popularMembers = await Promise.all([createDoctor(), createDoctor(), createDoctor()])

    const popular = await createTestClub(owner, { name: 'AAA Popular Club' })
    await Promise.all(popularMembers.map((d) => joinClub(as(d), popular.slug)))
    const interest = await createTestClub(owner, { name: 'Home Therapies', description: 'Home dialysis cases' })
    const speciality = await createTestClub(owner, { name: 'Kidney Club', specialities: ['Nephrology'] })
    const privateSpeciality = await createTestClub(owner, { name: 'Private Kidney Club', specialities: ['Nephrology'], visibility: 'private' })
    const mine = await createTestClub(owner, { name: 'My Kidney Club', specialities: ['Nephrology'] })
    const banning = await createTestClub(owner, { name: 'Banning Kidney Club', specialities: ['Nephrology'] })
    await joinClub(as(viewer), mine.slug)
    await joinClub(as(viewer), banning.slug)
    await removeMember(as(owner), banning.slug, viewer.handle, { ban: true })

    const { recommendedClubs } = await homeFeed(as(viewer))
    expect(recommendedClubs.slice(0, 2).map((c) => [c.id, c.reason])).toEqual([
      [speciality.id, 'In your speciality: Nephrology'],
      [interest.id, 'Matches your interest: dialysis'],
    ])
    const ids = recommendedClubs.map((c) => c.id)
    for (const excluded of [privateSpeciality, mine, banning]) expect(ids).not.toContain(excluded.id)
    expect(ids).toContain(popular.id)
    for (const club of recommendedClubs) expect(club).toMatchObject({ visibility: 'public', isMember: false })
  })
})

describe('trending talks', () => {
  let people: TestDoctor[]
  let owner: TestDoctor
  let publicClub: TestClub

  beforeAll(async () => {
    people = await Promise.all(Array.from({ length: 4 }, () => createDoctor()))
    owner = await createDoctor()
    publicClub = await createTestClub(owner, { name: 'Trending Public Club' })
  })

  // Each test runs at its own far-off "now", so their talks never meet.
  it('show only talks the viewer may see that people are going to', async () => {
    const now = new Date('2200-01-01T12:00:00Z')
    const at = (hours: number) => new Date(now.getTime() + hours * HOUR)
    const privateClub = await createTestClub(owner, { name: 'Trending Private Club', visibility: 'private' })
    for (const d of people) await joinPrivate(owner, privateClub, d)
    const member = people[0]
    const stranger = await createDoctor()

    const hot = (await createTalk({ clubId: publicClub.id, hostId: owner.id, startsAt: at(1) })).id
    await rsvp(hot, people, 2)
    const secret = (await createTalk({ clubId: privateClub.id, hostId: owner.id, startsAt: at(1), title: 'Trending secret' })).id
    await rsvp(secret, people, 4)
    // Three days out with one person going, behind seven talks today that nobody is going to.
    const later = (await createTalk({ clubId: publicClub.id, hostId: owner.id, startsAt: at(72) })).id
    await rsvp(later, people, 1)
    for (let i = 0; i < 7; i++) await createTalk({ clubId: publicClub.id, hostId: owner.id, startsAt: at(0) })

    const forStranger = (await homeFeed(as(stranger), now)).trending
    expect(forStranger.map((t) => [t.id, t.reason])).toEqual([
      [hot, 'Trending: 2 going'],
      [later, 'Trending: 1 going'],
    ])
    expect(JSON.stringify(forStranger)).not.toContain('Trending secret')

    const forMember = (await homeFeed(as(member), now)).trending
    expect(forMember.map((t) => t.id)).toEqual([secret, hot, later])
  })

  it('decays with distance from now: the same RSVPs count for more today than in two weeks or last week', async () => {
    const now = new Date('2300-01-01T12:00:00Z')
    const at = (hours: number) => new Date(now.getTime() + hours * HOUR)
    const today = (await createTalk({ clubId: publicClub.id, hostId: owner.id, startsAt: at(1) })).id
    const nextWeek = (await createTalk({ clubId: publicClub.id, hostId: owner.id, startsAt: at(13 * 24) })).id
    const lastWeek = (await createTalk({ clubId: publicClub.id, hostId: owner.id, startsAt: at(-6 * 24) })).id
    const farFuture = (await createTalk({ clubId: publicClub.id, hostId: owner.id, startsAt: new Date(now.getTime() + 60 * DAY) })).id
    for (const id of [today, nextWeek, lastWeek, farFuture]) await rsvp(id, people, 3)

    const trending = (await homeFeed(as(people[0]), now)).trending
    expect(trending.map((t) => t.id)).toEqual([today, lastWeek, nextWeek])
  })
})
