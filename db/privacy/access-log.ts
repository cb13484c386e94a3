import { sql, type SQL } from 'drizzle-orm'
import { requireStaff } from '../access/staff'
import { db } from '../client'
import { PublicError } from '../errors'
import { dataRequests, personalDataAccessLog, profiles } from '../schema/index'
import type { Viewer } from '../viewer'

/*
 * Every time staff opened someone's personal data (personal_data_access_log, written by
 * db/data-rights/staff-console.ts): who, whose, when, why and for which request. The person
 * sees their own rows on Settings → Your data; the privacy office sees everyone's here.
 */

export type AccessLogFilter = {
  /** A staff member's handle. */
  staff?: string | null
  /** The person whose data was opened, by handle. */
  person?: string | null
  /** Days, inclusive, as instants (the route turns the officer's dates into them). */
  from?: Date | null
  to?: Date | null
}

export type AccessLogRow = {
  id: string
  viewedAt: Date
  staff: { handle: string; name: string } | null
  person: { handle: string; name: string } | null
  reason: string
  request: { id: string; kind: string } | null
}

const PAGE = 200

async function userIdByHandle(handle: string, field: string, label: string) {
  const clean = handle.trim().replace(/^@/, '').toLowerCase()
  const [row] = await db.select({ userId: profiles.userId }).from(profiles).where(sql`lower(${profiles.handle}) = ${clean}`)
  if (!row) throw new PublicError(`No ${label} has the handle @${clean.slice(0, 40)}.`, 400, field)
  return row.userId
}

/** The newest 200 views that match the filter. */
export async function listStaffAccessLog(viewer: Viewer, filter: AccessLogFilter = {}): Promise<{ rows: AccessLogRow[]; more: boolean }> {
  requireStaff(viewer)
  const where: SQL[] = []
  if (filter.staff) where.push(sql`l.staff_id = ${await userIdByHandle(filter.staff, 'staff', 'member of staff')}`)
  if (filter.person) where.push(sql`l.subject_user_id = ${await userIdByHandle(filter.person, 'person', 'doctor')}`)
  if (filter.from) where.push(sql`l.viewed_at >= ${filter.from.toISOString()}::timestamptz`)
  if (filter.to) where.push(sql`l.viewed_at < ${filter.to.toISOString()}::timestamptz`)
  if (filter.from && filter.to && filter.from.getTime() >= filter.to.getTime()) throw new PublicError('The “to” date must be on or after the “from” date.', 400, 'to')
  const rows = await db.execute<{
    id: string
    viewed_at: string | Date
    staff_handle: string | null
    staff_name: string | null
    person_handle: string | null
    person_name: string | null
    reason: string
    request_id: string | null
    request_kind: string | null
  }>(sql`
    select l.id, l.viewed_at, sp.handle as staff_handle, sp.name as staff_name, pp.handle as person_handle, pp.name as person_name,
      l.reason, r.id as request_id, r.kind::text as request_kind
    from ${personalDataAccessLog} l
    left join ${profiles} sp on sp.user_id = l.staff_id
    left join ${profiles} pp on pp.user_id = l.subject_user_id
    left join ${dataRequests} r on r.id = l.request_id
    where ${where.length ? sql.join(where, sql` and `) : sql`true`}
    order by l.viewed_at desc, l.id desc
    limit ${PAGE + 1}`)
  return {
    more: rows.length > PAGE,
    rows: rows.slice(0, PAGE).map((r) => ({
      id: r.id,
      viewedAt: new Date(r.viewed_at),
      staff: r.staff_handle ? { handle: r.staff_handle, name: r.staff_name ?? '' } : null,
      person: r.person_handle ? { handle: r.person_handle, name: r.person_name ?? '' } : null,
      reason: r.reason,
      request: r.request_id && r.request_kind ? { id: r.request_id, kind: r.request_kind } : null,
    })),
  }
}
