import type { SubmissionResult } from '@conform-to/react'
import type { AppLoadContext } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import type { ClubPermission } from '#db/access/club-permissions'
import { getClubPage } from '#db/clubs'
import { PublicError } from '#db/errors'
import { requireUser } from '~/utils/auth.server'
import { ADMIN_SECTIONS, type AdminSectionPath, opensAdminPage, orErrorPage } from '~/utils/club-forms'

type RouteArgs = { request: Request; params: { slug?: string }; context: AppLoadContext }

/**
 * The signed-in admin of the club in the address, for a page of its admin: a visitor is sent to
 * sign in, a club they cannot see is 404, and someone without a permission of the section is 403.
 * Each data-layer call checks its own permission again.
 */
export async function requireClubAdmin({ request, params, context }: RouteArgs, section?: AdminSectionPath) {
  const { viewer, userId } = requireUser(context, request)
  const slug = params.slug ?? ''
  const page = await orErrorPage(getClubPage(viewer, slug))
  if (!opensAdminPage(page.permissions)) throw new Response('Only the club’s admins can open this page.', { status: 403 })
  const needs: readonly ClubPermission[] = section ? (ADMIN_SECTIONS.find((s) => s.path === section)?.needs ?? []) : []
  if (section && !needs.some((p) => page.permissions.includes(p))) {
    throw new Response('Your role in this club does not open this part of its admin.', { status: 403 })
  }
  const has = (permission: ClubPermission) => page.permissions.includes(permission)
  return { viewer, userId, slug: page.club.slug, page, has }
}

/** After an admin action: back to its section, with the notice that says what happened. */
export function redirectWithNotice(slug: string, section: AdminSectionPath, notice: string, details: Record<string, string> = {}) {
  // `at` changes on every success, so the section's forms start empty again.
  const query = new URLSearchParams({ notice, ...details, at: Date.now().toString(36) })
  return redirect(`/c/${slug}/admin/${section}?${query}`)
}

/**
 * A refusal from the data layer as the form's reply: beside the field it names when the form has
 * that field, otherwise for the whole form. Anything but a PublicError is a fault and is thrown.
 */
export function refusalReply(
  submission: { reply: (options?: { formErrors?: string[]; fieldErrors?: Record<string, string[]> }) => SubmissionResult<string[]> },
  error: unknown,
  fields: readonly string[] = [],
) {
  if (!(error instanceof PublicError)) throw error
  const reply =
    error.field && fields.includes(error.field)
      ? submission.reply({ fieldErrors: { [error.field]: [error.message] } })
      : submission.reply({ formErrors: [error.message] })
  return json(reply, { status: error.status })
}
