import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { blockPerson, listPeopleIBlockedOrMuted, mutePerson, unblockPerson, unmutePerson } from '../../db/blocks'
import { db, rawSql } from '../../db/client'
import { inviteToClub, listClubMembers } from '../../db/clubs'
import { collectExport } from '../../db/data-rights/index'
import { followUser, getFollowState, listFollowers, respondToFollowRequest } from '../../db/follows'
import { countUnreadNotifications, listNotifications, notify } from '../../db/notifications'
import { suggestFromAnswers } from '../../db/onboarding'
import { getProfileForViewer, getProfilePage, listDoctorCards } from '../../db/profiles'
import { users } from '../../db/schema/index'
import { searchDoctors, searchTalks } from '../../db/search'
import { anonymous } from '../../db/viewer'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'

const as = viewerOf
const tag = Math.random().toString(36).slice(2, 8)
// A word only this file's doctors and talks carry, so search and suggestions are not crowded by other files.
const WORD = `blockcheck${tag}`
const SPECIALITY = 'Rheumatology'

const doctor = (name: string, extra: { visibility?: 'public' | 'private' } = {}) =>
  createDoctor({ name: `Dr ${name} ${WORD}`, profile: { speciality: SPECIALITY, interests: [WORD], visibility: extra.visibility ?? 'public' } })

/** Two doctors; the first blocks the second unless told otherwise. */
async function pair() {
  return { asha: await doctor('Asha'), ben: await doctor('Ben') }
}

async function relations(...people: TestDoctor[]) {
  const ids = people.map((p) => p.id)
  return rawSql()`select user_id, other_id, kind from person_relations where user_id = any(${ids}) or other_id = any(${ids}) order by user_id, other_id`
}

async function followsBetween(a: TestDoctor, b: TestDoctor) {
  return rawSql()`select follower_id, followee_id, status from follows
    where (follower_id = ${a.id} and followee_id = ${b.id}) or (follower_id = ${b.id} and followee_id = ${a.id})`
}

const page = { limit: 50, offset: 0, cap: 1000 }

