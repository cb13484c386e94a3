import { useEffect, useRef, useState } from 'react'
import { reactionKinds, reactionLabel, type ReactionKind } from './protocol'
import type { RoomProps } from './stage'
import { ActionError, useAckAction } from './ui'

type Burst = { kind: ReactionKind; added: number; key: number }

const BURST_MS = 1_400

/**
 * Reaction buttons with the room's totals. The server sends totals at most twice a second;
 * each rise shows once as "+n" over its button, so a hundred claps read as one burst.
 */
export function ReactionsBar({ state, actions }: RoomProps) {
  const { run, error } = useAckAction()
  const totals = state.reactions
  const previous = useRef<Record<string, number> | null>(null)
  const [bursts, setBursts] = useState<Burst[]>([])
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>())
  const live = state.talk.status === 'live'

  useEffect(() => {
    const before = previous.current
    previous.current = totals
    if (!before) return
    const risen = reactionKinds
      .map((kind) => ({ kind, added: (totals[kind] ?? 0) - (before[kind] ?? 0), key: Date.now() + Math.random() }))
      .filter((b) => b.added > 0)
    if (!risen.length) return
    setBursts((all) => [...all.filter((b) => !risen.some((r) => r.kind === b.kind)), ...risen])
    const timer = setTimeout(() => {
      timers.current.delete(timer)
      setBursts((all) => all.filter((b) => !risen.includes(b)))
    }, BURST_MS)
    timers.current.add(timer)
  }, [totals])

  useEffect(() => {
    const pending = timers.current
    return () => pending.forEach(clearTimeout)
  }, [])

  return (
    <section aria-label="Reactions" className="rounded-xl border border-slate-200 bg-white p-3 shadow-sm">
      <div className="flex flex-wrap gap-2">
        {reactionKinds.map((kind) => {
          const burst = bursts.find((b) => b.kind === kind)
          return (
            <button
              key={kind}
              type="button"
              disabled={!live}
              onClick={() => void run(() => actions.react(kind))}
              className="relative inline-flex items-center gap-1.5 rounded-full border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60"
            >
              <span aria-hidden="true" className="text-lg leading-none">
                {reactionLabel[kind].emoji}
              </span>
              <span className="text-xs text-slate-600">{reactionLabel[kind].name}</span>
              <span data-testid={`reaction-${kind}`} className="tabular-nums text-slate-700">
                {totals[kind] ?? 0}
              </span>
              {burst ? (
                <span
                  key={burst.key}
                  aria-hidden="true"
                  className="pointer-events-none absolute -top-3 right-0 rounded-full bg-brand-600 px-1.5 text-xs font-semibold text-white motion-safe:animate-bounce"
                >
                  +{burst.added}
                </span>
              ) : null}
            </button>
          )
        })}
      </div>
      {!live ? <p className="mt-2 text-xs text-slate-500">Reactions open while the talk is live.</p> : null}
      <ActionError error={error} className="mt-2" />
    </section>
  )
}
