import { Component, Suspense, lazy, useCallback, useEffect, useState, type ReactNode } from 'react'
import type { MediaToken, RoomState } from './protocol'
import type { LiveRoom } from './use-live-room'
import { button } from './ui'

// LiveKit's code is fetched only when a room with media is shown, and only in the browser.
const MediaStage = lazy(() => import('./media-stage.client'))

type MediaProps = {
  state: RoomState
  actions: LiveRoom['actions']
  /** Bumped by the server's `media:role`: the person's role changed, a fresh token is due. */
  mediaRoleChanges: number
  onSpeakingChange: (userIds: string[]) => void
}

/**
 * The stage's audio and video: asks the room for a LiveKit token (`media:token`), again
 * whenever the person's media role changes, and shows a plain notice when anything fails.
 * Rendered only after hydration.
 */
export function RoomMedia({ state, actions, mediaRoleChanges, onSpeakingChange }: MediaProps) {
  const [hydrated, setHydrated] = useState(false)
  const [token, setToken] = useState<MediaToken | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [attempt, setAttempt] = useState(0)
  const onStage = state.me.onStage
  const live = state.talk.status === 'live'

  useEffect(() => setHydrated(true), [])

  useEffect(() => {
    if (!live) return
    let cancelled = false
    void actions.mediaToken().then((ack) => {
      if (cancelled) return
      if (!ack.ok) {
        setProblem(`Audio and video are not available: ${ack.error}`)
        return
      }
      setProblem(null)
      // The same role keeps the connection; a new one reconnects with the new grants.
      setToken((current) =>
        current && current.role === ack.role && current.canPublish === ack.canPublish && current.url === ack.url ? current : ack,
      )
    })
    return () => {
      cancelled = true
    }
  }, [actions, live, onStage, mediaRoleChanges, attempt])

  const retry = useCallback(() => {
    setProblem(null)
    setToken(null)
    setAttempt((n) => n + 1)
  }, [])

  if (!hydrated || !live) return null
  return (
    <div className="mt-3 space-y-2">
      {problem ? <MediaProblem message={problem} onRetry={retry} /> : null}
      {token ? (
        <MediaBoundary onRetry={retry}>
          <Suspense fallback={<p className="text-sm text-slate-300">Loading audio and video…</p>}>
            <MediaStage
              key={`${attempt}:${token.token}`}
              url={token.url}
              token={token.token}
              canPublish={token.canPublish}
              stageIds={state.stage.map((p) => p.userId)}
              onSpeakingChange={onSpeakingChange}
              onProblem={setProblem}
            />
          </Suspense>
        </MediaBoundary>
      ) : problem ? null : (
        <p className="text-sm text-slate-300">Connecting audio and video…</p>
      )}
    </div>
  )
}

function MediaProblem({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div role="alert" data-testid="media-problem" className="flex flex-wrap items-center gap-2 rounded-md bg-amber-100 p-2 text-sm text-amber-950">
      <span>{message}</span>
      <button type="button" className={button.small} onClick={onRetry}>
        Try again
      </button>
    </div>
  )
}

/** A failure inside LiveKit's code (or its download) stays a notice; the room goes on. */
class MediaBoundary extends Component<{ children: ReactNode; onRetry: () => void }, { failed: boolean }> {
  state = { failed: false }
  static getDerivedStateFromError() {
    return { failed: true }
  }
  render() {
    if (!this.state.failed) return this.props.children
    return (
      <MediaProblem
        message="Audio and video could not start in this browser. The stage, chat and questions still work."
        onRetry={() => {
          this.setState({ failed: false })
          this.props.onRetry()
        }}
      />
    )
  }
}
