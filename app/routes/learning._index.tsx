import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { formatCertificateId, listMyLearning, type LearningEntry } from '#db/certificates'
import { listMyChallenges } from '#db/quizzes/listings'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { ChallengeList } from '~/components/quiz-lists'
import { requireUser } from '~/utils/auth.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'My learning — Rounds' }, { name: 'robots', content: 'noindex' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const [{ entries, years }, challenges] = await Promise.all([listMyLearning(viewer), listMyChallenges(viewer)])
  // Numbers are formatted here: the certificates module stays on the server.
  return json({ years, challenges, entries: entries.map((e) => ({ ...e, number: e.certificate ? formatCertificateId(e.certificate.id) : null })) })
}

const hours = (minutes: number) => (minutes >= 60 ? `${minutes} min (${(minutes / 60).toFixed(1)} h)` : `${minutes} min`)

function CertificateCell({ entry }: { entry: LearningEntry & { number: string | null } }) {
  const pdf = entry.talkId ? `/learning/${entry.talkId}/certificate.pdf` : null
  switch (entry.standing) {
    case 'issued':
    case 'available':
      return pdf ? (
        <div>
          <a href={pdf} download className="font-semibold text-brand-700 underline" data-testid="certificate-download">
            Download certificate (PDF)
          </a>
          {entry.certificate ? (
            <p className="mt-1 text-xs text-slate-500">
              No. {entry.number} ·{' '}
              <Link to={`/certificates/${entry.certificate.id}`} className="underline">
                check page
              </Link>
            </p>
          ) : null}
        </div>
      ) : entry.certificate ? (
        <Link to={`/certificates/${entry.certificate.id}`} className="text-brand-700 underline">
          No. {entry.number}
        </Link>
      ) : null
    case 'revoked':
      return (
        <p className="text-red-800" data-testid="certificate-revoked">
          Revoked by the club’s admins
          {entry.certificate?.revokedAt ? (
            <>
              {' '}
              on <LocalTime at={entry.certificate.revokedAt} style="day" />
            </>
          ) : null}
          {entry.certificate?.revokeReason ? `: ${entry.certificate.revokeReason}` : '.'}
        </p>
      )
    case 'not-ended':
      return <p className="text-slate-600">Ready once the talk ends.</p>
    case 'too-short':
      return (
        <p className="text-slate-600">
          No certificate: it needs {entry.minSharePercent}% of the talk ({entry.talkMinutes} min).
        </p>
      )
    case 'not-offered':
      return <p className="text-slate-500">This talk gives no certificates.</p>
  }
}

export default function MyLearningRoute() {
  const { entries, years, challenges } = useLoaderData<typeof loader>()
  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <div className="flex flex-wrap items-baseline justify-between gap-3">
          <h1 className="text-2xl font-semibold">My learning</h1>
          {entries.length > 0 ? (
            <a href="/learning.csv" download className="text-sm font-semibold text-brand-700 underline">
              Download as CSV
            </a>
          ) : null}
        </div>
        <p className="mt-2 text-slate-600">
          Every talk you attended live. Minutes count your time in the room, in steps of 15 minutes rounded down; time away from the room does not count.
        </p>
        {years.length > 0 ? (
          <ul className="mt-4 flex flex-wrap gap-3" aria-label="Totals per year">
            {years.map((y) => (
              <li key={y.year} className="rounded-lg bg-slate-100 px-4 py-2 text-sm" data-testid={`year-${y.year}`}>
                <span className="font-semibold">{y.year}</span>: {hours(y.minutes)} · {y.certificates} {y.certificates === 1 ? 'certificate' : 'certificates'}
                {Number(y.credits) > 0 ? ` · ${y.credits} credits` : ''}
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <section aria-labelledby="my-challenges" className="rounded-xl border border-slate-200 bg-white px-6 pb-2 pt-5 shadow-sm sm:px-8" data-testid="my-challenges">
        <h2 id="my-challenges" className="text-lg font-semibold">
          My challenges
        </h2>
        <p className="mt-1 text-sm text-slate-600">Open challenges, polls and surveys in your clubs, the ones you have not answered first.</p>
        {challenges.length ? (
          <ChallengeList entries={challenges} showClub />
        ) : (
          <p className="py-4 text-sm text-slate-600">No open challenges in your clubs right now.</p>
        )}
      </section>
      {entries.length === 0 ? (
        <p className="rounded-xl border border-slate-200 bg-white p-6 text-slate-600">
          Talks you attend live show here, with your minutes and any certificates.{' '}
          <Link to="/clubs" className="text-brand-700 underline">
            Find a club
          </Link>
        </p>
      ) : (
        <ul className="space-y-3" data-testid="learning-list">
          {entries.map((e) => (
            <li key={e.certificate?.id ?? e.talkId} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:flex sm:items-start sm:justify-between sm:gap-6">
              <div className="min-w-0">
                <h2 className="font-semibold break-words">{e.talkId ? <Link to={`/t/${e.talkId}`} className="hover:underline">{e.title}</Link> : e.title}</h2>
                <p className="text-sm text-slate-600">
                  {e.club.slug ? <Link to={`/c/${e.club.slug}`} className="underline">{e.club.name}</Link> : e.club.name} · <LocalTime at={e.heldAt} style="day" />
                </p>
                <p className="mt-1 text-sm" data-testid="learning-minutes">
                  <span className="font-semibold">{e.minutes} minutes</span> attended
                  {e.credits && e.creditProvider ? ` · ${e.credits} credits, designated by ${e.creditProvider}` : ''}
                </p>
              </div>
              <div className="mt-3 text-sm sm:mt-0 sm:max-w-xs sm:text-right">
                <CertificateCell entry={e} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
