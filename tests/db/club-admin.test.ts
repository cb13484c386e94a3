import { describe, expect, it } from 'vitest'
import {
  cancelInvitation,
  changeMemberRole,
  createClub,
  createInviteLink,
  declineInvitation,
  followClub,
  getClubPage,
  inviteToClub,
  joinClub,
  leaveClub,
  liftBan,
  listAuditLog,
  listBans,
  listMyInvitations,
  listPendingInvitations,
  removeMember,
  revokeInviteLink,
  rotateInviteLink,
  transferOwnership,
  type ClubInput,
} from '../../db/clubs'
import { clubPermissions } from '#db/access/club-permissions'
import { rawSql } from '../../db/client'
import { PublicError } from '../../db/errors'
import { anonymous } from '../../db/viewer'
import { countTableRows, createDoctor, createTestClub, viewerOf, type TestClub, type TestDoctor } from '../support/factories'

const as = viewerOf

type AuditRow = { id: string; action: string; actor_id: string | null; target_user_id: string | null; details: Record<string, unknown> }

async function auditRows(clubId: string) {
  return rawSql()<AuditRow[]>`select id, action, actor_id, target_user_id, details from club_audit_log where club_id = ${clubId}`
}

/** Runs an admin action and checks it wrote exactly one audit row, naming who did it to whom. */
async function expectOneAuditRow(
  club: TestClub,
  run: () => Promise<unknown>,
  expected: { action: string; actor: TestDoctor; target?: TestDoctor | null; details?: Record<string, unknown> },
) {
  const before = new Set((await auditRows(club.id)).map((r) => r.id))
  await run()
  const added = (await auditRows(club.id)).filter((r) => !before.has(r.id))
  expect(added).toHaveLength(1)
  expect(added[0]).toMatchObject({
    action: expected.action,
    actor_id: expected.actor.id,
    target_user_id: expected.target === undefined ? expect.anything() : (expected.target?.id ?? null),
    ...(expected.details ? { details: expected.details } : {}),
  })
}

/** Everything an admin action could change, to show that a refused one changed nothing. */
async function clubState() {
  const sql = rawSql()
  const [counts] = await sql<Record<string, number>[]>`
    select (select count(*)::int from clubs) as clubs,
           (select count(*)::int from club_members) as members,
           (select count(*)::int from club_audit_log) as audit,
           (select count(*)::int from club_bans) as bans,
           (select count(*)::int from club_follows) as follows,
           (select count(*)::int from club_invite_links where revoked_at is null) as active_links,
           (select count(*)::int from club_invitations where status = 'pending') as pending_invitations`
  const roles = await sql`select club_id, user_id, role from club_members order by club_id, user_id`
  const owners = await sql`select id, owner_id from clubs order by id`
  return { counts, roles: JSON.stringify(roles), owners: JSON.stringify(owners) }
}

async function roleOf(club: TestClub, doctor: TestDoctor) {
  const [row] = await rawSql()<{ role: string }[]>`select role from club_members where club_id = ${club.id} and user_id = ${doctor.id}`
  return row?.role ?? null
}

/** A public club with one person at each rank. */
async function staffedClub() {
  const [owner, admin, admin2, moderator, member] = await Promise.all(
    ['Owner', 'Admin', 'Second Admin', 'Moderator', 'Member'].map((role) => createDoctor({ name: `Dr ${role}` })),
  )
  const club = await createTestClub(owner)
  await Promise.all([admin, admin2, moderator, member].map((doctor) => joinClub(as(doctor), club.slug)))
  await Promise.all([
    changeMemberRole(as(owner), club.slug, admin.handle, 'admin'),
    changeMemberRole(as(owner), club.slug, admin2.handle, 'admin'),
    changeMemberRole(as(owner), club.slug, moderator.handle, 'moderator'),
  ])
  return { club, owner, admin, admin2, moderator, member }
}

const input = (overrides: Partial<ClubInput> = {}): ClubInput => ({
  name: 'Renal Round',
  slug: 'renal-round',
  description: 'Weekly cases',
  specialities: ['Nephrology'],
  visibility: 'public',
  ...overrides,
})

