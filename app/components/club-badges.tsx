import type { ClubRole } from '#db/access/club-permissions'

export const roleLabel: Record<ClubRole, string> = {
  owner: 'Owner',
  admin: 'Admin',
  moderator: 'Moderator',
  member: 'Member',
}

export function VisibilityBadge({ visibility }: { visibility: 'public' | 'private' }) {
  return visibility === 'private' ? (
    <span className="inline-flex items-center rounded-full bg-amber-100 px-2.5 py-0.5 text-xs font-semibold text-amber-900">
      <svg aria-hidden="true" viewBox="0 0 16 16" width="12" height="12" className="mr-1 fill-current">
        <path d="M4 7V5a4 4 0 1 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v6a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 14.5v-6A1.5 1.5 0 0 1 3.5 7H4Zm2 0h4V5a2 2 0 1 0-4 0v2Z" />
      </svg>
      Private club
    </span>
  ) : (
    <span className="inline-flex items-center rounded-full bg-brand-50 px-2.5 py-0.5 text-xs font-semibold text-brand-700">Public club</span>
  )
}

export function RoleBadge({ role }: { role: ClubRole }) {
  const tone = role === 'member' ? 'bg-slate-100 text-slate-700' : 'bg-brand-100 text-brand-900'
  return <span className={`inline-flex rounded px-2 py-0.5 text-xs font-semibold ${tone}`}>{roleLabel[role]}</span>
}

export function SpecialityTags({ specialities }: { specialities: string[] }) {
  if (!specialities.length) return null
  return (
    <ul className="flex flex-wrap gap-1.5" aria-label="Specialities">
      {specialities.map((s) => (
        <li key={s} className="rounded-full bg-slate-100 px-2.5 py-0.5 text-xs text-slate-700">
          {s}
        </li>
      ))}
    </ul>
  )
}

export function plural(count: number, one: string, many: string) {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`
}
