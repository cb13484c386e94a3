import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { declineInvitation, joinClub, listClubsForViewer, listMyClubs, listMyInvitations } from '#db/clubs'
import { PublicError } from '#db/errors'
import { VisibilityBadge } from '~/components/club-badges'
import { ClubCard } from '~/components/club-card'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [
  { title: 'Clubs — Rounds' },
  { name: 'description', content: 'Clubs for doctors on Rounds: live talks, case discussions and quizzes by speciality.' },
]

const InvitationAnswer = z.object({
  intent: z.enum(['accept', 'decline'], { errorMap: () => ({ message: 'Choose Join or Decline.' }) }),
  slug: z.string({ required_error: 'Choose an invitation.' }).trim().min(1, 'Choose an invitation.').max(60, 'Choose an invitation.'),
})

/** Short notices other club pages send people here with. */
const notices = {
  'left-private': 'You left the club.',
  declined: 'Invitation declined.',
} as const

export async function loader({ context }: LoaderFunctionArgs) {
  const viewer = context.viewer
  const [mine, visible, invitations] = await Promise.all([listMyClubs(viewer), listClubsForViewer(viewer, 60), listMyInvitations(viewer)])
  const roles = new Map(mine.map((c) => [c.id, c.role]))
  return json({
    signedIn: Boolean(viewer),
    mine,
    directory: visible.filter((c) => c.visibility === 'public').map((c) => ({ ...c, role: roles.get(c.id) ?? null })),
    invitations,
  })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = InvitationAnswer.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0]?.message ?? 'Choose an invitation.' }, { status: 400 })
  const { intent, slug } = parsed.data
  try {
    if (intent === 'accept') {
      const club = await joinClub(viewer, slug)
      return redirect(`/c/${club.slug}?joined=1`)
    }
    await declineInvitation(viewer, slug)
    return json({ ok: true, message: 'Invitation declined.' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

export default function ClubsRoute() {
  const { signedIn, mine, directory, invitations } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const notice = notices[searchParams.get('notice') as keyof typeof notices] as string | undefined
  return (
    <div className="space-y-10">
      <header className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-3xl font-semibold">Clubs</h1>
          <p className="mt-1 text-slate-600">Groups for a speciality, a hospital or a journal club — with live talks and case discussions.</p>
        </div>
        <Link to="/clubs/new" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
          Create a club
        </Link>
      </header>

      {notice && !result ? (
        <p role="status" className="rounded-md bg-brand-50 p-3 text-brand-900">
          {notice}
        </p>
      ) : null}
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}

      {invitations.length ? (
        <section aria-labelledby="invitations" className="rounded-xl border border-brand-100 bg-brand-50 p-5">
          <h2 id="invitations" className="text-xl font-semibold">
            Invitations for you
          </h2>
          <ul className="mt-3 divide-y divide-brand-100">
            {invitations.map((inv) => (
              <li key={inv.id} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid="invitation-row">
                <div>
                  <Link to={`/c/${inv.club.slug}`} className="font-semibold hover:underline">
                    {inv.club.name}
                  </Link>{' '}
                  <VisibilityBadge visibility={inv.club.visibility} />
                  <p className="text-sm text-slate-600">You have been invited to join.</p>
                </div>
                <div className="flex gap-2">
                  <Form method="post">
                    <input type="hidden" name="slug" value={inv.club.slug} />
                    <button type="submit" name="intent" value="accept" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700">
                      Join
                    </button>
                  </Form>
                  <Form method="post">
                    <input type="hidden" name="slug" value={inv.club.slug} />
                    <button type="submit" name="intent" value="decline" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50">
                      Decline
                    </button>
                  </Form>
                </div>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {signedIn ? (
        <section aria-labelledby="my-clubs">
          <h2 id="my-clubs" className="text-xl font-semibold">
            My clubs
          </h2>
          {mine.length ? (
            <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {mine.map((c) => (
                <ClubCard key={c.id} club={c} role={c.role} />
              ))}
            </ul>
          ) : (
            <p className="mt-3 text-slate-600">You have not joined a club yet. Browse the directory below, or create your own.</p>
          )}
        </section>
      ) : (
        <p className="rounded-md bg-slate-100 p-4 text-slate-700">
          <Link to="/login?redirectTo=/clubs" className="font-medium text-brand-700 underline">
            Sign in
          </Link>{' '}
          to join clubs, follow them and see your invitations.
        </p>
      )}

      <section aria-labelledby="directory">
        <h2 id="directory" className="text-xl font-semibold">
          Public clubs
        </h2>
        {directory.length ? (
          <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {directory.map((c) => (
              <ClubCard key={c.id} club={c} role={c.role ?? undefined} />
            ))}
          </ul>
        ) : (
          <p className="mt-3 text-slate-600">There are no public clubs yet. Be the first to start one.</p>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
