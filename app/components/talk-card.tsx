export const talkTypeLabel = {
  talk: 'Talk',
  case_discussion: 'Case discussion',
  surgery: 'Surgery',
  quiz: 'Quiz',
} as const

type TalkCardProps = {
  talk: {
    id: string
    title: string
    type: keyof typeof talkTypeLabel
    startsAt: string
    durationMinutes: number
    club: { name: string; visibility: 'public' | 'private' }
    host: { handle: string; name: string }
  }
}

const when = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
})

export function TalkCard({ talk }: TalkCardProps) {
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <p className="text-xs font-semibold uppercase tracking-wide text-brand-700">
        {talkTypeLabel[talk.type]} · {talk.club.name}
        {talk.club.visibility === 'private' ? ' · Private club' : ''}
      </p>
      <h3 className="mt-1 font-semibold">{talk.title}</h3>
      <p className="mt-1 text-sm text-slate-600">
        <time dateTime={talk.startsAt}>{when.format(new Date(talk.startsAt))}</time> · {talk.durationMinutes} min · with{' '}
        <a href={`/u/${talk.host.handle}`} className="underline">
          {talk.host.name}
        </a>
      </p>
    </li>
  )
}
