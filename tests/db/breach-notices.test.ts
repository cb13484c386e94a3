import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { noticeForDelivery } from '../../db/notifications'
import {
  BOARD_REPORT_HOURS,
  countIncidentAudience,
  getIncidentForStaff,
  listIncidentsForStaff,
  listMyIncidents,
  recordBoardReport,
  recordIncident,
  type IncidentInput,
} from '../../db/privacy/index'
import { renderNotificationMail } from '../../server/mail/templates/notifications'
import { addClubMember, createDoctor, createTestClub, viewerOf } from '../support/factories'

const HOUR = 60 * 60 * 1000
const officer = async () => viewerOf(await createDoctor({ name: 'Dr Privacy Officer' }), 'staff')

const incident = (audience: IncidentInput['audience'], overrides: Partial<IncidentInput> = {}): IncidentInput => ({
  title: 'Attendance list sent to the wrong club',
  whatHappened: 'A list of who attended a talk was emailed to the admins of another club.',
  foundAt: new Date(Date.now() - 2 * HOUR),
  dataKinds: ['email', 'activity'],
  whatWeDid: 'We asked the admins to delete the mail and confirmed they did.',
  whatYouCanDo: 'Nothing is needed. Tell us if you get mail you did not expect.',
  audience,
  ...overrides,
})

async function counts() {
  const [row] = await rawSql()<{ incidents: number; recipients: number; notices: number; deliveries: number }[]>`
    select (select count(*)::int from privacy_incidents) as incidents,
      (select count(*)::int from privacy_incident_recipients) as recipients,
      (select count(*)::int from notifications where kind = 'privacy_incident') as notices,
      (select count(*)::int from notification_deliveries) as deliveries`
  return row
}

