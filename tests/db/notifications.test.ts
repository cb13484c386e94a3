import { describe, expect, it } from 'vitest'
import { db, rawSql } from '../../db/client'
import { addClubMember } from '../support/factories'
import { createInviteLink, declineInvitation, inviteToClub, joinByInviteLink } from '../../db/clubs'
import { cancelErasure, collectExport, requestErasure } from '../../db/data-rights/index'
import { followUser, respondToFollowRequest, unfollowUser } from '../../db/follows'
import { listDevMail } from '../../db/mailbox'
import { getPageChrome } from '../../db/page-chrome'
import {
  countUnreadNotifications,
  countUnreadNotificationsFor,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  notify,
  pruneNotificationDeliveries,
  type NotificationItem,
} from '../../db/notifications'
import { deactivateAccount, reactivateAccount, updateCommunicationPreferences } from '../../db/privacy/index'
import { runDueJobs } from '../../server/jobs/index'
import { createDoctor, createTestClub, viewerOf, type TestDoctor } from '../support/factories'

const as = viewerOf
const MINUTE = 60 * 1000
const HOUR = 60 * MINUTE

async function titles(doctor: TestDoctor) {
  return (await listNotifications(as(doctor))).items.map((n) => n.title)
}

async function deliveriesOf(doctor: TestDoctor) {
  return rawSql()<{ status: string; attempts: number; error: string | null; provider_id: string | null }[]>`
    select status, attempts, error, provider_id from notification_deliveries where user_id = ${doctor.id} order by created_at`
}

/** Runs the email jobs as the server would, once their delay (a grouped notice waits 5 minutes) has passed. */
const sendMails = () => runDueJobs({ now: () => new Date(Date.now() + 10 * MINUTE) })

describe('notices from follows', () => {
  it('tells the followed doctor, names the follower, and links to them', async () => {
    const asha = await createDoctor({ name: 'Dr Asha Rao' })
    const tom = await createDoctor({ name: 'Dr Tom Becker' })
    await followUser(as(asha), tom.handle)
    const { items } = await listNotifications(as(tom))
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ kind: 'follow', title: 'Dr Asha Rao followed you', link: `/u/${asha.handle}`, read: false, count: 1 })
    expect(await countUnreadNotifications(as(tom))).toBe(1)
    // The follower is told nothing.
    expect(await titles(asha)).toEqual([])
  })

  it('groups repeated follows into one notice for a day: "Asha Rao and 3 others followed you"', async () => {
    const target = await createDoctor({ name: 'Dr Popular' })
    const followers = [await createDoctor({ name: 'Dr Asha Rao' })]
    for (let i = 0; i < 3; i++) followers.push(await createDoctor())
    for (const f of followers) await followUser(as(f), target.handle)
    // Following again after unfollowing adds no one.
    await unfollowUser(as(followers[1]), target.handle)
    await followUser(as(followers[1]), target.handle)
    const { items } = await listNotifications(as(target))
    expect(items.map((n) => n.title)).toEqual(['Dr Asha Rao and 3 others followed you'])
    expect(items[0]).toMatchObject({ count: 4, link: `/u/${target.handle}/followers` })
    expect(await countUnreadNotifications(as(target))).toBe(1)
    // One mail for the burst, made when it is sent.
    expect(await deliveriesOf(target)).toHaveLength(1)
    await sendMails()
    const [mail] = await listDevMail({ to: target.email })
    expect(mail.subject).toBe('Dr Asha Rao and 3 others followed you')
  })

  it('starts a new notice once the last one was read, or after the window', async () => {
    const target = await createDoctor()
    const [a, b, c] = [await createDoctor({ name: 'Dr A' }), await createDoctor({ name: 'Dr B' }), await createDoctor({ name: 'Dr C' })]
    await followUser(as(a), target.handle)
    await markAllNotificationsRead(as(target))
    await followUser(as(b), target.handle)
    await db.transaction((tx) =>
      notify(tx, { recipientId: target.id, kind: 'follow', actorId: c.id, target: { type: 'user', id: target.id }, now: new Date(Date.now() + 25 * HOUR) }),
    )
    expect(await titles(target)).toEqual(['Dr C followed you', 'Dr B followed you', 'Dr A followed you'])
  })

  it('asks a private profile’s owner about a request, and tells the asker once approved', async () => {
    const owner = await createDoctor({ name: 'Dr Private', profile: { visibility: 'private' } })
    const asker = await createDoctor({ name: 'Dr Asker' })
    await followUser(as(asker), owner.handle)
    const [request] = (await listNotifications(as(owner))).items
    expect(request).toMatchObject({ kind: 'follow_request', title: 'Dr Asker asked to follow you', link: '/settings/requests' })
    await respondToFollowRequest(as(owner), asker.handle, true)
    const [approved] = (await listNotifications(as(asker))).items
    expect(approved).toMatchObject({ kind: 'follow_approved', title: 'Dr Private approved your follow request', link: `/u/${owner.handle}` })
  })

  it('tells no one when a request is declined', async () => {
    const owner = await createDoctor({ profile: { visibility: 'private' } })
    const asker = await createDoctor()
    await followUser(as(asker), owner.handle)
    await respondToFollowRequest(as(owner), asker.handle, false)
    expect(await titles(asker)).toEqual([])
  })

  it('drops a follower who deactivates from the notice and the count, and brings them back on reactivation', async () => {
    const target = await createDoctor()
    const shy = await createDoctor({ name: 'Dr Shy' })
    const open = await createDoctor({ name: 'Dr Open' })
    await followUser(as(shy), target.handle)
    await followUser(as(open), target.handle)
    expect(await titles(target)).toEqual(['Dr Shy and Dr Open followed you'])
    await deactivateAccount(shy.id, 'no-session')
    expect(await titles(target)).toEqual(['Dr Open followed you'])
    expect((await listNotifications(as(target))).items[0].count).toBe(1)
    await deactivateAccount(open.id, 'no-session')
    expect(await titles(target)).toEqual([])
    expect(await countUnreadNotifications(as(target))).toBe(0)
    await reactivateAccount(open.id)
    expect(await titles(target)).toEqual(['Dr Open followed you'])
  })

  it('never mails a notice whose people all left before it was sent', async () => {
    const target = await createDoctor()
    const gone = await createDoctor({ name: 'Dr Gone' })
    await followUser(as(gone), target.handle)
    await deactivateAccount(gone.id, 'no-session')
    await sendMails()
    expect(await listDevMail({ to: target.email })).toEqual([])
    expect(await deliveriesOf(target)).toEqual([expect.objectContaining({ status: 'skipped', attempts: 1 })])
  })
})

