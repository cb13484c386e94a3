import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listClubsForViewer } from '#db/clubs'
import { countDoctors, listDoctorCards } from '#db/profiles'
import { listPastTalks, listUpcomingTalks } from '#db/talks'
import { Avatar } from '~/components/avatar'
import { TalkCard } from '~/components/talk-card'

export async function loader({ context }: LoaderFunctionArgs) {
  const viewer = context.viewer
  const [upcoming, past, clubs, doctors, doctorCount] = await Promise.all([
    listUpcomingTalks(viewer, 6),
    listPastTalks(viewer, 4),
    listClubsForViewer(viewer, 9),
    listDoctorCards(viewer, 12),
    countDoctors(),
  ])
  return json({ signedIn: Boolean(viewer), upcoming, past, clubs, doctors, doctorCount })
}

export default function Index() {
  const { signedIn, upcoming, past, clubs, doctors, doctorCount } = useLoaderData<typeof loader>()
  return (
    <div className="space-y-10">
      {signedIn ? null : (
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
      )}

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
            <li key={c.id} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
              <h3 className="font-semibold">{c.name}</h3>
              <p className="mt-1 line-clamp-3 text-sm text-slate-600">{c.description}</p>
              <p className="mt-2 text-xs text-slate-500">
                {c.memberCount} members · {c.visibility === 'private' ? 'Private' : 'Public'}
                {c.isMember ? ' · You are a member' : ''}
              </p>
            </li>
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
