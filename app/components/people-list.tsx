import { Link, useLocation } from '@remix-run/react'
import type { ReactNode } from 'react'
import { Avatar } from './avatar'

export type PersonCard = { handle: string; name: string; photoUrl: string | null; speciality: string | null }

/** Doctors as basic cards (photo, name, speciality), each linking to the profile, with an optional action beside each. */
export function PeopleList<T extends PersonCard>({
  people,
  label,
  actions,
}: {
  people: T[]
  label: string
  actions?: (person: T) => ReactNode
}) {
  return (
    <ul aria-label={label} className="divide-y divide-slate-200">
      {people.map((person) => (
        <li key={person.handle} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid="person-row">
          <Link to={`/u/${person.handle}`} className="flex min-w-0 items-center gap-3 rounded-md hover:text-brand-700">
            <Avatar name={person.name} photoUrl={person.photoUrl} size={44} />
            <span className="min-w-0">
              <span className="block truncate font-medium">{person.name}</span>
              <span className="block truncate text-sm text-slate-500">{person.speciality ?? 'Doctor'}</span>
            </span>
          </Link>
          {actions ? <div className="flex flex-wrap gap-2">{actions(person)}</div> : null}
        </li>
      ))}
    </ul>
  )
}

/** "N people with private profiles are not listed." */
export function HiddenPeopleNotice({ count }: { count: number }) {
  if (count <= 0) return null
  return (
    <p className="mt-3 text-sm text-slate-500" data-testid="hidden-count">
      {count === 1 ? '1 person with a private profile is not listed.' : `${count} people with private profiles are not listed.`}
    </p>
  )
}

export const PEOPLE_PAGE_SIZE = 50

/** The page number from `?page=`, 1 when absent or nonsense. */
export function pageFrom(request: Request) {
  const page = Number(new URL(request.url).searchParams.get('page') ?? '1')
  return Number.isInteger(page) && page >= 1 && page <= 1000 ? page : 1
}

export function ListPager({ page, listed }: { page: number; listed: number }) {
  const hasNext = listed > page * PEOPLE_PAGE_SIZE
  if (page <= 1 && !hasNext) return null
  return (
    <nav aria-label="Pages" className="mt-4 flex gap-3 text-sm">
      {page > 1 ? (
        <Link to={`?page=${page - 1}`} className="font-medium text-brand-700 underline">
          Previous page
        </Link>
      ) : null}
      {hasNext ? (
        <Link to={`?page=${page + 1}`} className="font-medium text-brand-700 underline">
          Next page
        </Link>
      ) : null}
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
