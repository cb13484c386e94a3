import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { getFollowState, removeFollower } from '#db/follows'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { HiddenPeopleNotice, ListPager, PeopleList, PrivateListNotice } from '~/components/people-list'
import { requireUser } from '~/utils/auth.server'
import { loadPeopleList } from '~/utils/people-list.server'
import { shareMeta } from '~/utils/share-meta'
import { readForm } from '~/utils/form.server'

const RemoveFollower = z.object({
  intent: z.literal('remove', { errorMap: () => ({ message: 'Choose whom to remove.' }) }),
  handle: z
    .string({ required_error: 'Choose whom to remove.' })
    .trim()
    .min(1, 'Choose whom to remove.')
    .max(60, 'That handle is too long.'),
})

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return loadPeopleList('followers', { request, handle: params.handle ?? '', context })
}

export const meta: MetaFunction<typeof loader> = () => shareMeta(null, 'Followers')

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = RemoveFollower.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  try {
    if ((await getFollowState(viewer, params.handle ?? '')) !== 'self') {
      return json({ ok: false, message: 'You can only remove your own followers.' }, { status: 403 })
    }
    await removeFollower(viewer, parsed.data.handle)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
  return json({ ok: true, message: 'Removed from your followers.' })
}

export default function FollowersRoute() {
  const { list, reason, isOwner, page } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="followers-title">
      <h1 id="followers-title" className="text-xl font-semibold">
        Followers
      </h1>
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}
      {list ? (
        <>
          {list.people.length ? (
            <PeopleList
              people={list.people}
              label="Followers"
              actions={
                isOwner
                  ? (person) => (
                      <Form method="post">
                        <input type="hidden" name="intent" value="remove" />
                        <input type="hidden" name="handle" value={person.handle} />
                        <button
                          type="submit"
                          aria-label={`Remove ${person.name} from your followers`}
                          className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50"
                        >
                          Remove
                        </button>
                      </Form>
                    )
                  : undefined
              }
            />
          ) : list.total === 0 ? (
            <p className="mt-3 text-slate-600">{isOwner ? 'No one follows you yet.' : 'No followers yet.'}</p>
          ) : null}
          <HiddenPeopleNotice count={list.hiddenCount} />
          <ListPager page={page} listed={list.total - list.hiddenCount} />
        </>
      ) : (
        <PrivateListNotice reason={reason ?? 'private'} what="followers" />
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
