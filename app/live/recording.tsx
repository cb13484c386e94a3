import { Link } from '@remix-run/react'
import { useEffect, useState, type ReactNode } from 'react'
import { RECORDING_POLICY_TEXT, RECORDING_POLICY_TITLE } from '#db/recording-policy'
import { clock } from '~/utils/duration'
import { isModerator, type RecordingState } from './protocol'
import type { RoomProps } from './stage'
import { ActionError, button, useAckAction } from './ui'

/**
 * Told to everyone as they join, and kept in view: the talk is recorded. The policy says only
 * the stage is recorded, so the audience reads that listening and chatting are not. Once the
 * talk has ended it says what happened instead: whether a replay is there (`replay`), or that
 * the talk was not recorded after all; without `replay` known, nothing.
 */
export function RecordedNotice({
  recorded,
  ended = false,
  replay,
  className = '',
  children,
}: {
  recorded: boolean
  ended?: boolean
  replay?: boolean
  className?: string
  children?: ReactNode
}) {
  if (!recorded) return null
  if (ended) {
    if (replay === undefined) return null
    return (
      <p data-testid="recording-outcome" className={`rounded-md border border-slate-200 bg-white p-3 text-sm font-medium text-slate-800 ${className}`}>
        {replay ? 'Recorded — replay available' : 'Not recorded'}
      </p>
    )
  }
  return (
    <div
      data-testid="recorded-notice"
      role="note"
      className={`flex gap-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-950 ${className}`}
    >
      <span aria-hidden="true" className="mt-1 inline-block size-2.5 shrink-0 rounded-full bg-red-600" />
      <p>
        <strong>This talk is recorded.</strong>{' '}
        {children ??
          'The voices, cameras and screens of people on stage are recorded, and each of them agrees first. Listening from the audience is not recorded.'}
      </p>
    </div>
  )
}

/** How long the recording has run, ticking each second; null before hydration (the server cannot know "now"). */
function useElapsed(startedAt: string | null) {
  const [seconds, setSeconds] = useState<number | null>(null)
  useEffect(() => {
    if (!startedAt) return setSeconds(null)
    const started = Date.parse(startedAt)
    const tick = () => setSeconds(Math.max(0, Math.floor((Date.now() - started) / 1000)))
    tick()
    const timer = setInterval(tick, 1000)
    return () => clearInterval(timer)
  }, [startedAt])
  return seconds
}

/** The recorder's light: shown to everyone while a recording runs, with how long it has run. */
export function RecIndicator({ recording }: { recording: RecordingState }) {
  const elapsed = useElapsed(recording.active ? recording.startedAt : null)
  if (!recording.active) return null
  return (
    <span
      role="status"
      data-testid="rec-indicator"
      className="inline-flex items-center gap-1.5 rounded-md border border-red-600 bg-white px-2 py-1 text-xs font-bold tracking-wider text-red-700"
    >
      <span aria-hidden="true" className="inline-block size-2 rounded-full bg-red-600 motion-safe:animate-pulse" />
      <span aria-hidden="true">REC</span>
      <span className="sr-only">Recording</span>
      {elapsed !== null ? (
        <span aria-hidden="true" className="font-mono font-semibold tabular-nums" data-testid="rec-elapsed">
          {clock(elapsed)}
        </span>
      ) : null}
    </span>
  )
}

/** The consent policy's own words and version, as a person agrees to them. */
export function RecordingPolicy({ version }: { version: string }) {
  return (
    <section aria-labelledby="recording-policy-title" data-testid="recording-policy" className="rounded-md border border-slate-200 bg-slate-50 p-3">
      <h3 id="recording-policy-title" className="text-sm font-semibold text-slate-900">
        {RECORDING_POLICY_TITLE}
      </h3>
      {/* Focusable so the policy can be scrolled with the keyboard. */}
      <div tabIndex={0} className="mt-2 max-h-48 space-y-2 overflow-y-auto text-sm text-slate-700">
        {RECORDING_POLICY_TEXT.split('\n\n').map((paragraph) => (
          <p key={paragraph}>{paragraph}</p>
        ))}
      </div>
      <p className="mt-2 text-xs text-slate-500" data-testid="recording-policy-version">
        Recording policy version {version}
      </p>
    </section>
  )
}

/**
 * For the host and co-hosts: whether the talk is recorded, and starting and stopping the
 * recording. The server refuses to start while anyone on stage has not consented; its
 * sentence shows beside the buttons.
 */
