import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { joinClub } from '#db/clubs'
import { PublicError } from '#db/errors'
import { followUser } from '#db/follows'
import { suggestFromAnswers } from '#db/onboarding'
import { Avatar } from '~/components/avatar'
import { StepCard, type WelcomeStep } from '~/components/welcome-step'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { ActionMessage, useSettledActionData } from '~/utils/action-message'

export const handle: WelcomeStep = { step: 3 }

const SuggestionAction = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('join'), slug: z.string().trim().min(1, 'Choose a club.').max(60, 'Choose a club.') }),
  z.object({ intent: z.literal('follow'), handle: z.string().trim().min(1, 'Choose a doctor.').max(30, 'Choose a doctor.') }),
], { errorMap: () => ({ message: 'Choose Join or Follow.' }) })

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  return json(await suggestFromAnswers(viewer))
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = SuggestionAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  try {
    if (parsed.data.intent === 'join') {
      await joinClub(viewer, parsed.data.slug)
      return json({ ok: true, message: 'You joined the club. Its talks will show on your home page.' })
    }
    const state = await followUser(viewer, parsed.data.handle)
    return json({
      ok: true,
      message: state === 'pending' ? 'Request sent.' : 'You now follow this doctor. Their talks will show on your home page.',
    })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

/** Join a suggested club or follow a suggested doctor: a plain form, so it works without JavaScript. */
function ActButton(props: { intent: 'join' | 'follow'; field: 'slug' | 'handle'; value: string; label: string; busy: boolean; children: string }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={props.intent} />
      <input type="hidden" name={props.field} value={props.value} />
      <button
        type="submit"
        disabled={props.busy}
        aria-label={props.label}
        className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {props.children}
      </button>
    </Form>
  )
}

export default function WelcomeSuggestionsStep() {
  const { clubs, doctors } = useLoaderData<typeof loader>()
  const result = useSettledActionData<typeof action>()
  const navigation = useNavigation()
  // The buttons stay off until the lists are read again, so nothing is sent twice.
  const busy = navigation.state !== 'idle'
  return (
    <StepCard
      title="Clubs and colleagues for you"
      intro="Suggested from your answers. Join or follow as many as you like."
      skipTo="/"
      skipLabel="Done — go to my home page"
    >
      <ActionMessage result={result} />
      <section aria-labelledby="suggested-clubs">
        <h2 id="suggested-clubs" className="text-lg font-semibold">
          Clubs to join
        </h2>
        {clubs.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No clubs to suggest yet.</p>
        ) : (
          <ul className="mt-2 divide-y divide-slate-100">
            {clubs.map((club) => (
              <li key={club.slug} className="flex items-center justify-between gap-3 py-3">
                <div className="min-w-0">
                  <Link to={`/c/${club.slug}`} className="font-medium text-slate-900 hover:underline">
                    {club.name}
                  </Link>
                  <p className="text-sm text-slate-600">
                    {club.reason} · {club.memberCount === 1 ? '1 member' : `${club.memberCount} members`}
                  </p>
                </div>
                <ActButton intent="join" field="slug" value={club.slug} label={`Join ${club.name}`} busy={busy}>
                  Join
                </ActButton>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="suggested-doctors">
        <h2 id="suggested-doctors" className="text-lg font-semibold">
          Doctors to follow
        </h2>
        {doctors.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No one to suggest yet. Add a speciality or interests to see colleagues who share them.</p>
        ) : (
          <ul className="mt-2 divide-y divide-slate-100">
            {doctors.map((doctor) => (
              <li key={doctor.handle} className="flex items-center justify-between gap-3 py-3">
                <div className="flex min-w-0 items-center gap-3">
                  <Avatar name={doctor.name} photoUrl={doctor.photoUrl} size={40} />
                  <div className="min-w-0">
                    <Link to={`/u/${doctor.handle}`} className="font-medium text-slate-900 hover:underline">
                      {doctor.name}
                    </Link>
                    <p className="text-sm text-slate-600">
                      {doctor.reason}
                      {doctor.speciality ? ` · ${doctor.speciality}` : ''}
                      {doctor.city ? ` · ${doctor.city}` : ''}
                    </p>
                  </div>
                </div>
                <ActButton intent="follow" field="handle" value={doctor.handle} label={`Follow ${doctor.name}`} busy={busy}>
                  Follow
                </ActButton>
              </li>
            ))}
          </ul>
        )}
      </section>
    </StepCard>
  )
}
