import type { TalkStatus } from './protocol'
import type { Connection } from './use-live-room'

const statusLook: Record<TalkStatus, { label: string; box: string; dot: string }> = {
  live: { label: 'Live', box: 'bg-red-600 text-white', dot: 'rounded-full bg-white motion-safe:animate-pulse' },
  scheduled: { label: 'Scheduled', box: 'border border-slate-400 bg-white text-slate-700', dot: 'rounded-full border-2 border-slate-500' },
  ended: { label: 'Ended', box: 'bg-slate-700 text-white', dot: 'rounded-[1px] bg-white' },
}

/** The talk's state as a recorder-style badge: a red, pulsing LIVE; SCHEDULED; ENDED. */
export function RoomStatusBadge({ status }: { status: TalkStatus }) {
  const look = statusLook[status]
  return (
    <span
      data-testid="room-status"
      className={`inline-flex items-center gap-1.5 rounded-md px-2 py-1 text-xs font-bold uppercase tracking-wider ${look.box}`}
    >
      <span aria-hidden="true" className={`inline-block size-2 ${look.dot}`} />
      {look.label}
    </span>
  )
}

export function AudienceCount({ count }: { count: number }) {
  return (
    <span data-testid="audience-count" className="inline-flex items-center gap-1 text-sm text-slate-600">
      <svg aria-hidden="true" viewBox="0 0 20 20" width="16" height="16" className="fill-current">
        <path d="M7 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm7 0a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5ZM1 16c0-2.8 2.7-5 6-5s6 2.2 6 5v1H1v-1Zm13 1v-1c0-1.5-.5-2.8-1.4-3.9.4-.1.9-.1 1.4-.1 2.8 0 5 1.8 5 4v1h-5Z" />
      </svg>
      {count} in the room
    </span>
  )
}

/** Says plainly when the connection drops and when it is back. */
export function ConnectionBanner({ connection, backOnline }: { connection: Connection; backOnline: boolean }) {
  if (connection === 'reconnecting') {
    return (
      <p role="alert" data-testid="connection-lost" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900">
        <strong>Connection lost.</strong> Reconnecting… Nothing you send goes through until it is back.
      </p>
    )
  }
  if (connection === 'online' && backOnline) {
    return (
      <p role="status" data-testid="connection-back" className="rounded-md border border-brand-100 bg-brand-50 p-3 text-brand-900">
        <strong>Connected again.</strong> The room is up to date.
      </p>
    )
  }
  return null
}

export function MediaNotice() {
  return (
    <p data-testid="media-off" className="rounded-md border border-slate-200 bg-white p-3 text-sm text-slate-700">
      Audio and video are off on this server: the stage, chat, questions and polls still work.
    </p>
  )
}
