import { sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { doctorVerifications } from '../schema/index'
import { qualified } from '../sql'

/** Days a verified doctor keeps the badge after re-verification falls due (decision 025). */
export const REVERIFY_GRACE_DAYS = 90

/**
 * The person shows the "Verified doctor" badge at `at`: verified, and not past the grace after
 * re-verification fell due. The SQL twin of db/verification.ts `stateOf` + `showsBadge`, for
 * filters and rules that run in the database (search's "verified doctors only", posting limits).
 */
export function verifiedDoctorSql(userId: AnyPgColumn | SQL, at: Date | 'now'): SQL {
  return sql`exists (select 1 from ${doctorVerifications} dv where ${showingBadge(userId, at)})`
}

function showingBadge(userId: AnyPgColumn | SQL, at: Date | 'now'): SQL {
  const instant = at === 'now' ? sql`now()` : sql`${at.toISOString()}::timestamptz`
  return sql`dv.user_id = ${qualified(userId)} and dv.status = 'verified'
    and (dv.reverify_due_at is null or dv.reverify_due_at + make_interval(days => ${REVERIFY_GRACE_DAYS}) > ${instant})`
}

/** What the badge says, as JSON (`{ council, regulatorName, since }`), or null when it does not show. */
export type BadgeFacts = { council: string; regulatorName: string | null; since: number }

export function verifiedBadgeSql(userId: AnyPgColumn | SQL): SQL {
  return sql`(select json_build_object('council', dv.council, 'regulatorName', dv.regulator_name, 'since', dv.registration_year)
    from ${doctorVerifications} dv where ${showingBadge(userId, 'now')})`
}
