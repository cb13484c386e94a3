import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as icsRoute from '../../app/routes/t.$id[.ics]'
import { blockPerson } from '../../db/blocks'
import { removeMember } from '../../db/clubs/members'
import { db, rawSql } from '../../db/client'
import { claimJob, enqueueJob } from '../../db/jobs'
import { openTalk } from '../../db/live'
import { listDevMail } from '../../db/mailbox'
import { countUnreadNotifications, listNotifications } from '../../db/notifications'
import { sendLiveNow, TALK_LIVE_QUEUE } from '../../db/notifications/live-now'
import { getReminderOffsets, setReminderOffsets, TALK_REMINDERS_QUEUE } from '../../db/notifications/reminders'
import { deactivateAccount, updateCommunicationPreferences } from '../../db/privacy/index'
import { clubMembers, clubs } from '../../db/schema/index'
import { cancelTalk, setRsvp, updateTalk } from '../../db/talks'
import { queues, runDueJobs } from '../../server/jobs/index'
import { reminderQueues } from '../../server/jobs/reminders'
import { runQueues } from '../../server/jobs/runner'
import { addClubMember, addTalkRole, createDoctor, createTalk, viewerOf, type TestDoctor } from '../support/factories'
import { callLoader, signIn } from '../support/routes'

const as = viewerOf
const MINUTE = 60 * 1000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Runs every job due at `at` (the reminders, then the mails they queue), as the server's runner would then. */
const runAt = (at: Date) => runDueJobs({ now: () => at })
/** Only the reminder and "live now" jobs, leaving their mails queued. */
const runRemindersAt = (at: Date) => runQueues(reminderQueues, { now: () => at })

async function reminderTitles(doctor: TestDoctor) {
  return (await listNotifications(as(doctor))).items.filter((n) => n.kind === 'talk_reminder').map((n) => n.title)
}

async function noticeCount(kind: string, talkId: string) {
  const [row] = await rawSql()<{ n: number }[]>`select count(*)::int as n from notifications where kind = ${kind} and data->>'talkId' = ${talkId}`
  return row.n
}

async function reminderJobs(talkId: string) {
  return rawSql()<{ singleton_key: string; run_at: string }[]>`
    select singleton_key, run_at from jobs where queue = ${TALK_REMINDERS_QUEUE} and payload->>'talkId' = ${talkId} order by run_at`
}

async function mailSubjects(doctor: TestDoctor) {
  return (await listDevMail({ to: doctor.email })).map((m) => m.subject)
}

/** A club written straight to the database, its owner a member. */
async function clubOf(owner: TestDoctor, visibility: 'public' | 'private') {
  const id = randomUUID()
  const slug = `reminders-${id.slice(0, 8)}`
  await db.insert(clubs).values({ id, slug, name: `Club ${slug}`, visibility, ownerId: owner.id })
  await db.insert(clubMembers).values({ clubId: id, userId: owner.id, role: 'owner' })
  return { id, slug, name: `Club ${slug}` }
}

/** A public club with its owner hosting a talk that starts `inMs` from now. */
async function talkIn(inMs: number, options: { visibility?: 'public' | 'private'; title?: string } = {}) {
  const host = await createDoctor({ name: 'Dr Host Person' })
  const club = await clubOf(host, options.visibility ?? 'public')
  const startsAt = new Date(Date.now() + inMs)
  const talk = await createTalk({ clubId: club.id, hostId: host.id, startsAt, title: options.title })
  return { host, club, talk: { ...talk, startsAt } }
}

