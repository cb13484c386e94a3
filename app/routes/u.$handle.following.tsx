import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { PublicError } from '#db/errors'
import { getFollowState, listFollowing } from '#db/follows'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { HiddenPeopleNotice, ListPager, PEOPLE_PAGE_SIZE, PeopleList, PrivateListNotice, pageFrom } from '~/components/people-list'
import { shareMeta } from '~/utils/share-meta'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const handle = params.handle ?? ''
  const page = pageFrom(request)
  try {
    const list = await listFollowing(context.viewer, handle, { limit: PEOPLE_PAGE_SIZE, offset: (page - 1) * PEOPLE_PAGE_SIZE })
    // A hidden list says why, and nothing else: no names, no counts.
    if (!list) {
      const reason = context.viewer ? ('private' as const) : ('signed-out' as const)
      return json({ list: null, reason, isOwner: false, page }, { status: reason === 'private' ? 403 : 401 })
    }
    const isOwner = (await getFollowState(context.viewer, handle)) === 'self'
    return json({ list, reason: null, isOwner, page })
  } catch (error) {
    if (error instanceof PublicError) throw new Response(error.message, { status: error.status })
    throw error
  }
}

export const meta: MetaFunction<typeof loader> = () => shareMeta(null, 'Following')

export default function FollowingRoute() {
  const { list, reason, isOwner, page } = useLoaderData<typeof loader>()
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="following-title">
      <h1 id="following-title" className="text-xl font-semibold">
        Following
      </h1>
      {list ? (
        <>
          {list.people.length ? (
            <PeopleList people={list.people} label="Following" />
          ) : list.total === 0 ? (
            <p className="mt-3 text-slate-600">{isOwner ? 'You do not follow anyone yet. Follow doctors from their profile page.' : 'Not following anyone yet.'}</p>
          ) : null}
          <HiddenPeopleNotice count={list.hiddenCount} />
          <ListPager page={page} listed={list.total - list.hiddenCount} />
        </>
      ) : (
        <PrivateListNotice reason={reason ?? 'private'} what="following" />
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
