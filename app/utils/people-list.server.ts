import { json } from '@remix-run/node'
import type { AppLoadContext } from '@remix-run/node'
import { PublicError } from '#db/errors'
import { getFollowState, listFollowers, listFollowing } from '#db/follows'
import { PEOPLE_PAGE_SIZE, pageFrom } from '~/components/people-list'

/** The followers or following page of a profile: one page of people, or why the list is hidden. */
export async function loadPeopleList(
  which: 'followers' | 'following',
  { request, handle, context }: { request: Request; handle: string; context: AppLoadContext },
) {
  const page = pageFrom(request)
  const list = which === 'followers' ? listFollowers : listFollowing
  try {
    const people = await list(context.viewer, handle, { limit: PEOPLE_PAGE_SIZE, offset: (page - 1) * PEOPLE_PAGE_SIZE })
    // A hidden list says why, and nothing else: no names, no counts.
    if (!people) {
      const reason = context.viewer ? ('private' as const) : ('signed-out' as const)
      return json({ list: null, reason, isOwner: false, page }, { status: reason === 'private' ? 403 : 401 })
    }
    const isOwner = (await getFollowState(context.viewer, handle)) === 'self'
    return json({ list: people, reason: null, isOwner, page })
  } catch (error) {
    if (error instanceof PublicError) throw new Response(error.message, { status: error.status })
    throw error
  }
}
