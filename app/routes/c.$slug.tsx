import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, NavLink, Outlet, useActionData, useLoaderData, useLocation, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { declineInvitation, followClub, getClubPage, joinClub, leaveClub, unfollowClub } from '#db/clubs'
import { PublicError } from '#db/errors'
import { RoleBadge, SpecialityTags, VisibilityBadge, plural } from '~/components/club-badges'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { shareMeta } from '~/utils/share-meta'
import { requireUser } from '~/utils/auth.server'
import { opensAdminPage, orErrorPage } from '~/utils/club-forms'
import { readForm } from '~/utils/form.server'
import { useClubRoom } from '~/utils/use-club-room'
import { myPendingText } from '#db/moderation/index'
import { PendingReviewNotice } from '~/components/pending-review'

const MembershipAction = z.object({
  intent: z.enum(['join', 'leave', 'follow', 'unfollow', 'decline'], {
    errorMap: () => ({ message: 'That is not something you can do on a club page.' }),
  }),
})

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const slug = params.slug ?? ''
  const page = await orErrorPage(getClubPage(context.viewer, slug))
  if (page.club.slug !== slug) {
    // One address per club: /c/Cardiology-Grand-Rounds → /c/cardiology-grand-rounds.
    const url = new URL(request.url)
    throw redirect(`/c/${page.club.slug}${url.pathname.slice(`/c/${encodeURIComponent(slug)}`.length)}${url.search}`)
  }
  // The owner answers for the club's page: a description of theirs awaiting a moderator.
  const pendingDescription = await myPendingText(context.viewer?.userId, 'club', page.club.id)
  return json({ page, signedIn: Boolean(context.viewer), pendingDescription })
}