describe('recording a personal-data incident', () => {
  it('tells each member of the chosen club once, in the app and by email, and each sees it in their privacy centre', async () => {
    const staff = await officer()
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const member = await createDoctor()
    const deactivated = await createDoctor()
    const erased = await createDoctor()
    const outsider = await createDoctor()
    for (const d of [member, deactivated, erased]) await addClubMember(club, d)
    await rawSql()`update users set deactivated_at = now() where id = ${deactivated.id}`
    await rawSql()`delete from profiles where user_id = ${erased.id}`

    // The owner, the member and the deactivated member: their data was affected; the erased account no longer exists.
    const preview = await countIncidentAudience(staff, { kind: 'club', slug: club.slug.toUpperCase() })
    expect(preview).toMatchObject({ count: 3, audience: { kind: 'club', slug: club.slug }, unmatched: 0 })

    const before = await counts()
    const recorded = await recordIncident(staff, { ...incident({ kind: 'club', slug: club.slug }), expectedCount: 3 })
    expect(recorded).toMatchObject({ affected: 3, notified: 3, emailed: 3 })
    const after = await counts()
    expect(after).toEqual({
      incidents: before.incidents + 1,
      recipients: before.recipients + 3,
      notices: before.notices + 3,
      deliveries: before.deliveries + 3,
    })
    const told = await rawSql()<{ user_id: string; n: number }[]>`
      select user_id, count(*)::int as n from notifications where kind = 'privacy_incident' and subject = ${recorded.id} group by user_id order by user_id`
    expect(told.map((t) => t.user_id).sort()).toEqual([owner.id, member.id, deactivated.id].sort())
    expect(told.every((t) => t.n === 1)).toBe(true)

    const mine = await listMyIncidents(viewerOf(member))
    expect(mine).toMatchObject([
      { id: recorded.id, title: 'Attendance list sent to the wrong club', affected: ['Email address', 'Activity and attendance'] },
    ])
    expect(await listMyIncidents(viewerOf(outsider))).toEqual([])

    // The mail tells what happened, what was affected, what we did and what they can do.
    const [notice] = await rawSql()<{ id: string }[]>`select id from notifications where user_id = ${member.id} and kind = 'privacy_incident'`
    const facts = await noticeForDelivery(notice.id)
    const mail = renderNotificationMail('privacy_incident', { facts: facts!.facts, timeZone: null, publicUrl: 'http://localhost:3000', unsubscribeUrl: null })
    expect(mail.subject).toBe('A data incident concerns you: Attendance list sent to the wrong club')
    for (const part of ['What happened:', 'emailed to the admins of another club', 'What was affected:', 'Email address, Activity and attendance', 'What we did:', 'What you can do:', '/privacy#incidents']) {
      expect(mail.text).toContain(part)
    }
    expect(facts!.category).toBe('service')
  })

  it('finds people by a sign-in window and by a list of addresses, and counts before it sends', async () => {
    const staff = await officer()
    const inside = await createDoctor()
    const overlapping = await createDoctor()
    const outside = await createDoctor()
    const from = new Date(Date.now() - 10 * HOUR)
    const to = new Date(Date.now() - 5 * HOUR)
    const session = (userId: string, created: Date, lastSeen: Date) =>
      rawSql()`insert into sessions (id, user_id, expires_at, created_at, last_seen_at) values (${randomUUID()}, ${userId}, now() + interval '30 days', ${created.toISOString()}::timestamptz, ${lastSeen.toISOString()}::timestamptz)`
    await session(inside.id, new Date(from.getTime() + HOUR), new Date(from.getTime() + 2 * HOUR))
    await session(overlapping.id, new Date(from.getTime() - 5 * HOUR), new Date(to.getTime() + HOUR))
    await session(outside.id, new Date(from.getTime() - 5 * HOUR), new Date(from.getTime() - 4 * HOUR))
    await session(outside.id, new Date(to.getTime() + HOUR), new Date(to.getTime() + 2 * HOUR))

    const window = { kind: 'sessions' as const, from, to }
    expect((await countIncidentAudience(staff, window)).count).toBe(2)
    const recorded = await recordIncident(staff, incident(window))
    expect(recorded.affected).toBe(2)
    expect((await listMyIncidents(viewerOf(outside))).map((i) => i.id)).not.toContain(recorded.id)
    expect((await listMyIncidents(viewerOf(inside))).map((i) => i.id)).toContain(recorded.id)

    const list = { kind: 'emails' as const, emails: [inside.email.toUpperCase(), outside.email, 'nobody@nowhere.test', inside.email] }
    expect(await countIncidentAudience(staff, list)).toMatchObject({ count: 2, unmatched: 1, audience: { kind: 'emails', listed: 3 } })
    const byList = await recordIncident(staff, incident(list))
    expect(byList.affected).toBe(2)
    // The incident keeps how people were chosen, never the addresses.
    const [stored] = await rawSql()<{ audience: unknown }[]>`select audience from privacy_incidents where id = ${byList.id}`
    expect(stored.audience).toEqual({ kind: 'emails', listed: 3 })
  })

  it('refuses an incident that concerns no one, a changed count and bad input, writing nothing', async () => {
    const staff = await officer()
    const owner = await createDoctor()
    const emptyClub = await createTestClub(owner)
    await rawSql()`delete from club_members where club_id = ${emptyClub.id}`
    const before = await counts()
    const refusals: [IncidentInput, number][] = [
      [incident({ kind: 'club', slug: emptyClub.slug }), 400],
      [incident({ kind: 'emails', emails: ['nobody@nowhere.test'] }), 400],
      [incident({ kind: 'sessions', from: new Date(Date.now() - 2000 * HOUR), to: new Date(Date.now() - 1999 * HOUR) }), 400],
      [{ ...incident({ kind: 'emails', emails: [owner.email] }), expectedCount: 5 }, 409],
      [incident({ kind: 'club', slug: 'no-such-club' }), 400],
      [incident({ kind: 'emails', emails: ['not an address'] }), 400],
      [incident({ kind: 'emails', emails: [] }), 400],
      [incident({ kind: 'sessions', from: new Date(), to: new Date(Date.now() - HOUR) }), 400],
      [incident({ kind: 'emails', emails: [owner.email] }, { title: ' ' }), 400],
      [incident({ kind: 'emails', emails: [owner.email] }, { dataKinds: [] }), 400],
      [incident({ kind: 'emails', emails: [owner.email] }, { dataKinds: ['secrets' as never] }), 400],
      [incident({ kind: 'emails', emails: [owner.email] }, { foundAt: new Date(Date.now() + 24 * HOUR) }), 400],
      [incident({ kind: 'emails', emails: [owner.email] }, { whatYouCanDo: 'x'.repeat(2001) }), 400],
    ]
    for (const [input, status] of refusals) await expect(recordIncident(staff, input)).rejects.toMatchObject({ status })
    expect(await counts()).toEqual(before)
  })

  it('tracks the 72-hour report to the Board: due, overdue, then reported', async () => {
    const staff = await officer()
    const person = await createDoctor()
    const foundAt = new Date(Date.now() - 80 * HOUR)
    const { id } = await recordIncident(staff, incident({ kind: 'emails', emails: [person.email] }, { foundAt }))
    const due = await getIncidentForStaff(staff, id)
    expect(due.boardDueAt.getTime()).toBe(foundAt.getTime() + BOARD_REPORT_HOURS * HOUR)
    expect(due).toMatchObject({ overdue: true, boardReportedAt: null })
    expect((await listIncidentsForStaff(staff))[0]).toMatchObject({ id, overdue: true })

    await expect(recordBoardReport(staff, id, { reportedAt: new Date(foundAt.getTime() - HOUR), reference: null })).rejects.toMatchObject({ status: 400 })
    await expect(recordBoardReport(staff, id, { reportedAt: new Date(Date.now() + 2 * HOUR), reference: null })).rejects.toMatchObject({ status: 400 })
    const reportedAt = new Date(foundAt.getTime() + 70 * HOUR)
    await recordBoardReport(staff, id, { reportedAt, reference: 'DPB/2026/0042' })
    const reported = await getIncidentForStaff(staff, id)
    expect(reported).toMatchObject({ overdue: false, boardReference: 'DPB/2026/0042', boardReportedBy: 'Dr Privacy Officer' })
    expect(reported.boardReportedAt?.getTime()).toBe(reportedAt.getTime())
  })

  it('is for staff only; a member sees only the incidents that concern them', async () => {
    const member = viewerOf(await createDoctor())
    const before = await counts()
    const input = incident({ kind: 'emails', emails: ['someone@hospital.test'] })
    await expect(recordIncident(member, input)).rejects.toMatchObject({ status: 404 })
    await expect(countIncidentAudience(member, input.audience)).rejects.toMatchObject({ status: 404 })
    await expect(listIncidentsForStaff(member)).rejects.toMatchObject({ status: 404 })
    await expect(getIncidentForStaff(null, randomUUID())).rejects.toMatchObject({ status: 404 })
    await expect(recordBoardReport(member, randomUUID(), { reportedAt: new Date(), reference: null })).rejects.toMatchObject({ status: 404 })
    await expect(listMyIncidents(null)).rejects.toMatchObject({ status: 401 })
    expect(await counts()).toEqual(before)
  })
})
