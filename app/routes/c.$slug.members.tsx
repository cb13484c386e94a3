import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { listClubMembers } from '#db/clubs'
import { plural } from '~/components/club-badges'
import { ClubPersonItem, HiddenPeopleNote, PagerLinks } from '~/components/club-people'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { PEOPLE_PAGE_SIZE, orErrorPage, pageNumber } from '~/utils/club-forms'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const page = pageNumber(new URL(request.url).searchParams.get('page'))
  const list = await orErrorPage(
    listClubMembers(context.viewer, params.slug ?? '', { limit: PEOPLE_PAGE_SIZE, offset: (page - 1) * PEOPLE_PAGE_SIZE }),
  )
  return json({ list, page })
}

export const meta: MetaFunction = () => [{ title: 'Club members — Rounds' }, { name: 'robots', content: 'noindex' }]

export default function ClubMembersRoute() {
  const { list, page } = useLoaderData<typeof loader>()
  const listed = list.total - list.hiddenCount
  return (
    <section aria-labelledby="members" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="members" className="text-xl font-semibold">
        Members <span className="text-base font-normal text-slate-500">({list.total})</span>
      </h2>
      {list.people.length ? (
        <ul className="mt-2 divide-y divide-slate-200">
          {list.people.map((p) => (
            <ClubPersonItem key={p.handle} person={p} sinceLabel="Member since" testId="member-row" />
          ))}
        </ul>
      ) : (
        <p className="mt-3 text-slate-600">{list.total ? 'No members to show on this page.' : 'This club has no members yet.'}</p>
      )}
      <PagerLinks page={page} pageSize={PEOPLE_PAGE_SIZE} listed={listed} label={plural(listed, 'member', 'members')} />
      <HiddenPeopleNote count={list.hiddenCount} noun="member" />
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