describe('talk reminders', () => {
  it('reminds those going, the co-hosts and the host 24 hours and 10 minutes before, in the app and by email', async () => {
    const { host, club, talk } = await talkIn(2 * DAY, { title: 'Heart failure update' })
    const going = await createDoctor({ name: 'Dr Going' })
    const cohost = await createDoctor({ name: 'Dr Cohost' })
    const stranger = await createDoctor()
    await addClubMember(club, cohost)
    await addTalkRole(talk.id, cohost, 'cohost')
    await setRsvp(as(going), talk.id, true)

    // The RSVP queued one job per offered time, each at its time.
    expect((await reminderJobs(talk.id)).map((j) => new Date(j.run_at).getTime())).toEqual([DAY, HOUR, 10 * MINUTE].map((o) => talk.startsAt.getTime() - o))

    await runAt(new Date(talk.startsAt.getTime() - DAY + 1000))
    for (const who of [going, cohost, host]) {
      expect(await reminderTitles(who)).toEqual(['“Heart failure update” starts in 24 hours'])
      expect(await mailSubjects(who)).toEqual(['“Heart failure update” starts in 24 hours'])
    }
    expect(await reminderTitles(stranger)).toEqual([])
    const [item] = (await listNotifications(as(going))).items
    expect(item).toMatchObject({ link: `/t/${talk.id}` })
    expect(item.body).toContain('hosted by Dr Host Person')

    // No one chose 1 hour: its job finds no one.
    await runAt(new Date(talk.startsAt.getTime() - HOUR + 1000))
    expect(await noticeCount('talk_reminder', talk.id)).toBe(3)

    await runAt(new Date(talk.startsAt.getTime() - 10 * MINUTE + 1000))
    expect(await reminderTitles(going)).toEqual(['“Heart failure update” starts in 10 minutes', '“Heart failure update” starts in 24 hours'])
    expect(await noticeCount('talk_reminder', talk.id)).toBe(6)
    expect(await reminderJobs(talk.id)).toEqual([])
  })

  it('pushes each reminder to every browser the person subscribed, to expire when the talk starts', async () => {
    const { talk } = await talkIn(2 * DAY, { title: 'Pushed rounds' })
    const going = await createDoctor({ name: 'Dr Pushed' })
    const quiet = await createDoctor({ name: 'Dr No Browser' })
    await setRsvp(as(going), talk.id, true)
    await setRsvp(as(quiet), talk.id, true)
    const browsers = [randomUUID(), randomUUID()]
    for (const id of browsers) {
      await rawSql()`insert into push_subscriptions (id, user_id, endpoint, p256dh, auth)
        values (${id}, ${going.id}, ${`https://push.example.org/${id}`}, 'key', 'secret')`
    }
    await runRemindersAt(new Date(talk.startsAt.getTime() - DAY + 1000))
    const pushes = await rawSql()<{ user_id: string; destination: string; expires: string }[]>`
      select d.user_id, d.destination, j.payload->>'expiresAt' as expires from notification_deliveries d
      join jobs j on j.singleton_key = 'notification-push:' || d.id
      where d.channel = 'push' and d.user_id in (${going.id}, ${quiet.id})`
    expect(pushes.map((p) => p.destination).sort()).toEqual([...browsers].sort())
    expect(pushes.every((p) => p.user_id === going.id && p.expires === talk.startsAt.toISOString())).toBe(true)
    // Sending is server/notifications/push.ts's (tests/server/web-push.test.ts): these made-up browsers go.
    await rawSql()`delete from jobs where queue = 'notification.push'`
    await rawSql()`delete from push_subscriptions where user_id = ${going.id}`
  })

  it('reminds each person only at the times they chose, read when the reminder is due', async () => {
    const { talk } = await talkIn(2 * DAY)
    const hourly = await createDoctor()
    const none = await createDoctor()
    const changed = await createDoctor()
    await setReminderOffsets(as(hourly), [60])
    await setReminderOffsets(as(none), [])
    for (const d of [hourly, none, changed]) await setRsvp(as(d), talk.id, true)
    // Changed after the reminders were queued: the new choice wins.
    await setReminderOffsets(as(changed), [60, 10])
    expect(await getReminderOffsets(as(changed))).toEqual([60, 10])

    await runAt(new Date(talk.startsAt.getTime() - DAY + 1000))
    expect(await reminderTitles(hourly)).toEqual([])
    expect(await reminderTitles(changed)).toEqual([])
    await runAt(new Date(talk.startsAt.getTime() - HOUR + 1000))
    await runAt(new Date(talk.startsAt.getTime() - 10 * MINUTE + 1000))
    expect((await reminderTitles(hourly)).length).toBe(1)
    expect((await reminderTitles(changed)).length).toBe(2)
    expect(await reminderTitles(none)).toEqual([])
    await expect(setReminderOffsets(as(none), [30])).rejects.toMatchObject({ status: 400 })
  })

  it('reminds no one who may no longer see the talk: removed from its private club, blocked by or blocking the host, deactivated', async () => {
    const { host, club, talk } = await talkIn(2 * DAY, { visibility: 'private' })
    const removed = await createDoctor()
    const blocker = await createDoctor()
    const blocked = await createDoctor()
    const gone = await createDoctor()
    const stays = await createDoctor()
    for (const d of [removed, blocker, blocked, gone, stays]) {
      await addClubMember(club, d)
      await setRsvp(as(d), talk.id, true)
    }
    await removeMember(as(host), club.slug, removed.handle, { ban: false })
    await blockPerson(as(blocker), host.handle)
    await blockPerson(as(host), blocked.handle)
    await deactivateAccount(gone.id, 'no-session')

    await runAt(new Date(talk.startsAt.getTime() - DAY + 1000))
    expect((await reminderTitles(stays)).length).toBe(1)
    const [row] = await rawSql()<{ ids: string[] }[]>`
      select array_agg(user_id order by user_id) as ids from notifications where kind = 'talk_reminder' and data->>'talkId' = ${talk.id}`
    expect(row.ids.sort()).toEqual([stays.id, host.id].sort())
    for (const d of [removed, blocker, blocked, gone]) expect(await mailSubjects(d)).toEqual([])
  })

  it('takes a reminder already sent out of the list once the host is blocked', async () => {
    const { host, talk } = await talkIn(2 * DAY)
    const going = await createDoctor()
    await setRsvp(as(going), talk.id, true)
    await runAt(new Date(talk.startsAt.getTime() - DAY + 1000))
    expect((await reminderTitles(going)).length).toBe(1)
    await blockPerson(as(going), host.handle)
    expect(await reminderTitles(going)).toEqual([])
    expect(await countUnreadNotifications(as(going))).toBe(0)
  })

  it('reminds exactly once with two runners working at the same time, and after a restart', async () => {
    const { talk } = await talkIn(2 * DAY)
    const people = [] as TestDoctor[]
    for (let i = 0; i < 6; i++) people.push(await createDoctor())
    for (const d of people) await setRsvp(as(d), talk.id, true)
    const due = new Date(talk.startsAt.getTime() - DAY + 1000)

    // A worker claims the job and dies before finishing: its lease runs out, another takes it over.
    const dead = await claimJob(due, [TALK_REMINDERS_QUEUE], 1000)
    expect(dead).not.toBeNull()
    const later = new Date(due.getTime() + 5000)
    await Promise.all([runDueJobs({ now: () => later }), runDueJobs({ now: () => later })])
    expect(await noticeCount('talk_reminder', talk.id)).toBe(people.length + 1)

    // A restart that finds the job again (as if the worker died after sending, before deleting it).
    await enqueueJob(db, {
      queue: TALK_REMINDERS_QUEUE,
      payload: { talkId: talk.id, offset: 1440, startsAt: talk.startsAt.toISOString() },
      runAt: due,
      singletonKey: `talk-reminders:${talk.id}:1440`,
    })
    await Promise.all([runAt(later), runQueues(queues, { now: () => later })])
    expect(await noticeCount('talk_reminder', talk.id)).toBe(people.length + 1)
    for (const d of people) expect(await mailSubjects(d)).toHaveLength(1)
    const [row] = await rawSql()<{ n: number }[]>`
      select count(*)::int as n from notification_deliveries d join notifications n on n.id = d.notification_id
      where n.kind = 'talk_reminder' and n.data->>'talkId' = ${talk.id} and d.status = 'sent'`
    expect(row.n).toBe(people.length + 1)
  })

  it('moves the reminders when the talk is rescheduled, and removes them when it is cancelled', async () => {
    const { host, talk } = await talkIn(3 * DAY)
    const going = await createDoctor()
    await setRsvp(as(going), talk.id, true)
    const newStart = new Date(talk.startsAt.getTime() + DAY)
    await updateTalk(as(host), talk.id, {
      type: 'talk',
      title: 'Moved talk',
      description: '',
      startsAt: newStart,
      durationMinutes: 60,
      cohostHandles: [],
      speakerHandles: [],
    })
    expect((await reminderJobs(talk.id)).map((j) => new Date(j.run_at).getTime())).toEqual([DAY, HOUR, 10 * MINUTE].map((o) => newStart.getTime() - o))
    // At the old time: nothing.
    await runAt(new Date(talk.startsAt.getTime() - DAY + 1000))
    expect(await reminderTitles(going)).toEqual([])
    await runAt(new Date(newStart.getTime() - DAY + 1000))
    expect(await reminderTitles(going)).toEqual(['“Moved talk” starts in 24 hours'])

    await cancelTalk(as(host), talk.id, 'Speaker unwell')
    expect(await reminderJobs(talk.id)).toEqual([])
    await runAt(new Date(newStart.getTime() - 10 * MINUTE + 1000))
    expect(await reminderTitles(going)).toEqual(['“Moved talk” starts in 24 hours'])
  })

  it('drops the reminders of someone who is no longer going', async () => {
    const { talk } = await talkIn(2 * DAY)
    const going = await createDoctor()
    const left = await createDoctor()
    await setRsvp(as(going), talk.id, true)
    await setRsvp(as(left), talk.id, true)
    await setRsvp(as(left), talk.id, false)
    await runAt(new Date(talk.startsAt.getTime() - DAY + 1000))
    expect((await reminderTitles(going)).length).toBe(1)
    expect(await reminderTitles(left)).toEqual([])
  })

  it('sends no stale reminder to a late RSVP, but the 10-minute one at once inside its window', async () => {
    const soon = await talkIn(30 * MINUTE)
    const late = await createDoctor()
    await setRsvp(as(late), soon.talk.id, true)
    expect(await reminderTitles(late)).toEqual([])
    // Only the 10-minute job is still ahead.
    expect((await reminderJobs(soon.talk.id)).map((j) => j.singleton_key)).toEqual([`talk-reminders:${soon.talk.id}:10`])

    const now = await talkIn(5 * MINUTE, { title: 'Starting now' })
    const lastMinute = await createDoctor()
    await setRsvp(as(lastMinute), now.talk.id, true)
    expect(await reminderTitles(lastMinute)).toEqual(['“Starting now” starts in 5 minutes'])
    expect(await reminderJobs(now.talk.id)).toEqual([])
    await runAt(new Date())
    expect(await mailSubjects(lastMinute)).toEqual(['“Starting now” starts in 5 minutes'])
    // Saying so again changes nothing.
    await setRsvp(as(lastMinute), now.talk.id, true)
    expect(await reminderTitles(lastMinute)).toHaveLength(1)
  })

  it('skips the email, not the notice, when email is turned off after the reminder was queued', async () => {
    const { talk } = await talkIn(2 * DAY)
    const going = await createDoctor()
    await setRsvp(as(going), talk.id, true)
    const due = new Date(talk.startsAt.getTime() - DAY + 1000)
    await runRemindersAt(due)
    expect((await reminderTitles(going)).length).toBe(1)
    await updateCommunicationPreferences(going.id, {
      email: { engagement: false, promotional: false },
      sms: { engagement: false, promotional: false },
      whatsapp: { engagement: false, promotional: false },
      push: { engagement: false, promotional: false },
    })
    await runAt(due)
    expect(await mailSubjects(going)).toEqual([])
    const [delivery] = await rawSql()<{ status: string }[]>`select status from notification_deliveries where user_id = ${going.id}`
    expect(delivery.status).toBe('skipped')
  })
})

