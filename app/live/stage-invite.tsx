import { useEffect, useRef } from 'react'
import { RecordingPolicy } from './recording'
import type { RoomProps } from './stage'
import { ActionError, button, useAckAction } from './ui'

/**
 * The invitation to the stage, as a dialog that waits for Accept or Decline. In a recorded
 * talk accepting is agreeing to the recording policy shown, in its version; declining keeps
 * the person in the audience.
 */
export function StageInviteDialog({ state, actions, mediaEnabled }: RoomProps & { mediaEnabled: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const open = state.me.hand === 'invited' && !state.me.onStage && state.talk.status === 'live'
  const { run, pending, error } = useAckAction()
  const recording = state.recording

  useEffect(() => {
    const d = dialog.current
    if (!d) return
    if (open && !d.open) d.showModal()
    if (!open && d.open) d.close()
  }, [open])

  return (
    <dialog
      ref={dialog}
      aria-labelledby="stage-invite-title"
      className="m-auto max-h-[calc(100vh-2rem)] w-[min(32rem,calc(100vw-2rem))] overflow-y-auto rounded-xl p-6 shadow-xl backdrop:bg-slate-900/60"
      // Escape would leave the host waiting: the invitation needs an answer.
      onCancel={(e) => e.preventDefault()}
    >
      <h2 id="stage-invite-title" className="text-lg font-semibold">
        You are invited to the stage
      </h2>
      <p className="mt-2 text-slate-700">
        A host has invited you to speak. Everyone in the room will see you on stage
        {mediaEnabled ? ', and your microphone and camera can be turned on.' : '.'}
      </p>
      {recording.recorded ? (
        <div className="mt-3 space-y-2">
          <p className="font-semibold text-slate-900">To go on stage in this recorded talk, read the policy and agree to be recorded.</p>
          <RecordingPolicy version={recording.policyVersion} />
        </div>
      ) : null}
      <div className="mt-4 flex flex-wrap gap-2">
        <button
          type="button"
          className={button.primary}
          disabled={pending}
          onClick={() => void run(() => actions.respondToInvite(true, recording.recorded ? recording.policyVersion : undefined))}
        >
          {recording.recorded ? 'I agree to be recorded — go on stage' : 'Accept'}
        </button>
        <button type="button" className={button.secondary} disabled={pending} onClick={() => void run(() => actions.respondToInvite(false))}>
          {recording.recorded ? 'Decline, stay in the audience' : 'Decline'}
        </button>
      </div>
      <ActionError error={error} className="mt-2" />
    </dialog>
  )
}
