import { sql, type SQL } from 'drizzle-orm'
import { activeUserSql, presentToViewerSql, talkEntrySql } from '../access/index'
import type { Transaction } from '../client'
import { clubs, jobs, notificationDeliveries, notifications, pushSubscriptions, talkRoles, talkRsvps, talks } from '../schema/index'
import type { Viewer } from '../viewer'
import { NOTIFICATION_EMAIL_QUEUE, NOTIFICATION_PUSH_QUEUE, textDeliveryCtes } from './deliveries'
import { KIND_RULES } from './kinds'
import { mayMessageSql } from '../privacy/communication'

/*
 * One notice about a talk to many people, written set-based: each batch is one statement that
 * picks the next slice of the talk's audience (those going, its co-hosts, its host), keeps those
 * who may still see the talk, inserts their notices, and records and queues the emails of those
 * whose preference allows it (checked again when each mail is sent, server/notifications/email.ts),
 * and a push to each browser they subscribed, under their push preference.
 *
 * A notice is unique per person, kind and subject (notifications_subject_key), so running a batch
 * again — a second worker, a restart after a crash — adds nothing and mails no one twice.
 */

export type TalkNoticeKind = 'talk_reminder' | 'talk_live'

export type TalkFanOut = {
  talkId: string
  kind: TalkNoticeKind
  /** Unique per person and kind: what makes this notice this one (a talk and an offset, say). */
  subject: string
  /** Facts for the words (db/notifications/kinds.ts): the talk's id, title, start. */
  data: Record<string, unknown>
  now: Date
  /** Whether the host is told too (a reminder) or not (the host opened the room). */
  includeHost: boolean
  /** A further condition on the recipient `a.user_id` (their reminder choice). */
  recipientFilter?: SQL
  /** Only these people (an RSVP made inside a reminder's window; those with Rounds open on a node). */
  onlyUserIds?: string[]
  /** After this a push is pointless (a reminder once the talk has started): its time to live ends here. */
  expiresAt?: Date
}

export type FanOutBatch = { last: string | null; seen: number; created: number; emailed: number; pushed: number; texted: number }

// The recipient as a viewer, inside the statement: the db/access predicates take the column.
const recipient = { userId: sql`a.user_id` as unknown as string, role: 'member' } as NonNullable<Viewer>

/**
 * Tells the next `limit` people of the talk's audience after `after` (by user id). `last` is the
 * cursor for the next call; null once the audience is done.
 */
