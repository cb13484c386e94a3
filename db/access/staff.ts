import { and, eq } from 'drizzle-orm'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { staffDuties } from '../schema/index'
import type { Viewer } from '../viewer'

/** A signed-in member of Rounds' own staff (the privacy officer console). */
export type StaffViewer = NonNullable<Viewer> & { role: 'staff' }

export function isStaff(viewer: Viewer): viewer is StaffViewer {
  return viewer?.role === 'staff'
}

/** Staff pages exist only for staff: everyone else, signed in or not, is told there is no such page. */
export function requireStaff(viewer: Viewer): asserts viewer is StaffViewer {
  if (!isStaff(viewer)) throw new PublicError('We could not find that page.', 404)
}

/** A duty beyond the privacy console, held by staff only (table staff_duties). */
export type StaffDuty = (typeof staffDuties.$inferSelect)['duty']

/** Whether the viewer is staff and holds the duty: a duty left on an account no longer staff counts for nothing. */
export async function hasStaffDuty(viewer: Viewer, duty: StaffDuty, executor: Database | Transaction = db): Promise<boolean> {
  if (!isStaff(viewer)) return false
  const [row] = await executor
    .select({ duty: staffDuties.duty })
    .from(staffDuties)
    .where(and(eq(staffDuties.userId, viewer.userId), eq(staffDuties.duty, duty)))
  return Boolean(row)
}

/**
 * Who may review doctors' registrations: staff with the `verifier` duty. Everyone else is told
 * there is no such page, as for every staff page.
 */
export async function requireVerifier(viewer: Viewer, executor: Database | Transaction = db): Promise<StaffViewer> {
  if (!(await hasStaffDuty(viewer, 'verifier', executor))) throw new PublicError('We could not find that page.', 404)
  return viewer as StaffViewer
}
