import { useState, type ReactNode } from 'react'
import { Avatar } from '~/components/avatar'
import { isModerator, roleLabel, type RoomState, type StagePerson } from './protocol'
import { RecordingPolicy, StageRecordingConsent } from './recording'
import type { LiveRoom } from './use-live-room'
import { ActionError, button, useAckAction } from './ui'
import { VerifiedMark } from '~/components/verified-badge'

export type RoomProps = { state: RoomState; actions: LiveRoom['actions'] }

/** The people on stage: name cards, with the audio and video (`media`) above them when media is on. */
export function Stage({
  state,
  actions,
  muteRequests,
  media,
  speaking = [],
}: RoomProps & { muteRequests: number; media?: ReactNode; speaking?: string[] }) {
  const { stage, talk } = state
  return (
    <section aria-labelledby="stage-heading" className="rounded-xl bg-slate-900 p-4 text-white shadow-sm">
      <h2 id="stage-heading" className="text-sm font-semibold uppercase tracking-wide text-slate-300">
        On stage
      </h2>
      {media}
      {stage.length === 0 ? (
        <p className="mt-3 text-slate-300">
          {talk.status === 'scheduled'
            ? 'The stage opens when a host starts the talk.'
            : talk.status === 'ended'
              ? 'This talk has ended.'
              : 'No one is on stage right now.'}
        </p>
      ) : (
        <ul data-testid="stage" className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-3">
          {stage.map((person) => (
            <StageTile key={person.userId} person={person} state={state} actions={actions} speaking={speaking.includes(person.userId)} />
          ))}
        </ul>
      )}
      <MyStagePlace state={state} actions={actions} muteRequests={muteRequests} />
    </section>
  )
}

function StageTile({ person, state, actions, speaking }: RoomProps & { person: StagePerson; speaking: boolean }) {
  const isMe = person.userId === state.me.userId
  const manages = isModerator(state.me.role) && !isMe && person.role !== 'host'
  return (
    <li
      data-testid="stage-person"
      data-speaking={speaking || undefined}
      className={`flex flex-col rounded-lg bg-slate-800 p-3 ${speaking ? 'ring-2 ring-emerald-400' : ''}`}
    >
      <div className="flex aspect-video items-center justify-center">
        <Avatar name={person.name} photoUrl={person.photoUrl} size={56} />
      </div>
      <p className="mt-2 truncate text-sm font-semibold" title={person.name}>
        {person.name}
        {isMe ? <span className="font-normal text-slate-300"> (you)</span> : null}
      </p>
      {person.verified ? (
        <p className="-ml-1 mt-0.5">
          <VerifiedMark badge={person.verified} tone="dark" />
        </p>
      ) : null}
      {person.role !== 'audience' ? <p className="text-xs text-slate-300">{roleLabel[person.role]}</p> : null}
      {speaking ? <p className="text-xs font-semibold text-emerald-300">Speaking</p> : null}
      {manages ? <PersonControls person={person} state={state} actions={actions} where="stage" /> : null}
    </li>
  )
}

/**
 * What a host or co-host may do to one person: ask to mute and move back to the audience
 * (on stage), make co-host (the host only), remove from the talk (after a confirmation).
 */
export function PersonControls({
  person,
  state,
  actions,
  where,
}: RoomProps & { person: { userId: string; name: string; role?: StagePerson['role'] }; where: 'stage' | 'hands' | 'comments' }) {
  const { run, pending, error } = useAckAction()
  const [confirming, setConfirming] = useState(false)
  const isHost = state.me.role === 'host'
  const canRemove = person.role !== 'cohost' || isHost
  const tone = where === 'stage' ? 'text-slate-900' : ''
  return (
    <details className={`group mt-2 text-sm ${tone}`}>
      <summary className="inline-flex w-fit cursor-pointer list-none rounded-md bg-white/90 px-2 py-1 text-xs font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-white">
        Manage <span className="sr-only">{person.name}</span>
      </summary>
      <div className="mt-2 flex flex-wrap gap-1.5 rounded-md bg-white p-2 ring-1 ring-slate-200">
        {where === 'stage' ? (
          <>
            <button type="button" className={button.small} disabled={pending} onClick={() => void run(() => actions.askToMute(person.userId))}>
              Ask to mute
            </button>
            <button type="button" className={button.small} disabled={pending} onClick={() => void run(() => actions.moveToAudience(person.userId))}>
              Move to audience
            </button>
          </>
        ) : null}
        {where === 'comments' && state.talk.status === 'live' && !state.stage.some((p) => p.userId === person.userId) ? (
          <button type="button" className={button.small} disabled={pending} onClick={() => void run(() => actions.inviteToStage(person.userId))}>
            Invite to stage
          </button>
        ) : null}
        {isHost && person.role !== 'cohost' ? (
          <button type="button" className={button.small} disabled={pending} onClick={() => void run(() => actions.promote(person.userId))}>
            Make co-host
          </button>
        ) : null}
        {canRemove && !confirming ? (
          <button type="button" className={button.smallDanger} disabled={pending} onClick={() => setConfirming(true)}>
            Remove from talk
          </button>
        ) : null}
        {confirming ? (
          <div role="group" aria-label={`Remove ${person.name}`} className="w-full space-y-1.5 rounded bg-red-50 p-2 text-red-900">
            <p className="text-xs">Remove {person.name}? They leave the room now and cannot come back to this talk.</p>
            <div className="flex gap-1.5">
              <button
                type="button"
                className={button.smallDanger}
                disabled={pending}
                onClick={() =>
                  void run(() => actions.remove(person.userId)).then((ack) => {
                    if (!ack.ok) setConfirming(false)
                  })
                }
              >
                Yes, remove
              </button>
              <button type="button" className={button.small} onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          </div>
        ) : null}
        <ActionError error={error} className="w-full" />
      </div>
    </details>
  )
}

