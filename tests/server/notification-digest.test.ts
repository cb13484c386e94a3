import { describe, expect, it } from 'vitest'
import * as settingsRoute from '../../app/routes/settings.notifications'
import { rawSql } from '../../db/client'
import { inviteToClub } from '../../db/clubs'
import { followUser } from '../../db/follows'
import { getDailyDigest, setDailyDigest } from '../../db/notifications/digest'
import { setTimeZonePreference } from '../../db/time-zone-preference'
import { setRsvp } from '../../db/talks'
import { createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'
import { callAction, signIn } from '../support/routes'
import { smtpSinkForFile } from '../support/smtp-sink'

// The daily digest through a real SMTP conversation: what can wait is held, goes once a day after
// 08:00 where the person lives, exactly once, and comes back for the next run when the provider
// refuses it.

const sink = smtpSinkForFile()
const MINUTE = 60 * 1000

const runJobs = async (at: Date) => (await import('../../server/jobs/index')).runDueJobs({ now: () => at, log: () => {} })
const runDigests = async (at: Date) => {
  const { sendDueDigests } = await import('../../server/notifications/digest')
  await sendDueDigests({}, { now: at, signal: new AbortController().signal, job: {} as never })
}
const mailsTo = (doctor: TestDoctor) => sink.received.filter((m) => m.to.includes(`RCPT TO:<${doctor.email}>`))
const subjectOf = (mail: { data: string }) => /^Subject: (.*)$/m.exec(mail.data)?.[1]
const deliveries = (doctor: TestDoctor) =>
  rawSql()<{ kind: string; status: string; provider_id: string | null }[]>`
    select n.kind, d.status, d.provider_id from notification_deliveries d join notifications n on n.id = d.notification_id
    where d.user_id = ${doctor.id} and d.channel = 'email' order by n.kind`

/** A member in Kolkata (UTC+5:30) who chose the digest, followed by two doctors and invited to a club. */
async function memberWithHeldMail() {
  const member = await createDoctor({ name: 'Dr Digest Reader' })
  await setTimeZonePreference(member.id, 'Asia/Kolkata')
  await setDailyDigest(viewerOf(member), true)
  await followUser(viewerOf(await createDoctor({ name: 'Dr Asha Follower' })), member.handle)
  await followUser(viewerOf(await createDoctor({ name: 'Dr Tom Follower' })), member.handle)
  const owner = await createDoctor({ name: 'Dr Club Owner' })
  const club = await createTestClub(owner, { name: 'Digest Club' })
  await inviteToClub(viewerOf(owner), club.slug, member.handle)
  // A talk starting in five minutes: its reminder never waits for a digest.
  await setRsvp(viewerOf(member), (await createTalk({ clubId: club.id, hostId: owner.id, startsAt: new Date(Date.now() + 5 * MINUTE), title: 'Soon' })).id, true)
  await runJobs(new Date(Date.now() + 10 * MINUTE))
  return member
}

describe('the daily digest', () => {
  it('holds follows and invitations, sends reminders at once, and mails one digest after 08:00 local time, once that day', async () => {
    const member = await memberWithHeldMail()
    expect(mailsTo(member).map(subjectOf)).toEqual([expect.stringMatching(/Soon/)])
    expect(await deliveries(member)).toEqual([
      { kind: 'club_invitation', status: 'digest', provider_id: null },
      { kind: 'follow', status: 'digest', provider_id: null },
      { kind: 'talk_reminder', status: 'sent', provider_id: expect.stringMatching(/^<notice-/) },
    ])

    // 07:30 in Kolkata: not yet.
    await runDigests(new Date('2027-01-10T02:00:00Z'))
    expect(mailsTo(member)).toHaveLength(1)

    // 08:05 in Kolkata: one digest with both, each delivery marked with its message id.
    await runDigests(new Date('2027-01-10T02:35:00Z'))
    const digests = mailsTo(member).filter((m) => subjectOf(m)?.startsWith('Your day on Rounds'))
    expect(digests).toHaveLength(1)
    expect(subjectOf(digests[0])).toBe('Your day on Rounds: 2 updates')
    const body = digests[0].data.replace(/=\r\n/g, '')
    expect(body).toContain('Dr Asha Follower and Dr Tom Follower followed you.')
    expect(body).toContain('Dr Club Owner invited you to join Digest Club')
    const headers = digests[0].data.slice(0, digests[0].data.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ')
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m)
    const held = (await deliveries(member)).filter((d) => d.kind !== 'talk_reminder')
    expect(held.map((d) => d.status)).toEqual(['sent', 'sent'])
    expect(new Set(held.map((d) => d.provider_id)).size).toBe(1)
    expect(held[0].provider_id).toMatch(/^<digest-/)

    // Later that day, and again: nothing more.
    await runDigests(new Date('2027-01-10T05:00:00Z'))
    await runDigests(new Date('2027-01-10T12:00:00Z'))
    expect(mailsTo(member).filter((m) => subjectOf(m)?.startsWith('Your day on Rounds'))).toHaveLength(1)
  })

  it('sends a day’s digest once when two workers run at the same time', async () => {
    const member = await memberWithHeldMail()
    const at = new Date('2027-01-11T03:00:00Z')
    await Promise.all([runDigests(at), runDigests(at), runDigests(at)])
    expect(mailsTo(member).filter((m) => subjectOf(m)?.startsWith('Your day on Rounds'))).toHaveLength(1)
  })

  it('keeps everything for the next run when the provider refuses the digest', async () => {
    const member = await memberWithHeldMail()
    sink.state.refuseNext = 1
    await runDigests(new Date('2027-01-12T03:00:00Z'))
    expect(mailsTo(member).filter((m) => subjectOf(m)?.startsWith('Your day on Rounds'))).toHaveLength(0)
    expect((await deliveries(member)).filter((d) => d.kind !== 'talk_reminder').map((d) => d.status)).toEqual(['digest', 'digest'])
    const [choice] = await rawSql()`select last_sent_at from email_digest_choices where user_id = ${member.id}`
    expect(choice.last_sent_at).toBeNull()

    await runDigests(new Date('2027-01-12T04:00:00Z'))
    expect(mailsTo(member).filter((m) => subjectOf(m)?.startsWith('Your day on Rounds'))).toHaveLength(1)
  })

  it('sends what was held at the next run, whatever the hour, once the person goes back to one mail each', async () => {
    const member = await memberWithHeldMail()
    await setDailyDigest(viewerOf(member), false)
    // 03:30 in Kolkata.
    await runDigests(new Date('2027-01-13T22:00:00Z'))
    expect(mailsTo(member).filter((m) => subjectOf(m)?.startsWith('Your day on Rounds'))).toHaveLength(1)
    // What comes next is mailed on its own.
    await followUser(viewerOf(await createDoctor({ name: 'Dr Late Follower' })), member.handle)
    await runJobs(new Date(Date.now() + 10 * MINUTE))
    expect((await deliveries(member)).filter((d) => d.status === 'digest')).toEqual([])
  })

  it('sends nothing held once activity emails are turned off, and marks it skipped', async () => {
    const member = await memberWithHeldMail()
    await rawSql()`insert into communication_preferences (user_id, channel, kind, enabled, updated_at) values (${member.id}, 'email', 'engagement', false, now())
      on conflict (user_id, channel, kind) do update set enabled = false`
    await runDigests(new Date('2027-01-14T03:00:00Z'))
    expect(mailsTo(member).filter((m) => subjectOf(m)?.startsWith('Your day on Rounds'))).toHaveLength(0)
    expect((await deliveries(member)).filter((d) => d.kind !== 'talk_reminder').map((d) => d.status)).toEqual(['skipped', 'skipped'])
  })
})

describe('choosing the digest in Settings → Notifications', () => {
  it('saves "once a day" and "as they happen", and refuses anything else with a message and no change', async () => {
    const member = await createDoctor()
    const auth = await signIn(member.id)
    const post = (form: Record<string, string>) => callAction(settingsRoute, { url: '/settings/notifications', form, auth })
    expect(await post({ intent: 'digest', digest: 'daily' })).toMatchObject({ status: 200, data: { ok: true } })
    expect(await getDailyDigest(viewerOf(member))).toBe(true)
    const refused = await post({ intent: 'digest', digest: 'weekly' })
    expect(refused).toMatchObject({ status: 400, data: { ok: false, message: 'Choose “as they happen” or “once a day”.' } })
    expect(await getDailyDigest(viewerOf(member))).toBe(true)
    expect(await post({ intent: 'digest', digest: 'each' })).toMatchObject({ status: 200, data: { ok: true } })
    expect(await getDailyDigest(viewerOf(member))).toBe(false)
  })
})
