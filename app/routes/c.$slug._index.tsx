import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { clubAdPlacement, selectAd } from '#db/ads/index'
import { getClubPage, getClubShareInfo, listClubMembers } from '#db/clubs'
import { listClubQuizzes, type ClubQuizzes } from '#db/quizzes/listings'
import { listClubTalks } from '#db/talks'
import { AdSlot } from '~/components/ad-slot'
import { Avatar } from '~/components/avatar'
import { plural } from '~/components/club-badges'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { ChallengeList, DraftQuizList, PastQuizList } from '~/components/quiz-lists'
import { ReportControl } from '~/components/report-control'
import { ShareBox, absoluteUrl } from '~/components/share'
import { TalkCard } from '~/components/talk-card'
import { orErrorPage } from '~/utils/club-forms'
import { adOptions } from '~/utils/ads.server'
import { shareMeta } from '~/utils/share-meta'

const PREVIEW_SIZE = 12

export async function loader({ params, context, request }: LoaderFunctionArgs) {
  const viewer = context.viewer
  const slug = params.slug ?? ''
  const page = await orErrorPage(getClubPage(viewer, slug))
  const { club, role } = page
  // Invited doctors see a private club's name and description, not its people or talks.
  const seesInside = club.visibility === 'public' || role !== null
  const [upcoming, past, quizzes, members, share] = await Promise.all([
    seesInside ? listClubTalks(viewer, club.id, 'upcoming', 20) : Promise.resolve([]),
    seesInside ? listClubTalks(viewer, club.id, 'past', 10) : Promise.resolve([]),
    // The data layer applies the quiz's own rules (banned, blocked, held): a visitor gets none.
    seesInside ? listClubQuizzes(viewer, club.id) : Promise.resolve({ open: [], past: [], drafts: [] }),
    seesInside ? listClubMembers(viewer, club.slug, { limit: PREVIEW_SIZE, offset: 0 }) : Promise.resolve(null),
    getClubShareInfo(viewer, club.slug),
  ])
  // At most one ad, for signed-in doctors, never beside a talk that issues certificates.
  const ad = viewer
    ? await selectAd(viewer, await clubAdPlacement(club.id, upcoming), adOptions(request))
    : null
  const url = absoluteUrl(context.publicUrl, `/c/${club.slug}`)
  return json({
    club: { id: club.id, slug: club.slug, name: club.name, description: club.description, visibility: club.visibility, memberCount: club.memberCount },
    // Anyone signed in but its owner may report the club.
    mayReport: Boolean(viewer) && role !== 'owner',
    canInvite: page.permissions.includes('manage:invites'),
    canSchedule: page.permissions.includes('schedule:talks'),
    seesInside,
    upcoming,
    past,
    quizzes,
    signedIn: Boolean(viewer),
    members,
    ad,
    url,
    // Null for a private club, so its page tags say nothing about it.
    share: share ? { title: share.name, description: share.description || 'A club for doctors on Rounds.', url, type: 'website' as const } : null,
  })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => shareMeta(data?.share ?? null)

export default function ClubOverviewRoute() {
  const { club, canInvite, canSchedule, seesInside, upcoming, past, quizzes, signedIn, members, url, mayReport, ad } = useLoaderData<typeof loader>()
  const base = `/c/${club.slug}`
  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <div className="space-y-8 lg:col-span-2">
        <section aria-labelledby="about" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 id="about" className="text-lg font-semibold">
            About
          </h2>
          {club.description ? (
            <p className="mt-2 whitespace-pre-line text-slate-800">{club.description}</p>
          ) : (
            <p className="mt-2 text-slate-500">This club has no description yet.</p>
          )}
          {mayReport ? (
            <div className="mt-4">
              <ReportControl kind="club" id={club.id} back={base} label="Report club" />
            </div>
          ) : null}
        </section>

        {seesInside ? (
          <>
            <section aria-labelledby="upcoming-talks">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <h2 id="upcoming-talks" className="text-xl font-semibold">
                  Upcoming talks
                </h2>
                {canSchedule ? (
                  <div className="flex flex-wrap gap-2">
                    <Link
                      to={`${base}/quizzes/new`}
                      className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-semibold text-slate-800 hover:bg-slate-50"
                    >
                      New quiz or poll
                    </Link>
                    <Link
                      to={`${base}/talks/new`}
                      className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700"
                    >
                      Schedule a talk
                    </Link>
                  </div>
                ) : null}
              </div>
              {upcoming.length ? (
                <ul className="mt-3 grid gap-3 sm:grid-cols-2">
                  {upcoming.map((t) => (
                    <TalkCard key={t.id} talk={t} />
                  ))}
                </ul>
              ) : (
                <p className="mt-2 text-slate-600">No talks are scheduled in this club yet.</p>
              )}
            </section>
            <ClubQuizzesSection quizzes={quizzes} signedIn={signedIn} clubSlug={club.slug} />
            <section aria-labelledby="past-talks">
              <h2 id="past-talks" className="text-xl font-semibold">
                Past talks
              </h2>
              {past.length ? (
                <ul className="mt-3 grid gap-3 sm:grid-cols-2">
                  {past.map((t) => (
                    <TalkCard key={t.id} talk={t} />
                  ))}
                </ul>
              ) : (
                <p className="mt-2 text-slate-600">No talks have taken place here yet.</p>
              )}
            </section>
          </>
        ) : (
          <p className="rounded-md bg-slate-100 p-4 text-slate-700">This club is private. Join it to see its talks and members.</p>
        )}
      </div>

      <aside className="space-y-6">
        {members ? (
          <section aria-labelledby="members-preview" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <h2 id="members-preview" className="font-semibold">
              Members
            </h2>
            <ul className="mt-3 space-y-2">
              {members.people.map((p) => (
                <li key={p.handle} className="flex items-center gap-2">
                  <Avatar name={p.name} photoUrl={p.photoUrl} size={32} />
                  <Link to={`/u/${p.handle}`} className="min-w-0 truncate text-sm hover:underline">
                    {p.name}
                  </Link>
                </li>
              ))}
            </ul>
            {members.people.length === 0 ? <p className="text-sm text-slate-600">No members with public profiles yet.</p> : null}
            <Link to={`${base}/members`} className="mt-3 inline-block text-sm font-medium text-brand-700 underline">
              See all {plural(members.total, 'member', 'members')}
            </Link>
          </section>
        ) : null}

        <AdSlot ad={ad} back={base} />

        {club.visibility === 'public' ? (
          <ShareBox url={url} text={`${club.name} on Rounds`} />
        ) : (
          <section className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">
            <h2 className="font-semibold text-slate-900">Bringing someone in</h2>
            <p className="mt-1">
              This club is private, so its address shows nothing to people outside it. Colleagues join with an invite link or an
              invitation by handle.
            </p>
            {canInvite ? (
              <Link to={`${base}/admin/invites#invite-links`} className="mt-2 inline-block font-medium text-brand-700 underline">
                Create an invite link
              </Link>
            ) : (
              <p className="mt-1">Ask one of the club’s admins for an invite link.</p>
            )}
          </section>
        )}
      </aside>
    </div>
  )
}