describe('notices from clubs', () => {
  it('tells an invitee who invited them to a private club, and hides the club again once they decline', async () => {
    const owner = await createDoctor({ name: 'Dr Owner' })
    const club = await createTestClub(owner, { visibility: 'private', name: 'Secret Cardiology Circle' })
    const invitee = await createDoctor()
    await inviteToClub(as(owner), club.slug, invitee.handle)
    const [notice] = (await listNotifications(as(invitee))).items
    expect(notice).toMatchObject({ kind: 'club_invitation', title: 'Dr Owner invited you to join Secret Cardiology Circle', link: `/c/${club.slug}` })
    await declineInvitation(as(invitee), club.slug)
    const after = await listNotifications(as(invitee))
    expect(JSON.stringify(after)).not.toContain('Secret Cardiology Circle')
    expect(after.items).toEqual([])
    expect(await countUnreadNotifications(as(invitee))).toBe(0)
  })

  it('tells the owner and admins of joins by link, grouped, and not the moderators, members or the joiner', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner, { name: 'Link Club' })
    const [admin, moderator, member] = [await createDoctor(), await createDoctor(), await createDoctor()]
    await addClubMember(club, admin, 'admin')
    await addClubMember(club, moderator, 'moderator')
    await addClubMember(club, member, 'member')
    const { token } = await createInviteLink(as(owner), club.slug, { expiresAt: null, maxUses: null })
    const joiners = [await createDoctor({ name: 'Dr First Joiner' }), await createDoctor(), await createDoctor()]
    for (const j of joiners) await joinByInviteLink(as(j), token)
    for (const manager of [owner, admin]) {
      const { items } = await listNotifications(as(manager))
      expect(items.map((n) => n.title)).toEqual(['Dr First Joiner and 2 others joined Link Club with an invite link'])
      expect(items[0].link).toBe(`/c/${club.slug}/members`)
    }
    for (const other of [moderator, member, ...joiners]) expect(await titles(other)).toEqual([])
  })
})

