import { beforeAll, describe, expect, it } from 'vitest'
import { canEnterClubRoom } from '../../db/access/index'
import {
  changeMemberRole,
  createInviteLink,
  followClub,
  getClubPage,
  getClubShareInfo,
  inviteToClub,
  joinByInviteLink,
  joinClub,
  listClubFollowers,
  listClubMembers,
  listClubsForViewer,
  listInviteLinks,
  listMyInvitations,
  listPendingInvitations,
  previewInviteLink,
  removeMember,
  revokeInviteLink,
  rotateInviteLink,
} from '../../db/clubs'
import { PublicError } from '../../db/errors'
import { followUser, respondToFollowRequest } from '../../db/follows'
import { getTalkForViewer, listClubTalks } from '../../db/talks'
import { anonymous, type Viewer } from '../../db/viewer'
import {
  countTableRows,
  createDoctor,
  createTalk,
  createTestClub,
  viewerOf,
  type TestClub,
  type TestDoctor,
} from '../support/factories'

const as = viewerOf
const DAY = 24 * 60 * 60 * 1000

/** True when the call succeeds, false when it answers 404 like an unknown club; anything else fails the test. */
async function allowed(call: Promise<unknown>) {
  try {
    await call
    return true
  } catch (error) {
    if (error instanceof PublicError && error.status === 404) return false
    throw error
  }
}

/** Invites a doctor and has them accept: how people get into a private club. */
async function addToPrivateClub(owner: TestDoctor, club: TestClub, doctor: TestDoctor) {
  await inviteToClub(as(owner), club.slug, doctor.handle)
  await joinClub(as(doctor), club.slug)
}

async function linkOf(owner: TestDoctor, club: TestClub, id: string) {
  const link = (await listInviteLinks(as(owner), club.slug)).find((l) => l.id === id)
  if (!link) throw new Error(`Link ${id} is not listed`)
  return link
}

describe('a private club, as each kind of viewer sees it', () => {
  let club: TestClub
  let talkId: string
  const viewers: Record<string, Viewer> = {}
  let unknownClubMessage: string

  beforeAll(async () => {
    const owner = await createDoctor({ name: 'Dr Private Club Owner' })
    club = await createTestClub(owner, { name: 'Private Renal Round', visibility: 'private' })
    talkId = (await createTalk({ clubId: club.id, hostId: owner.id, title: 'Private talk' })).id

    const [admin, member, linkHolder, revokedHolder, removed, banned, invited, stranger] = await Promise.all(
      ['admin', 'member', 'link', 'revoked', 'removed', 'banned', 'invited', 'stranger'].map((n) =>
        createDoctor({ name: `Dr Matrix ${n}` }),
      ),
    )
    for (const doctor of [admin, member, removed, banned]) await addToPrivateClub(owner, club, doctor)
    await changeMemberRole(as(owner), club.slug, admin.handle, 'admin')
    await followClub(as(member), club.slug)
    await followClub(as(banned), club.slug)
    await removeMember(as(owner), club.slug, removed.handle, { ban: false })
    await removeMember(as(owner), club.slug, banned.handle, { ban: true })
    await inviteToClub(as(owner), club.slug, invited.handle)
    // Holding a link is knowing its token; these two have not used theirs.
    await createInviteLink(as(owner), club.slug, { expiresAt: null, maxUses: null })
    const revoked = await createInviteLink(as(owner), club.slug, { expiresAt: null, maxUses: null })
    await revokeInviteLink(as(owner), club.slug, revoked.id)

    Object.assign(viewers, {
      anonymous,
      stranger: as(stranger),
      'valid link holder': as(linkHolder),
      'revoked link holder': as(revokedHolder),
      invited: as(invited),
      member: as(member),
      admin: as(admin),
      'removed member': as(removed),
      'banned member': as(banned),
    })
    unknownClubMessage = await getClubPage(as(stranger), 'no-club-has-this-slug').then(
      () => '',
      (e: Error) => e.message,
    )
  })

  const none = { page: false, members: false, followers: false, listed: false, talk: false, talks: false, share: false, room: false }
  const inside = { page: true, members: true, followers: true, listed: true, talk: true, talks: true, share: false, room: true }

  it.each([
    ['anonymous', none],
    ['stranger', none],
    // The link opens the invite preview (tested below), not the club's own pages, until they join.
    ['valid link holder', none],
    ['revoked link holder', none],
    // An invitation shows the club's page so the doctor can decide; the rest waits until they join.
    ['invited', { ...none, page: true }],
    ['member', inside],
    ['admin', inside],
    ['removed member', none],
    ['banned member', none],
  ])('%s', async (name, expected) => {
    const viewer = viewers[name]
    const seen = {
      page: await allowed(getClubPage(viewer, club.slug)),
      members: await allowed(listClubMembers(viewer, club.slug)),
      followers: await allowed(listClubFollowers(viewer, club.slug)),
      listed: (await listClubsForViewer(viewer, 1000)).some((c) => c.id === club.id),
      talk: (await getTalkForViewer(viewer, talkId)) !== null,
      talks: (await listClubTalks(viewer, club.id, 'upcoming')).some((t) => t.id === talkId),
      share: (await getClubShareInfo(viewer, club.slug)) !== null,
      room: await canEnterClubRoom(viewer, club.id),
    }
    expect(seen).toEqual(expected)
    if (!expected.page) {
      // Refused exactly as if the club did not exist, so its existence does not leak.
      await expect(getClubPage(viewer, club.slug)).rejects.toThrow(unknownClubMessage)
    }
  })
})

