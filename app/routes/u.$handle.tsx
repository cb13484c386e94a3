import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, NavLink, useLoaderData, useOutlet } from '@remix-run/react'
import type { ReactNode } from 'react'
import { z } from 'zod'
import { recordActivity } from '#db/activity'
import { blockPerson, mutePerson, unmutePerson } from '#db/blocks'
import { PublicError } from '#db/errors'
import { followUser, getFollowState, unfollowUser } from '#db/follows'
import { getProfilePage, type ProfilePage as ProfilePageData } from '#db/profiles'
import { verificationBadgeForHandle } from '#db/verification'
import { Avatar } from '~/components/avatar'
import { BlockMuteActions } from '~/components/block-mute-actions'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { ReportControl } from '~/components/report-control'
import { FollowButton } from '~/components/follow-button'
import { ShareBox, absoluteUrl } from '~/components/share'
import { VerifiedBadge } from '~/components/verified-badge'
import { requireUser } from '~/utils/auth.server'
import { readConsentId } from '~/utils/consent.server'
import { noindex } from '~/utils/robots'
import { shareMeta, type ShareCard } from '~/utils/share-meta'
import { readForm } from '~/utils/form.server'
import { myPendingText } from '#db/moderation/index'
import { PendingReviewNotice } from '~/components/pending-review'
import { ActionMessage, useSettledActionData } from '~/utils/action-message'

const HANDLE_MAX = 60

const ProfileAction = z.object({
  intent: z.enum(['follow', 'unfollow', 'mute', 'unmute', 'block'], {
    errorMap: () => ({ message: 'Choose Follow, Unfollow, Mute, Unmute or Block.' }),
  }),
})

/*
 * Share tags are read by crawlers, which are never signed in, so they must not
 * depend on who is looking: a public profile gives its basic card (name and
 * speciality, which any visitor sees anyway), a private one nothing at all.
 * The bio stays out: the full profile is for signed-in doctors only.
 */
function shareCardFor(page: ProfilePageData, url: string): ShareCard | null {
  if (!page.shareable) return null
  const p = page.view.profile
  return { title: p.name, description: `${p.speciality ?? 'Doctor'} on Rounds, live learning for doctors.`, url, type: 'profile' }
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const handle = params.handle ?? ''
  const page = handle.length <= HANDLE_MAX ? await getProfilePage(context.viewer, handle) : null
  if (!page) throw new Response('No doctor on Rounds has that handle.', { status: 404 })
  await recordActivity(context.viewer, 'profile.view', page.view.profile.handle, readConsentId(request))
  const shareUrl = absoluteUrl(context.publicUrl, `/u/${page.view.profile.handle}`)
  return json({
    view: page.view,
    followState: page.followState,
    counts: page.counts,
    requestCount: page.pendingRequests,
    share: shareCardFor(page, shareUrl),
    indexable: page.indexable,
    shareUrl,
    signedIn: Boolean(context.viewer),
    muted: page.muted,
    verified: await verificationBadgeForHandle(page.view.profile.handle),
    // Only on the owner's own view: their bio awaiting a moderator.
    pendingBio: page.view.kind === 'own' ? await myPendingText(context.viewer?.userId, 'person', context.viewer?.userId ?? '') : null,
  })
}