describe('createClub', () => {
  it('makes the creator the owner and writes club.created to the audit log', async () => {
    const owner = await createDoctor()
    const { id, slug } = await createClub(as(owner), input({ slug: 'renal-round' }))
    expect(slug).toBe('renal-round')
    const members = await rawSql()`select user_id, role from club_members where club_id = ${id}`
    expect(members).toEqual([{ user_id: owner.id, role: 'owner' }])
    const audit = await auditRows(id)
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'club.created', actor_id: owner.id, details: { visibility: 'public' } })
    const page = await getClubPage(as(owner), slug)
    expect(page).toMatchObject({ role: 'owner', club: { ownerHandle: owner.handle, memberCount: 1 } })
    expect(page.permissions.sort()).toEqual([...clubPermissions].sort())
  })

  it('refuses a slug another club uses, whatever its case, and creates nothing', async () => {
    const first = await createDoctor()
    const second = await createDoctor()
    await createClub(as(first), input({ slug: 'cardiac-cases' }))
    const before = await clubState()
    await expect(createClub(as(second), input({ slug: 'Cardiac-CASES', name: 'Copycat' }))).rejects.toMatchObject({
      name: 'PublicError',
      status: 409,
      field: 'slug',
    })
    expect(await clubState()).toEqual(before)
  })

  it.each(['new', 'NEW', 'admin', 'join'])('refuses the reserved address %s', async (slug) => {
    const owner = await createDoctor()
    const before = await clubState()
    await expect(createClub(as(owner), input({ slug }))).rejects.toMatchObject({ status: 409, field: 'slug' })
    expect(await clubState()).toEqual(before)
  })

  it('asks a visitor to sign in', async () => {
    await expect(createClub(anonymous, input({ slug: 'visitor-club' }))).rejects.toMatchObject({ status: 401 })
  })
})

describe('roles', () => {
  it('an admin promotes a member to moderator, once, with one audit row', async () => {
    const { club, admin, member } = await staffedClub()
    await expectOneAuditRow(club, () => changeMemberRole(as(admin), club.slug, member.handle, 'moderator'), {
      action: 'member.role_changed',
      actor: admin,
      target: member,
      details: { from: 'member', to: 'moderator' },
    })
    expect(await roleOf(club, member)).toBe('moderator')
    // Asking again changes nothing and logs nothing.
    const before = await clubState()
    await changeMemberRole(as(admin), club.slug, member.handle, 'moderator')
    expect(await clubState()).toEqual(before)
  })

  it('only the owner makes admins', async () => {
    const { club, owner, admin, member } = await staffedClub()
    await expect(changeMemberRole(as(admin), club.slug, member.handle, 'admin')).rejects.toMatchObject({ status: 403 })
    expect(await roleOf(club, member)).toBe('member')
    await expectOneAuditRow(club, () => changeMemberRole(as(owner), club.slug, member.handle, 'admin'), {
      action: 'member.role_changed',
      actor: owner,
      target: member,
    })
    expect(await roleOf(club, member)).toBe('admin')
  })

  it('an admin cannot act on another admin or on the owner', async () => {
    const { club, owner, admin, admin2 } = await staffedClub()
    await expect(changeMemberRole(as(admin), club.slug, admin2.handle, 'member')).rejects.toMatchObject({ status: 403 })
    await expect(changeMemberRole(as(admin), club.slug, owner.handle, 'member')).rejects.toMatchObject({ status: 403 })
    await expect(removeMember(as(admin), club.slug, admin2.handle, { ban: false })).rejects.toMatchObject({ status: 403 })
    await expect(removeMember(as(admin), club.slug, owner.handle, { ban: true })).rejects.toMatchObject({ status: 403 })
    expect([await roleOf(club, owner), await roleOf(club, admin2)]).toEqual(['owner', 'admin'])
  })

  it('nobody hands out owner through a role change, not even the owner', async () => {
    const { club, owner, admin, member } = await staffedClub()
    for (const actor of [owner, admin]) {
      await expect(changeMemberRole(as(actor), club.slug, member.handle, 'owner')).rejects.toMatchObject({
        status: 403,
        message: expect.stringContaining('Transfer ownership'),
      })
    }
    expect(await roleOf(club, member)).toBe('member')
  })

  it('nobody changes their own role', async () => {
    const { club, owner, admin } = await staffedClub()
    await expect(changeMemberRole(as(admin), club.slug, admin.handle, 'member')).rejects.toMatchObject({ status: 403 })
    await expect(changeMemberRole(as(owner), club.slug, owner.handle, 'admin')).rejects.toMatchObject({ status: 403 })
  })

  it('moderators and members manage nobody', async () => {
    const { club, moderator, member } = await staffedClub()
    const other = await createDoctor()
    await joinClub(as(other), club.slug)
    for (const actor of [moderator, member]) {
      await expect(changeMemberRole(as(actor), club.slug, other.handle, 'moderator')).rejects.toMatchObject({ status: 403 })
      await expect(removeMember(as(actor), club.slug, other.handle, { ban: false })).rejects.toMatchObject({ status: 403 })
      await expect(removeMember(as(actor), club.slug, other.handle, { ban: true })).rejects.toMatchObject({ status: 403 })
    }
    expect(await roleOf(club, other)).toBe('member')
  })
})