describe('blocking a doctor', () => {
  it('makes each profile not found to the other, both ways, and nothing else changes for others', async () => {
    const { asha, ben } = await pair()
    const carol = await doctor('Carol')
    expect(await getProfileForViewer(as(asha), ben.handle)).toMatchObject({ kind: 'full' })
    expect(await blockPerson(as(asha), ben.handle)).toEqual({ changed: true })

    expect(await getProfileForViewer(as(asha), ben.handle)).toBeNull()
    expect(await getProfileForViewer(as(ben), asha.handle)).toBeNull()
    expect(await getProfilePage(as(ben), asha.handle)).toBeNull()
    // Each still sees themselves; a third doctor and a visitor see both.
    expect(await getProfileForViewer(as(asha), asha.handle)).toMatchObject({ kind: 'own' })
    expect(await getProfileForViewer(as(carol), ben.handle)).toMatchObject({ kind: 'full' })
    expect(await getProfileForViewer(anonymous, asha.handle)).toMatchObject({ kind: 'card' })
    // Not on the front page either.
    const cards = await listDoctorCards(as(ben), 1000)
    expect(cards.map((c) => c.handle)).not.toContain(asha.handle)
  })

  it('ends follows both ways, approved and pending, and refuses new ones as if the person did not exist', async () => {
    const asha = await doctor('Asha', { visibility: 'private' })
    const ben = await doctor('Ben')
    await followUser(as(asha), ben.handle)
    await followUser(as(ben), asha.handle)
    expect(await followsBetween(asha, ben)).toHaveLength(2)
    expect((await followsBetween(asha, ben)).map((f) => f.status).sort()).toEqual(['approved', 'pending'])

    await blockPerson(as(ben), asha.handle)
    expect(await followsBetween(asha, ben)).toEqual([])
    for (const [who, whom] of [
      [asha, ben],
      [ben, asha],
    ]) {
      await expect(followUser(as(who), whom.handle)).rejects.toMatchObject({ name: 'PublicError', status: 404, message: 'No doctor on Rounds has that handle.' })
      await expect(getFollowState(as(who), whom.handle)).rejects.toMatchObject({ status: 404 })
    }
    expect(await followsBetween(asha, ben)).toEqual([])
    await expect(respondToFollowRequest(as(asha), ben.handle, true)).rejects.toMatchObject({ status: 404 })
  })

  it('cancels pending club invitations between the two, either way, and refuses new ones', async () => {
    const { asha, ben } = await pair()
    const ashaClub = await createTestClub(asha, { visibility: 'private' })
    const benClub = await createTestClub(ben, { visibility: 'private' })
    const bystander = await doctor('Bystander')
    await inviteToClub(as(asha), ashaClub.slug, ben.handle)
    await inviteToClub(as(ben), benClub.slug, asha.handle)
    await inviteToClub(as(asha), ashaClub.slug, bystander.handle)

    await blockPerson(as(asha), ben.handle)
    const invitations = await rawSql()`select club_id, user_id, status from club_invitations where club_id in (${ashaClub.id}, ${benClub.id}) order by status, user_id`
    expect(invitations).toEqual(
      expect.arrayContaining([
        { club_id: benClub.id, user_id: asha.id, status: 'declined' },
        { club_id: ashaClub.id, user_id: ben.id, status: 'revoked' },
        { club_id: ashaClub.id, user_id: bystander.id, status: 'pending' },
      ]),
    )
    // The invitation notices went with them.
    expect((await listNotifications(as(asha))).items.filter((n) => n.kind === 'club_invitation')).toEqual([])
    expect((await listNotifications(as(ben))).items.filter((n) => n.kind === 'club_invitation')).toEqual([])

    const before = await rawSql()`select id, status from club_invitations where club_id in (${ashaClub.id}, ${benClub.id}) order by id`
    await expect(inviteToClub(as(asha), ashaClub.slug, ben.handle)).rejects.toMatchObject({ status: 404, message: 'No doctor on Rounds has that handle.' })
    await expect(inviteToClub(as(ben), benClub.slug, asha.handle)).rejects.toMatchObject({ status: 404, message: 'No doctor on Rounds has that handle.' })
    expect(await rawSql()`select id, status from club_invitations where club_id in (${ashaClub.id}, ${benClub.id}) order by id`).toEqual(before)
  })

  it('leaves each out of the other’s search results, and the talks they host', async () => {
    const { asha, ben } = await pair()
    const carol = await doctor('Carol')
    const club = await createTestClub(ben, { name: `Club ${WORD} ${ben.handle}` })
    const talk = await createTalk({ clubId: club.id, hostId: ben.id, title: `Talk ${WORD} by ${ben.name}` })
    const match = { tsquery: `${WORD}:*` }
    const doctorsFor = async (who: TestDoctor) => (await searchDoctors(as(who), match, {}, page)).rows.map((r) => r.handle)
    const talksFor = async (who: TestDoctor) =>
      (await searchTalks(as(who), match, {}, page, { now: new Date(), sort: 'relevance' })).rows.map((r) => r.id)
    expect(await doctorsFor(asha)).toContain(ben.handle)
    expect(await talksFor(asha)).toContain(talk.id)

    await blockPerson(as(asha), ben.handle)
    expect(await doctorsFor(asha)).not.toContain(ben.handle)
    expect(await doctorsFor(ben)).not.toContain(asha.handle)
    expect(await talksFor(asha)).not.toContain(talk.id)
    // Everyone else still finds them.
    expect(await doctorsFor(carol)).toEqual(expect.arrayContaining([asha.handle, ben.handle]))
    expect(await talksFor(carol)).toContain(talk.id)
  })

  it('leaves each out of the other’s suggestions of doctors to follow', async () => {
    const { asha, ben } = await pair()
    const suggested = async (who: TestDoctor) => (await suggestFromAnswers(as(who), { clubs: 1, doctors: 1000 })).doctors.map((d) => d.handle)
    expect(await suggested(asha)).toContain(ben.handle)
    await blockPerson(as(ben), asha.handle)
    expect(await suggested(asha)).not.toContain(ben.handle)
    expect(await suggested(ben)).not.toContain(asha.handle)
  })

  it('takes the other out of existing notices, and no new notice about them is written or shown', async () => {
    const { asha, ben } = await pair()
    const carol = await doctor('Carol')
    await followUser(as(ben), asha.handle)
    await followUser(as(carol), asha.handle)
    expect((await listNotifications(as(asha))).items.map((n) => n.title)).toEqual([`${ben.name} and ${carol.name} followed you`])

    await blockPerson(as(asha), ben.handle)
    expect((await listNotifications(as(asha))).items.map((n) => n.title)).toEqual([`${carol.name} followed you`])
    const [stored] = await rawSql()`select actor_ids from notifications where user_id = ${asha.id} and kind = 'follow'`
    expect(stored.actor_ids).toEqual([carol.id])

    // Written for either of them about the other: nothing.
    const told = await db.transaction(async (tx) => [
      await notify(tx, { recipientId: asha.id, kind: 'follow', actorId: ben.id, target: { type: 'user', id: asha.id } }),
      await notify(tx, { recipientId: ben.id, kind: 'follow', actorId: asha.id, target: { type: 'user', id: ben.id } }),
    ])
    expect(told).toEqual([null, null])
    // A notice about the other that is already stored is not shown or counted.
    const unreadBefore = await countUnreadNotifications(as(ben))
    await rawSql()`insert into notifications (id, user_id, kind, subject, actor_ids, target_type, target_id)
      values (gen_random_uuid()::text, ${ben.id}, 'follow', ${`stale-${tag}`}, ${[asha.id]}, 'user', ${ben.id})`
    expect(await countUnreadNotifications(as(ben))).toBe(unreadBefore)
    expect((await listNotifications(as(ben))).items.some((n) => n.title.includes(asha.name))).toBe(false)
  })

  it('leaves the other out of lists of followers and club members, and out of their counts', async () => {
    const { asha, ben } = await pair()
    const host = await doctor('Host')
    await followUser(as(ben), host.handle)
    await followUser(as(asha), host.handle)
    const club = await createTestClub(host)
    await addClubMember(club, ben)
    await addClubMember(club, asha)

    await blockPerson(as(ben), asha.handle)
    const followers = (await listFollowers(as(asha), host.handle))!
    expect(followers.people.map((p) => p.handle)).not.toContain(ben.handle)
    expect(followers.total).toBe(1)
    expect((await getProfilePage(as(asha), host.handle))?.counts).toEqual({ followers: 1, following: 0 })
    expect((await getProfilePage(as(host), host.handle))?.counts).toEqual({ followers: 2, following: 0 })
    const members = await listClubMembers(as(asha), club.slug)
    expect(members.people.map((p) => p.handle)).not.toContain(ben.handle)
    expect(members.total).toBe(2)
  })

  it('says so when blocking someone already blocked, changing nothing', async () => {
    const { asha, ben } = await pair()
    await blockPerson(as(asha), ben.handle)
    const before = await relations(asha)
    expect(await blockPerson(as(asha), ben.handle.toUpperCase())).toEqual({ changed: false })
    expect(await relations(asha)).toEqual(before)
  })

  it('refuses themselves, an unknown or deactivated handle, someone who blocked them, and a visitor, changing nothing', async () => {
    const { asha, ben } = await pair()
    const gone = await doctor('Gone')
    await db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, gone.id))
    await followUser(as(asha), ben.handle)
    await blockPerson(as(ben), asha.handle)
    const before = { relations: await relations(asha, ben, gone), follows: await rawSql()`select * from follows where follower_id in (${asha.id}, ${ben.id}, ${gone.id})` }

    await expect(blockPerson(as(asha), asha.handle)).rejects.toMatchObject({ status: 400, message: 'You cannot block yourself.' })
    await expect(mutePerson(as(asha), asha.handle)).rejects.toMatchObject({ status: 400, message: 'You cannot mute yourself.' })
    for (const handle of [`no-such-${tag}`, gone.handle, ben.handle]) {
      // Someone who blocked you answers exactly as an unknown handle: the block is never revealed.
      await expect(blockPerson(as(asha), handle)).rejects.toMatchObject({ status: 404, message: 'No doctor on Rounds has that handle.' })
      await expect(mutePerson(as(asha), handle)).rejects.toMatchObject({ status: 404, message: 'No doctor on Rounds has that handle.' })
      await expect(unblockPerson(as(asha), handle)).rejects.toMatchObject({ status: 404 })
    }
    for (const call of [blockPerson, unblockPerson, mutePerson, unmutePerson, listPeopleIBlockedOrMuted]) {
      await expect(call(anonymous, ben.handle)).rejects.toMatchObject({ name: 'PublicError', status: 401 })
    }
    expect(await relations(asha, ben, gone)).toEqual(before.relations)
    expect(await rawSql()`select * from follows where follower_id in (${asha.id}, ${ben.id}, ${gone.id})`).toEqual(before.follows)
  })
})