describe('a public club', () => {
  let club: TestClub
  let owner: TestDoctor
  let publicMember: TestDoctor
  let privateMember: TestDoctor
  let privateFollower: TestDoctor
  let banned: TestDoctor
  let stranger: TestDoctor

  beforeAll(async () => {
    owner = await createDoctor({ name: 'Dr Aaron Public Owner' })
    club = await createTestClub(owner, { name: 'Open Cardiology', visibility: 'public' })
    publicMember = await createDoctor({ name: 'Dr Betty Publicmember' })
    privateMember = await createDoctor({ name: 'Dr Quillon Privatemember', profile: { visibility: 'private', handle: 'quillon-private' } })
    privateFollower = await createDoctor({ name: 'Dr Ysolde Privatefollower', profile: { visibility: 'private', handle: 'ysolde-private' } })
    banned = await createDoctor({ name: 'Dr Banned Public' })
    stranger = await createDoctor({ name: 'Dr Public Stranger' })
    for (const doctor of [publicMember, privateMember, banned]) await joinClub(as(doctor), club.slug)
    await followClub(as(publicMember), club.slug)
    await followClub(as(privateFollower), club.slug)
    await removeMember(as(owner), club.slug, banned.handle, { ban: true })
  })

  it.each([
    ['anonymous', () => anonymous],
    ['a stranger', () => as(stranger)],
    ['a member', () => as(publicMember)],
    ['a banned member', () => as(banned)],
  ])('shows its page, listing and share card to %s', async (_label, viewer: () => Viewer) => {
    const page = await getClubPage(viewer(), club.slug)
    expect(page.club).toMatchObject({ id: club.id, name: 'Open Cardiology', visibility: 'public' })
    expect((await listClubsForViewer(viewer(), 1000)).some((c) => c.id === club.id)).toBe(true)
    expect(await getClubShareInfo(viewer(), club.slug)).toEqual({ name: 'Open Cardiology', description: '', slug: club.slug })
  })

  it('tells a banned member they are banned, refuses their join with 403 and keeps them out of the room', async () => {
    const page = await getClubPage(as(banned), club.slug)
    expect(page).toMatchObject({ banned: true, role: null })
    await expect(joinClub(as(banned), club.slug)).rejects.toMatchObject({ name: 'PublicError', status: 403 })
    expect(await canEnterClubRoom(as(banned), club.id)).toBe(false)
    expect((await getClubPage(as(banned), club.slug)).club.isMember).toBe(false)
  })

  it('lets a signed-in doctor into its room, but not a visitor', async () => {
    expect(await canEnterClubRoom(as(stranger), club.id)).toBe(true)
    expect(await canEnterClubRoom(anonymous, club.id)).toBe(false)
  })

  it('lists members with public profiles to anyone and only counts the private ones', async () => {
    for (const viewer of [anonymous, as(stranger)]) {
      const members = await listClubMembers(viewer, club.slug)
      expect(members.people.map((p) => p.handle)).toEqual([owner.handle, publicMember.handle])
      expect(members).toMatchObject({ hiddenCount: 1, total: 3 })
      const json = JSON.stringify(members)
      expect(json).not.toContain('Quillon')
      expect(json).not.toContain('quillon-private')

      const followers = await listClubFollowers(viewer, club.slug)
      expect(followers.people.map((p) => p.handle)).toEqual([publicMember.handle])
      expect(followers).toMatchObject({ hiddenCount: 1, total: 2 })
      expect(JSON.stringify(followers)).not.toContain('Ysolde')
    }
  })

  it('shows a private member to their approved followers, to themselves, and to the club admins', async () => {
    const friend = await createDoctor()
    await followUser(as(friend), privateMember.handle)
    await respondToFollowRequest(as(privateMember), friend.handle, true)
    for (const viewer of [as(friend), as(privateMember), as(owner)]) {
      const members = await listClubMembers(viewer, club.slug)
      expect(members.people.map((p) => p.handle)).toContain(privateMember.handle)
      expect(members.hiddenCount).toBe(0)
    }
  })

  it('lets a stranger join', async () => {
    const newcomer = await createDoctor()
    expect(await joinClub(as(newcomer), club.slug)).toEqual({ slug: club.slug, joined: true })
    expect(await joinClub(as(newcomer), club.slug)).toEqual({ slug: club.slug, joined: false })
  })
})

