import { remember } from '@epic-web/remember'
import { and, eq, isNull, lt, or } from 'drizzle-orm'
import { db } from './client'
import { listSessions, type DeviceSession } from './sessions'
import { sessions } from './schema/index'

/** A session on the devices page, with when a page was last loaded with it (null: not since it began). */
export type SeenDeviceSession = DeviceSession & { lastSeenAt: Date | null }

/** The user's live sessions as `listSessions` gives them, each with when it was last seen. */
export async function listDeviceSessions(
  userId: string,
  options: { currentSessionId?: string | null; now?: Date } = {},
): Promise<SeenDeviceSession[]> {
  const [list, seen] = await Promise.all([
    listSessions(userId, options),
    db.select({ publicId: sessions.publicId, lastSeenAt: sessions.lastSeenAt }).from(sessions).where(eq(sessions.userId, userId)),
  ])
  const lastSeen = new Map(seen.map((s) => [s.publicId, s.lastSeenAt]))
  return list.map((s) => ({ ...s, lastSeenAt: lastSeen.get(s.publicId) ?? null }))
}

/** "Last seen" is kept to this precision, so a busy session writes at most once per interval. */
export const LAST_SEEN_PRECISION_MS = 5 * 60 * 1000

// Sessions this process marked lately: most page loads then cost no write at all.
const markedAt = remember('rounds:session-seen', () => new Map<string, number>())

/** Notes that a page was loaded with this session (its stored id), at most once per LAST_SEEN_PRECISION_MS. */
export async function markSessionSeen(sessionId: string, now = new Date()): Promise<void> {
  const last = markedAt.get(sessionId)
  if (last !== undefined && now.getTime() - last < LAST_SEEN_PRECISION_MS) return
  if (markedAt.size > 50_000) markedAt.clear()
  markedAt.set(sessionId, now.getTime())
  const staleBefore = new Date(now.getTime() - LAST_SEEN_PRECISION_MS)
  await db
    .update(sessions)
    .set({ lastSeenAt: now })
    .where(and(eq(sessions.id, sessionId), or(isNull(sessions.lastSeenAt), lt(sessions.lastSeenAt, staleBefore))))
}
