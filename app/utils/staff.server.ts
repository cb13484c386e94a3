import type { AppLoadContext } from '@remix-run/node'
import { isStaff } from '#db/access/staff'

/** The privacy officer console exists only for staff (db/access/staff.ts): everyone else, signed in or not, gets "not found". */
export function requireStaffViewer(context: AppLoadContext) {
  const viewer = context.viewer
  if (!isStaff(viewer)) throw new Response('We could not find that page.', { status: 404 })
  return viewer
}
