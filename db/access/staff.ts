import { PublicError } from '../errors'
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
