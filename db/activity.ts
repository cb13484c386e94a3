import { randomUUID } from 'node:crypto'
import { desc, eq, sql } from 'drizzle-orm'
import { db } from './client'
import { analyticsAllowedSql } from './privacy'
import { activityEvents } from './schema/index'
import type { Viewer } from './viewer'

export type ActivityKind = 'profile.view' | 'talk.view'

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
  const rows = await db.execute<{ id: string }>(sql`
    insert into ${activityEvents} (id, user_id, kind, subject)
    select ${randomUUID()}, ${viewer.userId}, ${kind}, ${subject.slice(0, 200)}
    where ${analyticsAllowedSql(viewer.userId, consentId)}
    returning id`)
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