// Private profiles, profiles kept out of search and pages of people who are gone say noindex.
export const meta: MetaFunction<typeof loader> = ({ data }) => {
  if (!data) return [{ title: 'Profile not found — Rounds' }, noindex]
  const tags = shareMeta(data.share)
  return data.indexable || !data.share ? tags : [...tags, noindex]
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const handle = params.handle ?? ''
  if (handle.length > HANDLE_MAX) return json({ ok: false, message: 'No doctor on Rounds has that handle.' }, { status: 404 })
  const parsed = ProfileAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  try {
    if (parsed.data.intent === 'block') {
      // The profile is gone for the viewer once blocked: the list of blocked people is where they can undo it.
      const { changed } = await blockPerson(viewer, handle)
      return redirect(`/settings/blocked?done=${changed ? 'blocked' : 'already-blocked'}`)
    }
    if (parsed.data.intent === 'mute') {
      const { changed } = await mutePerson(viewer, handle)
      return json({
        ok: true,
        message: changed ? 'Muted. Their comments and questions in live talks are hidden from you.' : 'You had already muted this doctor.',
      })
    }
    if (parsed.data.intent === 'unmute') {
      const { changed } = await unmutePerson(viewer, handle)
      return json({ ok: true, message: changed ? 'Unmuted. You will see what they say in live talks again.' : 'You had not muted this doctor.' })
    }
    if (parsed.data.intent === 'follow') {
      const state = await followUser(viewer, handle)
      return json({
        ok: true,
        message:
          state === 'pending'
            ? 'Request sent. You will see the full profile once it is approved.'
            : 'You now follow this doctor. Their talks will show on your home page.',
      })
    }
    const before = await getFollowState(viewer, handle)
    await unfollowUser(viewer, handle)
    return json({ ok: true, message: before === 'pending' ? 'Request withdrawn.' : 'You no longer follow this doctor.' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

export default function ProfileRoute() {
  const outlet = useOutlet()
  return outlet ? <PeopleLayout>{outlet}</PeopleLayout> : <ProfilePage />
}

function Counts({ handle }: { handle: string }) {
  const { counts } = useLoaderData<typeof loader>()
  if (!counts) return null
  const tab = ({ isActive }: { isActive: boolean }) =>
    `rounded-md px-3 py-1.5 text-sm ${isActive ? 'bg-brand-50 text-brand-900' : 'text-slate-700 hover:text-brand-700'}`
  return (
    <nav aria-label="Followers and following" className="flex flex-wrap gap-1">
      <NavLink to={`/u/${handle}/followers`} className={tab}>
        <strong className="font-semibold">{counts.followers}</strong> {counts.followers === 1 ? 'follower' : 'followers'}
      </NavLink>
      <NavLink to={`/u/${handle}/following`} className={tab}>
        <strong className="font-semibold">{counts.following}</strong> following
      </NavLink>
    </nav>
  )
}

function ProfileActionMessage() {
  return <ActionMessage result={useSettledActionData<typeof action>()} className="mt-4" />
}

/** The followers and following pages sit under the profile, with a compact header. */
function PeopleLayout({ children }: { children: ReactNode }) {
  const { view } = useLoaderData<typeof loader>()
  const p = view.profile
  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <header className="flex flex-wrap items-center gap-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <Avatar name={p.name} photoUrl={p.photoUrl} size={56} />
        <div className="min-w-0 flex-1 basis-40">
          <Link to={`/u/${p.handle}`} className="text-lg font-semibold hover:text-brand-700">
            {p.name}
          </Link>
          {p.speciality ? <p className="text-sm text-brand-700">{p.speciality}</p> : null}
        </div>
        <Counts handle={p.handle} />
      </header>
      {children}
    </div>
  )
}

function ProfilePage() {
  const { view, followState, requestCount, share, shareUrl, signedIn, muted, verified, pendingBio } = useLoaderData<typeof loader>()
  const p = view.profile
  const isPrivate = view.kind === 'card' ? view.reason === 'private' : view.profile.visibility === 'private'
  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <PendingReviewNotice pending={pendingBio} what="bio" />
      <article className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <header className="flex flex-wrap items-center gap-4">
          <Avatar name={p.name} photoUrl={p.photoUrl} size={88} />
          <div className="min-w-0 flex-1 basis-40">
            <h1 className="break-words text-2xl font-semibold">{p.name}</h1>
            <VerifiedBadge badge={verified} />
            {p.speciality ? <p className="text-brand-700">{p.speciality}</p> : null}
            {view.kind !== 'card' && view.profile.city ? <p className="text-slate-500">{view.profile.city}</p> : null}
          </div>
          <FollowButton handle={p.handle} name={p.name} state={followState} signedIn={signedIn} isPrivate={isPrivate} />
        </header>
        {signedIn && view.kind !== 'own' ? (
          <div className="flex flex-wrap items-start gap-2">
            <BlockMuteActions handle={p.handle} name={p.name} muted={muted} />
            <div className="mt-4">
              <ReportControl kind="person" id={p.handle} back={`/u/${p.handle}`} label="Report profile" />
            </div>
          </div>
        ) : null}
        <div className="mt-4 flex flex-wrap items-center justify-between gap-2">
          <Counts handle={p.handle} />
          {view.kind === 'own' ? (
            <Link to="/settings/requests" className="text-sm font-medium text-brand-700 underline">
              Follow requests{requestCount > 0 ? ` (${requestCount} waiting)` : ''}
            </Link>
          ) : null}
        </div>
        <ProfileActionMessage />
        {view.kind === 'card' ? (
          <p className="mt-6 rounded-md bg-slate-100 p-4 text-slate-700" data-testid="basic-card-notice">
            {view.reason === 'private' ? (
              followState === 'pending' ? (
                'This profile is private. You will see the rest once your request is approved.'
              ) : (
                'This profile is private. Only its basic card is shown.'
              )
            ) : (
              <>
                <Link to={`/login?redirectTo=${encodeURIComponent(`/u/${p.handle}`)}`} className="font-medium text-brand-700 underline">
                  Sign in
                </Link>{' '}
                to see more of this doctor’s profile.
              </>
            )}
          </p>
        ) : (
          <div className="mt-6 space-y-5">
            {view.profile.bio ? <p className="whitespace-pre-line text-slate-800">{view.profile.bio}</p> : null}
            {view.profile.interests.length ? (
              <section>
                <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Interest areas</h2>
                <ul className="mt-2 flex flex-wrap gap-2">
                  {view.profile.interests.map((i) => (
                    <li key={i} className="rounded-full bg-brand-50 px-3 py-1 text-sm text-brand-900">
                      {i}
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
            {view.kind === 'own' ? (
              <section className="rounded-md border border-dashed border-slate-300 p-4 text-sm">
                <h2 className="font-semibold">Only you see this</h2>
                <p className="mt-1">Registration number: {view.profile.registrationNumber ?? 'not added'}</p>
                <p>
                  Profile is {view.profile.visibility === 'private' ? 'private: new followers need your approval' : 'public'}.
                </p>
                <Link to="/settings/profile" className="mt-2 inline-block font-medium text-brand-700 underline">
                  Edit profile
                </Link>
              </section>
            ) : null}
          </div>
        )}
      </article>
      <ShareBox url={shareUrl} text={share ? `${share.title} on Rounds` : 'A doctor on Rounds'} />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
