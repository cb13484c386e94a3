import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listAuditLog } from '#db/clubs'
import { AdminSection } from '~/components/club-admin'
import { AuditLogList } from '~/components/club-audit-log'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireClubAdmin } from '~/utils/club-admin.server'
import { orErrorPage } from '~/utils/club-forms'

export const meta: MetaFunction = () => [{ title: 'Club audit log — admin — Rounds' }, { name: 'robots', content: 'noindex' }]

export async function loader(args: LoaderFunctionArgs) {
  const { viewer, slug } = await requireClubAdmin(args, 'audit')
  return json({ audit: await orErrorPage(listAuditLog(viewer, slug, 100)) })
}

export default function ClubAdminAuditRoute() {
  const { audit } = useLoaderData<typeof loader>()
  return (
    <AdminSection id="audit" title="Audit log" intro="Who did what in this club, newest first. Only admins see this.">
      <AuditLogList entries={audit} />
    </AdminSection>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
