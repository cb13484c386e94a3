import { rawSql } from '../client'

/** The channel a change to someone's notices is announced on, with their user id (migration 0021). */
export const NOTIFICATION_COUNTS_CHANNEL = 'rounds_notification_counts'

/**
 * Calls `onChange(userId)` for each person whose notices changed, once the change commits, and
 * `onReconnect` each time the listening connection is (re)established: changes announced while it
 * was down are lost, so the caller then refreshes whoever it serves.
 */
export async function listenForNotificationCounts(onChange: (userId: string) => void, onReconnect: () => void): Promise<{ stop: () => Promise<void> }> {
  const { unlisten } = await rawSql().listen(NOTIFICATION_COUNTS_CHANNEL, (userId) => onChange(userId), onReconnect)
  return { stop: () => unlisten() }
}
