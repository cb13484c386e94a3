import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { ACCESS_CHANGE_KEEP_MS } from '../../db/access-changes'
import { EXPORT_LINK_DAYS } from '../../db/data-rights/index'
import { NOTIFICATION_DELIVERY_RETENTION_DAYS } from '../../db/notifications'
import { applyRetentionSchedule, dailyRules } from '../../db/retention-apply'
import { retentionList } from '../../db/retention'
import {
  checkRetentionSchedule,
  describeRetention,
  retentionPeriodOf,
  retentionRule,
  retentionSchedule,
  retentionScheduleText,
  type RetentionRule,
} from '../../db/retention-schedule'
import { retentionRows } from '../../app/utils/privacy-office.server'
import { runDueJobs } from '../../server/jobs/index'
import { RETENTION_QUEUE, nextRetentionRun, scheduleRetention } from '../../server/jobs/retention'
import { createDoctor, createTalk, type TestDoctor } from '../support/factories'

const DAY = 24 * 60 * 60 * 1000

/** A club written straight to the database: only its rows matter here. */
async function insertClub(owner: { id: string }) {
  const id = randomUUID()
  const name = `Club ${id.slice(0, 8)}`
  await rawSql()`insert into clubs (id, slug, name, owner_id) values (${id}, ${'club-' + id}, ${name}, ${owner.id})`
  await rawSql()`insert into club_members (club_id, user_id, role) values (${id}, ${owner.id}, 'owner')`
  return { id, name }
}
const HOUR = 60 * 60 * 1000
const now = new Date()
const cutoffOf = (id: string) => new Date(now.getTime() - retentionRule(id).days * DAY)
/** Just past the limit, and just inside it. */
const old = (id: string) => new Date(cutoffOf(id).getTime() - HOUR)
const fresh = (id: string) => new Date(cutoffOf(id).getTime() + HOUR)

/** rawSql, with Date parameters sent as ISO strings (the driver here takes strings only). */
function sql(): ReturnType<typeof rawSql> {
  return new Proxy(rawSql(), {
    apply(target, thisArg, args: unknown[]) {
      const [first, ...rest] = args
      if (Array.isArray(first) && 'raw' in first) {
        return Reflect.apply(target, thisArg, [first, ...rest.map((v) => (v instanceof Date ? v.toISOString() : v))])
      }
      return Reflect.apply(target, thisArg, args)
    },
  })
}

async function ids(query: Promise<{ id: string }[]>) {
  return (await query).map((r) => r.id).sort()
}

describe('the retention schedule as declared', () => {
  it('refuses a period shorter than its legal minimum', () => {
    const rule = retentionRule('session-devices')
    expect(rule.minimum?.days).toBe(365)
    const shortened: RetentionRule[] = retentionSchedule.map((r) => (r.id === rule.id ? { ...r, days: 90 } : r))
    expect(() => checkRetentionSchedule(shortened)).toThrow(/session-devices.*90 days.*365 days.*Digital Personal Data Protection Rules/)
    expect(() => checkRetentionSchedule(retentionSchedule)).not.toThrow()
  })

  it('keeps every log under the DPDP Rules for at least a year', () => {
    for (const id of ['session-devices', 'sessions-ended', 'sign-in-devices', 'notification-deliveries', 'staff-access-log', 'email-changes']) {
      expect(retentionRule(id).minimum?.days, id).toBe(365)
      expect(retentionRule(id).days, id).toBeGreaterThanOrEqual(365)
    }
  })

  it('is the one source for periods other parts of Rounds apply', () => {
    expect(NOTIFICATION_DELIVERY_RETENTION_DAYS).toBe(retentionRule('notification-deliveries').days)
    expect(EXPORT_LINK_DAYS).toBe(retentionRule('export-files').days)
    expect(ACCESS_CHANGE_KEEP_MS).toBe(retentionRule('access-changes').days * DAY)
  })

  it('is written out for the export README, one line per rule', () => {
    const text = retentionScheduleText('https://rounds.example')
    for (const rule of retentionSchedule) expect(text).toContain(rule.data)
    expect(text).toContain('Anonymised 1 year after the sign-in.')
    expect(text).toContain('https://rounds.example/privacy#retention')
  })
})

