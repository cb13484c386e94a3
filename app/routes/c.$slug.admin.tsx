import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { NavLink, Outlet, useLoaderData } from '@remix-run/react'
import { PHOTO_MAX_BYTES } from '#server/uploads'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/utils/auth.server'
import { requireClubAdmin } from '~/utils/club-admin.server'
import { adminSectionsFor, type AdminSectionPath } from '~/utils/club-forms'
import { readUploadForm } from '~/utils/form.server'

/*
 * The club admin: a section navigation over one nested route per section
 * (c.$slug.admin.members, .invites, .settings, .audit), each with its own action.
 */

export const meta: MetaFunction = () => [{ title: 'Club admin — Rounds' }, { name: 'robots', content: 'noindex' }]

export async function loader(args: LoaderFunctionArgs) {
  const { slug, page } = await requireClubAdmin(args)
  return json({ slug, sections: adminSectionsFor(page.permissions).map(({ path, label }) => ({ path, label })) })
}

/** Where each form the admin page used to answer on its own address is answered now. */
const sectionOfIntent: Record<string, AdminSectionPath> = {
  'change-role': 'members',
  remove: 'members',
  ban: 'members',
  'lift-ban': 'members',
  invite: 'invites',
  'cancel-invitation': 'invites',
  'create-link': 'invites',
  'revoke-link': 'invites',
  'rotate-link': 'invites',
  'edit-club': 'settings',
  transfer: 'settings',
}

/**
 * A form from a page loaded before the admin had sections still posts here. A 307 sends the
 * browser (and Remix's client, which keeps the method and form) on to the section that answers it.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  requireUser(context, request)
  const form = await readUploadForm(request, { cover: PHOTO_MAX_BYTES })
  // Only the club form carries a cover, so a part too large to read is one of its.
  const intent = form instanceof FormData ? String(form.get('intent') ?? '') : 'edit-club'
  const section = Object.hasOwn(sectionOfIntent, intent) ? sectionOfIntent[intent] : undefined
  // Thrown, so the page shows the refusal rather than going on to the first section.
  if (!section) throw new Response('Rounds does not know that action. Reload the page and try again.', { status: 400 })
  return redirect(`/c/${encodeURIComponent(params.slug ?? '')}/admin/${section}`, 307)
}

const tabClass = ({ isActive }: { isActive: boolean }) =>
  `shrink-0 rounded-full border px-3 py-1.5 text-sm font-medium ${
    isActive ? 'border-brand-600 bg-brand-600 text-white' : 'border-slate-300 bg-white text-slate-700 hover:bg-slate-50'
  }`

export default function ClubAdminLayout() {
  const { slug, sections } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-6">
      <nav aria-label="Admin sections" className="flex flex-wrap gap-2">
        {sections.map((s) => (
          <NavLink key={s.path} to={`/c/${slug}/admin/${s.path}`} className={tabClass}>
            {s.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