describe('notices from data rights', () => {
  it('tells the person when an erasure is scheduled, in their time zone when known, and when it is cancelled', async () => {
    const doctor = await createDoctor()
    await rawSql()`update users set time_zone = 'Asia/Kolkata' where id = ${doctor.id}`
    const asked = new Date('2026-03-01T10:00:00Z')
    const { id } = await requestErasure(as(doctor), asked)
    const [scheduled] = (await listNotifications(as(doctor))).items
    expect(scheduled).toMatchObject({ kind: 'erasure_scheduled', title: 'Your account is due to be erased', link: '/settings/erase' })
    expect(scheduled.body).toContain('Sunday, 8 March 2026 at 15:30 GMT+5:30')
    await cancelErasure(as(doctor), id)
    expect((await listNotifications(as(doctor))).items.map((n) => n.kind)).toEqual(['erasure_cancelled', 'erasure_scheduled'])
  })

  it('names UTC when the person’s time zone is not known', async () => {
    const doctor = await createDoctor()
    await requestErasure(as(doctor), new Date('2026-03-01T10:00:00Z'))
    const [scheduled] = (await listNotifications(as(doctor))).items
    expect(scheduled.body).toContain('Sunday, 8 March 2026 at 10:00 UTC')
  })
})

describe('at write time', () => {
  it('writes nothing about a private club the recipient may not see, a deactivated actor, or the recipient themselves', async () => {
    const owner = await createDoctor()
    const outsider = await createDoctor()
    const club = await createTestClub(owner, { visibility: 'private', name: 'Closed Nephrology Room' })
    const gone = await createDoctor()
    await deactivateAccount(gone.id, 'no-session')
    const results = await db.transaction(async (tx) => [
      await notify(tx, { recipientId: outsider.id, kind: 'club_joined_by_link', actorId: owner.id, target: { type: 'club', id: club.id } }),
      await notify(tx, { recipientId: outsider.id, kind: 'follow', actorId: gone.id, target: { type: 'user', id: outsider.id } }),
      await notify(tx, { recipientId: outsider.id, kind: 'follow', actorId: outsider.id, target: { type: 'user', id: outsider.id } }),
    ])
    expect(results).toEqual([null, null, null])
    expect(await rawSql()`select id from notifications where user_id = ${outsider.id}`).toEqual([])
    expect(await rawSql()`select id from notification_deliveries where user_id = ${outsider.id}`).toEqual([])
  })

  it('joins follows that arrive at the same moment into one notice', async () => {
    const target = await createDoctor()
    const followers = [await createDoctor(), await createDoctor(), await createDoctor(), await createDoctor()]
    await Promise.all(followers.map((f) => followUser(as(f), target.handle)))
    const { items } = await listNotifications(as(target))
    expect(items).toHaveLength(1)
    expect(items[0].count).toBe(4)
    expect(await deliveriesOf(target)).toHaveLength(1)
  })
})