export function HostRecordingControls({ state, actions, mediaEnabled = true }: RoomProps & { mediaEnabled?: boolean }) {
  const { run, pending, error } = useAckAction()
  const recording = state.recording
  const waitingFor = recording.missingConsent
  const live = state.talk.status === 'live'
  if (state.talk.status === 'ended') {
    return recording.recorded ? (
      <p className="mt-3 border-t border-brand-100 pt-3 text-sm text-brand-900">
        Recordings appear on the{' '}
        <Link to={`/t/${state.talk.id}`} className="font-medium underline">
          talk page
        </Link>{' '}
        once saved. Choose there who may listen.
      </p>
    ) : null
  }
  return (
    <div data-testid="host-recording" className="mt-3 space-y-2 border-t border-brand-100 pt-3">
      <label className="flex items-center gap-2 text-sm font-medium text-brand-900">
        <input
          type="checkbox"
          className="size-4"
          checked={recording.recorded}
          disabled={pending || recording.active}
          onChange={(e) => void run(() => actions.setRecorded(e.currentTarget.checked))}
        />
        Record this talk
      </label>
      {recording.active ? <p className="text-xs text-brand-900">Stop the recording before you change this.</p> : null}
      {recording.recorded && live ? (
        <div className="flex flex-wrap items-center gap-3">
          {!mediaEnabled ? (
            // Nothing to record without live audio and video: the button is not offered.
            <p className="text-sm text-brand-900" data-testid="recording-unavailable">
              Recording needs live audio and video, which are not set up on this server.
            </p>
          ) : recording.active ? (
            <button type="button" className={button.danger} disabled={pending} onClick={() => void run(actions.stopRecording)}>
              Stop recording
            </button>
          ) : (
            <button type="button" className={button.primary} disabled={pending} onClick={() => void run(actions.startRecording)}>
              <span aria-hidden="true" className="inline-block size-2 rounded-full bg-red-500" />
              Start recording
            </button>
          )}
          {!recording.active && waitingFor.length ? (
            <p className="text-sm text-brand-900" data-testid="missing-consent">
              Waiting for consent from {waitingFor.join(', ')}.
            </p>
          ) : null}
        </div>
      ) : null}
      <ActionError error={error} />
    </div>
  )
}

/**
 * On the stage of a recorded talk: agree to the policy if not yet done (the host, or a
 * speaker who went on stage without an invitation), or withdraw, which leaves the stage.
 */
export function StageRecordingConsent({ state, actions }: RoomProps) {
  const { run, pending, error } = useAckAction()
  const [confirming, setConfirming] = useState(false)
  const recording = state.recording
  const moderator = isModerator(state.me.role)
  if (!recording.recorded || !state.me.onStage || state.talk.status !== 'live') return null
  if (!recording.consented) {
    return (
      <div data-testid="stage-consent" className="space-y-2 rounded-md bg-white p-3 text-slate-900">
        <p className="text-sm font-semibold">You have not agreed to be recorded yet. The recording cannot start until you do.</p>
        <RecordingPolicy version={recording.policyVersion} />
        <button
          type="button"
          className={button.primary}
          disabled={pending}
          onClick={() => void run(() => actions.consentToRecording(recording.policyVersion))}
        >
          I agree to be recorded
        </button>
        <ActionError error={error} />
      </div>
    )
  }
  return (
    <div className="flex flex-wrap items-center gap-2">
      {confirming ? (
        <div role="group" aria-label="Stop being recorded" className="flex flex-wrap items-center gap-2 rounded-md bg-white p-2 text-slate-900">
          <p className="text-sm">
            {moderator
              ? 'Your microphone, camera and screen turn off and you are not recorded from now on. A recording cannot start again until you agree.'
              : 'You will leave the stage and not be recorded from now on.'}
          </p>
          <button
            type="button"
            className={button.danger}
            disabled={pending}
            onClick={() => void run(actions.withdrawRecordingConsent).then(() => setConfirming(false))}
          >
            {moderator ? 'Withdraw consent' : 'Withdraw consent and leave the stage'}
          </button>
          <button type="button" className={button.secondary} onClick={() => setConfirming(false)}>
            Stay on stage
          </button>
        </div>
      ) : (
        <button type="button" className={button.secondary} disabled={pending} onClick={() => setConfirming(true)}>
          Stop being recorded
        </button>
      )}
      <ActionError error={error} className="w-full rounded bg-white px-2 py-1" />
    </div>
  )
}