export async function fanOutTalkNoticeBatch(tx: Transaction, input: TalkFanOut, after: string | null, limit: number): Promise<FanOutBatch> {
  const rule = KIND_RULES[input.kind]
  const stamp = sql`${input.now.toISOString()}::timestamptz`
  // One array parameter however many people: the statement is parsed and planned as quickly for 2,000.
  const only = input.onlyUserIds ? sql`and x.user_id = any(${sql.param(input.onlyUserIds)}::text[])` : sql``
  const host = input.includeHost ? sql`union select t.host_id from ${talks} t where t.id = ${input.talkId}` : sql``
  // Each channel under the person's choice for it, or its default (db/privacy/communication.ts).
  const emailAllowed = mayMessageSql(sql`i.user_id`, 'email', rule.category)
  // Push goes to each browser the person subscribed (server/notifications/push.ts sends).
  const pushAllowed = mayMessageSql(sql`i.user_id`, 'push', rule.category)
  const expires = input.expiresAt ? sql`, 'expiresAt', ${input.expiresAt.toISOString()}::text` : sql``
  const [row] = await tx.execute<{ last: string | null; seen: number; created: number; emailed: number; pushed: number; texted: number }>(sql`
    with audience as (
      select x.user_id from (
        select r.user_id from ${talkRsvps} r where r.talk_id = ${input.talkId}
        union select c.user_id from ${talkRoles} c where c.talk_id = ${input.talkId} and c.role = 'cohost'
        ${host}
      ) x
      where x.user_id > ${after ?? ''} ${only}
      order by x.user_id
      limit ${limit}
    ),
    told as (
      select a.user_id, t.host_id, t.club_id from audience a
      join ${talks} t on t.id = ${input.talkId}
      join ${clubs} on ${clubs}.id = t.club_id
      where ${activeUserSql(sql`a.user_id`)}
        and ${talkEntrySql(recipient, sql`t.id`)}
        and ${presentToViewerSql(recipient, sql`t.host_id`)}
        and ${input.recipientFilter ?? sql`true`}
    ),
    inserted as (
      insert into ${notifications} (id, user_id, kind, subject, target_type, target_id, actor_ids, data, created_at, updated_at)
      select gen_random_uuid()::text, told.user_id, ${input.kind}, ${input.subject}, 'club', told.club_id, array[told.host_id],
        ${JSON.stringify(input.data)}::jsonb, ${stamp}, ${stamp}
      from told
      on conflict (user_id, kind, subject) do nothing
      returning id, user_id
    ),
    deliveries as (
      insert into ${notificationDeliveries} (id, notification_id, user_id, channel, created_at)
      select gen_random_uuid()::text, i.id, i.user_id, 'email', ${stamp} from inserted i
      where ${rule.email ? emailAllowed : sql`false`}
      returning id
    ),
    queued as (
      insert into ${jobs} (queue, payload, run_at, singleton_key)
      select ${NOTIFICATION_EMAIL_QUEUE}, jsonb_build_object('deliveryId', d.id), ${stamp}, 'notification-email:' || d.id from deliveries d
      returning id
    ),
    push_deliveries as (
      insert into ${notificationDeliveries} (id, notification_id, user_id, channel, destination, created_at)
      select gen_random_uuid()::text, i.id, i.user_id, 'push', s.id, ${stamp}
      from inserted i join ${pushSubscriptions} s on s.user_id = i.user_id
      where ${pushAllowed}
      returning id
    ),
    push_queued as (
      insert into ${jobs} (queue, payload, run_at, singleton_key)
      select ${NOTIFICATION_PUSH_QUEUE}, jsonb_build_object('deliveryId', d.id ${expires}), ${stamp}, 'notification-push:' || d.id from push_deliveries d
      returning id
    ),
    ${rule.text ? textDeliveryCtes({ category: rule.category, stamp, expiresAt: input.expiresAt }) : sql`text_queued as (select null::text as id where false)`}
    select (select max(user_id) from audience) as last, (select count(*)::int from audience) as seen,
      (select count(*)::int from inserted) as created, (select count(*)::int from queued) as emailed,
      (select count(*)::int from push_queued) as pushed, (select count(*)::int from text_queued) as texted`)
  const seen = row?.seen ?? 0
  return {
    last: seen < limit ? null : (row?.last ?? null),
    seen,
    created: row?.created ?? 0,
    emailed: row?.emailed ?? 0,
    pushed: row?.pushed ?? 0,
    texted: row?.texted ?? 0,
  }
}

export const FAN_OUT_BATCH = 2000

/** The whole audience, one transaction per batch (so the first people hear while the rest are written). */
export async function fanOutTalkNotice(
  transaction: <T>(work: (tx: Transaction) => Promise<T>) => Promise<T>,
  input: TalkFanOut,
  options: { batch?: number; signal?: AbortSignal } = {},
) {
  let after: string | null = null
  let created = 0
  let emailed = 0
  let pushed = 0
  let texted = 0
  for (;;) {
    options.signal?.throwIfAborted()
    const cursor: string | null = after
    const batch: FanOutBatch = await transaction((tx): Promise<FanOutBatch> => fanOutTalkNoticeBatch(tx, input, cursor, options.batch ?? FAN_OUT_BATCH))
    created += batch.created
    emailed += batch.emailed
    pushed += batch.pushed
    texted += batch.texted
    if (batch.last === null) return { created, emailed, pushed, texted }
    after = batch.last
  }
}
