import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { ClubPeoplePage } from '~/components/club-people'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { loadClubPeople } from '~/utils/people-list.server'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return json(await loadClubPeople('followers', { request, slug: params.slug ?? '', viewer: context.viewer }))
}

export const meta: MetaFunction = () => [{ title: 'Club followers — Rounds' }, { name: 'robots', content: 'noindex' }]

export default function ClubFollowersRoute() {
  const { list, page, pageSize } = useLoaderData<typeof loader>()
  return <ClubPeoplePage which="followers" list={list} page={page} pageSize={pageSize} />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
