import { eq, inArray, sql } from 'drizzle-orm'
import { requireSignedIn } from '../access/index'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { enqueueJob } from '../jobs'
import { jobs, reminderChoices, talks } from '../schema/index'
import type { Viewer } from '../viewer'
import { fanOutTalkNotice, fanOutTalkNoticeBatch } from './fan-out'
import { DEFAULT_REMINDER_OFFSETS, isReminderOffset, REMINDER_OFFSETS, type ReminderOffset } from './reminder-offsets'

export { DEFAULT_REMINDER_OFFSETS, REMINDER_OFFSETS, type ReminderOffset } from './reminder-offsets'

/*
 * Talk reminders (docs/decisions/028-talk-reminders.md). Each talk has one scheduled job per
 * offered offset (24 hours, 1 hour, 10 minutes before it starts), keyed `talk-reminders:<talk>:<offset>`.
 * When it is due, the job works out who to remind *then*: those going, the co-hosts and the host,
 * who chose that offset, may still see the talk and are active — so a later RSVP, a removed RSVP,
 * a changed choice, a block or a deactivation count without touching the queue. A reschedule moves
 * the jobs; a cancellation deletes them. Each reminder is a notice unique per person and
 * `talk:<id>:<offset>:<start>`, so a job run twice (two workers, a restart) reminds no one twice.
 */

export const TALK_REMINDERS_QUEUE = 'talk.reminders'

const MINUTE_MS = 60_000
const isOffset = isReminderOffset
const reminderKey = (talkId: string, offset: number) => `talk-reminders:${talkId}:${offset}`
const subjectOf = (talkId: string, offset: number, startsAt: Date) => `talk:${talkId}:${offset}:${startsAt.getTime()}`

/** A person's reminder offsets: their choice, or the default. SQL for the recipient column `a.user_id`. */
const chosenOffsetsSql = sql`coalesce((select rc.offsets_minutes from ${reminderChoices} rc where rc.user_id = a.user_id), ${sql.raw(`array[${DEFAULT_REMINDER_OFFSETS.join(',')}]`)}::int[])`

// ---------------------------------------------------------------- choices

/** When the viewer wants reminding, minutes before a talk starts; the default for a visitor. */
export async function getReminderOffsets(viewer: Viewer): Promise<ReminderOffset[]> {
  if (!viewer) return [...DEFAULT_REMINDER_OFFSETS]
  const [row] = await db.select({ offsets: reminderChoices.offsetsMinutes }).from(reminderChoices).where(eq(reminderChoices.userId, viewer.userId))
  return row ? REMINDER_OFFSETS.filter((o) => row.offsets.includes(o)) : [...DEFAULT_REMINDER_OFFSETS]
}

/** Saves the viewer's choice (an empty list: no reminders). Applies to every reminder not yet sent. */
export async function setReminderOffsets(viewer: Viewer, offsets: number[]) {
  requireSignedIn(viewer, 'Sign in to choose your reminders.')
  if (!Array.isArray(offsets) || offsets.some((o) => !isOffset(o))) {
    throw new PublicError('Choose reminders from the list: 24 hours, 1 hour or 10 minutes before.', 400)
  }
  const chosen = REMINDER_OFFSETS.filter((o) => offsets.includes(o))
  await db
    .insert(reminderChoices)
    .values({ userId: viewer.userId, offsetsMinutes: chosen, updatedAt: new Date() })
    .onConflictDoUpdate({ target: reminderChoices.userId, set: { offsetsMinutes: chosen, updatedAt: new Date() } })
  return chosen
}

// ---------------------------------------------------------------- the schedule

/**
 * Queues the talk's reminder jobs whose time is still ahead (in the transaction that schedules,
 * moves or RSVPs to the talk). One already queued stays; a time already passed is not queued.
 */
export async function scheduleTalkReminders(tx: Transaction, talk: { id: string; startsAt: Date }, now = new Date()) {
  for (const offset of REMINDER_OFFSETS) {
    const runAt = new Date(talk.startsAt.getTime() - offset * MINUTE_MS)
    if (runAt <= now) continue
    await enqueueJob(tx, {
      queue: TALK_REMINDERS_QUEUE,
      payload: { talkId: talk.id, offset, startsAt: talk.startsAt.toISOString() },
      runAt,
      singletonKey: reminderKey(talk.id, offset),
    })
  }
}

