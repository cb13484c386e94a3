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

/**
 * The badge where a line is short (a live room's stage, comments and questions): "✓ Verified",
 * with the council and year for a pointer or a screen reader.
 */
export function VerifiedMark({ badge, tone = 'light' }: { badge: { council: string; since: number } | null | undefined; tone?: 'light' | 'dark' }) {
  if (!badge) return null
  const text = `Verified doctor · ${badge.council} · since ${badge.since}`
  return (
    <span
      data-testid="verified-mark"
      title={text}
      className={`ml-1 inline-flex items-center gap-0.5 rounded-full px-1.5 text-[11px] font-semibold leading-4 ${
        tone === 'dark' ? 'bg-emerald-900/60 text-emerald-200' : 'bg-emerald-50 text-emerald-800 ring-1 ring-emerald-200'
      }`}
    >
      <span aria-hidden="true">✓ Verified</span>
      <span className="sr-only">{text}</span>
    </span>
  )
}