describe('unblocking', () => {
  it('makes the two visible to each other again, without bringing back the follows', async () => {
    const { asha, ben } = await pair()
    await followUser(as(asha), ben.handle)
    await followUser(as(ben), asha.handle)
    await blockPerson(as(asha), ben.handle)
    expect(await unblockPerson(as(asha), ben.handle)).toEqual({ changed: true })

    expect(await getProfileForViewer(as(asha), ben.handle)).toMatchObject({ kind: 'full' })
    expect(await getProfileForViewer(as(ben), asha.handle)).toMatchObject({ kind: 'full' })
    expect(await followsBetween(asha, ben)).toEqual([])
    expect(await getFollowState(as(asha), ben.handle)).toBe('none')
    // Following works again.
    expect(await followUser(as(ben), asha.handle)).toBe('following')
    expect(await unblockPerson(as(asha), ben.handle)).toEqual({ changed: false })
  })

  it('only lifts one’s own block: the blocked person cannot unblock', async () => {
    const { asha, ben } = await pair()
    await blockPerson(as(asha), ben.handle)
    await expect(unblockPerson(as(ben), asha.handle)).rejects.toMatchObject({ status: 404 })
    expect(await getProfileForViewer(as(ben), asha.handle)).toBeNull()
  })
})

describe('muting a doctor', () => {
  it('does not hide the profile, the follows or search, and is listed with its date', async () => {
    const { asha, ben } = await pair()
    await followUser(as(asha), ben.handle)
    expect(await mutePerson(as(asha), ben.handle)).toEqual({ changed: true })
    expect(await mutePerson(as(asha), ben.handle)).toEqual({ changed: false })

    expect(await getProfileForViewer(as(asha), ben.handle)).toMatchObject({ kind: 'full' })
    expect(await getProfileForViewer(as(ben), asha.handle)).toMatchObject({ kind: 'full' })
    expect((await getProfilePage(as(asha), ben.handle))?.muted).toBe(true)
    expect((await getProfilePage(as(ben), asha.handle))?.muted).toBe(false)
    expect(await getFollowState(as(asha), ben.handle)).toBe('following')
    const found = (await searchDoctors(as(asha), { tsquery: `${WORD}:*` }, {}, page)).rows.map((r) => r.handle)
    expect(found).toContain(ben.handle)

    const list = await listPeopleIBlockedOrMuted(as(asha))
    expect(list).toEqual([expect.objectContaining({ handle: ben.handle, name: ben.name, kind: 'mute', since: expect.any(Date) })])
    expect(await listPeopleIBlockedOrMuted(as(ben))).toEqual([])
    expect(await unmutePerson(as(asha), ben.handle)).toEqual({ changed: true })
    expect(await listPeopleIBlockedOrMuted(as(asha))).toEqual([])
  })

  it('becomes a block when blocking, and never overrides a block', async () => {
    const { asha, ben } = await pair()
    await mutePerson(as(asha), ben.handle)
    await blockPerson(as(asha), ben.handle)
    expect(await relations(asha)).toEqual([{ user_id: asha.id, other_id: ben.id, kind: 'block' }])
    await expect(mutePerson(as(asha), ben.handle)).rejects.toMatchObject({ status: 409 })
    expect(await unmutePerson(as(asha), ben.handle)).toEqual({ changed: false })
    expect(await relations(asha)).toEqual([{ user_id: asha.id, other_id: ben.id, kind: 'block' }])
    expect((await listPeopleIBlockedOrMuted(as(asha))).map((p) => p.kind)).toEqual(['block'])
  })
})

describe('blocks and mutes in the data-rights export', () => {
  it('lists the people the member blocked or muted, by handle, and not who blocked them', async () => {
    const { asha, ben } = await pair()
    const carol = await doctor('Carol')
    const dan = await doctor('Dan')
    await blockPerson(as(asha), ben.handle)
    await mutePerson(as(asha), carol.handle)
    await blockPerson(as(dan), asha.handle)

    const data = await collectExport(asha.id)
    expect(data.blockedAndMuted).toEqual([
      expect.objectContaining({ handle: ben.handle, name: ben.name, kind: 'block', since: expect.any(Date) }),
      expect.objectContaining({ handle: carol.handle, kind: 'mute' }),
    ])
    const section = data.sections.find((s) => s.table === 'person_relations')!
    expect(section.matchedBy).toEqual(['user_id'])
    const rows = JSON.parse(section.rowsJson) as { other_id: string; kind: string }[]
    expect(rows.map((r) => r.other_id).sort()).toEqual([ben.id, carol.id].sort())
    expect(data.excludedColumns['person_relations.other_id']).toMatch(/their choice/)
    expect(JSON.stringify(data)).not.toContain(dan.handle)
  })
})