describe('removing and banning', () => {
  it('an admin removes a moderator, who may join again', async () => {
    const { club, admin, moderator } = await staffedClub()
    await expectOneAuditRow(club, () => removeMember(as(admin), club.slug, moderator.handle, { ban: false }), {
      action: 'member.removed',
      actor: admin,
      target: moderator,
    })
    expect(await roleOf(club, moderator)).toBeNull()
    expect(await joinClub(as(moderator), club.slug)).toMatchObject({ joined: true })
    expect(await roleOf(club, moderator)).toBe('member')
  })

  it('a ban removes membership and the club follow and blocks rejoining until lifted', async () => {
    const { club, admin, member } = await staffedClub()
    await followClub(as(member), club.slug)
    expect((await getClubPage(as(member), club.slug)).following).toBe(true)
    await expectOneAuditRow(club, () => removeMember(as(admin), club.slug, member.handle, { ban: true }), {
      action: 'member.banned',
      actor: admin,
      target: member,
    })
    expect(await getClubPage(as(member), club.slug)).toMatchObject({ role: null, following: false, banned: true })
    expect((await listBans(as(admin), club.slug)).map((b) => b.person.handle)).toEqual([member.handle])
    await expect(joinClub(as(member), club.slug)).rejects.toMatchObject({ status: 403 })
    expect(await roleOf(club, member)).toBeNull()

    await expectOneAuditRow(club, () => liftBan(as(admin), club.slug, member.handle), {
      action: 'member.unbanned',
      actor: admin,
      target: member,
    })
    expect(await joinClub(as(member), club.slug)).toMatchObject({ joined: true })
    await expect(liftBan(as(admin), club.slug, member.handle)).rejects.toMatchObject({ status: 404 })
  })

  it('nobody removes themselves through the admin tools', async () => {
    const { club, admin } = await staffedClub()
    await expect(removeMember(as(admin), club.slug, admin.handle, { ban: false })).rejects.toMatchObject({ status: 403 })
  })
})

