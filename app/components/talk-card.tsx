import { Link } from '@remix-run/react'
import { LocalTime } from '~/utils/time-zone'

export const talkTypeLabel = {
  talk: 'Talk',
  case_discussion: 'Case discussion',
  surgery: 'Surgery',
  quiz: 'Quiz',
} as const

export type TalkStatus = 'scheduled' | 'live' | 'ended'

type TalkCardProps = {
  talk: {
    id: string
    title: string
    type: keyof typeof talkTypeLabel
    startsAt: string
    durationMinutes: number
    status?: TalkStatus
    club: { name: string; visibility: 'public' | 'private' }
    host: { handle: string; name: string }
  }
  /** Why the card is shown, such as "Because you follow Asha Rao". */
  reason?: string
}

export function TalkStatusBadge({ status }: { status: TalkStatus }) {
  if (status === 'live') {
    return <span className="rounded bg-red-600 px-2 py-0.5 text-xs font-semibold text-white">Live now</span>
  }
  if (status === 'ended') return <span className="rounded bg-slate-200 px-2 py-0.5 text-xs font-medium text-slate-700">Ended</span>
  return <span className="rounded bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-900">Scheduled</span>
}

export function TalkCard({ talk, reason }: TalkCardProps) {
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <p className="flex flex-wrap items-center gap-2 text-xs font-semibold uppercase tracking-wide text-brand-700">
        <span>
          {talkTypeLabel[talk.type]} · {talk.club.name}
          {talk.club.visibility === 'private' ? ' · Private club' : ''}
        </span>
        {talk.status === 'live' ? <TalkStatusBadge status="live" /> : null}
      </p>
      <h3 className="mt-1 font-semibold">
        <Link to={`/t/${talk.id}`} className="hover:text-brand-700 hover:underline">
          {talk.title}
        </Link>
      </h3>
      <p className="mt-1 text-sm text-slate-600">
        <LocalTime at={talk.startsAt} /> · {talk.durationMinutes} min · with{' '}
        <Link to={`/u/${talk.host.handle}`} className="underline">
          {talk.host.name}
        </Link>
      </p>
      {reason ? <p className="mt-2 text-xs text-slate-500">{reason}</p> : null}
    </li>
  )
}
