import { randomUUID } from 'node:crypto'
import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import { activeUserSql, blockedBetweenSql, can, clubPageVisibleSql, clubRoles, requireSignedIn } from './access/index'
import { db, type Database, type Transaction } from './client'
import { PublicError } from './errors'
import { GROUPED_EMAIL_DELAY_MS, queueEmailDelivery, queuePushDeliveries, queueTextDeliveries } from './notifications/deliveries'
import { KIND_RULES, describeNotice, type NoticeActor, type NoticeFacts, type NotificationKind, type TargetType } from './notifications/kinds'
import { mayMessage } from './privacy/index'
import { clubMembers, clubs, notifications, profiles, users } from './schema/index'
import type { Viewer } from './viewer'

/*
 * The notification centre. `notify` is called inside the transaction that makes the change
 * (a follow, an invitation, an erasure request), so a notice and its email job exist exactly
 * when the change does. It decides with db/access whether the recipient may see who did it
 * and what it is about, and checks again whenever a notice is read or mailed: a person who
 * deactivates or is erased later, or a private club the recipient has left, drops out of the
 * notice (and a notice left with no one in it drops out of the list and the count).
 *
 * Repeated events of a kind about the same target join one unread notice for a bounded
 * window ("Asha Rao and 3 others followed you"); replies and security notices are never
 * grouped (KIND_RULES).
 */

export * from './notifications/kinds'
export { listenForNotificationCounts } from './notifications/live'
export {
  NOTIFICATION_DELIVERY_RETENTION_DAYS,
  NOTIFICATION_EMAIL_QUEUE,
  NOTIFICATION_PUSH_QUEUE,
  NOTIFICATION_TEXT_QUEUE,
  claimDelivery,
  markDeliveryFailed,
  markDeliverySent,
  markDeliverySkipped,
  pruneNotificationDeliveries,
  type ClaimedDelivery,
} from './notifications/deliveries'

type Executor = Database | Transaction

export type NotifyInput = {
  recipientId: string
  kind: NotificationKind
  /** Who did it; a notice about yourself is never sent. */
  actorId?: string | null
  target?: { type: TargetType; id: string }
  /** What makes the notice unique for its kind (a request id); grouped and one-off notices get a fresh one. */
  subject?: string
  /** Facts that are not names (a date). */
  data?: Record<string, unknown>
  /** Stored words, for notices that carry their own. */
  title?: string
  body?: string
  link?: string | null
  now?: Date
  /** When the notice stops meaning anything (a reminder, once the talk starts): pushes not delivered by then are dropped. */
  expiresAt?: Date | null
}

export type NotifyResult = { id: string; grouped: boolean; emailed: boolean; pushed?: number; texted?: number } | null

const recipientViewer = (userId: string): NonNullable<Viewer> => ({ userId, role: 'member' })

/** Whether the recipient may see the actor and the target now (write time; the read does it again). */
async function mayTell(tx: Executor, input: NotifyInput) {
  const viewer = recipientViewer(input.recipientId)
  const actorId = sql`${input.actorId ?? null}::text`
  const actor = input.actorId ? sql`(${activeUserSql(actorId)} and not ${blockedBetweenSql(input.recipientId, actorId)})` : sql`true`
  const target =
    input.target?.type === 'club'
      ? sql`exists (select 1 from ${clubs} where ${clubs}.id = ${input.target.id} and ${clubPageVisibleSql(viewer)})`
      : sql`true`
  const [row] = await tx.execute<{ ok: boolean }>(sql`
    select (exists (select 1 from ${users} where id = ${input.recipientId}) and ${actor} and ${target}) as ok`)
  return Boolean(row?.ok)
}

/**
 * Tells the recipient about something that just happened, inside the transaction that made it
 * happen: an in-app notice, and an email job when the kind is mailed and the person's
 * preferences allow it (checked again when the mail is sent). Null when nothing is written: the
 * recipient may not see who or what it is about, it is about themselves, or it was told already.
 */