describe('content under an open report, after its author’s erasure', () => {
  it('is a rule of the schedule, kept until decided and applied by the decision, not by the daily job', async () => {
    const rule = retentionRule('reported-content-of-erased-accounts')
    expect(rule).toMatchObject({ table: 'moderation_kept_items', action: 'delete', appliedBy: 'moderation', days: 0 })
    expect(dailyRules.map((r) => r.id)).not.toContain(rule.id)
    expect(describeRetention(rule)).toBe('Deleted once a moderator decides the last open report about it.')
    expect(retentionPeriodOf(rule)).toBe('Until decided')
    expect(retentionPeriodOf(retentionRule('erasure-receipts'))).toBe('Until it expires')
    // /privacy shows it in the same table; the export README lists it.
    expect(retentionRows().find((r) => r.id === rule.id)).toMatchObject({ period: 'Until decided', why: rule.why })
    expect(retentionScheduleText()).toContain(`${rule.data}: Deleted once a moderator decides the last open report about it.`)
    const [table] = await rawSql()<{ found: string | null }[]>`select to_regclass('public.moderation_kept_items')::text as found`
    expect(table.found).toBe('moderation_kept_items')
  })

  it('is on the erasure receipt’s list of what is kept and why, only when something was kept', () => {
    const entry = retentionList.find((r) => r.table === 'moderation_kept_items')
    expect(entry?.when).toBe('open-report')
    expect(entry?.why).toMatch(/kept until decided/)
    expect(entry?.why).toMatch(/deleted the moment a moderator decides the last open report/)
  })
})

