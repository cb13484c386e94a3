import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { requireClubAdmin } from '~/utils/club-admin.server'
import { adminSectionsFor } from '~/utils/club-forms'

/** `/c/<slug>/admin` opens the first section the admin's role may use. */
export async function loader(args: LoaderFunctionArgs) {
  const { slug, page } = await requireClubAdmin(args)
  const [first] = adminSectionsFor(page.permissions)
  return redirect(`/c/${slug}/admin/${first.path}`)
}

export default function ClubAdminIndex() {
  return null
}
