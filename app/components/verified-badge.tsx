/** "Verified doctor · Council · since year": the yes/no of a verified registration, never the number. */
export function VerifiedBadge({ badge, compact = false }: { badge: { council: string; since: number } | null | undefined; compact?: boolean }) {
  if (!badge) return null
  const text = `Verified doctor · ${badge.council} · since ${badge.since}`
  return (
    <span
      data-testid="verified-badge"
      title={text}
      className={`inline-flex items-center gap-1 rounded-full bg-emerald-50 font-medium text-emerald-800 ring-1 ring-emerald-200 ${compact ? 'px-2 py-0.5 text-xs' : 'px-2.5 py-0.5 text-sm'}`}
    >
      <span aria-hidden="true">✓</span>
      {text}
    </span>
  )
}
