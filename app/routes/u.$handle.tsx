import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { getProfileForViewer } from '#db/profiles'
import { Avatar } from '~/components/avatar'
import { GeneralErrorBoundary } from '~/components/error-boundary'

export async function loader({ params, context }: LoaderFunctionArgs) {
  const handle = params.handle ?? ''
  const view = handle.length <= 60 ? await getProfileForViewer(context.viewer, handle) : null
  if (!view) throw new Response('No doctor on Rounds has that handle.', { status: 404 })
  return json({ view })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.view.profile.name} — Rounds` : 'Profile not found — Rounds' },
]

export default function ProfileRoute() {
  const { view } = useLoaderData<typeof loader>()
  const p = view.profile
  return (
    <article className="mx-auto max-w-2xl rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <header className="flex items-center gap-4">
        <Avatar name={p.name} photoUrl={p.photoUrl} size={88} />
        <div>
          <h1 className="text-2xl font-semibold">{p.name}</h1>
          {p.speciality ? <p className="text-brand-700">{p.speciality}</p> : null}
          {view.kind !== 'card' && view.profile.city ? <p className="text-slate-500">{view.profile.city}</p> : null}
        </div>
      </header>
      {view.kind === 'card' ? (
        <p className="mt-6 rounded-md bg-slate-100 p-4 text-slate-700" data-testid="basic-card-notice">
          {view.reason === 'private' ? (
            'This profile is private. Only its basic card is shown.'
          ) : (
            <>
              <Link to="/login" className="font-medium text-brand-700 underline">
                Sign in
              </Link>{' '}
              to see more of this doctor’s profile.
            </>
          )}
        </p>
      ) : (
        <div className="mt-6 space-y-5">
          {view.profile.bio ? <p className="whitespace-pre-line text-slate-800">{view.profile.bio}</p> : null}
          {view.profile.interests.length ? (
            <section>
              <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Interest areas</h2>
              <ul className="mt-2 flex flex-wrap gap-2">
                {view.profile.interests.map((i) => (
                  <li key={i} className="rounded-full bg-brand-50 px-3 py-1 text-sm text-brand-900">
                    {i}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {view.kind === 'own' ? (
            <section className="rounded-md border border-dashed border-slate-300 p-4 text-sm">
              <h2 className="font-semibold">Only you see this</h2>
              <p className="mt-1">Registration number: {view.profile.registrationNumber ?? 'not added'}</p>
              <p>Profile is {view.profile.visibility === 'private' ? 'private' : 'public'}.</p>
              <Link to="/settings/profile" className="mt-2 inline-block font-medium text-brand-700 underline">
                Edit profile
              </Link>
            </section>
          ) : null}
        </div>
      )}
    </article>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
