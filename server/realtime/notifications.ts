import type { Server } from 'socket.io'
import { countUnreadNotifications, listenForNotificationCounts } from '../../db/notifications'
import { rooms } from './audiences'
import type { RoundsSocket } from './types'

/*
 * The bell's count, live: a change to someone's notices is announced by the database on commit
 * (migration 0021), every node hears it, and each tells its own sockets of that person (`local`,
 * so the Redis adapter does not repeat it from every node). Changes that arrive together are
 * counted once.
 */

const GATHER_MS = 50

export type NotificationCountWatcher = { stop: () => Promise<void> }

export async function watchNotificationCounts(io: Server): Promise<NotificationCountWatcher> {
  const site = io.of('/')
  const waiting = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  async function tell(userId: string) {
    const sockets = (await site.local.in(rooms.person(userId)).fetchSockets()) as unknown as RoundsSocket[]
    const [first] = sockets
    if (!first) return
    const unread = await countUnreadNotifications({ userId, role: first.data.role })
    site.local.to(rooms.person(userId)).emit('notifications:unread', { unread })
  }

  function flush() {
    timer = undefined
    const userIds = [...waiting]
    waiting.clear()
    for (const userId of userIds) {
      tell(userId).catch((error: unknown) => {
        if (!stopped) console.error('[notifications]', error)
      })
    }
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

  const listener = await listenForNotificationCounts(changed, reconnected)
  return {
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await listener.stop()
    },
  }
}
