import type { LoaderFunctionArgs, SerializeFrom } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { selectAd } from '#db/ads/index'
import { listClubsForViewer } from '#db/clubs'
import { homeFeed } from '#db/feed'
import { suggestColleagues } from '#db/onboarding'
import { personalAnswers } from '#db/personal-answers'
import { countDoctors, listDoctorCards } from '#db/profiles'
import { listPastTalks, listUpcomingTalks } from '#db/talks'
import { AdSlot } from '~/components/ad-slot'
import { Avatar } from '~/components/avatar'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { ClubCard } from '~/components/feed-club-card'
import { FeedSection } from '~/components/feed-section'
import { TalkCard } from '~/components/talk-card'
import { adOptions } from '~/utils/ads.server'

export async function loader({ context, request }: LoaderFunctionArgs) {
  const viewer = context.viewer
  if (viewer) {
    // Speciality and interests, read once for the feed's clubs and the colleagues suggested.
    const answers = await personalAnswers(viewer.userId)
    const [feed, colleagues, ad] = await Promise.all([
      homeFeed(viewer, new Date(), answers),
      suggestColleagues(viewer, 4, answers),
      selectAd(viewer, { kind: 'home' }, adOptions(request)),
    ])
    return json({ kind: 'feed' as const, feed, colleagues, ad })
  }
  const [upcoming, past, clubs, doctors, doctorCount] = await Promise.all([
    listUpcomingTalks(viewer, 6),
    listPastTalks(viewer, 4),
    listClubsForViewer(viewer, 9),
    listDoctorCards(viewer, 12),
    countDoctors(),
  ])
  return json({ kind: 'landing' as const, upcoming, past, clubs, doctors, doctorCount })
}

export default function Index() {
  const data = useLoaderData<typeof loader>()
  return data.kind === 'feed' ? <HomeFeed feed={data.feed} colleagues={data.colleagues} ad={data.ad} /> : <Landing {...data} />
}

type Loaded = SerializeFrom<typeof loader>
type FeedData = Extract<Loaded, { kind: 'feed' }>['feed']
type Colleagues = Extract<Loaded, { kind: 'feed' }>['colleagues']
type HomeAd = Extract<Loaded, { kind: 'feed' }>['ad']

const linkClass = 'font-medium text-brand-700 underline'

