import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from '@remix-run/react'
import { joinByInviteLink, previewInviteLink } from '#db/clubs'
import { PublicError } from '#db/errors'
import { VisibilityBadge, plural } from '~/components/club-badges'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/utils/auth.server'
import { orErrorPage } from '~/utils/club-forms'
import { shareMeta } from '~/utils/share-meta'

export async function loader({ params, context }: LoaderFunctionArgs) {
  const token = params.token ?? ''
  const preview = await orErrorPage(previewInviteLink(context.viewer, token))
  return json({ preview, token, signedIn: Boolean(context.viewer) })
}

// An invite link may lead to a private club: its previews say nothing about it.
export const meta: MetaFunction = () => [...shareMeta(null, 'You are invited to a club'), { name: 'robots', content: 'noindex' }]

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  try {
    const { slug, talkId, joined } = await joinByInviteLink(viewer, params.token ?? '')
    if (talkId) return redirect(`/t/${talkId}`)
    return redirect(joined ? `/c/${slug}?joined=1` : `/c/${slug}`)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ message: error.message }, { status: error.status })
  }
}

export default function JoinRoute() {
  const { preview, token, signedIn } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const { club } = preview
  const here = `/join/${token}`
  const destination = preview.talkId ? `/t/${preview.talkId}` : `/c/${club.slug}`
  return (
    <section className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <p className="text-sm font-semibold text-brand-700">You are invited to join a club on Rounds</p>
      <h1 className="mt-2 text-2xl font-semibold">{club.name}</h1>
      <div className="mt-2 flex flex-wrap items-center gap-2 text-sm text-slate-600">
        <VisibilityBadge visibility={club.visibility} />
        <span>{plural(club.memberCount, 'member', 'members')}</span>
      </div>
      {club.description ? <p className="mt-4 whitespace-pre-line text-slate-800">{club.description}</p> : null}
      {preview.talkId ? <p className="mt-4 text-sm text-slate-600">The link opens one of the club’s talks once you have joined.</p> : null}

      {result ? (
        <p role="alert" className="mt-4 rounded-md bg-red-50 p-3 text-red-800">
          {result.message}
        </p>
      ) : null}

      <div className="mt-6">
        {preview.alreadyMember ? (
          <div className="space-y-3">
            <p className="text-slate-700">You are already a member of this club.</p>
            <Link to={destination} className="inline-block rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
              {preview.talkId ? 'Open the talk' : 'Open the club'}
            </Link>
          </div>
        ) : signedIn ? (
          <Form method="post">
            <button
              type="submit"
              disabled={navigation.state === 'submitting'}
              className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
            >
              Join {club.name}
            </button>
          </Form>
        ) : (
          <div className="space-y-3">
            <Link
              to={`/login?redirectTo=${encodeURIComponent(here)}`}
              className="inline-block rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700"
            >
              Sign in to join
            </Link>
            <p className="text-sm text-slate-600">
              New to Rounds?{' '}
              <Link to="/signup" className="font-medium text-brand-700 underline">
                Create an account
              </Link>
              , then open this link again.
            </p>
          </div>
        )}
      </div>
    </section>
  )
}

export function ErrorBoundary() {
  const error = useRouteError()
  if (isRouteErrorResponse(error) && [403, 404, 410].includes(error.status) && typeof error.data === 'string') {
    return (
      <section className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm">
        <p className="text-sm font-semibold text-brand-700">Error {error.status}</p>
        <h1 className="mt-2 text-2xl font-semibold">This invite link does not work</h1>
        <p className="mt-3 text-slate-600" data-testid="invite-error">
          {error.data}
        </p>
        <Link to="/clubs" className="mt-6 inline-block rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
          Browse clubs
        </Link>
      </section>
    )
  }
  return <GeneralErrorBoundary />
}