/** The viewer's own place: raise or lower a hand, go on or leave the stage. */
function MyStagePlace({ state, actions, muteRequests }: RoomProps & { muteRequests: number }) {
  const { me, talk } = state
  const { run, pending, error } = useAckAction()
  const [seenMuteRequests, setSeenMuteRequests] = useState(0)
  if (talk.status !== 'live') return null
  const moderator = isModerator(me.role)
  return (
    <div className="mt-4 space-y-2 border-t border-slate-700 pt-4">
      {me.onStage && muteRequests > seenMuteRequests ? (
        <div role="alert" className="flex flex-wrap items-center justify-between gap-2 rounded-md bg-amber-100 p-2 text-sm text-amber-950">
          <span>A host asked you to mute your microphone.</span>
          <button type="button" className={button.small} onClick={() => setSeenMuteRequests(muteRequests)}>
            OK
          </button>
        </div>
      ) : null}
      <div className="flex flex-wrap items-center gap-3">
        {me.onStage ? (
          me.role === 'host' ? (
            <p className="text-sm text-slate-300">You are on stage as the host.</p>
          ) : (
            <>
              <p className="text-sm text-slate-300">You are on stage.</p>
              <button type="button" className={button.secondary} disabled={pending} onClick={() => void run(actions.leaveStage)}>
                Leave the stage
              </button>
            </>
          )
        ) : moderator ? (
          <ModeratorGoOnStage state={state} actions={actions} />
        ) : me.hand === 'invited' ? (
          <p className="text-sm text-slate-200">You are invited to the stage: answer the invitation.</p>
        ) : (
          <>
            {/* One toggle for raising and lowering, the same element either way, so focus stays on it. */}
            <button
              type="button"
              aria-pressed={me.hand === 'raised'}
              aria-disabled={pending || undefined}
              data-testid="hand-toggle"
              className={`${me.hand === 'raised' ? button.secondary : button.primary} aria-disabled:opacity-60`}
              onClick={() => {
                if (!pending) void run(me.hand === 'raised' ? actions.lowerHand : actions.raiseHand)
              }}
            >
              <span aria-hidden="true">✋</span> Raise hand
            </button>
            {me.hand === 'raised' ? (
              <p data-testid="hand-position" className="text-sm text-slate-200">
                Your hand is up{me.handPosition ? `: number ${me.handPosition} in the queue` : ''}. A host may invite you to speak. Press the button again
                to lower it.
              </p>
            ) : (
              <p className="text-sm text-slate-300">Raise your hand to ask to speak.</p>
            )}
          </>
        )}
      </div>
      <StageRecordingConsent state={state} actions={actions} />
      <ActionError error={error} className="rounded bg-white px-2 py-1" />
    </div>
  )
}

/** Hosts and co-hosts go on stage themselves; in a recorded talk, after agreeing to the policy. */
function ModeratorGoOnStage({ state, actions }: RoomProps) {
  const { run, pending, error } = useAckAction()
  const [reading, setReading] = useState(false)
  const recording = state.recording
  const needsConsent = recording.recorded && !recording.consented
  const go = () => void run(() => actions.joinStage(state.me.userId, recording.recorded ? recording.policyVersion : undefined))
  return (
    <div className="w-full space-y-2">
      {needsConsent && reading ? (
        <div className="space-y-2 rounded-md bg-white p-3 text-slate-900">
          <RecordingPolicy version={recording.policyVersion} />
          <div className="flex flex-wrap gap-2">
            <button type="button" className={button.primary} disabled={pending} onClick={go}>
              I agree to be recorded — go on stage
            </button>
            <button type="button" className={button.secondary} onClick={() => setReading(false)}>
              Not now
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className={button.primary} disabled={pending} onClick={needsConsent ? () => setReading(true) : go}>
          Go on stage
        </button>
      )}
      <ActionError error={error} className="rounded bg-white px-2 py-1" />
    </div>
  )
}
