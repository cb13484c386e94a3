import { sql, type SQL } from 'drizzle-orm'
import { db } from './client'
import { retentionSchedule, type RetentionRule } from './retention-schedule'

/*
 * Applies the retention schedule (db/retention-schedule.ts): each rule in batches of a few
 * thousand rows, each batch its own short statement. Rows are picked by `ctid` from a limited
 * subquery, so a batch holds row locks on those rows only and for milliseconds; pages and live
 * rooms writing the same tables never wait long behind it.
 */

export const RETENTION_BATCH_SIZE = 5000

type Batch = (cutoff: string, limit: number) => SQL

/** Deletes up to `limit` rows of `table` matching `where`. */
const deleteWhere =
  (table: string, where: (cutoff: string) => SQL): Batch =>
  (cutoff, limit) => sql`
    delete from ${sql.identifier(table)}
    where ctid = any(array(select ctid from ${sql.identifier(table)} where ${where(cutoff)} limit ${limit}))`

const at = (cutoff: string) => sql`${cutoff}::timestamptz`

/** Each rule the daily job applies, as one batch statement. */
const batches: Record<string, Batch> = {
  'session-devices': (cutoff, limit) => sql`
    update sessions set ip_address = null, user_agent = null
    where ctid = any(array(
      select ctid from sessions
      where created_at < ${at(cutoff)} and (ip_address is not null or user_agent is not null)
      limit ${limit}))`,
  'sessions-ended': deleteWhere('sessions', (c) => sql`expires_at < ${at(c)}`),
  'sign-in-devices': deleteWhere('sign_in_devices', (c) => sql`last_seen_at < ${at(c)}`),
  'activity-events': deleteWhere('activity_events', (c) => sql`created_at < ${at(c)}`),
  // A person's stays in one talk, all ended before the cutoff, become one row: from their first
  // moment in the open room, lasting the time they were in it (overlapping stays counted once,
  // as the attendance report counts them, db/live/attendance.ts).
  'attendance-stays': (cutoff, limit) => sql`
    with picked as (
      select talk_id, user_id from talk_attendance
      where left_at < ${at(cutoff)} and not starts_with(socket_id, 'summary|')
      group by talk_id, user_id
      limit ${limit}
    ), gone as (
      delete from talk_attendance a using picked p
      where a.talk_id = p.talk_id and a.user_id = p.user_id and a.left_at < ${at(cutoff)}
      returning a.talk_id, a.user_id, a.joined_at, a.left_at
    ), clipped as (
      select g.talk_id, g.user_id, g.joined_at,
        greatest(g.joined_at, coalesce(t.opened_at, g.joined_at)) as s,
        least(g.left_at, coalesce(t.ended_at, g.left_at)) as e
      from gone g join talks t on t.id = g.talk_id
    ), merged as (
      select talk_id, user_id, min(joined_at) as first_seen,
        range_agg(tstzrange(s, greatest(s, e))) as spans
      from clipped group by talk_id, user_id
    ), totals as (
      select talk_id, user_id, coalesce(lower(spans), first_seen) as joined_at,
        coalesce((select sum(upper(x) - lower(x)) from unnest(spans) x), interval '0') as stayed
      from merged
    )
    insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at, left_at)
    select gen_random_uuid()::text, talk_id, user_id, 'summary|' || user_id, joined_at, joined_at + stayed
    from totals`,
  'notification-deliveries': deleteWhere('notification_deliveries', (c) => sql`created_at < ${at(c)}`),
  // While a legal hold is on the person, the log of who looked at their data stays (db/retention.ts).
  'staff-access-log': deleteWhere(
    'personal_data_access_log',
    (c) => sql`viewed_at < ${at(c)} and not exists (
      select 1 from legal_holds h where h.user_id = personal_data_access_log.subject_user_id and h.released_at is null)`,
  ),
  'ended-invite-links': deleteWhere(
    'club_invite_links',
    (c) => sql`(revoked_at < ${at(c)} or expires_at < ${at(c)} or (max_uses is not null and uses >= max_uses and created_at < ${at(c)}))`,
  ),
  'sign-up-codes': deleteWhere('email_verifications', (c) => sql`expires_at < ${at(c)}`),
  'password-reset-codes': deleteWhere('password_resets', (c) => sql`expires_at < ${at(c)}`),
  'email-change-codes': deleteWhere('email_changes', (c) => sql`confirmed_at is null and expires_at < ${at(c)}`),
  'email-changes': deleteWhere('email_changes', (c) => sql`confirmed_at is not null and coalesce(undo_until, confirmed_at) < ${at(c)}`),
  'failed-jobs': deleteWhere('jobs', (c) => sql`failed_at < ${at(c)}`),
  'dev-mail': deleteWhere('dev_mailbox', (c) => sql`sent_at < ${at(c)}`),
  'dev-text-messages': deleteWhere('dev_text_messages', (c) => sql`sent_at < ${at(c)}`),
  'erasure-receipts': deleteWhere('erasure_receipts', (c) => sql`expires_at < ${at(c)}`),
}

/** The rules the daily job applies; each has its batch statement (checked by the retention test). */
export const dailyRules: RetentionRule[] = retentionSchedule.filter((r) => r.appliedBy === 'daily')

for (const rule of dailyRules) {
  if (!batches[rule.id]) throw new Error(`Retention rule "${rule.id}" is applied daily but has no statement.`)
}

export type RetentionRun = { rule: string; table: string; rows: number; batches: number; ms: number }

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Applies every daily rule as of `now`. Returns the rows changed per rule. Stops between
 * batches when `signal` aborts (the job lost its lease): what is done stays done, and the next
 * run carries on.
 */
export async function applyRetentionSchedule(
  now: Date,
  options: { batchSize?: number; signal?: AbortSignal; pauseMs?: number } = {},
): Promise<RetentionRun[]> {
  const limit = options.batchSize ?? RETENTION_BATCH_SIZE
  const runs: RetentionRun[] = []
  for (const rule of dailyRules) {
    const cutoff = new Date(now.getTime() - rule.days * DAY_MS).toISOString()
    const started = performance.now()
    let rows = 0
    let count = 0
    for (;;) {
      options.signal?.throwIfAborted()
      const result = await db.execute(batches[rule.id](cutoff, limit))
      count++
      const changed = result.count ?? 0
      rows += changed
      // An aggregate batch reports the summary rows it wrote; fewer groups than the limit means done.
      if (changed < limit) break
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs))
    }
    runs.push({ rule: rule.id, table: rule.table, rows, batches: count, ms: Math.round(performance.now() - started) })
  }
  return runs
}
