import type { AppLoadContext } from '@remix-run/node'

/** The privacy officer console exists only for staff: everyone else, signed in or not, gets "not found". */
export function requireStaffViewer(context: AppLoadContext) {
  const viewer = context.viewer
  if (!viewer || viewer.role !== 'staff') throw new Response('We could not find that page.', { status: 404 })
  return viewer
}