describe('"live now"', () => {
  it('tells those going and the co-hosts when the host opens the room, from one job, not the one who opened it', async () => {
    const { host, club, talk } = await talkIn(5 * MINUTE, { title: 'Grand round' })
    const going = [await createDoctor(), await createDoctor(), await createDoctor()]
    const cohost = await createDoctor()
    const blocked = await createDoctor()
    await addClubMember(club, cohost)
    await addTalkRole(talk.id, cohost, 'cohost')
    for (const d of [...going, blocked]) await setRsvp(as(d), talk.id, true)
    await blockPerson(as(host), blocked.handle)
    await updateCommunicationPreferences(going[2].id, {
      email: { engagement: false, promotional: false },
      sms: { engagement: false, promotional: false },
      whatsapp: { engagement: false, promotional: false },
      push: { engagement: false, promotional: false },
    })
    const unreadBefore = await countUnreadNotifications(as(going[0]))

    await openTalk(as(host), talk.id)
    const [queued] = await rawSql()<{ n: number }[]>`select count(*)::int as n from jobs where queue = ${TALK_LIVE_QUEUE}`
    expect(queued.n).toBe(1)
    expect(await noticeCount('talk_live', talk.id)).toBe(0)

    await runAt(new Date())
    for (const d of [...going, cohost]) {
      expect((await listNotifications(as(d))).items.filter((n) => n.kind === 'talk_live').map((n) => n.title)).toEqual(['“Grand round” is live now'])
    }
    expect(await countUnreadNotifications(as(going[0]))).toBe(unreadBefore + 1)
    expect(await noticeCount('talk_live', talk.id)).toBe(4)
    expect(await mailSubjects(going[0])).toContain('“Grand round” is live now')
    expect(await mailSubjects(going[2])).not.toContain('“Grand round” is live now')
    expect(await mailSubjects(blocked)).toEqual([])
    // Opening again (already live) queues nothing more.
    await openTalk(as(host), talk.id)
    await runAt(new Date())
    expect(await noticeCount('talk_live', talk.id)).toBe(4)
  })

  it('writes one notice and one queued email per person in set-based batches, and a second run adds none', async () => {
    const { host, talk } = await talkIn(5 * MINUTE)
    const n = 25
    await rawSql()`
      with people as (select gen_random_uuid()::text as id, g from generate_series(1, ${n}::int) g),
      u as (insert into users (id, email, password_hash, date_of_birth, email_verified_at, created_at)
        select id, 'live-' || id || '@test.rounds.local', '!x', '1985-01-01', now(), now() from people),
      p as (insert into profiles (user_id, handle, name) select id, 'live-' || substr(id, 1, 12), 'Dr Live ' || g from people)
      insert into talk_rsvps (talk_id, user_id) select ${talk.id}, id from people`
    await openTalk(as(host), talk.id)
    const first = await sendLiveNow({ talkId: talk.id, openedBy: host.id }, new Date())
    expect(first).toEqual({ created: n, emailed: n, pushed: 0, texted: 0 })
    const again = await sendLiveNow({ talkId: talk.id, openedBy: host.id }, new Date())
    expect(again).toEqual({ created: 0, emailed: 0, pushed: 0, texted: 0 })
  })

  it('tells the people a node names first (those connected to it), only those of the audience, and the full pass adds no second notice or mail', async () => {
    const { host, talk } = await talkIn(5 * MINUTE, { title: 'Grand round' })
    const going = [await createDoctor(), await createDoctor(), await createDoctor()]
    for (const d of going) await setRsvp(as(d), talk.id, true)
    const stranger = await createDoctor()
    await openTalk(as(host), talk.id)

    const connected = [going[0].id, going[1].id, stranger.id, host.id]
    const first = await sendLiveNow({ talkId: talk.id, openedBy: host.id }, new Date(), undefined, connected)
    expect(first).toEqual({ created: 2, emailed: 2, pushed: 0, texted: 0 })
    expect((await listNotifications(as(stranger))).items.filter((n) => n.kind === 'talk_live')).toEqual([])
    expect((await listNotifications(as(going[2]))).items.filter((n) => n.kind === 'talk_live')).toEqual([])
    expect(await sendLiveNow({ talkId: talk.id, openedBy: host.id }, new Date(), undefined, [])).toEqual({ created: 0, emailed: 0, pushed: 0, texted: 0 })

    const rest = await sendLiveNow({ talkId: talk.id, openedBy: host.id }, new Date())
    expect(rest).toEqual({ created: 1, emailed: 1, pushed: 0, texted: 0 })
    await runAt(new Date())
    for (const d of going) expect((await mailSubjects(d)).filter((subject) => subject === '“Grand round” is live now')).toHaveLength(1)
    expect(await noticeCount('talk_live', talk.id)).toBe(3)
  })
})

describe('reminders in the calendar file', () => {
  it('carries one VALARM per reminder the downloading person chose, and none when they chose none', async () => {
    const { talk } = await talkIn(2 * DAY)
    const member = await createDoctor()
    const ics = async (doctor: TestDoctor) => {
      const answer = await callLoader(icsRoute, { url: `/t/${talk.id}.ics`, params: { id: talk.id }, auth: await signIn(doctor.id) })
      return String(answer.data)
    }
    const triggers = (body: string) => [...body.matchAll(/TRIGGER;RELATED=START:(\S+)/g)].map((m) => m[1])
    expect(triggers(await ics(member))).toEqual(['-P1D', '-PT10M'])
    await setReminderOffsets(as(member), [1440, 60, 10])
    const body = await ics(member)
    expect(triggers(body)).toEqual(['-P1D', '-PT1H', '-PT10M'])
    expect(body.match(/BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:[^\r]+\r\nTRIGGER/g)).toHaveLength(3)
    await setReminderOffsets(as(member), [])
    expect(await ics(member)).not.toContain('VALARM')
  })
})
