import { eq, sql } from 'drizzle-orm'
import { db, preparedStatement } from './client'
import { PublicError } from './errors'
import { users } from './schema/index'

/** The zone's canonical IANA name ("europe/stockholm" → "Europe/Stockholm"), or null if there is no such zone. */
export function knownTimeZone(zone: string | null | undefined): string | null {
  if (!zone || zone.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(zone)) return null
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: zone }).resolvedOptions().timeZone
  } catch {
    return null
  }
}

// Read on every page a signed-in person loads, beside the page frame.
const timeZoneStatement = preparedStatement((database) =>
  database
    .select({ timeZone: users.timeZone })
    .from(users)
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare('user_time_zone'),
)

/** The zone the person chose in settings, or null when they left it to their browser. */
export async function getTimeZonePreference(userId: string): Promise<string | null> {
  const [row] = await timeZoneStatement().execute({ userId })
  // A zone the time zone database has since renamed or dropped is as good as none.
  return knownTimeZone(row?.timeZone)
}

/** Keeps `zone` as the person's time zone, or forgets it (null: follow the browser). */
export async function setTimeZonePreference(userId: string, zone: string | null): Promise<string | null> {
  const canonical = zone === null ? null : knownTimeZone(zone)
  if (zone !== null && !canonical) throw new PublicError('Choose a time zone from the list.', 400, 'timeZone')
  await db.update(users).set({ timeZone: canonical }).where(eq(users.id, userId))
  return canonical
}