describe('reading and marking notices', () => {
  it('pages newest first', async () => {
    const target = await createDoctor()
    const base = Date.now()
    const actors: TestDoctor[] = []
    for (let i = 0; i < 5; i++) actors.push(await createDoctor({ name: `Dr Page ${i}` }))
    // Club invitations are never grouped: five notices.
    for (const [i, actor] of actors.entries()) {
      const club = await createTestClub(actor, { name: `Page Club ${i}` })
      await db.transaction((tx) =>
        notify(tx, { recipientId: target.id, kind: 'club_invitation', actorId: actor.id, target: { type: 'club', id: club.id }, now: new Date(base + i * 1000) }),
      )
    }
    const seen: NotificationItem[] = []
    let before: string | null = null
    for (let page = 0; page < 3; page++) {
      const result = await listNotifications(as(target), { limit: 2, before })
      seen.push(...result.items)
      before = result.next
      if (!before) break
    }
    expect(before).toBeNull()
    expect(seen.map((n) => n.title)).toEqual([4, 3, 2, 1, 0].map((i) => `Dr Page ${i} invited you to join Page Club ${i}`))
    await expect(listNotifications(as(target), { before: 'not-a-cursor' })).rejects.toMatchObject({ status: 400 })
  })

  it('counts many people’s unread notices in one statement, by the same rule as one person’s', async () => {
    const [a, b, c, follower] = await Promise.all([createDoctor(), createDoctor(), createDoctor(), createDoctor({ name: 'Dr Counted' })])
    await followUser(as(follower), a.handle)
    await followUser(as(follower), b.handle)
    // A block hides the follower from b's notice, so b's count drops as countUnreadNotifications says.
    await rawSql()`insert into person_relations (user_id, other_id, kind) values (${b.id}, ${follower.id}, 'block')`
    const counts = await countUnreadNotificationsFor([a.id, b.id, c.id])
    for (const doctor of [a, b, c]) expect(counts.get(doctor.id)).toBe(await countUnreadNotifications(as(doctor)))
    expect([counts.get(a.id), counts.get(b.id), counts.get(c.id)]).toEqual([1, 0, 0])
    expect(await countUnreadNotificationsFor([])).toEqual(new Map())
  })

  it('marks one read; someone else’s id or an unknown one is not found and changes nothing', async () => {
    const tom = await createDoctor()
    const asha = await createDoctor()
    await followUser(as(asha), tom.handle)
    await followUser(as(tom), asha.handle)
    const [tomsNotice] = (await listNotifications(as(tom))).items
    const before = await rawSql()`select id, read_at from notifications where user_id in (${tom.id}, ${asha.id}) order by id`
    await expect(markNotificationRead(as(asha), tomsNotice.id)).rejects.toMatchObject({ status: 404 })
    await expect(markNotificationRead(as(asha), '00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ status: 404 })
    await expect(markNotificationRead(as(asha), "x' or 1=1 --")).rejects.toMatchObject({ status: 404 })
    expect(await rawSql()`select id, read_at from notifications where user_id in (${tom.id}, ${asha.id}) order by id`).toEqual(before)

    await markNotificationRead(as(tom), tomsNotice.id)
    expect((await listNotifications(as(tom))).items[0].read).toBe(true)
    expect(await countUnreadNotifications(as(tom))).toBe(0)
    expect(await countUnreadNotifications(as(asha))).toBe(1)
    expect(await markAllNotificationsRead(as(asha))).toBe(1)
    expect(await countUnreadNotifications(as(asha))).toBe(0)
    await expect(listNotifications(null)).rejects.toMatchObject({ status: 401 })
    expect(await countUnreadNotifications(null)).toBe(0)
  })
})

describe('email, as each person allows', () => {
  it('mails an activity notice with both parts, and sends nothing when turned off', async () => {
    const open = await createDoctor()
    const quiet = await createDoctor()
    await updateCommunicationPreferences(quiet.id, {
      email: { engagement: false, promotional: false },
      sms: { engagement: false, promotional: false },
      whatsapp: { engagement: false, promotional: false },
      push: { engagement: true, promotional: false },
    })
    const owner = await createDoctor({ name: 'Dr Club Owner' })
    const club = await createTestClub(owner, { name: 'Mail Club' })
    await inviteToClub(as(owner), club.slug, open.handle)
    await inviteToClub(as(owner), club.slug, quiet.handle)
    await runDueJobs()
    const [mail] = await listDevMail({ to: open.email })
    expect(mail.subject).toBe('Dr Club Owner invited you to join Mail Club')
    expect(mail.text).toMatch(/Open the club: http:\/\/[^/]+\/c\//)
    expect(mail.text).toMatch(/Unsubscribe from activity emails: http:\/\/[^/]+\/unsubscribe\?token=/)
    expect(await deliveriesOf(open)).toEqual([expect.objectContaining({ status: 'sent', attempts: 1, provider_id: expect.stringMatching(/^<notice-/) })])
    // Turned off when it happened: still in the centre, never queued for email.
    expect(await titles(quiet)).toEqual(['Dr Club Owner invited you to join Mail Club'])
    expect(await listDevMail({ to: quiet.email })).toEqual([])
    expect(await deliveriesOf(quiet)).toEqual([])
  })

  it('obeys a preference changed after the notice was queued', async () => {
    const doctor = await createDoctor()
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    await inviteToClub(as(owner), club.slug, doctor.handle)
    expect(await deliveriesOf(doctor)).toEqual([expect.objectContaining({ status: 'queued' })])
    await updateCommunicationPreferences(doctor.id, {
      email: { engagement: false, promotional: false },
      sms: { engagement: false, promotional: false },
      whatsapp: { engagement: false, promotional: false },
      push: { engagement: false, promotional: false },
    })
    await runDueJobs()
    expect(await listDevMail({ to: doctor.email })).toEqual([])
    expect(await deliveriesOf(doctor)).toEqual([expect.objectContaining({ status: 'skipped', attempts: 1, error: 'Turned off in Settings → Notifications.' })])
    // Running the jobs again sends nothing either.
    await runDueJobs()
    expect(await listDevMail({ to: doctor.email })).toEqual([])
  })

  it('deletes delivery logs after the retention period, whatever their state, and keeps the recent ones', async () => {
    const doctor = await createDoctor()
    const owner = await createDoctor()
    for (let i = 0; i < 3; i++) await inviteToClub(as(owner), (await createTestClub(owner)).slug, doctor.handle)
    await runDueJobs()
    const ids = (await rawSql()<{ id: string }[]>`select id from notification_deliveries where user_id = ${doctor.id} order by id`).map((r) => r.id)
    await rawSql()`update notification_deliveries set created_at = now() - interval '366 days' where id in ${rawSql()(ids.slice(0, 2))}`
    // One left mid-send by a worker that died.
    await rawSql()`update notification_deliveries set status = 'sending' where id = ${ids[1]}`
    expect(await pruneNotificationDeliveries(new Date())).toBeGreaterThanOrEqual(2)
    expect((await rawSql()`select id from notification_deliveries where user_id = ${doctor.id}`).map((r) => r.id)).toEqual([ids[2]])
  })
})

describe('the notices above every page', () => {
  it('show notices with their own words (an export ready), and leave follows to the notification centre', async () => {
    const doctor = await createDoctor()
    await followUser(as(await createDoctor()), doctor.handle)
    expect((await getPageChrome(doctor.id, null)).notices).toEqual([])
    await db.transaction((tx) =>
      notify(tx, { recipientId: doctor.id, kind: 'data_export_ready', subject: 'request-1', title: 'Your copy of your data is ready', body: 'Download it.', link: '/settings/data' }),
    )
    expect((await getPageChrome(doctor.id, null)).notices.map((n) => n.title)).toEqual(['Your copy of your data is ready'])
    expect(await titles(doctor)).toHaveLength(2)
  })
})

describe('export', () => {
  it('holds the person’s notices and every delivery attempt', async () => {
    const doctor = await createDoctor()
    const owner = await createDoctor()
    await inviteToClub(as(owner), (await createTestClub(owner)).slug, doctor.handle)
    await runDueJobs()
    const data = await collectExport(doctor.id)
    const notices = JSON.parse(data.sections.find((s) => s.table === 'notifications')!.rowsJson) as { kind: string }[]
    expect(notices.map((n) => n.kind)).toEqual(['club_invitation'])
    const deliveries = JSON.parse(data.sections.find((s) => s.table === 'notification_deliveries')!.rowsJson) as { channel: string; status: string; attempts: number }[]
    expect(deliveries).toEqual([expect.objectContaining({ channel: 'email', status: 'sent', attempts: 1 })])
  })
})

describe('erasure', () => {
  it('takes the erased person out of other people’s notices', async () => {
    const target = await createDoctor()
    const leaving = await createDoctor({ name: 'Dr Leaving' })
    const staying = await createDoctor({ name: 'Dr Staying' })
    const alone = await createDoctor()
    await followUser(as(leaving), target.handle)
    await followUser(as(staying), target.handle)
    await followUser(as(leaving), alone.handle)
    const asked = new Date()
    await requestErasure(as(leaving), asked)
    await runDueJobs({ now: () => new Date(asked.getTime() + 8 * 24 * HOUR) })
    expect(await titles(target)).toEqual(['Dr Staying followed you'])
    expect(await rawSql()`select id from notifications where ${leaving.id} = any(actor_ids)`).toEqual([])
    expect(await rawSql()`select id from notifications where user_id = ${alone.id}`).toEqual([])
  })
})
