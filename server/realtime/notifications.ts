import type { Server } from 'socket.io'
import { countUnreadNotificationsFor, listenForNotificationCounts } from '../../db/notifications'
import { listenForTalksGoingLive, sendLiveNow } from '../../db/notifications/live-now'
import { rooms } from './audiences'
import type { RoundsSocket } from './types'

/*
 * The bell's count, live: a change to someone's notices is announced by the database on commit
 * (migration 0021), every node hears it, and each tells its own sockets of that person (`local`,
 * so the Redis adapter does not repeat it from every node). Changes that arrive together are
 * counted once, everyone's in one statement.
 *
 * When a talk opens anywhere, this node writes the "live now" notices of the people connected to
 * it straight away, before the job reaches them in its pass through the whole audience
 * (db/notifications/live-now.ts): those looking at Rounds see it within the second.
 */

const GATHER_MS = 50
/** People counted in one statement: a talk going live changes thousands of bells at once. */
const COUNT_BATCH = 1000

export type NotificationCountWatcher = { stop: () => Promise<void> }

export async function watchNotificationCounts(io: Server): Promise<NotificationCountWatcher> {
  const site = io.of('/')
  const waiting = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  /** Counts for everyone waiting who has a socket on this node, in statements of up to COUNT_BATCH people. */
  async function tell(userIds: Set<string>) {
    const here = new Set<string>()
    for (const socket of site.sockets.values()) {
      const userId = (socket as unknown as RoundsSocket).data.userId
      if (userIds.has(userId)) here.add(userId)
    }
    const people = [...here]
    for (let i = 0; i < people.length; i += COUNT_BATCH) {
      const counts = await countUnreadNotificationsFor(people.slice(i, i + COUNT_BATCH))
      for (const [userId, unread] of counts) site.local.to(rooms.person(userId)).emit('notifications:unread', { unread })
    }
  }

  function flush() {
    timer = undefined
    const userIds = new Set(waiting)
    waiting.clear()
    tell(userIds).catch((error: unknown) => {
      if (!stopped) console.error('[notifications]', error)
    })
  }

  function changed(userId: string) {
    if (stopped) return
    waiting.add(userId)
    timer ??= setTimeout(flush, GATHER_MS)
  }

  // After a lost connection, whoever is here may have missed a change: everyone is told afresh.
  function reconnected() {
    for (const socket of site.sockets.values()) changed((socket as unknown as RoundsSocket).data.userId)
  }

  const connectedFirst = new Set<Promise<unknown>>()
  function talkWentLive(announcement: { talkId: string; openedBy: string }) {
    if (stopped) return
    const here = new Set<string>()
    for (const socket of site.sockets.values()) {
      const userId = (socket as unknown as RoundsSocket).data.userId
      if (userId) here.add(userId)
    }
    if (here.size === 0) return
    const telling = sendLiveNow(announcement, new Date(), undefined, [...here]).catch((error: unknown) => {
      // The job still tells everyone; these people only hear a little later.
      if (!stopped) console.error('[notifications] Telling the people connected here that a talk is live failed:', error)
    })
    connectedFirst.add(telling)
    void telling.finally(() => connectedFirst.delete(telling))
  }

  const listener = await listenForNotificationCounts(changed, reconnected)
  const goingLive = await listenForTalksGoingLive(talkWentLive)
  return {
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await Promise.allSettled([...connectedFirst])
      await goingLive.stop()
      await listener.stop()
    },
  }
}
