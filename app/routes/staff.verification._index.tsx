import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listPendingApplications } from '#db/verification'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { LocalTime } from '~/utils/time-zone'
import { orErrorPage } from '~/utils/error-page'

export const meta: MetaFunction = () => [{ title: 'Verification queue — Rounds' }, { name: 'robots', content: 'noindex' }]

export async function loader({ context }: LoaderFunctionArgs) {
  const pending = await orErrorPage(listPendingApplications(context.viewer))
  return json({ pending: pending.map((a) => ({ ...a, appliedAt: a.appliedAt.toISOString() })) })
}

export default function VerificationQueueRoute() {
  const { pending } = useLoaderData<typeof loader>()
  return (
    <div className="mx-auto max-w-4xl space-y-4">
      <h1 className="text-2xl font-semibold">Verification queue</h1>
      <p className="text-slate-600">Doctors waiting to be verified, oldest first. Opening an application is logged and shown to the doctor.</p>
      {pending.length === 0 ? (
        <p className="rounded-md bg-slate-50 p-3">No applications are waiting.</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white" data-testid="verification-queue">
          {pending.map((a) => (
            <li key={a.id} className="flex items-center justify-between p-3">
              <Link to={`/staff/verification/${a.id}`} className="font-medium text-brand-700 hover:underline">
                {a.name}
              </Link>
              <span className="text-sm text-slate-600">
                applied <LocalTime at={a.appliedAt} style="dateTime" />
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
