import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { HiddenPeopleNotice, ListPager, PeopleList, PrivateListNotice } from '~/components/people-list'
import { loadPeopleList } from '~/utils/people-list.server'
import { shareMeta } from '~/utils/share-meta'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return loadPeopleList('following', { request, handle: params.handle ?? '', context })
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
