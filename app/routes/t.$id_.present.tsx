import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { findPresentedTalk } from '#db/quizzes'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { PresenterView } from '~/live/presenter'
import type { ChromeHandle } from '~/root'

// The presenter view of a talk's quizzes and polls (docs/quizzes.md): full screen, for the hall.
// Only the talk's hosts and co-hosts may open it; for anyone else, signed in or not, there is no such page.

const NOT_FOUND = 'We could not find that talk. It may be in a private club, or the link may be wrong.'

export const handle: ChromeHandle = { chrome: false }

export async function loader({ params, context }: LoaderFunctionArgs) {
  const talk = await findPresentedTalk(context.viewer, params.id ?? '')
  if (!talk) throw new Response(NOT_FOUND, { status: 404 })
  return json({ talk })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Presenter: ${data.talk.title} — Rounds` : 'Talk not found — Rounds' },
  { name: 'robots', content: 'noindex' },
]

export default function PresenterRoute() {
  const { talk } = useLoaderData<typeof loader>()
  return <PresenterView talk={talk} />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