function HomeFeed({ feed, colleagues, ad }: { feed: FeedData; colleagues: Colleagues; ad: HomeAd }) {
  return (
    <div className="space-y-10">
      <h1 className="sr-only">Your home on Rounds</h1>
      <FeedSection
        id="upcoming"
        title="Upcoming from people and clubs you follow"
        empty={
          feed.upcoming.length ? null : (
            <p>
              Nothing scheduled yet.{' '}
              <Link to="/clubs" className={linkClass}>
                Follow clubs
              </Link>{' '}
              to see their talks here — or follow doctors from their profile to see the talks they host.
            </p>
          )
        }
      >
        <ul className="mt-4 grid gap-3 sm:grid-cols-2">
          {feed.upcoming.map((t) => (
            <TalkCard key={t.id} talk={t} reason={t.reason} />
          ))}
        </ul>
      </FeedSection>

      {ad ? (
        <div className="max-w-md">
          <AdSlot ad={ad} back="/" />
        </div>
      ) : null}

      <FeedSection
        id="recommended"
        title="Recommended clubs"
        intro="Public clubs picked for your speciality and interests."
        empty={
          feed.recommendedClubs.length ? null : (
            <p>
              No new suggestions: you are in every club we would suggest.{' '}
              <Link to="/clubs" className={linkClass}>
                Browse all clubs
              </Link>{' '}
              or add interest areas in{' '}
              <Link to="/settings/profile" className={linkClass}>
                your profile
              </Link>
              .
            </p>
          )
        }
      >
        <ul className="mt-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {feed.recommendedClubs.map((c) => (
            <ClubCard key={c.id} club={c} reason={c.reason} />
          ))}
        </ul>
      </FeedSection>

      {colleagues.length ? (
        <FeedSection id="colleagues" title="Colleagues to follow" intro="Doctors who share your speciality or interests." empty={null}>
          <ul className="mt-4 grid gap-3 sm:grid-cols-2">
            {colleagues.map((doctor) => (
              <li key={doctor.handle} className="flex items-center justify-between gap-3 rounded-xl border border-slate-200 bg-white p-4">
                <div className="flex min-w-0 items-center gap-3">
                  <Avatar name={doctor.name} photoUrl={doctor.photoUrl} size={40} />
                  <div className="min-w-0">
                    <Link to={`/u/${doctor.handle}`} className="block truncate font-medium text-slate-900 hover:underline">
                      {doctor.name}
                    </Link>
                    <p className="truncate text-sm text-slate-600">
                      {doctor.reason}
                      {doctor.speciality ? ` · ${doctor.speciality}` : ''}
                    </p>
                  </div>
                </div>
                {/* Follows through the profile's own action, which then shows the profile. */}
                <Form method="post" action={`/u/${doctor.handle}`}>
                  <input type="hidden" name="intent" value="follow" />
                  <button
                    type="submit"
                    aria-label={`Follow ${doctor.name}`}
                    className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700"
                  >
                    Follow
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        </FeedSection>
      ) : null}

      <FeedSection
        id="trending"
        title="Trending discussions"
        intro="Talks colleagues are signing up for this fortnight."
        empty={
          feed.trending.length ? null : (
            <p>
              Nothing is trending yet. When you plan to attend a talk, press <strong>Going</strong> on its page — it helps
              colleagues find it.
            </p>
          )
        }
      >
        <ul className="mt-4 grid gap-3 sm:grid-cols-2">
          {feed.trending.map((t) => (
            <TalkCard key={t.id} talk={t} reason={t.reason} />
          ))}
        </ul>
      </FeedSection>
    </div>
  )
}

function Landing({ upcoming, past, clubs, doctors, doctorCount }: Extract<Loaded, { kind: 'landing' }>) {
  return (
    <div className="space-y-10">
      <section className="rounded-2xl bg-brand-700 px-6 py-10 text-white sm:px-10">
        <h1 className="text-3xl font-semibold sm:text-4xl">Learn from colleagues, live.</h1>
        <p className="mt-3 max-w-2xl text-brand-50">
          Rounds brings doctors together in clubs for their speciality: live talks, case discussions, surgeries and
          quizzes — with privacy controls that do what they say.
        </p>
        <div className="mt-6 flex flex-wrap gap-3">
          <Link to="/signup" className="rounded-md bg-white px-4 py-2 font-semibold text-brand-700">
            Join Rounds
          </Link>
          <Link to="/login" className="rounded-md border border-white/60 px-4 py-2 font-semibold">
            Sign in
          </Link>
        </div>
      </section>

      <section aria-labelledby="upcoming">
        <h2 id="upcoming" className="text-xl font-semibold">
          Upcoming talks
        </h2>
        {upcoming.length ? (
          <ul className="mt-4 grid gap-3 sm:grid-cols-2">
            {upcoming.map((t) => (
              <TalkCard key={t.id} talk={t} />
            ))}
          </ul>
        ) : (
          <p className="mt-3 text-slate-600">No talks are scheduled yet.</p>
        )}
      </section>

      <section aria-labelledby="clubs">
        <h2 id="clubs" className="text-xl font-semibold">
          Clubs
        </h2>
        <ul className="mt-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {clubs.map((c) => (
            <ClubCard key={c.id} club={c} />
          ))}
        </ul>
      </section>

      <section aria-labelledby="doctors">
        <h2 id="doctors" className="text-xl font-semibold">
          Doctors on Rounds <span className="text-base font-normal text-slate-500">({doctorCount})</span>
        </h2>
        <ul className="mt-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {doctors.map((d) => (
            <li key={d.handle}>
              <Link to={`/u/${d.handle}`} className="flex items-center gap-3 rounded-lg border border-slate-200 bg-white p-3 hover:border-brand-600">
                <Avatar name={d.name} photoUrl={d.photoUrl} size={40} />
                <span>
                  <span className="block font-medium">{d.name}</span>
                  <span className="block text-sm text-slate-500">{d.speciality ?? 'Doctor'}</span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>

      {past.length ? (
        <section aria-labelledby="past">
          <h2 id="past" className="text-xl font-semibold">
            Recent talks
          </h2>
          <ul className="mt-4 grid gap-3 sm:grid-cols-2">
            {past.map((t) => (
              <TalkCard key={t.id} talk={t} />
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