describe('invitations to a private club', () => {
  async function privateClub() {
    const owner = await createDoctor({ name: 'Dr Private Owner' })
    const club = await createTestClub(owner, { visibility: 'private', name: 'Closed Oncology Board' })
    return { owner, club }
  }

  it('let the invited doctor see the club and join it', async () => {
    const { owner, club } = await privateClub()
    const guest = await createDoctor()
    await expect(getClubPage(as(guest), club.slug)).rejects.toMatchObject({ status: 404 })
    await expectOneAuditRow(club, () => inviteToClub(as(owner), club.slug, guest.handle), {
      action: 'member.invited',
      actor: owner,
      target: guest,
    })
    expect(await getClubPage(as(guest), club.slug)).toMatchObject({ invited: true, role: null, club: { name: 'Closed Oncology Board' } })
    expect((await listMyInvitations(as(guest))).map((i) => i.club.slug)).toEqual([club.slug])
    expect(await joinClub(as(guest), club.slug)).toEqual({ slug: club.slug, joined: true })
    expect(await getClubPage(as(guest), club.slug)).toMatchObject({ invited: false, role: 'member' })
    expect(await listMyInvitations(as(guest))).toEqual([])
    expect(await listPendingInvitations(as(owner), club.slug)).toEqual([])
  })

  it('refuse a second pending invitation, a member, a banned doctor and an unknown handle', async () => {
    const { owner, club } = await privateClub()
    const [guest, member, banned] = await Promise.all([createDoctor(), createDoctor(), createDoctor()])
    await inviteToClub(as(owner), club.slug, guest.handle)
    await inviteToClub(as(owner), club.slug, member.handle)
    await joinClub(as(member), club.slug)
    await inviteToClub(as(owner), club.slug, banned.handle)
    await joinClub(as(banned), club.slug)
    await removeMember(as(owner), club.slug, banned.handle, { ban: true })

    const before = await clubState()
    for (const handle of [guest.handle, member.handle, banned.handle]) {
      await expect(inviteToClub(as(owner), club.slug, handle)).rejects.toMatchObject({ status: 409, field: 'handle' })
    }
    await expect(inviteToClub(as(owner), club.slug, 'no-such-doctor-here')).rejects.toMatchObject({ status: 404 })
    expect(await clubState()).toEqual(before)
  })

  it('can be cancelled by an admin, after which the club is hidden again', async () => {
    const { owner, club } = await privateClub()
    const guest = await createDoctor()
    await inviteToClub(as(owner), club.slug, guest.handle)
    const [invitation] = await listPendingInvitations(as(owner), club.slug)
    expect(invitation.person.handle).toBe(guest.handle)
    await expectOneAuditRow(club, () => cancelInvitation(as(owner), club.slug, invitation.id), {
      action: 'member.invitation_cancelled',
      actor: owner,
      target: guest,
    })
    await expect(getClubPage(as(guest), club.slug)).rejects.toMatchObject({ status: 404 })
    await expect(joinClub(as(guest), club.slug)).rejects.toMatchObject({ status: 404 })
    await expect(cancelInvitation(as(owner), club.slug, invitation.id)).rejects.toMatchObject({ status: 404 })
  })

  it('can be declined by the invited doctor, and sent again later', async () => {
    const { owner, club } = await privateClub()
    const guest = await createDoctor()
    await inviteToClub(as(owner), club.slug, guest.handle)
    await declineInvitation(as(guest), club.slug)
    expect(await listMyInvitations(as(guest))).toEqual([])
    await expect(getClubPage(as(guest), club.slug)).rejects.toMatchObject({ status: 404 })
    await expect(declineInvitation(as(guest), club.slug)).rejects.toMatchObject({ status: 404 })
    await inviteToClub(as(owner), club.slug, guest.handle)
    expect(await listMyInvitations(as(guest))).toHaveLength(1)
  })

  it('cannot be sent by a moderator', async () => {
    const { owner, club } = await privateClub()
    const [moderator, guest] = await Promise.all([createDoctor(), createDoctor()])
    await inviteToClub(as(owner), club.slug, moderator.handle)
    await joinClub(as(moderator), club.slug)
    await changeMemberRole(as(owner), club.slug, moderator.handle, 'moderator')
    await expect(inviteToClub(as(moderator), club.slug, guest.handle)).rejects.toMatchObject({ status: 403 })
    expect(await listMyInvitations(as(guest))).toEqual([])
  })
})

describe('ownership', () => {
  it('the owner hands the club over and becomes an admin', async () => {
    const { club, owner, member } = await staffedClub()
    await expectOneAuditRow(club, () => transferOwnership(as(owner), club.slug, member.handle), {
      action: 'club.ownership_transferred',
      actor: owner,
      target: member,
    })
    expect([await roleOf(club, member), await roleOf(club, owner)]).toEqual(['owner', 'admin'])
    const [row] = await rawSql()<{ owner_id: string }[]>`select owner_id from clubs where id = ${club.id}`
    expect(row.owner_id).toBe(member.id)
    expect((await getClubPage(anonymous, club.slug)).club.ownerHandle).toBe(member.handle)
    // The former owner is now free to leave; the new one is not.
    await leaveClub(as(owner), club.slug)
    expect(await roleOf(club, owner)).toBeNull()
    await expect(leaveClub(as(member), club.slug)).rejects.toMatchObject({ status: 409 })
  })

  it('only the owner transfers, and only to a member', async () => {
    const { club, owner, admin, member } = await staffedClub()
    const outsider = await createDoctor()
    const before = await clubState()
    await expect(transferOwnership(as(admin), club.slug, member.handle)).rejects.toMatchObject({ status: 403 })
    await expect(transferOwnership(as(owner), club.slug, outsider.handle)).rejects.toMatchObject({ status: 404 })
    await expect(transferOwnership(as(owner), club.slug, owner.handle)).rejects.toMatchObject({ status: 400 })
    expect(await clubState()).toEqual(before)
  })

  it('the owner cannot leave', async () => {
    const { club, owner } = await staffedClub()
    await expect(leaveClub(as(owner), club.slug)).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining('Hand it over'),
    })
    expect(await roleOf(club, owner)).toBe('owner')
  })
})