describe('invite links', () => {
  let owner: TestDoctor
  let club: TestClub

  beforeAll(async () => {
    owner = await createDoctor({ name: 'Dr Link Owner' })
    club = await createTestClub(owner, { name: 'Invite-only Neurology', visibility: 'private', description: 'Cases on Thursdays' })
  })

  const newLink = (options: { expiresAt?: Date | null; maxUses?: number | null } = {}) =>
    createInviteLink(as(owner), club.slug, { expiresAt: options.expiresAt ?? null, maxUses: options.maxUses ?? null })

  it('carry at least 128 random bits in a URL-safe token, different every time', async () => {
    const [a, b] = [await newLink(), await newLink()]
    for (const { token } of [a, b]) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/)
      // base64url: 6 bits a character.
      expect(token.length * 6).toBeGreaterThanOrEqual(128)
    }
    expect(a.token).not.toBe(b.token)
    expect((await linkOf(owner, club, a.id)).state).toBe('active')
  })

  it('preview the club and join it, counting one use per new member', async () => {
    const link = await newLink()
    const doctor = await createDoctor()
    expect(await previewInviteLink(anonymous, link.token)).toMatchObject({
      club: { slug: club.slug, name: 'Invite-only Neurology', description: 'Cases on Thursdays', visibility: 'private' },
      alreadyMember: false,
    })
    expect(await previewInviteLink(as(doctor), link.token)).toMatchObject({ alreadyMember: false })
    expect(await joinByInviteLink(as(doctor), link.token)).toEqual({ slug: club.slug, talkId: null, joined: true })
    expect((await getClubPage(as(doctor), club.slug)).role).toBe('member')
    expect((await linkOf(owner, club, link.id)).uses).toBe(1)

    expect(await joinByInviteLink(as(doctor), link.token)).toEqual({ slug: club.slug, talkId: null, joined: false })
    expect(await previewInviteLink(as(doctor), link.token)).toMatchObject({ alreadyMember: true })
    expect((await linkOf(owner, club, link.id)).uses).toBe(1)
  })

  it('stop working once used as many times as allowed', async () => {
    const link = await newLink({ maxUses: 2 })
    for (let i = 0; i < 2; i++) await joinByInviteLink(as(await createDoctor()), link.token)
    const late = await createDoctor()
    await expect(joinByInviteLink(as(late), link.token)).rejects.toMatchObject({
      name: 'PublicError',
      status: 410,
      message: expect.stringContaining('used as many times as allowed'),
    })
    await expect(previewInviteLink(as(late), link.token)).rejects.toMatchObject({ status: 410 })
    expect(await allowed(getClubPage(as(late), club.slug))).toBe(false)
    expect(await linkOf(owner, club, link.id)).toMatchObject({ uses: 2, state: 'used-up' })
  })

  it('stop working once expired', async () => {
    const link = await newLink({ expiresAt: new Date(Date.now() - 60_000) })
    const doctor = await createDoctor()
    await expect(previewInviteLink(as(doctor), link.token)).rejects.toMatchObject({ status: 410, message: expect.stringContaining('expired') })
    await expect(joinByInviteLink(as(doctor), link.token)).rejects.toMatchObject({ status: 410, message: expect.stringContaining('expired') })
    expect(await allowed(getClubPage(as(doctor), club.slug))).toBe(false)
    expect((await linkOf(owner, club, link.id)).state).toBe('expired')
  })

  it('stop working once revoked', async () => {
    const link = await newLink()
    await revokeInviteLink(as(owner), club.slug, link.id)
    const doctor = await createDoctor()
    await expect(previewInviteLink(as(doctor), link.token)).rejects.toMatchObject({ status: 410, message: expect.stringContaining('revoked') })
    await expect(joinByInviteLink(as(doctor), link.token)).rejects.toMatchObject({ status: 410, message: expect.stringContaining('revoked') })
    expect(await allowed(getClubPage(as(doctor), club.slug))).toBe(false)
  })

  it('rotate: the old token is revoked and the new one works with the same limits', async () => {
    const expiresAt = new Date(Date.now() + 7 * DAY)
    const old = await newLink({ maxUses: 1, expiresAt })
    const fresh = await rotateInviteLink(as(owner), club.slug, old.id)
    expect(fresh.token).not.toBe(old.token)
    expect((await linkOf(owner, club, old.id)).state).toBe('revoked')
    expect(await linkOf(owner, club, fresh.id)).toMatchObject({ maxUses: 1, expiresAt, uses: 0, state: 'active' })

    const first = await createDoctor()
    await expect(joinByInviteLink(as(first), old.token)).rejects.toMatchObject({ status: 410 })
    expect(await joinByInviteLink(as(first), fresh.token)).toMatchObject({ joined: true })
    await expect(joinByInviteLink(as(await createDoctor()), fresh.token)).rejects.toMatchObject({ status: 410 })
  })

  it('answer 404 for an unknown or absurdly long token, without an error in the logs', async () => {
    const doctor = await createDoctor()
    const megabyte = 'x'.repeat(1024 * 1024)
    for (const token of ['not-a-real-token-at-all-123456', megabyte, '']) {
      await expect(previewInviteLink(as(doctor), token)).rejects.toMatchObject({ name: 'PublicError', status: 404 })
      await expect(joinByInviteLink(as(doctor), token)).rejects.toMatchObject({ name: 'PublicError', status: 404 })
    }
  })

  it("cannot be revoked or rotated by another club's admin, and stay active", async () => {
    const link = await newLink()
    const otherOwner = await createDoctor()
    const otherClub = await createTestClub(otherOwner)
    const auditBefore = await countTableRows('club_audit_log')
    for (const call of [revokeInviteLink, rotateInviteLink]) {
      await expect(call(as(otherOwner), otherClub.slug, link.id)).rejects.toMatchObject({
        status: 404,
        message: expect.stringContaining('does not belong to this club'),
      })
      // Naming the link's own club does not help: it is private and they are not in it.
      await expect(call(as(otherOwner), club.slug, link.id)).rejects.toMatchObject({ status: 404 })
    }
    expect(await countTableRows('club_audit_log')).toBe(auditBefore)
    expect((await linkOf(owner, club, link.id)).state).toBe('active')
    expect(await joinByInviteLink(as(await createDoctor()), link.token)).toMatchObject({ joined: true })
  })

  it('are created only by those who manage invites', async () => {
    const member = await createDoctor()
    const moderator = await createDoctor()
    const stranger = await createDoctor()
    await addToPrivateClub(owner, club, member)
    await addToPrivateClub(owner, club, moderator)
    await changeMemberRole(as(owner), club.slug, moderator.handle, 'moderator')
    const before = await countTableRows('club_invite_links')
    const options = { expiresAt: null, maxUses: null }
    await expect(createInviteLink(as(member), club.slug, options)).rejects.toMatchObject({ status: 403 })
    await expect(createInviteLink(as(moderator), club.slug, options)).rejects.toMatchObject({ status: 403 })
    await expect(createInviteLink(as(stranger), club.slug, options)).rejects.toMatchObject({ status: 404 })
    await expect(createInviteLink(anonymous, club.slug, options)).rejects.toMatchObject({ status: 401 })
    expect(await countTableRows('club_invite_links')).toBe(before)
  })

  it('do not let a banned doctor back in', async () => {
    const doctor = await createDoctor()
    await addToPrivateClub(owner, club, doctor)
    await removeMember(as(owner), club.slug, doctor.handle, { ban: true })
    const link = await newLink()
    await expect(previewInviteLink(as(doctor), link.token)).rejects.toMatchObject({ status: 403 })
    await expect(joinByInviteLink(as(doctor), link.token)).rejects.toMatchObject({ status: 403 })
    expect(await allowed(getClubPage(as(doctor), club.slug))).toBe(false)
    expect((await linkOf(owner, club, link.id)).uses).toBe(0)
  })

  it('accept a pending invitation when the invited doctor joins by link', async () => {
    const doctor = await createDoctor()
    await inviteToClub(as(owner), club.slug, doctor.handle)
    expect(await listMyInvitations(as(doctor))).toHaveLength(1)
    const link = await newLink()
    await joinByInviteLink(as(doctor), link.token)
    expect(await listMyInvitations(as(doctor))).toEqual([])
    expect((await listPendingInvitations(as(owner), club.slug)).map((i) => i.person.handle)).not.toContain(doctor.handle)
    expect((await getClubPage(as(doctor), club.slug)).role).toBe('member')
  })

  it('ask a visitor to sign in before joining', async () => {
    const link = await newLink()
    await expect(joinByInviteLink(anonymous, link.token)).rejects.toMatchObject({ status: 401 })
  })
})
