import { Avatar } from '~/components/avatar'
import type { HandEntry, PersonRef } from './protocol'
import { PersonControls, type RoomProps } from './stage'
import { ActionError, ClockTime, button, useAckAction } from './ui'

/** Raised hands in the order they went up, with pending invitations: for hosts and co-hosts. */
export function HandQueue({ state, actions }: RoomProps) {
  const { hands, invited } = state
  if (state.talk.status !== 'live') return null
  const waiting = invited.map((userId) => ({ userId, name: knownName(state, userId) }))
  return (
    <section aria-labelledby="hands-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="hands-heading" className="font-semibold">
        Raised hands <span className="font-normal text-slate-500">({hands.length})</span>
      </h2>
      {hands.length === 0 ? <p className="mt-2 text-sm text-slate-600">No hands are up.</p> : null}
      {hands.length > 0 && state.recording.recorded ? (
        <p className="mt-1 text-sm text-slate-600">This talk is recorded: whoever you invite is asked to agree to the recording first.</p>
      ) : null}
      <ol data-testid="hand-queue" className="mt-2 divide-y divide-slate-100">
        {hands.map((hand, index) => (
          <HandRow key={hand.userId} hand={hand} position={index + 1} state={state} actions={actions} />
        ))}
      </ol>
      {waiting.length ? (
        <p data-testid="invited" className="mt-3 text-sm text-slate-600">
          Invited, waiting for an answer: {waiting.map((w) => w.name).join(', ')}
        </p>
      ) : null}
    </section>
  )
}

function HandRow({ hand, position, state, actions }: RoomProps & { hand: HandEntry; position: number }) {
  const { run, pending, error } = useAckAction()
  return (
    <li data-testid="hand" className="py-2">
      <div className="flex flex-wrap items-center gap-3">
        <span className="w-5 text-right text-sm font-semibold text-slate-500">{position}</span>
        <Avatar name={hand.name} photoUrl={hand.photoUrl} size={32} />
        <span className="min-w-0 flex-1">
          <span className="block truncate font-medium">{hand.name}</span>
          <span className="text-xs text-slate-500">
            Hand up since <ClockTime iso={hand.raisedAt} />
          </span>
        </span>
        <button type="button" className={button.primary} disabled={pending} onClick={() => void run(() => actions.inviteToStage(hand.userId))}>
          Invite to stage <span className="sr-only">{hand.name}</span>
        </button>
      </div>
      <ActionError error={error} className="mt-1" />
      <div className="pl-8">
        <PersonControls person={hand} state={state} actions={actions} where="hands" />
      </div>
    </li>
  )
}

/** A name for someone the room has mentioned, from whatever list they appear in. */
function knownName(state: RoomProps['state'], userId: string) {
  const people: PersonRef[] = [
    ...state.stage,
    ...state.hands,
    ...state.comments.map((c) => c.author),
    ...state.questions.map((q) => q.author),
  ]
  return people.find((p) => p.userId === userId)?.name ?? 'someone in the audience'
}

/** How many hands are up, and the viewer's place, for everyone who is not a host. */
export function HandCount({ state }: Pick<RoomProps, 'state'>) {
  if (state.talk.status !== 'live' || state.handCount === 0) return null
  return (
    <p className="text-sm text-slate-600">
      {state.handCount} {state.handCount === 1 ? 'hand' : 'hands'} raised
    </p>
  )
}