export async function notify(tx: Transaction, input: NotifyInput): Promise<NotifyResult> {
  if (input.actorId && input.actorId === input.recipientId) return null
  if (!(await mayTell(tx, input))) return null
  const rule = KIND_RULES[input.kind]
  const now = input.now ?? new Date()
  const actorIds = input.actorId ? [input.actorId] : []

  const groupKey = rule.groupWindowMs && input.target ? `${input.kind}:${input.target.type}:${input.target.id}` : null
  if (groupKey && rule.groupWindowMs) {
    // One writer per recipient and group at a time, so two follows at once join one notice.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`notification:${input.recipientId}:${groupKey}`}))`)
    const since = new Date(now.getTime() - rule.groupWindowMs)
    const [open] = await tx
      .select({ id: notifications.id, actorIds: notifications.actorIds })
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, input.recipientId),
          eq(notifications.groupKey, groupKey),
          isNull(notifications.readAt),
          sql`${notifications.createdAt} > ${since.toISOString()}::timestamptz`,
        ),
      )
      .orderBy(sql`${notifications.createdAt} desc`)
      .limit(1)
    if (open) {
      // The same person again (unfollow, follow) adds nothing.
      if (actorIds.every((id) => open.actorIds.includes(id))) return { id: open.id, grouped: true, emailed: false }
      await tx
        .update(notifications)
        .set({
          actorIds: sql`array_append(${notifications.actorIds}, ${input.actorId ?? null}::text)`,
          count: sql`${notifications.count} + 1`,
          updatedAt: now,
        })
        .where(eq(notifications.id, open.id))
      return { id: open.id, grouped: true, emailed: false }
    }
  }

  const id = randomUUID()
  const inserted = await tx
    .insert(notifications)
    .values({
      id,
      userId: input.recipientId,
      kind: input.kind,
      subject: input.subject ?? id,
      title: input.title ?? '',
      body: input.body ?? '',
      link: input.link ?? null,
      targetType: input.target?.type ?? null,
      targetId: input.target?.id ?? null,
      actorIds,
      groupKey,
      data: input.data ?? {},
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: notifications.id })
  if (inserted.length === 0) return null

  let emailed = false
  if (rule.email && (await mayMessage(input.recipientId, 'email', rule.category, tx))) {
    const runAt = groupKey ? new Date(now.getTime() + GROUPED_EMAIL_DELAY_MS) : now
    emailed = Boolean(await queueEmailDelivery(tx, { notificationId: id, userId: input.recipientId, runAt }))
  }
  let pushed = 0
  if ((rule.push ?? rule.email) && (await mayMessage(input.recipientId, 'push', rule.category, tx))) {
    const runAt = groupKey ? new Date(now.getTime() + GROUPED_EMAIL_DELAY_MS) : now
    pushed = await queuePushDeliveries(tx, { notificationId: id, userId: input.recipientId, runAt, expiresAt: input.expiresAt })
  }
  // Texts: only kinds that cannot wait, never grouped, each channel under its own choice.
  const texted = rule.text ? await queueTextDeliveries(tx, { notificationId: id, userId: input.recipientId, category: rule.category, runAt: now, expiresAt: input.expiresAt }) : 0
  return { id, grouped: false, emailed, pushed, texted }
}

/** Tells every member whose role manages the club's invitations (owner, admins), each with their own view. */
export async function notifyClubAdmins(tx: Transaction, input: Omit<NotifyInput, 'recipientId' | 'target'> & { clubId: string }) {
  const { clubId, ...rest } = input
  const managers = clubRoles.filter((role) => can(role, 'manage:invites'))
  const admins = await tx
    .select({ userId: clubMembers.userId })
    .from(clubMembers)
    .where(and(eq(clubMembers.clubId, clubId), inArray(clubMembers.role, managers)))
  for (const admin of admins) await notify(tx, { ...rest, recipientId: admin.userId, target: { type: 'club', id: clubId } })
}

/**
 * Takes a person out of other people's notices (erasure): their id leaves every `actor_ids`, and
 * a notice left with no one in it goes. The person's own notices go with their account.
 */
export async function forgetActor(tx: Transaction, userId: string) {
  await tx.execute(sql`
    update ${notifications} set actor_ids = array_remove(actor_ids, ${userId}), count = greatest(count - 1, 1)
    where ${userId} = any(actor_ids)`)
  await tx.execute(sql`delete from ${notifications} where cardinality(actor_ids) = 0 and kind in ${needsActorKinds()}`)
  return {}
}

