import type { Namespace, Server } from 'socket.io'
import {
  latestAccessChangeId,
  listenForAccessChanges,
  pruneAccessChanges,
  readAccessChangesAfter,
  talksOfClub,
  type RecordedAccessChange,
} from '../../db/access-changes'
import { canEnterClubRoom } from '../../db/access/index'
import { talkStanding, type TalkStanding } from '../../db/live'
import { rooms } from './audiences'
import type { LiveRoom, SocketData } from './types'

/*
 * Carries access changes (db/access-changes.ts) to this node's open sockets. Every node reads
 * every row: woken by Postgres NOTIFY as a change commits, and by a poll in case a notice was
 * lost. For each change it re-checks the sockets of the people concerned with the rules of a
 * join (talkStanding, canEnterClubRoom) and moves them: out of a talk they may no longer
 * follow (told why, their stay closed), into or out of its hosts' room, out of a club's room;
 * or it closes them (sign-out, deactivation, erasure).
 */

export type AccessChangeWatcher = {
  /** Reads and applies whatever has committed since the last read (tests call it to wait). */
  drain: () => Promise<void>
  stop: () => Promise<void>
}

type Options = {
  /** The fallback poll, for notices lost while the listening connection was down. */
  pollMs?: number
  pruneMs?: number
  /**
   * How long a missing id is waited for. Ids are taken when rows are written, so a transaction
   * still open holds an id below rows already committed; it is read once it commits. An id
   * still missing after this belonged to a transaction that rolled back.
   */
  gapMs?: number
  log?: (message: string, error?: unknown) => void
}

type SocketLike = { id: string; rooms: Set<string>; data: SocketData; leave: (room: string) => unknown; emit: (event: string, payload: unknown) => unknown }

const STANDING_CONCURRENCY = 8

const watchers = new WeakMap<Server, AccessChangeWatcher>()

/** The watcher of a realtime server (tests drain it, or stop a second node's). */
export function accessChangeWatcher(io: Server) {
  return watchers.get(io)
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work))
}

