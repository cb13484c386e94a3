import { eq, sql } from 'drizzle-orm'
import { db, rawSql, type Transaction } from '../client'
import { enqueueJob } from '../jobs'
import { talks } from '../schema/index'
import { FAN_OUT_BATCH, fanOutTalkNotice } from './fan-out'

/*
 * "Talk is live now" (docs/decisions/028-talk-reminders.md). Opening the room queues one job in
 * its own transaction and wakes the job runners; a worker then writes the notices in set-based
 * batches (db/notifications/fan-out.ts), so opening a room with 20,000 people going answers as
 * fast as opening an empty one. The bell of each person's open pages updates from the database
 * trigger on `notifications` (migration 0021).
 *
 * People with Rounds open hear first: the opening also announces the talk on TALK_LIVE_CHANNEL, and
 * every node writes the notices of the people connected to it at once (sendLiveNowTo), in one
 * batch, while the job works through the whole audience in order. A notice is unique per person,
 * so whoever writes it first wins and no one is told or mailed twice
 * (docs/decisions/036-live-now-connected-first.md).
 */

export const TALK_LIVE_QUEUE = 'talk.live-now'

/** Runners listen on this channel and look for due jobs at once, not at their next poll. */
export const JOBS_DUE_CHANNEL = 'rounds_jobs_due'

/** Every node hears which talk just opened, to tell its own connected people first. */
export const TALK_LIVE_CHANNEL = 'rounds_talk_live'

/** In the transaction that opens the room: one job for the whole audience. */
export async function enqueueLiveNow(tx: Transaction, input: { talkId: string; openedBy: string; now?: Date }) {
  const now = input.now ?? new Date()
  await enqueueJob(tx, {
    queue: TALK_LIVE_QUEUE,
    payload: { talkId: input.talkId, openedBy: input.openedBy, openedAt: now.toISOString() },
    runAt: now,
    singletonKey: `talk-live:${input.talkId}`,
  })
  // Delivered on commit, so a runner never looks before the job is there.
  await tx.execute(sql`select pg_notify(${JOBS_DUE_CHANNEL}, ${TALK_LIVE_QUEUE})`)
  await tx.execute(sql`select pg_notify(${TALK_LIVE_CHANNEL}, ${JSON.stringify({ talkId: input.talkId, openedBy: input.openedBy })})`)
}

/**
 * The `talk.live-now` job: tells those going, the co-hosts and the host — not whoever opened the
 * room — that the talk is live. Nothing once the talk has ended: joining is no longer possible.
 */
export async function sendLiveNow(payload: Record<string, unknown>, now: Date, signal?: AbortSignal, onlyUserIds?: string[]) {
  const talkId = String(payload.talkId)
  const openedBy = String(payload.openedBy)
  const none = { created: 0, emailed: 0, pushed: 0, texted: 0 }
  if (!/^[0-9a-f-]{36}$/i.test(talkId) || onlyUserIds?.length === 0) return none
  const [talk] = await db.select({ id: talks.id, title: talks.title, status: talks.status }).from(talks).where(eq(talks.id, talkId))
  if (!talk || talk.status !== 'live') return none
  const input = {
    talkId: talk.id,
    kind: 'talk_live' as const,
    subject: `talk:${talk.id}:live`,
    data: { talkId: talk.id, title: talk.title },
    now,
    includeHost: true,
    recipientFilter: sql`a.user_id <> ${openedBy}`,
  }
  const transaction = <T>(work: (tx: Transaction) => Promise<T>) => db.transaction(work)
  if (!onlyUserIds) return fanOutTalkNotice(transaction, input, { signal })
  // Named people: a statement per batch of them, so the list never outgrows a statement's parameters.
  const total = { ...none }
  for (let i = 0; i < onlyUserIds.length; i += FAN_OUT_BATCH) {
    const chunk = onlyUserIds.slice(i, i + FAN_OUT_BATCH)
    const told = await fanOutTalkNotice(transaction, { ...input, onlyUserIds: chunk }, { signal, batch: chunk.length })
    total.created += told.created
    total.emailed += told.emailed
    total.pushed += told.pushed
  }
  return total
}

/**
 * Calls `onLive` with each talk opened on any node (on commit), so this node can tell the people
 * connected to it first: `sendLiveNow(announcement, now, undefined, theirIds)`.
 */
export async function listenForTalksGoingLive(onLive: (announcement: { talkId: string; openedBy: string }) => void): Promise<{ stop: () => Promise<void> }> {
  const { unlisten } = await rawSql().listen(TALK_LIVE_CHANNEL, (payload) => {
    try {
      const parsed = JSON.parse(payload) as { talkId?: unknown; openedBy?: unknown }
      if (typeof parsed.talkId === 'string' && typeof parsed.openedBy === 'string') onLive({ talkId: parsed.talkId, openedBy: parsed.openedBy })
    } catch {
      // Not ours: the channel carries only what enqueueLiveNow sends.
    }
  })
  return { stop: () => unlisten() }
}

/** Calls `onDue(queue)` when a job that should not wait for the next poll is queued (on commit). */
export async function listenForDueJobs(onDue: (queue: string) => void): Promise<{ stop: () => Promise<void> }> {
  const { unlisten } = await rawSql().listen(JOBS_DUE_CHANNEL, (queue) => onDue(queue))
  return { stop: () => unlisten() }
}