describe('the daily retention job', () => {
  let doctor: TestDoctor
  let other: TestDoctor
  beforeAll(async () => {
    doctor = await createDoctor()
    other = await createDoctor()
  })

  it('anonymises sign-ins older than a year and deletes those ended a year ago', async () => {
    const mk = async (createdAt: Date, expiresAt: Date) => {
      const id = randomUUID()
      await sql()`insert into sessions (id, user_id, created_at, expires_at, ip_address, user_agent)
        values (${id}, ${doctor.id}, ${createdAt}, ${expiresAt}, '203.0.113.9', 'Mozilla/5.0 (Macintosh)')`
      return id
    }
    const oldActive = await mk(old('session-devices'), new Date(now.getTime() + DAY))
    const recent = await mk(fresh('session-devices'), new Date(now.getTime() + DAY))
    const endedLongAgo = await mk(new Date(old('sessions-ended').getTime() - 30 * DAY), old('sessions-ended'))
    const endedRecently = await mk(new Date(fresh('sessions-ended').getTime() - 400 * DAY), fresh('sessions-ended'))

    await applyRetentionSchedule(now)

    const rows = await sql()<{ id: string; ip_address: string | null; user_agent: string | null; user_id: string }[]>`
      select id, ip_address, user_agent, user_id from sessions where id in ${sql()([oldActive, recent, endedLongAgo, endedRecently])}`
    const byId = new Map(rows.map((r) => [r.id, r]))
    expect(byId.has(endedLongAgo)).toBe(false)
    // Anonymised: the row stays, signed in, with the IP address and device gone.
    expect(byId.get(oldActive)).toEqual({ id: oldActive, ip_address: null, user_agent: null, user_id: doctor.id })
    expect(byId.get(endedRecently)).toMatchObject({ ip_address: null, user_agent: null })
    expect(byId.get(recent)).toMatchObject({ ip_address: '203.0.113.9', user_agent: 'Mozilla/5.0 (Macintosh)' })
  })

  it('deletes exactly the rows past each limit', async () => {
    const club = await insertClub(doctor)
    const seeded: Record<string, { table: string; old: string; fresh: string }> = {}
    const pair = async (rule: string, table: string, insert: (at: Date) => Promise<string>) => {
      seeded[rule] = { table, old: await insert(old(rule)), fresh: await insert(fresh(rule)) }
    }
    const id = () => randomUUID()

    await pair('activity-events', 'activity_events', async (at) => {
      const i = id()
      await sql()`insert into activity_events (id, user_id, kind, subject, created_at) values (${i}, ${doctor.id}, 'talk', 'x', ${at})`
      return i
    })
    await pair('notification-deliveries', 'notification_deliveries', async (at) => {
      const n = id()
      await sql()`insert into notifications (id, user_id, kind, subject) values (${n}, ${doctor.id}, 'policy', ${n})`
      const i = id()
      await sql()`insert into notification_deliveries (id, notification_id, user_id, channel, status, created_at) values (${i}, ${n}, ${doctor.id}, 'email', 'sent', ${at})`
      return i
    })
    await pair('staff-access-log', 'personal_data_access_log', async (at) => {
      const i = id()
      await sql()`insert into personal_data_access_log (id, subject_user_id, staff_id, reason, viewed_at) values (${i}, ${doctor.id}, ${other.id}, 'A correction', ${at})`
      return i
    })
    await pair('ended-invite-links', 'club_invite_links', async (at) => {
      const i = id()
      await sql()`insert into club_invite_links (id, club_id, token, created_by, revoked_at) values (${i}, ${club.id}, ${id()}, ${doctor.id}, ${at})`
      return i
    })
    await pair('sign-up-codes', 'email_verifications', async (at) => {
      const i = id()
      await sql()`insert into email_verifications (id, user_id, code_hash, expires_at) values (${i}, ${doctor.id}, 'x', ${at})`
      return i
    })
    await pair('password-reset-codes', 'password_resets', async (at) => {
      const i = id()
      await sql()`insert into password_resets (id, user_id, code_hash, token_hash, expires_at) values (${i}, ${doctor.id}, 'x', ${id()}, ${at})`
      return i
    })
    await pair('email-change-codes', 'email_changes', async (at) => {
      const i = id()
      await sql()`insert into email_changes (id, user_id, old_email, new_email, code_hash, expires_at) values (${i}, ${doctor.id}, 'a@x.test', 'b@x.test', 'x', ${at})`
      return i
    })
    await pair('email-changes', 'email_changes', async (at) => {
      const i = id()
      await sql()`insert into email_changes (id, user_id, old_email, new_email, code_hash, expires_at, confirmed_at, undo_until)
        values (${i}, ${doctor.id}, 'a@x.test', 'b@x.test', 'x', ${new Date(at.getTime() - 8 * DAY)}, ${new Date(at.getTime() - 7 * DAY)}, ${at})`
      return i
    })
    await pair('failed-jobs', 'jobs', async (at) => {
      const [row] = await sql()<{ id: string }[]>`insert into jobs (queue, payload, failed_at, attempts) values ('mail.send', '{}', ${at}, 5) returning id::text`
      return row.id
    })
    await pair('dev-mail', 'dev_mailbox', async (at) => {
      const i = id()
      await sql()`insert into dev_mailbox (id, "to", subject, text, sent_at) values (${i}, 'a@x.test', 'Code', '123456', ${at})`
      return i
    })
    await pair('dev-text-messages', 'dev_text_messages', async (at) => {
      const i = id()
      await sql()`insert into dev_text_messages (id, channel, "to", text, sent_at) values (${i}, 'sms', '+919800000000', 'Code 123456', ${at})`
      return i
    })
    await pair('sign-in-devices', 'sign_in_devices', async (at) => {
      const i = id()
      await sql()`insert into sign_in_devices (id, user_id, device_key, device_name, first_seen_at, last_seen_at)
        values (${i}, ${doctor.id}, ${id()}, 'Chrome on Android', ${new Date(at.getTime() - 30 * DAY)}, ${at})`
      return i
    })
    await pair('erasure-receipts', 'erasure_receipts', async (at) => {
      const i = id()
      await sql()`insert into erasure_receipts (id, content, expires_at) values (${i}, '{}', ${at})`
      return i
    })
    // A live invite link and a pending email change that has not expired are never touched.
    const liveLink = id()
    await sql()`insert into club_invite_links (id, club_id, token, created_by, created_at) values (${liveLink}, ${club.id}, ${id()}, ${doctor.id}, ${old('ended-invite-links')})`
    const usedUp = id()
    await sql()`insert into club_invite_links (id, club_id, token, created_by, created_at, max_uses, uses) values (${usedUp}, ${club.id}, ${id()}, ${doctor.id}, ${old('ended-invite-links')}, 3, 3)`
    // A waiting job (not failed) stays however old.
    const [waiting] = await sql()<{ id: string }[]>`insert into jobs (queue, payload, run_at) values ('nothing.here', '{}', ${old('failed-jobs')}) returning id::text`

    const runs = await applyRetentionSchedule(now)
    expect(runs.map((r) => r.rule)).toEqual(dailyRules.map((r) => r.id))

    for (const [rule, { table, old: gone, fresh: kept }] of Object.entries(seeded)) {
      const left = await ids(sql()<{ id: string }[]>`select id::text from ${sql()(table)} where id::text in ${sql()([gone, kept])}`)
      expect(left, rule).toEqual([kept])
    }
    expect(await ids(sql()<{ id: string }[]>`select id from club_invite_links where id in ${sql()([liveLink, usedUp])}`)).toEqual([liveLink])
    expect(await ids(sql()<{ id: string }[]>`select id::text from jobs where id = ${waiting.id}`)).toEqual([waiting.id])
    await sql()`delete from jobs where id = ${waiting.id}`
  })

  it('keeps the staff access log of a person under a legal hold', async () => {
    const held = await createDoctor()
    const entry = randomUUID()
    await sql()`insert into personal_data_access_log (id, subject_user_id, staff_id, reason, viewed_at) values (${entry}, ${held.id}, ${other.id}, 'A claim', ${old('staff-access-log')})`
    await sql()`insert into legal_holds (id, user_id, reason, set_by) values (${randomUUID()}, ${held.id}, 'A claim', ${other.id})`
    await applyRetentionSchedule(now)
    expect(await ids(sql()<{ id: string }[]>`select id from personal_data_access_log where id = ${entry}`)).toEqual([entry])
    await sql()`update legal_holds set released_at = now() where user_id = ${held.id}`
    await applyRetentionSchedule(now)
    expect(await ids(sql()<{ id: string }[]>`select id from personal_data_access_log where id = ${entry}`)).toEqual([])
  })

  it('sums old stays in a talk into one per person, keeping the total time, and leaves recent stays as they are', async () => {
    const club = await insertClub(doctor)
    const talk = await createTalk({ clubId: club.id, hostId: doctor.id, status: 'ended' })
    const opened = new Date(old('attendance-stays').getTime() - 3 * HOUR)
    await sql()`update talks set opened_at = ${opened}, ended_at = ${old('attendance-stays')} where id = ${talk.id}`
    const stay = (user: string, socket: string, from: Date, to: Date | null) =>
      sql()`insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at, left_at) values (${randomUUID()}, ${talk.id}, ${user}, ${socket}, ${from}, ${to})`
    const t = (minutes: number) => new Date(opened.getTime() + minutes * 60 * 1000)
    // Doctor: 10 min before the room opened (not counted) to +30, a second tab +20..+40 (overlap), back +60..+90: 70 minutes.
    await stay(doctor.id, 'n|a', t(-10), t(30))
    await stay(doctor.id, 'n|b', t(20), t(40))
    await stay(doctor.id, 'n|c', t(60), t(90))
    // Other: one stay, 15 minutes.
    await stay(other.id, 'n|d', t(5), t(20))
    // A stay in a recent talk stays as it is.
    const recentTalk = await createTalk({ clubId: club.id, hostId: doctor.id, status: 'ended' })
    const recentStay = randomUUID()
    await sql()`insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at, left_at)
      values (${recentStay}, ${recentTalk.id}, ${doctor.id}, 'n|e', ${fresh('attendance-stays')}, ${new Date(fresh('attendance-stays').getTime() + HOUR)})`

    const first = await applyRetentionSchedule(now)
    expect(first.find((r) => r.rule === 'attendance-stays')?.rows).toBe(2)

    const rows = await sql()<{ user_id: string; socket_id: string; joined_at: string; left_at: string }[]>`
      select user_id, socket_id, joined_at, left_at from talk_attendance where talk_id = ${talk.id} order by joined_at`
    expect(rows.map((r) => ({ ...r, joined_at: new Date(r.joined_at), left_at: new Date(r.left_at) }))).toEqual([
      { user_id: doctor.id, socket_id: `summary|${doctor.id}`, joined_at: t(0), left_at: t(70) },
      { user_id: other.id, socket_id: `summary|${other.id}`, joined_at: t(5), left_at: t(20) },
    ])
    expect(await ids(sql()<{ id: string }[]>`select id from talk_attendance where talk_id = ${recentTalk.id}`)).toEqual([recentStay])

    // Running again changes nothing.
    const second = await applyRetentionSchedule(now)
    expect(second.find((r) => r.rule === 'attendance-stays')?.rows).toBe(0)
    expect(await sql()`select 1 from talk_attendance where talk_id = ${talk.id}`).toHaveLength(2)
  })

  it('works in batches until nothing is left', async () => {
    const at = old('activity-events')
    await sql()`insert into activity_events (id, user_id, kind, subject, created_at)
      select gen_random_uuid()::text, ${other.id}, 'talk', 'x', ${at} from generate_series(1, 25)`
    const runs = await applyRetentionSchedule(now, { batchSize: 10 })
    expect(runs.find((r) => r.rule === 'activity-events')).toMatchObject({ rows: 25, batches: 3 })
    expect(await sql()`select 1 from activity_events where user_id = ${other.id}`).toHaveLength(0)
  })

  it('runs as a daily job from the Postgres queue', async () => {
    expect(nextRetentionRun(new Date('2026-01-01T10:00:00Z')).toISOString()).toBe('2026-01-01T21:30:00.000Z')
    expect(nextRetentionRun(new Date('2026-01-01T22:00:00Z')).toISOString()).toBe('2026-01-02T21:30:00.000Z')
    const event = randomUUID()
    await sql()`insert into activity_events (id, user_id, kind, subject, created_at) values (${event}, ${doctor.id}, 'talk', 'x', ${old('activity-events')})`
    await scheduleRetention(now)
    await scheduleRetention(now)
    const runAt = nextRetentionRun(now)
    const waiting = await sql()<{ run_at: string }[]>`select run_at from jobs where queue = ${RETENTION_QUEUE}`
    expect(waiting.map((j) => new Date(j.run_at))).toEqual([runAt])
    // Not due yet: nothing happens.
    await runDueJobs({ now: () => now })
    expect(await ids(sql()<{ id: string }[]>`select id from activity_events where id = ${event}`)).toEqual([event])
    await runDueJobs({ now: () => new Date(runAt.getTime() + 60 * 1000) })
    expect(await ids(sql()<{ id: string }[]>`select id from activity_events where id = ${event}`)).toEqual([])
    expect(await sql()`select 1 from jobs where queue = ${RETENTION_QUEUE}`).toHaveLength(0)
  })
})
