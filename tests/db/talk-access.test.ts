import { sql } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  canEnterTalk,
  checkTalkEntryFacts,
  loadTalkEntry,
  mayEnterTalk,
  requireTalkEntry,
  talkEntryAllowedSql,
  talkEntryColumns,
  talkEntrySql,
  talkRoleSql,
  talkStanding,
  type TalkEntryFacts,
} from '../../db/access/index'
import { db, rawSql } from '../../db/client'
import { PublicError } from '../../db/errors'
import { anonymous, type Viewer } from '../../db/viewer'
import { addClubMember, addTalkRole, createDoctor, createTalk, createTestClub, viewerOf, type TestClub, type TestDoctor } from '../support/factories'

const MISSING = '00000000-0000-0000-0000-000000000000'

describe('the talk entry rule over its three facts', () => {
  const every: TalkEntryFacts[] = [false, true].flatMap((visible) =>
    [false, true].flatMap((banned) => [false, true].map((removed) => ({ visible, banned, removed }))),
  )

  it('lets in only someone the talk is visible to, not banned and not removed', () => {
    for (const facts of every) {
      expect(mayEnterTalk(facts), JSON.stringify(facts)).toBe(facts.visible && !facts.banned && !facts.removed)
    }
    expect(mayEnterTalk(undefined)).toBe(false)
    expect(mayEnterTalk(null)).toBe(false)
  })

  it('refuses as a join does: not found before banned before removed, and returns the row it lets in', () => {
    const refusal = (facts: TalkEntryFacts | undefined) => {
      try {
        checkTalkEntryFacts(facts)
        return null
      } catch (error) {
        expect(error).toBeInstanceOf(PublicError)
        return (error as PublicError).status
      }
    }
    expect(refusal(undefined)).toBe(404)
    for (const facts of every) {
      const expected = !facts.visible ? 404 : facts.banned || facts.removed ? 403 : null
      expect(refusal(facts), JSON.stringify(facts)).toBe(expected)
    }
    expect(() => checkTalkEntryFacts({ visible: true, banned: true, removed: true })).toThrow(/removed you from this club/)
    expect(() => checkTalkEntryFacts({ visible: true, banned: false, removed: true })).toThrow(/removed you from this talk/)
    const row = { visible: true, banned: false, removed: false, role: 'audience' }
    expect(checkTalkEntryFacts(row)).toBe(row)
  })
})

