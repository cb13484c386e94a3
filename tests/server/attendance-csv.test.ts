import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import * as csvRoute from '../../app/routes/t.$id_.report[.csv]'
import { csvField } from '../../app/utils/csv'
import { addClubMember, addTalkRole, createDoctor, createTalk, createTestClub } from '../support/factories'
import { callLoader, signIn } from '../support/routes'

/* The attendance report as CSV: the report page's access rule, and one line per person. */

const MIN = 60_000
const T0 = new Date('2026-11-02T08:00:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN).toISOString()

async function attendedTalk() {
  const host = await createDoctor({ name: 'Dr Host' })
  const club = await createTestClub(host, { visibility: 'private' })
  const talk = await createTalk({ clubId: club.id, hostId: host.id, startsAt: new Date(T0), status: 'ended', title: 'AF: rate or rhythm?' })
  await rawSql()`update talks set opened_at = ${at(0)}, ended_at = ${at(60)}, duration_minutes = 60 where id = ${talk.id}`
  const attendee = await createDoctor({ name: '=HYPERLINK("http://evil.test")' })
  const cohost = await createDoctor({ name: 'Dr Cohost' })
  const member = await createDoctor({ name: 'Dr Member' })
  for (const d of [attendee, cohost, member]) await addClubMember(club, d)
  await addTalkRole(talk.id, cohost, 'cohost')
  const stay = (userId: string, from: number, to: number | null) => rawSql()`
    insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at, left_at)
    values (${randomUUID()}, ${talk.id}, ${userId}, ${randomUUID()}, ${at(from)}, ${to === null ? null : at(to)})`
  // Before the room opened does not count; two overlapping tabs count once; a gap does not count.
  await stay(attendee.id, -10, 20)
  await stay(attendee.id, 15, 25)
  await stay(attendee.id, 40, 50)
  await stay(member.id, 5, 36)
  return { host, club, talk, attendee, cohost, member }
}

const download = async (talkId: string, userId: string | null) =>
  callLoader(csvRoute, { url: `/t/${talkId}/report.csv`, params: { id: talkId }, auth: userId ? await signIn(userId) : null })

describe('the attendance report as CSV', () => {
  it('gives the hosts one line per person, minutes and first join and last leave, with formulas defused', async () => {
    const { talk, host, cohost, attendee, member } = await attendedTalk()
    for (const who of [host, cohost]) {
      const result = await download(talk.id, who.id)
      expect(result.status).toBe(200)
      expect(result.headers.get('content-type')).toBe('text/csv; charset=utf-8')
      expect(result.headers.get('content-disposition')).toBe('attachment; filename="af-rate-or-rhythm-attendance.csv"')
      expect(result.headers.get('cache-control')).toBe('private, no-store')
      const lines = String(result.data).trimEnd().split('\r\n')
      const handles = await rawSql()<{ user_id: string; handle: string }[]>`select user_id, handle from profiles where user_id in (${attendee.id}, ${member.id})`
      const handle = (id: string) => handles.find((h) => h.user_id === id)!.handle
      expect(lines).toEqual([
        'name,handle,minutes_attended,first_joined,last_left',
        `"'=HYPERLINK(""http://evil.test"")",${handle(attendee.id)},35,${at(0)},${at(50)}`,
        `Dr Member,${handle(member.id)},31,${at(5)},${at(36)}`,
      ])
    }
  })

  it('is not found for a member who is not a host, an outsider of the private club, and a bad id; a visitor signs in first', async () => {
    const { talk, member } = await attendedTalk()
    const outsider = await createDoctor()
    for (const [talkId, userId] of [
      [talk.id, member.id],
      [talk.id, outsider.id],
      ['not-a-talk', member.id],
      [randomUUID(), member.id],
    ] as const) {
      const result = await download(talkId, userId)
      expect(result.status, `${talkId} as ${userId}`).toBe(404)
      expect(String(result.data)).not.toContain('minutes_attended')
    }
    const visitor = await download(talk.id, null)
    expect(visitor.status).toBe(302)
    expect(visitor.location).toBe(`/login?redirectTo=${encodeURIComponent(`/t/${talk.id}/report.csv`)}`)
  })
})

describe('CSV cells', () => {
  it('defuses every formula lead and quotes separators', () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', 'plain', 'a,b', 'say "hi"', null, 42].map(csvField)).toEqual([
      "'=1+1",
      "'+1",
      "'-1",
      "'@SUM(A1)",
      "'\tx",
      'plain',
      '"a,b"',
      '"say ""hi"""',
      '',
      '42',
    ])
  })
})