describe('the audit log', () => {
  it('is read by admins, newest first, naming actor and target', async () => {
    const { club, owner, admin, member } = await staffedClub()
    await removeMember(as(admin), club.slug, member.handle, { ban: true })
    const log = await listAuditLog(as(admin), club.slug)
    expect(log[0]).toMatchObject({
      action: 'member.banned',
      actor: { handle: admin.handle, name: admin.name },
      target: { handle: member.handle, name: member.name },
    })
    expect(log.at(-1)).toMatchObject({ action: 'club.created', actor: { handle: owner.handle }, target: null })
  })

  it('is closed to moderators, members and visitors', async () => {
    const { club, moderator, member } = await staffedClub()
    for (const viewer of [as(moderator), as(member)]) {
      await expect(listAuditLog(viewer, club.slug)).rejects.toMatchObject({ name: 'PublicError', status: 403 })
    }
    await expect(listAuditLog(anonymous, club.slug)).rejects.toMatchObject({ status: 401 })
    const privateOwner = await createDoctor()
    const hidden = await createTestClub(privateOwner, { visibility: 'private' })
    await expect(listAuditLog(as(member), hidden.slug)).rejects.toMatchObject({ status: 404 })
  })

  it('invite-link actions are logged once each', async () => {
    const { club, admin } = await staffedClub()
    let linkId = ''
    await expectOneAuditRow(
      club,
      async () => (linkId = (await createInviteLink(as(admin), club.slug, { expiresAt: null, maxUses: 5 })).id),
      { action: 'invite_link.created', actor: admin, target: null },
    )
    await expectOneAuditRow(club, async () => (linkId = (await rotateInviteLink(as(admin), club.slug, linkId)).id), {
      action: 'invite_link.rotated',
      actor: admin,
      target: null,
    })
    await expectOneAuditRow(club, () => revokeInviteLink(as(admin), club.slug, linkId), {
      action: 'invite_link.revoked',
      actor: admin,
      target: null,
    })
  })
})

describe('a refused admin action', () => {
  it('writes nothing at all', async () => {
    const { club, owner, admin, admin2, moderator, member } = await staffedClub()
    const outsider = await createDoctor()
    const attempts: [string, () => Promise<unknown>][] = [
      ['admin makes an admin', () => changeMemberRole(as(admin), club.slug, member.handle, 'admin')],
      ['admin demotes an admin', () => changeMemberRole(as(admin), club.slug, admin2.handle, 'member')],
      ['owner grants owner', () => changeMemberRole(as(owner), club.slug, member.handle, 'owner')],
      ['admin changes own role', () => changeMemberRole(as(admin), club.slug, admin.handle, 'moderator')],
      ['moderator promotes', () => changeMemberRole(as(moderator), club.slug, member.handle, 'moderator')],
      ['admin removes the owner', () => removeMember(as(admin), club.slug, owner.handle, { ban: false })],
      ['admin bans an admin', () => removeMember(as(admin), club.slug, admin2.handle, { ban: true })],
      ['moderator bans a member', () => removeMember(as(moderator), club.slug, member.handle, { ban: true })],
      ['admin removes a non-member', () => removeMember(as(admin), club.slug, outsider.handle, { ban: false })],
      ['member invites', () => inviteToClub(as(member), club.slug, outsider.handle)],
      ['admin invites a member', () => inviteToClub(as(admin), club.slug, member.handle)],
      ['admin transfers', () => transferOwnership(as(admin), club.slug, member.handle)],
      ['owner leaves', () => leaveClub(as(owner), club.slug)],
      ['member creates a link', () => createInviteLink(as(member), club.slug, { expiresAt: null, maxUses: null })],
      ['admin lifts a ban that is not there', () => liftBan(as(admin), club.slug, member.handle)],
    ]
    const before = await clubState()
    for (const [label, attempt] of attempts) {
      const error = await attempt().then(
        () => null,
        (e: unknown) => e,
      )
      expect(error, label).toBeInstanceOf(PublicError)
      expect(await clubState(), label).toEqual(before)
    }
    expect(await countTableRows('club_audit_log')).toBe(before.counts.audit)
  })
})