/**
 * Takes one person out of another's notices (a block, either way): the actor's id leaves the
 * recipient's `actor_ids`, and a notice left with no one in it goes.
 */
export async function forgetActorFor(tx: Transaction, recipientId: string, actorId: string) {
  await tx.execute(sql`
    update ${notifications} set actor_ids = array_remove(actor_ids, ${actorId}), count = greatest(count - 1, 1)
    where user_id = ${recipientId} and ${actorId} = any(actor_ids)`)
  await tx.execute(sql`
    delete from ${notifications} where user_id = ${recipientId} and cardinality(actor_ids) = 0 and kind in ${needsActorKinds()}`)
}

const needsActorKinds = () =>
  (Object.keys(KIND_RULES) as NotificationKind[]).filter((kind) => KIND_RULES[kind].needsActor)

// ---------------------------------------------------------------- reading

/** Whether the recipient may see an actor of their notice: active, and no block between them either way. */
const actorShownSql = (viewer: NonNullable<Viewer>, actorId: SQL) =>
  sql`(${activeUserSql(actorId)} and not ${blockedBetweenSql(viewer.userId, actorId)})`

/**
 * A notice shows while its recipient may still see someone in it (a notice with people in it)
 * and what it is about (a club's page): the same rules as everywhere else, applied at read time.
 */
function visibleNoticeSql(viewer: NonNullable<Viewer>): SQL {
  return sql`(
    (cardinality(n.actor_ids) = 0 or exists (select 1 from unnest(n.actor_ids) va(id) where ${actorShownSql(viewer, sql`va.id`)}))
    and (n.target_type is distinct from 'club'
      or exists (select 1 from ${clubs} where ${clubs}.id = n.target_id and ${clubPageVisibleSql(viewer)})))`
}

export type NotificationItem = {
  id: string
  kind: string
  title: string
  body: string
  link: string | null
  count: number
  read: boolean
  createdAt: string
  updatedAt: string
}

type NoticeRow = {
  id: string
  kind: string
  title: string
  body: string
  link: string | null
  data: Record<string, unknown>
  count: number
  read_at: string | null
  created_at: string
  updated_at: string
  actors: NoticeActor[] | null
  club: { slug: string; name: string } | null
  recipient_handle: string | null
  time_zone: string | null
}

const iso = (value: string | Date) => new Date(value).toISOString()

function toItem(row: NoticeRow): NotificationItem {
  const text = describeNotice(factsOf(row), row.time_zone)
  return {
    id: row.id,
    kind: row.kind,
    ...text,
    count: row.actors && row.actors.length > 0 ? row.actors.length : row.count,
    read: row.read_at !== null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  }
}

function factsOf(row: NoticeRow): NoticeFacts {
  return {
    kind: row.kind,
    actors: row.actors ?? [],
    club: row.club,
    data: row.data,
    title: row.title,
    body: row.body,
    link: row.link,
    recipientHandle: row.recipient_handle,
  }
}

/** The notices of one person, as that person may see them now, with the words made. */
async function readNotices(viewer: NonNullable<Viewer>, where: SQL, limit: number, executor: Executor = db) {
  return executor.execute<NoticeRow>(sql`
    select n.id, n.kind, n.title, n.body, n.link, n.data, n.count, n.read_at, n.created_at, n.updated_at,
      (select json_agg(json_build_object('handle', p.handle, 'name', p.name) order by a.ord)
         from unnest(n.actor_ids) with ordinality a(id, ord)
         join ${profiles} p on p.user_id = a.id
         where ${actorShownSql(viewer, sql`a.id`)}) as actors,
      (select json_build_object('slug', ${clubs}.slug, 'name', ${clubs}.name) from ${clubs}
         where n.target_type = 'club' and ${clubs}.id = n.target_id and ${clubPageVisibleSql(viewer)}) as club,
      (select handle from ${profiles} where user_id = n.user_id) as recipient_handle,
      (select time_zone from ${users} where id = n.user_id) as time_zone
    from ${notifications} n
    where n.user_id = ${viewer.userId} and ${visibleNoticeSql(viewer)} and ${where}
    order by date_trunc('milliseconds', n.updated_at) desc, n.id desc
    limit ${limit}`)
}

const CURSOR = /^(\d{13})~([0-9a-f-]{36})$/

