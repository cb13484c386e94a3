import { Link } from '@remix-run/react'
import type { ClubHit, DoctorHit, Segment, TalkHit } from '#server/search/types'
import { Avatar } from './avatar'
import { VisibilityBadge } from './club-badges'
import { VerifiedBadge } from './verified-badge'
import { LocalTime } from '~/utils/time-zone'
import { talkTypeLabel } from './talk-card'

/** A field with the words the search matched marked; plain text when nothing was. */
export function Marked({ text, segments }: { text: string; segments?: Segment[] }) {
  if (!segments?.length) return <>{text}</>
  return (
    <>
      {segments.map((s, i) =>
        s.match ? (
          <mark key={i} className="rounded-sm bg-amber-100 text-slate-900">
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  )
}

export const doctorHref = (d: Pick<DoctorHit, 'handle'>) => `/u/${d.handle}`
export const clubHref = (c: Pick<ClubHit, 'slug'>) => `/c/${c.slug}`
export const talkHref = (t: Pick<TalkHit, 'id'>) => `/t/${t.id}`

export function DoctorResult({ doctor }: { doctor: DoctorHit }) {
  return (
    <li className="flex items-start gap-3 py-3" data-testid="search-doctor">
      <Avatar name={doctor.name} photoUrl={doctor.photoUrl} size={40} />
      <div className="min-w-0">
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <Link to={doctorHref(doctor)} className="font-semibold hover:text-brand-700 hover:underline">
            <Marked text={doctor.name} segments={doctor.highlight.name} />
          </Link>
          <VerifiedBadge badge={doctor.verified} compact />
        </p>
        <p className="text-sm text-slate-600">
          {doctor.speciality ? <Marked text={doctor.speciality} segments={doctor.highlight.speciality} /> : 'Speciality not given'}
          {doctor.view === 'full' && doctor.city ? (
            <>
              {' · '}
              <Marked text={doctor.city} segments={doctor.highlight.city} />
            </>
          ) : null}
        </p>
        {doctor.view === 'full' && doctor.interests.length ? (
          <p className="text-xs text-slate-500">
            Interests: <Marked text={doctor.interests.join(', ')} segments={doctor.highlight.interests} />
          </p>
        ) : null}
      </div>
    </li>
  )
}

export function ClubResult({ club }: { club: ClubHit }) {
  return (
    <li className="py-3" data-testid="search-club">
      <p className="flex flex-wrap items-center gap-2">
        <Link to={clubHref(club)} className="font-semibold hover:text-brand-700 hover:underline">
          <Marked text={club.name} segments={club.highlight.name} />
        </Link>
        <VisibilityBadge visibility={club.visibility} />
      </p>
      {club.specialities.length ? (
        <p className="text-sm text-slate-600">
          <Marked text={club.specialities.join(', ')} segments={club.highlight.specialities} />
        </p>
      ) : null}
      {club.description ? (
        <p className="mt-1 line-clamp-2 text-sm text-slate-500">
          <Marked text={club.description} segments={club.highlight.description} />
        </p>
      ) : null}
    </li>
  )
}

export function TalkResult({ talk }: { talk: TalkHit }) {
  return (
    <li className="py-3" data-testid="search-talk">
      <p className="text-xs font-semibold uppercase tracking-wide text-brand-700">
        {talkTypeLabel[talk.type]} · {talk.club.name}
      </p>
      <Link to={talkHref(talk)} className="font-semibold hover:text-brand-700 hover:underline">
        <Marked text={talk.title} segments={talk.highlight.title} />
      </Link>
      <p className="text-sm text-slate-600">
        <LocalTime at={talk.startsAt} /> · {talk.durationMinutes} min
      </p>
    </li>
  )
}

export const groupLabel = { doctors: 'Doctors', clubs: 'Clubs', talks: 'Talks' } as const

/** "1,000+" when the count stopped at its cap. */
export function countLabel(group: { total: number; capped: boolean }) {
  return `${group.total.toLocaleString('en-GB')}${group.capped ? '+' : ''}`
}
