import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { listPeopleIBlockedOrMuted, unblockPerson, unmutePerson } from '#db/blocks'
import { PublicError } from '#db/errors'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { PeopleList } from '~/components/people-list'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Blocked and muted — Rounds' }]

const UndoRelation = z.object({
  intent: z.enum(['unblock', 'unmute'], { errorMap: () => ({ message: 'Choose Unblock or Unmute.' }) }),
  handle: z
    .string({ required_error: 'Choose a doctor.', invalid_type_error: 'Choose a doctor.' })
    .trim()
    .min(1, 'Choose a doctor.')
    .max(60, 'That handle is too long.'),
})

/** What the profile page's Block leads to (`?done=`), said here once the profile is out of sight. */
const DONE: Record<string, string> = {
  blocked: 'Blocked. Neither of you will see the other on Rounds, and follows between you have ended.',
  'already-blocked': 'You had already blocked this doctor.',
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const people = await listPeopleIBlockedOrMuted(viewer)
  return json({ people: people.map((p) => ({ ...p, since: p.since.toISOString() })) })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = UndoRelation.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  const { intent, handle } = parsed.data
  try {
    if (intent === 'unblock') {
      const { changed } = await unblockPerson(viewer, handle)
      return json({
        ok: true,
        message: changed ? 'Unblocked. You can see each other again; follows that ended stay ended.' : 'You had not blocked this doctor.',
      })
    }
    const { changed } = await unmutePerson(viewer, handle)
    return json({ ok: true, message: changed ? 'Unmuted. You will see what they say in live talks again.' : 'You had not muted this doctor.' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

export default function BlockedAndMutedRoute() {
  const { people } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const done = DONE[searchParams.get('done') ?? '']
  const message = result ?? (done ? { ok: true, message: done } : null)
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Blocked and muted</h1>
        <ul className="mt-2 space-y-1 text-slate-600">
          <li>
            <strong className="font-semibold text-slate-800">Block:</strong> neither of you sees the other anywhere on Rounds (profile, lists,
            search, live talks), and neither can follow or invite the other.
          </li>
          <li>
            <strong className="font-semibold text-slate-800">Mute:</strong> their comments and questions in live talks are hidden from you;
            nothing else changes, and they are not told.
          </li>
        </ul>
        {message ? (
          <p role={message.ok ? 'status' : 'alert'} className={`mt-4 rounded-md p-3 ${message.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
            {message.message}
          </p>
        ) : null}
        {people.length ? (
          <div className="mt-4">
            <PeopleList
              people={people}
              label="People you blocked or muted"
              rowTestId="blocked-row"
              // A blocked person's profile is not found for the one who blocked them either.
              linked={(person) => person.kind !== 'block'}
              detail={(person) => (
                <>
                  {person.kind === 'block' ? 'Blocked' : 'Muted'} <LocalTime at={person.since} style="day" />
                </>
              )}
              actions={(person) => (
                <Form method="post">
                  <input type="hidden" name="handle" value={person.handle} />
                  <button
                    type="submit"
                    name="intent"
                    value={person.kind === 'block' ? 'unblock' : 'unmute'}
                    disabled={navigation.state === 'submitting'}
                    aria-label={`${person.kind === 'block' ? 'Unblock' : 'Unmute'} ${person.name}`}
                    className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-60"
                  >
                    {person.kind === 'block' ? 'Unblock' : 'Unmute'}
                  </button>
                </Form>
              )}
            />
          </div>
        ) : (
          <p className="mt-4 rounded-md bg-slate-100 p-4 text-slate-700" data-testid="no-blocked">
            You have not blocked or muted anyone. To do so, open their profile.
          </p>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
