import { Component, Suspense, lazy, useCallback, useEffect, useRef, useState, type ReactNode } from 'react'
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
  /** The connection failed: only the notice and "Try again" show until the person asks. */
  const [failed, setFailed] = useState(false)
  const [attempt, setAttempt] = useState(0)
  const tokenRef = useRef<MediaToken | null>(null)
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
        setFailed(true)
        return
      }
      // The same role keeps the connection; a new one connects afresh with the new grants.
      const current = tokenRef.current
      if (current && current.role === ack.role && current.canPublish === ack.canPublish && current.url === ack.url) return
      tokenRef.current = ack
      setToken(ack)
      setFailed(false)
      setProblem(null)
    })
    return () => {
      cancelled = true
    }
  }, [actions, live, onStage, mediaRoleChanges, attempt])

  const retry = useCallback(() => {
    setProblem(null)
    setFailed(false)
    tokenRef.current = null
    setToken(null)
    setAttempt((n) => n + 1)
  }, [])
  const connectionFailed = useCallback((message: string) => {
    setProblem(message)
    setFailed(true)
  }, [])

  if (!hydrated || !live) return null
  return (
    <div className="mt-3 space-y-2">
      {problem ? <MediaProblem message={problem} onRetry={failed ? retry : undefined} onDismiss={() => setProblem(null)} /> : null}
      {failed ? null : token ? (
        <MediaBoundary onRetry={retry}>
          <Suspense fallback={<p className="text-sm text-slate-300">Loading audio and video…</p>}>
            <MediaStage
              key={`${attempt}:${token.token}`}
              url={token.url}
              token={token.token}
              canPublish={token.canPublish}
              stageIds={state.stage.map((p) => p.userId)}
              onSpeakingChange={onSpeakingChange}
              onConnectionFailed={connectionFailed}
              onProblem={setProblem}
            />
          </Suspense>
        </MediaBoundary>
      ) : (
        <p className="text-sm text-slate-300">Connecting audio and video…</p>
      )}
    </div>
  )
}

/** A media problem in plain words: a failed connection offers to try again, a device problem is acknowledged. */
function MediaProblem({ message, onRetry, onDismiss }: { message: string; onRetry?: () => void; onDismiss?: () => void }) {
  return (
    <div role="alert" data-testid="media-problem" className="flex flex-wrap items-center gap-2 rounded-md bg-amber-100 p-2 text-sm text-amber-950">
      <span>{message}</span>
      {onRetry ? (
        <button type="button" className={button.small} onClick={onRetry}>
          Try again
        </button>
      ) : onDismiss ? (
        <button type="button" className={button.small} onClick={onDismiss}>
          OK
        </button>
      ) : null}
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
