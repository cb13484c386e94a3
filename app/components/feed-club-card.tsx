import { Link } from '@remix-run/react'

type ClubCardProps = {
  club: {
    slug: string
    name: string
    description: string
    specialities?: string[]
    visibility: 'public' | 'private'
    memberCount: number
    isMember?: boolean
  }
  /** Why the club is suggested, such as "In your speciality: Cardiology". */
  reason?: string
}

export function ClubCard({ club, reason }: ClubCardProps) {
  return (
    <li className="flex flex-col rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h3 className="font-semibold">
        <Link to={`/c/${club.slug}`} className="hover:text-brand-700 hover:underline">
          {club.name}
        </Link>
      </h3>
      {club.description ? <p className="mt-1 line-clamp-3 text-sm text-slate-600">{club.description}</p> : null}
      <p className="mt-2 text-xs text-slate-500">
        {club.memberCount} {club.memberCount === 1 ? 'member' : 'members'} · {club.visibility === 'private' ? 'Private' : 'Public'}
        {club.isMember ? ' · You are a member' : ''}
      </p>
      {reason ? <p className="mt-auto pt-2 text-xs font-medium text-brand-700">{reason}</p> : null}
    </li>
  )
}
