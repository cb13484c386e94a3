import { json } from '@remix-run/node'
import type { AppLoadContext } from '@remix-run/node'
import { listClubFollowers, listClubMembers } from '#db/clubs'
import { getFollowState, listFollowers, listFollowing } from '#db/follows'
import { withVerifiedBadges } from '#db/verification'
import { CLUB_PEOPLE_PAGE_SIZE, PEOPLE_PAGE_SIZE } from '~/components/people-list'
import { orErrorPage } from '~/utils/club-forms'

/** The page number from `?page=`, 1 when absent or nonsense. */
export function pageFrom(request: Request) {
  const page = Number(new URL(request.url).searchParams.get('page') ?? '1')
  return Number.isInteger(page) && page >= 1 && page <= 1000 ? page : 1
}

/** The page `?page=` asks for, as the limit and offset a list query takes. */
export function pageWindow(request: Request, pageSize: number) {
  const page = pageFrom(request)
  return { page, pageSize, limit: pageSize, offset: (page - 1) * pageSize }
}

/** The followers or following page of a profile: one page of people, or why the list is hidden. */
export async function loadPeopleList(
  which: 'followers' | 'following',
  { request, handle, context }: { request: Request; handle: string; context: AppLoadContext },
) {
  const { page, limit, offset } = pageWindow(request, PEOPLE_PAGE_SIZE)
  const list = which === 'followers' ? listFollowers : listFollowing
  const people = await orErrorPage(list(context.viewer, handle, { limit, offset }))
  // A hidden list says why, and nothing else: no names, no counts.
  if (!people) {
    const reason = context.viewer ? ('private' as const) : ('signed-out' as const)
    return json({ list: null, reason, isOwner: false, page }, { status: reason === 'private' ? 403 : 401 })
  }
  const isOwner = (await orErrorPage(getFollowState(context.viewer, handle))) === 'self'
  return json({ list: await withVerifiedBadges(people), reason: null, isOwner, page })
}

/**
 * One page of a club's members or followers as the viewer may see them (the data layer decides
 * who is named and who is only counted), for the club's people pages and its admin.
 */
export async function loadClubPeople(
  which: 'members' | 'followers',
  { request, slug, viewer }: { request: Request; slug: string; viewer: AppLoadContext['viewer'] },
) {
  const { page, pageSize, limit, offset } = pageWindow(request, CLUB_PEOPLE_PAGE_SIZE)
  const list = await orErrorPage((which === 'members' ? listClubMembers : listClubFollowers)(viewer, slug, { limit, offset }))
  return { list: list && (await withVerifiedBadges(list)), page, pageSize }
}
