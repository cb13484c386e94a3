import { randomUUID } from 'node:crypto'
import { desc, eq, sql } from 'drizzle-orm'
import { db, preparedSql } from './client'
import { analyticsAllowedSql } from './privacy/index'
import { activityEvents } from './schema/index'
import type { Viewer } from './viewer'

export type ActivityKind = 'profile.view' | 'talk.view'

// Runs on every profile and talk view, so it is rendered once (a missing consent id is null).
const recordActivityStatement = preparedSql<{ id: string }>(() => {
  const userId = sql.placeholder('userId') as unknown as string
  const consentId = sql.placeholder('consentId') as unknown as string
  return sql`
    insert into ${activityEvents} (id, user_id, kind, subject)
    select ${sql.placeholder('id')}, ${userId}, ${sql.placeholder('kind')}, ${sql.placeholder('subject')}
    where ${analyticsAllowedSql(userId, consentId)}
    returning id`
})

/**
 * Keeps one activity event (a page view) for analytics — only when the person
 * accepted performance (analytics) cookies and has not objected to analytics.
 * Otherwise nothing at all is written. Visitors are never recorded. The check
 * and the insert are one statement, so a withdrawal cannot slip between them.
 * Returns whether the event was kept.
 */
export async function recordActivity(
  viewer: Viewer,
  kind: ActivityKind,
  subject: string,
  consentId?: string | null,
): Promise<boolean> {
  if (!viewer) return false
  const rows = await recordActivityStatement({
    id: randomUUID(),
    userId: viewer.userId,
    kind,
    subject: subject.slice(0, 200),
    consentId: consentId ?? null,
  })
  return rows.length > 0
}

export async function listActivity(userId: string, limit = 100) {
  return db
    .select({ kind: activityEvents.kind, subject: activityEvents.subject, createdAt: activityEvents.createdAt })
    .from(activityEvents)
    .where(eq(activityEvents.userId, userId))
    .orderBy(desc(activityEvents.createdAt))
    .limit(limit)
}
