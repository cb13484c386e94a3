import { Link } from '@remix-run/react'
import type { ReactNode } from 'react'
import { LocalTime } from '~/utils/time-zone'
import { roleLabel } from './club-badges'

type Person = { handle: string; name: string } | null

export type AuditRow = {
  id: string
  action: string
  actor: Person
  target: Person
  details: Record<string, unknown>
  createdAt: string
}

const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })

function who(person: Person, fallback = 'A deleted account') {
  return person ? (
    <Link to={`/u/${person.handle}`} className="font-medium hover:underline">
      {person.name}
    </Link>
  ) : (
    <span className="font-medium">{fallback}</span>
  )
}

function roleName(value: unknown) {
  return typeof value === 'string' && value in roleLabel ? roleLabel[value as keyof typeof roleLabel].toLowerCase() : 'another role'
}

function linkLimits(details: Record<string, unknown>) {
  const parts: string[] = []
  if (typeof details.expiresAt === 'string') parts.push(`expiring ${day.format(new Date(details.expiresAt))}`)
  if (typeof details.maxUses === 'number') parts.push(`for up to ${details.maxUses} ${details.maxUses === 1 ? 'use' : 'uses'}`)
  return parts.length ? ` ${parts.join(', ')}` : ''
}

/** One audit entry in plain words, such as "Asha Rao revoked an invite link". */
export function describeAuditEntry(entry: AuditRow): ReactNode {
  const actor = who(entry.actor)
  const target = who(entry.target, 'a deleted account')
  const d = entry.details
  switch (entry.action) {
    case 'club.created':
      return <>{actor} created the club{d.visibility === 'private' ? ' as a private club' : ''}</>
    case 'club.updated':
      return <>{actor} edited the club’s details</>
    case 'club.ownership_transferred':
      return <>{actor} handed ownership of the club to {target}</>
    case 'member.joined':
      return <>{actor} joined the club</>
    case 'member.joined_by_link':
      return <>{actor} joined the club with an invite link</>
    case 'member.left':
      return <>{actor} left the club</>
    case 'member.invited':
      return <>{actor} invited {target}</>
    case 'member.invitation_cancelled':
      return <>{actor} cancelled the invitation to {target}</>
    case 'member.role_changed':
      return (
        <>
          {actor} changed {target}’s role from {roleName(d.from)} to {roleName(d.to)}
        </>
      )
    case 'member.removed':
      return <>{actor} removed {target} from the club</>
    case 'member.banned':
      return <>{actor} removed and banned {target}</>
    case 'member.unbanned':
      return <>{actor} lifted the ban on {target}</>
    case 'invite_link.created':
      return <>{actor} created an invite link{linkLimits(d)}</>
    case 'invite_link.revoked':
      return <>{actor} revoked an invite link</>
    case 'invite_link.rotated':
      return <>{actor} replaced an invite link with a new one</>
    default:
      return (
        <>
          {actor} — {entry.action.replace(/[._]/g, ' ')}
          {entry.target ? <> ({target})</> : null}
        </>
      )
  }
}

export function AuditLogList({ entries }: { entries: AuditRow[] }) {
  if (!entries.length) return <p className="text-slate-600">Nothing has happened in this club yet.</p>
  return (
    <ol className="divide-y divide-slate-200">
      {entries.map((e) => (
        <li key={e.id} className="flex flex-wrap gap-x-4 gap-y-1 py-2 text-sm" data-testid="audit-entry">
          <LocalTime at={e.createdAt} style="dateTime" className="w-48 shrink-0 text-slate-500" />
          <span className="min-w-0 flex-1">{describeAuditEntry(e)}</span>
        </li>
      ))}
    </ol>
  )
}
