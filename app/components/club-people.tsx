import { Link } from '@remix-run/react'
import type { ReactNode } from 'react'
import type { ClubRole } from '#db/access/club-permissions'
import { Avatar } from './avatar'
import { RoleBadge, plural } from './club-badges'

export type ClubPersonRow = {
  handle: string
  name: string
  photoUrl: string | null
  speciality: string | null
  role?: ClubRole
  since: string
}

const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })

export function formatDay(iso: string) {
  return day.format(new Date(iso))
}

/** A person in a club list: avatar, name, speciality, role, and room for admin controls. */
export function ClubPersonItem({ person, sinceLabel, testId, children }: { person: ClubPersonRow; sinceLabel: string; testId: string; children?: ReactNode }) {
  return (
    <li className="flex flex-wrap items-center gap-3 py-3" data-testid={testId} data-handle={person.handle}>
      <Avatar name={person.name} photoUrl={person.photoUrl} size={44} />
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-2">
          <Link to={`/u/${person.handle}`} className="font-medium hover:underline">
            {person.name}
          </Link>
          {person.role && person.role !== 'member' ? <RoleBadge role={person.role} /> : null}
        </p>
        <p className="text-sm text-slate-500">
          {person.speciality ? `${person.speciality} · ` : ''}
          {sinceLabel} {formatDay(person.since)}
        </p>
      </div>
      {children}
    </li>
  )
}

/** "3 members with private profiles are not listed." */
export function HiddenPeopleNote({ count, noun }: { count: number; noun: 'member' | 'follower' }) {
  if (count <= 0) return null
  return (
    <p className="mt-3 rounded-md bg-slate-100 p-3 text-sm text-slate-700" data-testid="hidden-count">
      {count === 1
        ? `1 ${noun} with a private profile is not listed.`
        : `${plural(count, noun, `${noun}s`)} with private profiles are not listed.`}
    </p>
  )
}

/** Previous / next links for a long list; plain links, so they work without JavaScript. */
export function PagerLinks({ page, pageSize, listed, label }: { page: number; pageSize: number; listed: number; label: string }) {
  const pages = Math.max(1, Math.ceil(listed / pageSize))
  if (pages <= 1) return null
  return (
    <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
      {page > 1 ? (
        <Link to={`?page=${page - 1}`} className="font-medium text-brand-700 underline">
          ← Previous
        </Link>
      ) : (
        <span />
      )}
      <span className="text-slate-500">
        Page {page} of {pages} · {label}
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
