import { sql, type SQL } from 'drizzle-orm'
import type { Transaction } from '../client'
import { NOTIFICATION_EMAIL_QUEUE } from '../notifications/deliveries'
import type { NotificationKind } from '../notifications/kinds'
import { jobs, notificationDeliveries, notifications } from '../schema/index'

/*
 * One notice to many people at once (a policy change, an incident): a single statement writes
 * every notice, its email delivery row and its mail job, so the count of people never turns
 * into a count of round trips. A service notice always goes by email (db/notifications/kinds.ts);
 * the job reads what it may show again at send time (server/notifications/email.ts).
 */

export type FanOutInput = {
  /** A query of one column, the recipients' user ids. */
  recipients: SQL
  kind: NotificationKind
  /** Unique per person and kind: a person gets one notice per version or incident. */
  subject: string
  title: string
  body: string
  link: string | null
  data?: Record<string, unknown>
  email: boolean
  now: Date
}

export async function fanOutNotice(tx: Transaction, input: FanOutInput): Promise<{ notified: number; emailed: number }> {
  const at = sql`${input.now.toISOString()}::timestamptz`
  const [row] = await tx.execute<{ notified: number; emailed: number }>(sql`
    with told as (
      insert into ${notifications} (id, user_id, kind, subject, title, body, link, data, created_at, updated_at)
      select gen_random_uuid()::text, r.user_id, ${input.kind}, ${input.subject}, ${input.title}, ${input.body}, ${input.link},
        ${JSON.stringify(input.data ?? {})}::jsonb, ${at}, ${at}
      from (select distinct user_id from (${input.recipients}) q(user_id)) r
      on conflict do nothing
      returning id, user_id
    ), mailed as (
      insert into ${notificationDeliveries} (id, notification_id, user_id, channel, created_at)
      select gen_random_uuid()::text, t.id, t.user_id, 'email', ${at} from told t where ${input.email}
      returning id
    ), queued as (
      insert into ${jobs} (queue, payload, run_at, singleton_key)
      select ${NOTIFICATION_EMAIL_QUEUE}, jsonb_build_object('deliveryId', m.id), ${at}, 'notification-email:' || m.id from mailed m
      returning id
    )
    select (select count(*)::int from told) as notified, (select count(*)::int from queued) as emailed`)
  return { notified: row?.notified ?? 0, emailed: row?.emailed ?? 0 }
}
