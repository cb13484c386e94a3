import { Link, useLocation } from '@remix-run/react'
import type { ReactNode } from 'react'
import { Avatar } from './avatar'
import { VerifiedBadge } from './verified-badge'

/*
 * Every list of doctors — a profile's followers and following, follow requests, a club's members
 * and followers, the club admin's members, invitations and bans — is drawn with this kit: one row
 * per person, one pager, one note for the people a list leaves out (decision 005). The server
 * half, reading `?page=` and loading a page, is `app/utils/people-list.server.ts`.
 */

export type PersonCard = {
  handle: string
  name: string
  photoUrl: string | null
  speciality: string | null
  /** A verified doctor's council and year (never the number). */
  verified?: { council: string; since: number } | null
}

/** A profile's followers and following, fifty to a page. */
export const PEOPLE_PAGE_SIZE = 50
/** A club's members and followers, a hundred to a page. */
export const CLUB_PEOPLE_PAGE_SIZE = 100

/**
 * Doctors as basic cards (photo, name, speciality), each name linking to the profile. `badge` goes
 * beside the name, `detail` replaces the speciality line, and `actions` (buttons, forms) sit at the
 * end of the row. Rows carry `data-testid={rowTestId}` and `data-handle`.
 */
export function PeopleList<T extends PersonCard>({
  people,
  label,
  rowTestId = 'person-row',
  badge,
  detail,
  actions,
  linked,
}: {
  people: T[]
  label: string
  rowTestId?: string
  badge?: (person: T) => ReactNode
  detail?: (person: T) => ReactNode
  actions?: (person: T) => ReactNode
  /** Whether the name links to the profile (default yes); no for someone whose profile is hidden from the reader. */
  linked?: (person: T) => boolean
}) {
  return (
    <ul aria-label={label} className="mt-2 divide-y divide-slate-200">
      {people.map((person) => {
        const extra = actions?.(person)
        return (
          <li key={person.handle} className="flex flex-wrap items-center gap-3 py-3" data-testid={rowTestId} data-handle={person.handle}>
            <Avatar name={person.name} photoUrl={person.photoUrl} size={44} />
            <div className="min-w-0 flex-1">
              <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
                {linked && !linked(person) ? (
                  <span className="min-w-0 break-words font-medium">{person.name}</span>
                ) : (
                  <Link to={`/u/${person.handle}`} className="min-w-0 break-words font-medium hover:underline">
                    {person.name}
                  </Link>
                )}
                <VerifiedBadge badge={person.verified} compact />
                {badge?.(person)}
              </p>
              <p className="break-words text-sm text-slate-500">{detail ? detail(person) : (person.speciality ?? 'Doctor')}</p>
            </div>
            {extra !== undefined && extra !== null && extra !== false ? <div className="flex flex-wrap items-center gap-2">{extra}</div> : null}
          </li>
        )
      })}
    </ul>
  )
}

const nouns = { person: 'people', member: 'members', follower: 'followers' } as const

/** "3 members with private profiles are not listed." Names nobody; says only how many. */
export function HiddenPeopleNotice({ count, noun = 'person' }: { count: number; noun?: keyof typeof nouns }) {
  if (count <= 0) return null
  return (
    <p className="mt-3 rounded-md bg-slate-100 p-3 text-sm text-slate-700" data-testid="hidden-count">
      {count === 1
        ? `1 ${noun} with a private profile is not listed.`
        : `${count.toLocaleString('en-GB')} ${nouns[noun]} with private profiles are not listed.`}
    </p>
  )
}

/**
 * Previous / next links for a long list, with where the reader is ("Page 2 of 3 · 250 members").
 * Plain links to `?page=`, so they work without JavaScript. `listed` counts the people the list can
 * show, not those it leaves out.
 */
export function ListPager({ page, listed, pageSize = PEOPLE_PAGE_SIZE, label }: { page: number; listed: number; pageSize?: number; label?: string }) {
  const pages = Math.max(1, Math.ceil(listed / pageSize))
  if (pages <= 1 && page <= 1) return null
  return (
    <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center justify-between gap-2 text-sm">
      {page > 1 ? (
        <Link to={`?page=${page - 1}`} className="font-medium text-brand-700 underline">
          ← Previous
        </Link>
      ) : (
        <span />
      )}
      <span className="text-slate-500">
        Page {page} of {pages}
        {label ? ` · ${label}` : ''}
      </span>
      {page < pages ? (
        <Link to={`?page=${page + 1}`} className="font-medium text-brand-700 underline">
          Next →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  )
}

/** Why a followers or following list is not shown; names nobody. */
export function PrivateListNotice({ reason, what }: { reason: 'private' | 'signed-out'; what: 'followers' | 'following' }) {
  const { pathname } = useLocation()
  return (
    <p className="mt-4 rounded-md bg-slate-100 p-4 text-slate-700" data-testid="private-list-notice">
      {reason === 'signed-out' ? (
        <>
          <Link to={`/login?redirectTo=${encodeURIComponent(pathname)}`} className="font-medium text-brand-700 underline">
            Sign in
          </Link>{' '}
          to see {what === 'followers' ? 'who follows this doctor' : 'whom this doctor follows'}.
        </>
      ) : what === 'followers' ? (
        'This profile is private: only approved followers see who follows it.'
      ) : (
        'This profile is private: only approved followers see whom they follow.'
      )}
    </p>
  )
}
