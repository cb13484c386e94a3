import { Link } from '@remix-run/react'
import type { ClubRole } from '#db/access/club-permissions'
import { RoleBadge, SpecialityTags, VisibilityBadge, plural } from './club-badges'

type ClubCardProps = {
  club: {
    slug: string
    name: string
    description: string
    specialities: string[]
    visibility: 'public' | 'private'
    coverUrl: string | null
    memberCount: number
    isMember: boolean
  }
  role?: ClubRole
}

/** A club in a grid: cover, name, counts and, when known, the viewer's role. */
export function ClubCard({ club, role }: ClubCardProps) {
  return (
    <li className="flex flex-col overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm" data-testid="club-card">
      {club.coverUrl ? (
        <img src={club.coverUrl} alt="" className="aspect-[3/1] w-full object-cover" />
      ) : (
        <div aria-hidden="true" className="aspect-[3/1] w-full bg-linear-to-r from-brand-700 to-brand-600" />
      )}
      <div className="flex flex-1 flex-col gap-2 p-4">
        <h3 className="font-semibold">
          <Link to={`/c/${club.slug}`} className="hover:underline">
            {club.name}
          </Link>
        </h3>
        <div className="flex flex-wrap items-center gap-2">
          <VisibilityBadge visibility={club.visibility} />
          {role ? <RoleBadge role={role} /> : null}
        </div>
        {club.description ? <p className="line-clamp-3 text-sm text-slate-600">{club.description}</p> : null}
        <SpecialityTags specialities={club.specialities} />
        <p className="mt-auto pt-1 text-xs text-slate-500">{plural(club.memberCount, 'member', 'members')}</p>
      </div>
    </li>
  )
}