describe('the talk entry rule in the database', () => {
  let host: TestDoctor
  let cohost: TestDoctor
  let speaker: TestDoctor
  let clubModerator: TestDoctor
  let member: TestDoctor
  let stranger: TestDoctor
  let banned: TestDoctor
  let removed: TestDoctor
  let publicClub: TestClub
  let privateClub: TestClub
  let publicTalk: string
  let privateTalk: string

  beforeAll(async () => {
    host = await createDoctor({ name: 'Dr Rule Host' })
    cohost = await createDoctor()
    speaker = await createDoctor()
    clubModerator = await createDoctor()
    member = await createDoctor()
    stranger = await createDoctor()
    banned = await createDoctor()
    removed = await createDoctor()
    publicClub = await createTestClub(host)
    privateClub = await createTestClub(host, { visibility: 'private' })
    for (const club of [publicClub, privateClub]) {
      for (const doctor of [cohost, speaker, member, banned, removed]) await addClubMember(club, doctor)
      await addClubMember(club, clubModerator, 'moderator')
      await rawSql()`insert into club_bans (club_id, user_id) values (${club.id}, ${banned.id})`
      // A banned member leaves the club's members.
      await rawSql()`delete from club_members where club_id = ${club.id} and user_id = ${banned.id}`
    }
    publicTalk = (await createTalk({ clubId: publicClub.id, hostId: host.id })).id
    privateTalk = (await createTalk({ clubId: privateClub.id, hostId: host.id })).id
    for (const talkId of [publicTalk, privateTalk]) {
      await addTalkRole(talkId, cohost, 'cohost')
      await addTalkRole(talkId, speaker, 'speaker')
      await rawSql()`insert into talk_removals (talk_id, user_id, removed_by) values (${talkId}, ${removed.id}, ${host.id})`
    }
  })

  /** The rule in its two SQL forms, over one talk, for one viewer. */
  async function inSql(viewer: NonNullable<Viewer>, talkId: string) {
    const [row] = await db.execute<{ entry: boolean; allowed: boolean; role: string }>(sql`
      with a as (
        select t.id, ${talkEntrySql(viewer, sql`t.id`)} as entry, ${talkEntryColumns(viewer, sql`t.id`)}, ${talkRoleSql(sql`${viewer.userId}`)} as role
        from talks t join clubs on clubs.id = t.club_id where t.id = ${talkId})
      select a.entry, ${talkEntryAllowedSql(sql`a`)} as allowed, a.role from a`)
    return row
  }

  it('says the same in SQL, over its columns and in JavaScript, for everyone', async () => {
    const cases: [string, TestDoctor, string, boolean][] = [
      ['host, public', host, publicTalk, true],
      ['stranger, public', stranger, publicTalk, true],
      ['stranger, private', stranger, privateTalk, false],
      ['member, private', member, privateTalk, true],
      ['banned, public', banned, publicTalk, false],
      ['banned, private', banned, privateTalk, false],
      ['removed, public', removed, publicTalk, false],
      ['removed, private', removed, privateTalk, false],
    ]
    for (const [name, doctor, talkId, mayEnter] of cases) {
      const viewer = viewerOf(doctor)
      const row = await inSql(viewer, talkId)
      expect({ name, entry: row.entry, allowed: row.allowed }).toEqual({ name, entry: mayEnter, allowed: mayEnter })
      expect(mayEnterTalk(await loadTalkEntry(viewer, talkId)), name).toBe(mayEnter)
      expect(await canEnterTalk(viewer, talkId), name).toBe(mayEnter)
      expect((await talkStanding(viewer, talkId)).mayEnter, name).toBe(mayEnter)
    }
  })

  it('is false for a visitor, a malformed id and a talk that does not exist', async () => {
    expect(await canEnterTalk(anonymous, publicTalk)).toBe(false)
    expect(await canEnterTalk(viewerOf(member), 'not-an-id')).toBe(false)
    expect(await canEnterTalk(viewerOf(member), MISSING)).toBe(false)
    const [row] = await db.execute<{ entry: boolean }>(sql`select ${talkEntrySql(anonymous, sql`t.id`)} as entry from talks t where t.id = ${publicTalk}`)
    expect(row.entry).toBe(false)
    await expect(requireTalkEntry(anonymous, publicTalk)).rejects.toMatchObject({ status: 401 })
    await expect(requireTalkEntry(viewerOf(member), 'not-an-id')).rejects.toMatchObject({ status: 404 })
    await expect(requireTalkEntry(viewerOf(member), MISSING)).rejects.toMatchObject({ status: 404 })
  })

  it('refuses a private club’s talk as if it did not exist, and says why to the banned and the removed', async () => {
    await expect(requireTalkEntry(viewerOf(stranger), privateTalk)).rejects.toMatchObject({ status: 404, message: 'We could not find that talk.' })
    await expect(requireTalkEntry(viewerOf(banned), publicTalk)).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/removed you from this club/) })
    await expect(requireTalkEntry(viewerOf(removed), publicTalk)).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/removed you from this talk/) })
    expect(await requireTalkEntry(viewerOf(member), privateTalk)).toMatchObject({ id: privateTalk, role: 'audience', clubId: privateClub.id })
  })

  it('tells someone already in the room what changed', async () => {
    expect(await talkStanding(viewerOf(banned), publicTalk)).toEqual({ mayEnter: false, message: expect.stringMatching(/removed you from this club/) })
    expect(await talkStanding(viewerOf(removed), publicTalk)).toEqual({ mayEnter: false, message: 'The hosts removed you from this talk.' })
    expect(await talkStanding(viewerOf(stranger), privateTalk)).toEqual({ mayEnter: false, message: 'This talk is now for its club’s members only.' })
    expect(await talkStanding(viewerOf(member), MISSING)).toEqual({ mayEnter: false, message: 'This talk no longer exists.' })
    expect(await talkStanding(viewerOf(cohost), publicTalk)).toEqual({ mayEnter: true, moderator: true })
    expect(await talkStanding(viewerOf(member), publicTalk)).toEqual({ mayEnter: true, moderator: false })
  })

  it('gives each person their role: host, co-host (by the talk or by moderating the club), speaker, audience', async () => {
    const roles = await Promise.all([host, cohost, clubModerator, speaker, member, stranger].map(async (d) => (await inSql(viewerOf(d), publicTalk)).role))
    expect(roles).toEqual(['host', 'cohost', 'cohost', 'speaker', 'audience', 'audience'])
  })
})
