import { Link } from '@remix-run/react'
import { useState } from 'react'
import { isModerator } from './protocol'
import { HostRecordingControls } from './recording'
import type { RoomProps } from './stage'
import { ActionError, button, useAckAction } from './ui'

/** Opening and ending the talk, for its host and co-hosts. */
export function HostControls({ state, actions, mediaEnabled = true }: RoomProps & { mediaEnabled?: boolean }) {
  const { run, pending, error } = useAckAction()
  const [confirmingEnd, setConfirmingEnd] = useState(false)
  const { talk, me } = state
  if (!isModerator(me.role)) return null
  return (
    <section aria-labelledby="host-heading" className="rounded-xl border border-brand-100 bg-brand-50 p-4">
      <h2 id="host-heading" className="text-sm font-semibold text-brand-900">
        You are {me.role === 'host' ? 'the host' : 'a co-host'}
      </h2>
      <div className="mt-2 flex flex-wrap items-center gap-3">
        {talk.status === 'scheduled' ? (
          <>
            <button type="button" className={button.primary} disabled={pending} onClick={() => void run(actions.openTalk)}>
              Open the room
            </button>
            <p className="text-sm text-brand-900">Opening makes the talk live for everyone and puts the host on stage.</p>
          </>
        ) : null}
        {talk.status === 'live' && !confirmingEnd ? (
          <button type="button" className={button.danger} disabled={pending} onClick={() => setConfirmingEnd(true)}>
            End the talk
          </button>
        ) : null}
        {talk.status === 'live' && confirmingEnd ? (
          <div role="group" aria-label="End the talk" className="flex flex-wrap items-center gap-2 rounded-md bg-white p-2">
            <p className="text-sm">End the talk for everyone? The stage, chat and reactions close.</p>
            <button
              type="button"
              className={button.danger}
              disabled={pending}
              onClick={() => void run(actions.endTalk).then(() => setConfirmingEnd(false))}
            >
              End now
            </button>
            <button type="button" className={button.secondary} onClick={() => setConfirmingEnd(false)}>
              Keep going
            </button>
          </div>
        ) : null}
        {talk.status !== 'ended' ? (
          // A second window for the hall's screen; a plain link, so it opens without JavaScript too.
          <a href={`/t/${talk.id}/present`} target="_blank" rel="noopener" className="text-sm font-medium text-brand-700 underline">
            Presenter view<span className="sr-only"> (opens in a new window)</span>
          </a>
        ) : null}
        {talk.status !== 'scheduled' ? (
          <Link to={`/t/${talk.id}/report`} className="text-sm font-medium text-brand-700 underline">
            Attendance report
          </Link>
        ) : null}
      </div>
      <ActionError error={error} className="mt-2" />
      <HostRecordingControls state={state} actions={actions} mediaEnabled={mediaEnabled} />
    </section>
  )
}