function ClubQuizzesSection({ quizzes, signedIn, clubSlug }: { quizzes: ClubQuizzes; signedIn: boolean; clubSlug: string }) {
  return (
    <section aria-labelledby="club-quizzes" data-testid="club-quizzes">
      <h2 id="club-quizzes" className="text-xl font-semibold">
        Challenges and quizzes
      </h2>
      {!signedIn ? (
        <p className="mt-2 text-slate-600">
          <Link to={`/login?redirectTo=${encodeURIComponent(`/c/${clubSlug}`)}`} className="text-brand-700 underline">
            Sign in
          </Link>{' '}
          to take this club’s challenges and see past results.
        </p>
      ) : quizzes.open.length === 0 && quizzes.past.length === 0 && quizzes.drafts.length === 0 ? (
        <p className="mt-2 text-slate-600">No challenges or quizzes here yet.</p>
      ) : (
        <div className="mt-3 space-y-4">
          {quizzes.drafts.length ? (
            <div className="rounded-xl border border-dashed border-slate-300 bg-white px-4 shadow-sm sm:px-5">
              <h3 className="pt-3 text-sm font-semibold uppercase tracking-wide text-slate-500">Your drafts (only you and the club’s admins see these)</h3>
              <DraftQuizList entries={quizzes.drafts} />
            </div>
          ) : null}
          {quizzes.open.length ? (
            <div className="rounded-xl border border-slate-200 bg-white px-4 shadow-sm sm:px-5">
              <h3 className="pt-3 text-sm font-semibold uppercase tracking-wide text-slate-500">Open now</h3>
              <ChallengeList entries={quizzes.open} />
            </div>
          ) : null}
          {quizzes.past.length ? (
            <div className="rounded-xl border border-slate-200 bg-white px-4 shadow-sm sm:px-5">
              <h3 className="pt-3 text-sm font-semibold uppercase tracking-wide text-slate-500">Closed</h3>
              <PastQuizList entries={quizzes.past} />
            </div>
          ) : null}
        </div>
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