export type NotificationPage = { items: NotificationItem[]; next: string | null }

/** A page of the viewer's notices, newest first; `before` is the `next` of the page above. */
export async function listNotifications(viewer: Viewer, options: { limit?: number; before?: string | null } = {}): Promise<NotificationPage> {
  requireSignedIn(viewer, 'Sign in to see your notifications.')
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 100)
  let where = sql`true`
  if (options.before) {
    const match = CURSOR.exec(options.before)
    if (!match) throw new PublicError('That page of notifications does not exist.', 400)
    const at = new Date(Number(match[1])).toISOString()
    where = sql`(date_trunc('milliseconds', n.updated_at), n.id) < (${at}::timestamptz, ${match[2]})`
  }
  const rows = await readNotices(viewer, where, limit + 1)
  const items = rows.slice(0, limit).map(toItem)
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? `${new Date(last.updatedAt).getTime()}~${last.id}` : null }
}

/** How many of the viewer's notices are unread and still theirs to see. */
export async function countUnreadNotifications(viewer: Viewer): Promise<number> {
  if (!viewer) return 0
  const [row] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from ${notifications} n
    where n.user_id = ${viewer.userId} and n.read_at is null and ${visibleNoticeSql(viewer)}`)
  return row?.n ?? 0
}

/**
 * Many people's unread counts in one statement, by the same rule as countUnreadNotifications
 * (each person is the viewer of their own notices), for the bells of everyone a fan-out reached.
 */
export async function countUnreadNotificationsFor(userIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  if (userIds.length === 0) return counts
  const each = { userId: sql`u.id` as unknown as string, role: 'member' } as NonNullable<Viewer>
  const rows = await db.execute<{ id: string; n: number }>(sql`
    select u.id, (select count(*)::int from ${notifications} n
      where n.user_id = u.id and n.read_at is null and ${visibleNoticeSql(each)}) as n
    from (values ${sql.join(
      userIds.map((id) => sql`(${id}::text)`),
      sql`, `,
    )}) as u(id)`)
  for (const row of rows) counts.set(row.id, row.n)
  return counts
}

const notFound = () => new PublicError('We could not find that notification.', 404)

/** Marks one of the viewer's notices read. Anyone else's, or an unknown id, is "not found" and changes nothing. */
export async function markNotificationRead(viewer: Viewer, id: string, now = new Date()) {
  requireSignedIn(viewer, 'Sign in to see your notifications.')
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound()
  const rows = await db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, ${now.toISOString()}::timestamptz)` })
    .where(and(eq(notifications.id, id), eq(notifications.userId, viewer.userId)))
    .returning({ id: notifications.id })
  if (rows.length === 0) throw notFound()
}

/**
 * Opens one of the viewer's notices: marks it read and answers where it leads (null: nowhere).
 * Anyone else's, an unknown id, or a notice with nothing left the viewer may see is "not found".
 */
export async function openNotification(viewer: Viewer, id: string, now = new Date()) {
  requireSignedIn(viewer, 'Sign in to see your notifications.')
  if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound()
  const [row] = await readNotices(viewer, sql`n.id = ${id}`, 1)
  if (!row) throw notFound()
  await markNotificationRead(viewer, id, now)
  return toItem(row).link
}

export async function markAllNotificationsRead(viewer: Viewer, now = new Date()) {
  requireSignedIn(viewer, 'Sign in to see your notifications.')
  const rows = await db
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.userId, viewer.userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id })
  return rows.length
}

/** What a mail about a notice says, made at send time with the recipient's view; null when nothing in it may be shown. */
export async function noticeForDelivery(notificationId: string) {
  const [owner] = await db
    .select({ userId: notifications.userId, email: users.email, timeZone: users.timeZone })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .where(eq(notifications.id, notificationId))
  if (!owner) return null
  const viewer = recipientViewer(owner.userId)
  const [row] = await readNotices(viewer, sql`n.id = ${notificationId}`, 1)
  if (!row) return null
  const kind = row.kind as NotificationKind
  return {
    userId: owner.userId,
    email: owner.email,
    timeZone: owner.timeZone,
    kind,
    category: KIND_RULES[kind]?.category ?? 'service',
    facts: factsOf(row),
    text: describeNotice(factsOf(row), owner.timeZone),
  }
}