// Child pages set their own tags; this is the fallback and reveals nothing.
export const meta: MetaFunction = () => shareMeta(null)

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const slug = params.slug ?? ''
  const parsed = MembershipAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0]?.message ?? 'Try again.' }, { status: 400 })
  try {
    switch (parsed.data.intent) {
      case 'join': {
        const { joined } = await joinClub(viewer, slug)
        return json({ ok: true, message: joined ? 'Welcome — you are now a member of this club.' : 'You are already a member of this club.' })
      }
      case 'leave': {
        const page = await getClubPage(viewer, slug)
        await leaveClub(viewer, slug)
        // A private club disappears for someone who leaves it.
        if (page.club.visibility === 'private') return redirect('/clubs?notice=left-private')
        return json({ ok: true, message: 'You left this club.' })
      }
      case 'follow':
        await followClub(viewer, slug)
        return json({ ok: true, message: 'You follow this club: its talks will show in your home feed.' })
      case 'unfollow':
        await unfollowClub(viewer, slug)
        return json({ ok: true, message: 'You no longer follow this club.' })
      case 'decline': {
        const page = await getClubPage(viewer, slug)
        await declineInvitation(viewer, slug)
        if (page.club.visibility === 'private') return redirect('/clubs?notice=declined')
        return json({ ok: true, message: 'Invitation declined.' })
      }
    }
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

const notices = {
  created: 'Your club is ready. Invite colleagues from the Admin tab.',
  joined: 'Welcome — you are now a member of this club.',
} as const

const tabClass = ({ isActive }: { isActive: boolean }) =>
  `-mb-px border-b-2 px-3 py-2 text-sm font-medium ${isActive ? 'border-brand-600 text-brand-700' : 'border-transparent text-slate-600 hover:text-slate-900'}`

const buttonClass = 'rounded-md px-4 py-2 text-sm font-semibold'
const primary = `${buttonClass} bg-brand-600 text-white hover:bg-brand-700 disabled:opacity-60`
const secondary = `${buttonClass} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 disabled:opacity-60`

export default function ClubLayout() {
  const { page, signedIn, pendingDescription } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting' && navigation.formAction === `/c/${page.club.slug}`
  const { club, role } = page
  const base = `/c/${club.slug}`
  const seesPeople = club.visibility === 'public' || role !== null
  const { pathname } = useLocation()
  const lostAccess = useClubRoom(club.id, signedIn, pathname.replace(/\/$/, '') === base)
  const notice = !result ? notices[Object.keys(notices).find((k) => searchParams.get(k) === '1') as keyof typeof notices] : undefined

  return (
    <div className="space-y-6">
      {lostAccess ? (
        <p role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="club-access-lost">
          {lostAccess} <Link to="/clubs" className="font-medium underline">Browse clubs</Link>
        </p>
      ) : null}
      <PendingReviewNotice pending={pendingDescription} what="club description" />
      <header className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
        {club.coverUrl ? (
          <img src={club.coverUrl} alt="" className="aspect-[3/1] max-h-64 w-full object-cover" />
        ) : (
          <div aria-hidden="true" className="h-24 w-full bg-linear-to-r from-brand-700 to-brand-600" />
        )}
        <div className="space-y-4 p-6">
          <div className="flex flex-wrap items-start justify-between gap-4">
            <div className="min-w-0 space-y-2">
              <h1 className="text-3xl font-semibold">{club.name}</h1>
              <div className="flex flex-wrap items-center gap-2">
                <VisibilityBadge visibility={club.visibility} />
                {role ? <RoleBadge role={role} /> : null}
              </div>
              <SpecialityTags specialities={club.specialities} />
              <p className="text-sm text-slate-600">
                {seesPeople ? (
                  <>
                    <Link to={`${base}/members`} className="hover:underline">
                      {plural(club.memberCount, 'member', 'members')}
                    </Link>
                    {' · '}
                    <Link to={`${base}/followers`} className="hover:underline">
                      {plural(page.followerCount, 'follower', 'followers')}
                    </Link>
                  </>
                ) : (
                  <>
                    {plural(club.memberCount, 'member', 'members')} · {plural(page.followerCount, 'follower', 'followers')}
                  </>
                )}
              </p>
            </div>
            {signedIn && !page.banned && !(page.invited && !role) ? (
              <div className="flex flex-wrap gap-2">
                {role === null ? (
                  <Form method="post" action={base}>
                    <button type="submit" name="intent" value="join" className={primary} disabled={busy}>
                      Join club
                    </button>
                  </Form>
                ) : null}
                <Form method="post" action={base}>
                  {page.following ? (
                    <button type="submit" name="intent" value="unfollow" className={secondary} disabled={busy}>
                      Unfollow
                    </button>
                  ) : (
                    <button type="submit" name="intent" value="follow" className={secondary} disabled={busy}>
                      Follow
                    </button>
                  )}
                </Form>
                {role && role !== 'owner' ? (
                  <Form method="post" action={base}>
                    <button type="submit" name="intent" value="leave" className={secondary} disabled={busy}>
                      Leave club
                    </button>
                  </Form>
                ) : null}
              </div>
            ) : null}
            {!signedIn ? (
              <Link to={`/login?redirectTo=${encodeURIComponent(base)}`} className={primary}>
                Sign in to join
              </Link>
            ) : null}
          </div>

          {page.banned ? (
            <p role="status" className="rounded-md bg-red-50 p-3 text-red-800" data-testid="banned-notice">
              The club’s admins have removed you from this club, so you cannot join or follow it.
            </p>
          ) : null}

          {page.invited && !role && !page.banned ? (
            <div className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-brand-100 bg-brand-50 p-4" data-testid="invitation-banner">
              <p className="text-brand-900">
                <strong>You are invited to join this club.</strong>
                {club.visibility === 'private' ? ' It is private: only members see its talks and members.' : ''}
              </p>
              <div className="flex gap-2">
                <Form method="post" action={base}>
                  <button type="submit" name="intent" value="join" className={primary} disabled={busy}>
                    Join club
                  </button>
                </Form>
                <Form method="post" action={base}>
                  <button type="submit" name="intent" value="decline" className={secondary} disabled={busy}>
                    Decline
                  </button>
                </Form>
              </div>
            </div>
          ) : null}

          {role === 'owner' ? <p className="text-sm text-slate-500">You own this club. To leave it, first hand it to another member from Admin.</p> : null}

          {result ? (
            <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
              {result.message}
            </p>
          ) : notice ? (
            <p role="status" className="rounded-md bg-brand-50 p-3 text-brand-900">
              {notice}
            </p>
          ) : null}
        </div>
        <nav aria-label="Club" className="flex flex-wrap gap-1 border-t border-slate-200 px-4">
          <NavLink to={base} end className={tabClass}>
            Overview
          </NavLink>
          {seesPeople ? (
            <>
              <NavLink to={`${base}/members`} className={tabClass}>
                Members
              </NavLink>
              <NavLink to={`${base}/followers`} className={tabClass}>
                Followers
              </NavLink>
            </>
          ) : null}
          {opensAdminPage(page.permissions) ? (
            <NavLink to={`${base}/admin`} className={tabClass}>
              Admin
            </NavLink>
          ) : null}
        </nav>
      </header>
      <Outlet />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