export async function watchAccessChanges(
  io: Server,
  liveRoom: LiveRoom,
  options: Options = {},
): Promise<AccessChangeWatcher> {
  const pollMs = options.pollMs ?? 1000
  const gapMs = options.gapMs ?? 30_000
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[rounds] ${message}`, error ?? ''))
  const root = io.of('/')
  const live = io.of('/live')

  /** Every id up to here is handled (or given up as rolled back). */
  let floor = await latestAccessChangeId()
  /** Ids above the floor already handled. */
  const handled = new Set<number>()
  /** Ids above the floor not seen yet, and since when. */
  const missing = new Map<number, number>()

  function advanceFloor(now: number) {
    const top = Math.max(floor, ...handled)
    for (let id = floor + 1; id <= top; id++) if (!handled.has(id) && !missing.has(id)) missing.set(id, now)
    while (floor < top) {
      const next = floor + 1
      const since = missing.get(next)
      if (!handled.has(next) && since !== undefined && now - since < gapMs) break
      handled.delete(next)
      missing.delete(next)
      floor = next
    }
  }

  const localSockets = (nsp: Namespace, userId: string | null) =>
    [...nsp.sockets.values()].filter((socket) => userId === null || socket.data.userId === userId) as unknown as SocketLike[]

  /** Re-checks sockets in talks' rooms: stay (re-placed as moderator or not) or leave. */
  async function recheckTalks(userId: string | null, pickTalks: (talks: string[]) => Promise<Set<string>>) {
    const sockets = localSockets(live, userId).flatMap((socket) => {
      const control = liveRoom.socketControl(socket.id)
      return control ? [{ socket, control, talks: control.talks() }] : []
    })
    const concerned = await pickTalks([...new Set(sockets.flatMap((s) => s.talks))])
    if (concerned.size === 0) return
    const standings = new Map<string, Promise<TalkStanding>>()
    const standingOf = (socket: SocketLike, talk: string) => {
      const key = `${socket.data.userId} ${talk}`
      let standing = standings.get(key)
      if (!standing) {
        standing = talkStanding({ userId: socket.data.userId, role: socket.data.role }, talk)
        standings.set(key, standing)
      }
      return standing
    }
    const moves = sockets.flatMap(({ socket, control, talks }) => talks.filter((talk) => concerned.has(talk)).map((talk) => ({ socket, control, talk })))
    await inBatches(moves, STANDING_CONCURRENCY, async ({ socket, control, talk }) => {
      const standing = await standingOf(socket, talk)
      if (standing.mayEnter) await control.setModerator(talk, standing.moderator)
      else await control.remove(talk, standing.message)
    })
  }

  async function recheckClubRoom(clubId: string, userId: string | null) {
    const room = rooms.club(clubId)
    const sockets = localSockets(root, userId).filter((socket) => socket.rooms.has(room))
    await inBatches(sockets, STANDING_CONCURRENCY, async (socket) => {
      if (await canEnterClubRoom({ userId: socket.data.userId, role: socket.data.role }, clubId)) return
      await socket.leave(room)
      socket.emit('club:removed', { clubId, message: 'You can no longer follow this club’s updates.' })
    })
  }

  async function apply(change: RecordedAccessChange) {
    switch (change.kind) {
      case 'session':
      case 'user': {
        const room = change.kind === 'session' ? rooms.session(change.sessionId!) : rooms.person(change.userId!)
        // Each node closes its own sockets (every node reads every row).
        root.local.in(room).disconnectSockets(true)
        live.local.in(room).disconnectSockets(true)
        return
      }
      case 'talk': {
        const talkId = change.talkId
        if (!talkId) return
        await recheckTalks(change.userId, async (talks) => new Set(talks.includes(talkId) ? [talkId] : []))
        return
      }
      case 'club': {
        const clubId = change.clubId
        if (!clubId) return
        await recheckTalks(change.userId, async (talks) => new Set(await talksOfClub(clubId, talks)))
        await recheckClubRoom(clubId, change.userId)
        return
      }
    }
  }

  let running: Promise<void> | null = null
  let again = false
  let stopped = false
  let unreadable = false

  async function drainOnce() {
    for (;;) {
      const rows = await readAccessChangesAfter(floor, 500)
      for (const row of rows) {
        if (handled.has(row.id)) continue
        try {
          await apply(row)
        } catch (error) {
          // A failed re-check is not retried forever: the next change, or a join, checks again.
          if (!stopped) log('Applying an access change to open sockets failed.', error)
        }
        handled.add(row.id)
      }
      advanceFloor(Date.now())
      if (rows.length < 500 || stopped) return
    }
  }

  /** One drain at a time; a wake-up during one runs another after it, so nothing is skipped. */
  function drain(): Promise<void> {
    if (stopped) return Promise.resolve()
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      try {
        do {
          again = false
          await drainOnce()
        } while (again && !stopped)
        unreadable = false
      } catch (error) {
        // The next wake-up or poll reads again from the same place; an outage is logged once.
        if (!stopped && !unreadable) log('Access changes could not be read; trying again every second.', error)
        unreadable = true
      } finally {
        running = null
      }
    })()
    return running
  }

  const listener = await listenForAccessChanges(() => void drain())
  const poll = setInterval(() => void drain(), pollMs)
  const prune = setInterval(() => {
    pruneAccessChanges().catch((error: unknown) => {
      if (!stopped) log('Old access changes could not be pruned.', error)
    })
  }, options.pruneMs ?? 10 * 60 * 1000)
  poll.unref()
  prune.unref()

  const watcher: AccessChangeWatcher = {
    drain: async () => {
      await drain()
      // A drain already under way may have read before the latest commit: read once more.
      await drain()
    },
    async stop() {
      stopped = true
      clearInterval(poll)
      clearInterval(prune)
      await listener.stop().catch(() => {})
      await running
    },
  }
  watchers.set(io, watcher)
  // However the server is closed (closeRealtime, or io.close() alone), stop reading with it.
  io.httpServer?.once('close', () => void watcher.stop())
  return watcher
}