/** Removes the talk's reminder jobs not yet done (a cancellation; a reschedule before queuing anew). */
export async function dropTalkReminders(tx: Transaction, talkId: string) {
  await tx.delete(jobs).where(inArray(jobs.singletonKey, REMINDER_OFFSETS.map((o) => reminderKey(talkId, o))))
}

/** A new start: the old reminders go and those ahead of the new start are queued. */
export async function moveTalkReminders(tx: Transaction, talk: { id: string; startsAt: Date }, now = new Date()) {
  await dropTalkReminders(tx, talk.id)
  await scheduleTalkReminders(tx, talk, now)
}

/**
 * An RSVP (in its transaction): the talk's reminders are queued if they were not, and someone who
 * says they are going inside the window of the shortest reminder they chose — within 10 minutes
 * of the start, say — gets that one at once. Longer ones already passed are not sent late.
 */
export async function remindOnRsvp(tx: Transaction, userId: string, talkId: string, now = new Date()) {
  const [talk] = await tx
    .select({ id: talks.id, title: talks.title, startsAt: talks.startsAt, status: talks.status })
    .from(talks)
    .where(eq(talks.id, talkId))
  if (!talk || talk.status !== 'scheduled') return
  await scheduleTalkReminders(tx, talk, now)
  if (talk.startsAt <= now) return
  const [choice] = await tx.select({ offsets: reminderChoices.offsetsMinutes }).from(reminderChoices).where(eq(reminderChoices.userId, userId))
  const offsets = choice ? choice.offsets.filter(isOffset) : [...DEFAULT_REMINDER_OFFSETS]
  const shortest = Math.min(...offsets)
  if (!Number.isFinite(shortest) || talk.startsAt.getTime() - shortest * MINUTE_MS > now.getTime()) return
  await fanOutTalkNoticeBatch(tx, reminderFanOut(talk, shortest, now, userId), null, 1)
}

function reminderFanOut(talk: { id: string; title: string; startsAt: Date }, offset: number, now: Date, onlyUserId?: string) {
  return {
    talkId: talk.id,
    kind: 'talk_reminder' as const,
    subject: subjectOf(talk.id, offset, talk.startsAt),
    data: {
      talkId: talk.id,
      title: talk.title,
      startsAt: talk.startsAt.toISOString(),
      offset,
      minutesLeft: Math.round((talk.startsAt.getTime() - now.getTime()) / MINUTE_MS),
    },
    now,
    includeHost: true,
    recipientFilter: sql`${offset}::int = any(${chosenOffsetsSql})`,
    onlyUserIds: onlyUserId ? [onlyUserId] : undefined,
    // A reminder pushed after the start helps no one.
    expiresAt: talk.startsAt,
  }
}

/**
 * The `talk.reminders` job: reminds everyone due this offset's reminder. Nothing when the talk
 * has moved since (its own job, moved with it, does that), opened, ended, been cancelled or
 * already started (a reminder after the start helps no one).
 */
export async function sendTalkReminders(payload: Record<string, unknown>, now: Date, signal?: AbortSignal) {
  const talkId = String(payload.talkId)
  const offset = Number(payload.offset)
  const startsAt = new Date(String(payload.startsAt))
  if (!/^[0-9a-f-]{36}$/i.test(talkId) || !isOffset(offset) || Number.isNaN(startsAt.getTime())) return { created: 0, emailed: 0, pushed: 0 }
  const [talk] = await db
    .select({ id: talks.id, title: talks.title, startsAt: talks.startsAt, status: talks.status, cancelledAt: talks.cancelledAt })
    .from(talks)
    .where(eq(talks.id, talkId))
  if (!talk || talk.status !== 'scheduled' || talk.cancelledAt) return { created: 0, emailed: 0, pushed: 0 }
  if (talk.startsAt.getTime() !== startsAt.getTime() || talk.startsAt <= now) return { created: 0, emailed: 0, pushed: 0 }
  return fanOutTalkNotice((work) => db.transaction(work), reminderFanOut(talk, offset, now), { signal })
}
