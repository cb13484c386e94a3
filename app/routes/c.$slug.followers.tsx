import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listClubFollowers } from '#db/clubs'
import { plural } from '~/components/club-badges'
import { ClubPersonItem, HiddenPeopleNote, PagerLinks } from '~/components/club-people'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { PEOPLE_PAGE_SIZE, orErrorPage, pageNumber } from '~/utils/club-forms'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const page = pageNumber(new URL(request.url).searchParams.get('page'))
  const list = await orErrorPage(
    listClubFollowers(context.viewer, params.slug ?? '', { limit: PEOPLE_PAGE_SIZE, offset: (page - 1) * PEOPLE_PAGE_SIZE }),
  )
  return json({ list, page })
}

export const meta: MetaFunction = () => [{ title: 'Club followers — Rounds' }, { name: 'robots', content: 'noindex' }]

export default function ClubFollowersRoute() {
  const { list, page } = useLoaderData<typeof loader>()
  const listed = list.total - list.hiddenCount
  return (
    <section aria-labelledby="followers" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="followers" className="text-xl font-semibold">
        Followers <span className="text-base font-normal text-slate-500">({list.total})</span>
      </h2>
      {list.people.length ? (
        <ul className="mt-2 divide-y divide-slate-200">
          {list.people.map((p) => (
            <ClubPersonItem key={p.handle} person={p} sinceLabel="Following since" testId="follower-row" />
          ))}
        </ul>
      ) : (
        <p className="mt-3 text-slate-600">{list.total ? 'No followers to show on this page.' : 'Nobody follows this club yet.'}</p>
      )}
      <PagerLinks page={page} pageSize={PEOPLE_PAGE_SIZE} listed={listed} label={plural(listed, 'follower', 'followers')} />
      <HiddenPeopleNote count={list.hiddenCount} noun="follower" />
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
