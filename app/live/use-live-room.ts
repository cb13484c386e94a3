import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react'
import { io } from 'socket.io-client'
import { callLive, emitLive, type LiveClientSocket, type LiveConnection, type TalkPayloadArgs } from './live-socket'
import type { Ack, LiveEventName, LiveEvents, QuestionStatus, ReactionKind, ReportReasonChoice, RoomState, StageUpdate } from './protocol'
import { roomReducer, type RoomEvent } from './room-state'
import { newClientId } from './ui'

/**
 * - `connecting`: the first connection, or joining the room after it.
 * - `online`: in the room, receiving its events.
 * - `reconnecting`: the connection dropped; socket.io is trying again.
 * - `closed`: nothing more will happen without a reload (refused, removed, signed out).
 */
export type Connection = 'connecting' | 'online' | 'reconnecting' | 'closed'

export { ACK_TIMEOUT_MS } from './live-socket'
const BACK_ONLINE_MS = 5_000
// After a reconnect or a tab coming back, a full resync; spread out so a room does not ask at once.
export const RESYNC_JITTER_MS = 1_500
const HIDDEN_RESYNC_MS = 30_000
// A sync after recovery that fails or gets no answer is tried again after these pauses (each
// stretched by a random 0.5–1.5×), then the client joins afresh for the full state.
const SYNC_RETRY_MS = [1_000, 3_000, 8_000]

export type LiveRoom = ReturnType<typeof useLiveRoom>

/** The events whose ack carries the stage as this person now sees it. */
type StageEvent = { [E in LiveEventName]: LiveEvents[E]['ack'] extends { stage: StageUpdate } ? E : never }[LiveEventName]

/** Events that may arrive before the first room state, at most this many, applied once it has come. */
const EARLY_EVENTS_KEPT = 500
/** Additions and removals by id are safe to apply to a state read before or after them. */
const keptUntilState = (event: RoomEvent) => event.type === 'comment' || event.type === 'comment-deleted' || event.type === 'question'

/**
 * After a recovered connection: what was broadcast while the server re-checked the session is
 * not replayed (docs/live-room.md, Reconnecting), so the client syncs. A whole room recovers at
 * once and the server may be slow to answer, so a failed sync is tried again with growing pauses
 * and, if it keeps failing, the client joins afresh. `wait` says false when the connection the
 * sync was for has gone (a new one brings its own sync).
 */
export async function syncAfterRecovery(steps: {
  sync: () => Promise<{ ok: boolean }>
  join: () => Promise<unknown>
  wait: (ms: number) => Promise<boolean>
  retryMs?: readonly number[]
}): Promise<'synced' | 'joined' | 'stopped'> {
  const retryMs = steps.retryMs ?? SYNC_RETRY_MS
  for (let attempt = 0; ; attempt++) {
    if ((await steps.sync()).ok) return 'synced'
    if (attempt === retryMs.length) break
    if (!(await steps.wait(retryMs[attempt] * (0.5 + Math.random())))) return 'stopped'
  }
  await steps.join()
  return 'joined'
}

/**
 * The live room over Socket.io (namespace `/live`, docs/live-room.md): joins, keeps the room's
 * state from the server's events, resyncs when a recovery fails, and sends actions that
 * resolve with the server's ack. Nothing changes on screen until the server has said yes.
 */
export function useLiveRoom(talkId: string) {
  const [state, dispatch] = useReducer(roomReducer, null)
  const [connection, setConnection] = useState<Connection>('connecting')
  const [backOnline, setBackOnline] = useState(false)
  /** Why the room is closed to this person (removed, refused, signed out), in the server's words. */
  const [refusal, setRefusal] = useState<{ reason: 'removed' | 'refused' | 'signed-out'; message: string } | null>(null)
  const [muteRequests, setMuteRequests] = useState(0)
  /** Counts the server's `media:role` notices: each one means a fresh media token is due. */
  const [mediaRoleChanges, setMediaRoleChanges] = useState(0)
  const socketRef = useRef<LiveClientSocket | null>(null)
  /** The page's one connection, shared with the quiz panel, and how often the room was read afresh. */
  const [live, setLive] = useState<LiveConnection>({ socket: null, joins: 0 })
  const joined = useCallback(() => setLive((prev) => ({ ...prev, joins: prev.joins + 1 })), [])
  const stateRef = useRef<RoomState | null>(null)
  useEffect(() => {
    stateRef.current = state
  }, [state])

  /** Sends a protocol event for this talk; resolves with its ack, or a refusal when offline or unanswered. */
  const call = useCallback(
    <E extends LiveEventName>(event: E, ...[payload]: TalkPayloadArgs<E>) => callLive(socketRef.current, talkId, event, payload),
    [talkId],
  )

  const resync = useCallback(async () => {
    const ack = await call('talk:sync')
    if (ack.ok) {
      dispatch({ type: 'state', state: ack.state })
      joined()
    }
    return ack
  }, [call, joined])

  useEffect(() => {
    // WebSocket first; long-polling when a network (some hospital proxies) blocks it.
    // The room's one connection on this page, shared with the quiz panel, so one visit is one stay.
    const socket: LiveClientSocket = io('/live', { withCredentials: true, transports: ['websocket', 'polling'] })
    socketRef.current = socket
    setLive({ socket, joins: 0 })
    let joinedOnce = false
    let closed = false
    /** Counts connections, so a sync retry for a connection that has gone stops. */
    let connections = 0
    const timers = new Set<ReturnType<typeof setTimeout>>()
    const later = (ms: number, run: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        run()
      }, ms)
      timers.add(timer)
    }
    // The server puts the socket in the room before it reads the room, so comments and questions
    // can arrive before the first state does: they are kept and applied after it (the room drops
    // any it already holds, by id).
    let haveState = false
    const early: RoomEvent[] = []
    const apply = (event: RoomEvent) => {
      if (event.type === 'state') {
        haveState = true
        dispatch(event)
        for (const kept of early.splice(0)) dispatch(kept)
      } else if (haveState) dispatch(event)
      else if (keptUntilState(event) && early.length < EARLY_EVENTS_KEPT) early.push(event)
    }
    const close = (reason: 'removed' | 'refused' | 'signed-out', message: string) => {
      closed = true
      setRefusal({ reason, message })
      setConnection('closed')
      socket.disconnect()
    }

    const join = async () => {
      try {
        const ack = await emitLive(socket, 'talk:join', { talkId })
        if (closed) return
        if (!ack.ok) return close('refused', ack.error)
        apply({ type: 'state', state: ack.state })
        setConnection('online')
        joined()
      } catch {
        // No answer: try again while still connected; a disconnect brings its own join.
        if (!closed && socket.connected) later(2_000, () => void join())
      }
    }

    socket.on('connect', () => {
      const connection = ++connections
      if (joinedOnce) {
        setBackOnline(true)
        later(BACK_ONLINE_MS, () => setBackOnline(false))
      }
      // A recovered connection is back in its rooms and receives what it missed; anything
      // else (the first connection, or recovery failed) joins again for the full state.
      if (socket.recovered) {
        setConnection('online')
        const current = () => !closed && connection === connections && socket.connected
        const wait = (ms: number) => new Promise<boolean>((resolve) => later(ms, () => resolve(current())))
        // Spread out, so a whole room coming back does not ask at the same moment.
        void wait(Math.random() * RESYNC_JITTER_MS).then(
          (go) => (go ? syncAfterRecovery({ sync: resync, join: () => (current() ? join() : Promise.resolve()), wait }) : 'stopped'),
        )
      } else {
        setConnection('connecting')
        void join()
      }
      joinedOnce = true
    })
    socket.on('disconnect', (reason) => {
      if (closed) return
      setBackOnline(false)
      // The server closed this socket (a session signed out elsewhere): socket.io does not retry.
      if (reason === 'io server disconnect') return close('signed-out', 'You were signed out. Sign in again to rejoin the talk.')
      setConnection('reconnecting')
    })
    socket.on('connect_error', (error) => {
      if (closed) return
      // Refused by the server's session check: retrying will not help.
      if (!socket.active) return close('signed-out', error.message || 'Please sign in to join live rooms.')
      setConnection(joinedOnce ? 'reconnecting' : 'connecting')
    })

    const ours = (payload: { talkId: string }) => payload.talkId === talkId
    socket.on('room:state', (next) => next.talk.id === talkId && apply({ type: 'state', state: next }))
    // Who on stage has not consented comes with `recording:update`, which the server sends after
    // every change of who is on stage.
    socket.on('stage:update', (update) => ours(update) && apply({ type: 'stage', update }))
    socket.on('audience:count', (p) => ours(p) && apply({ type: 'audience', count: p.count }))
    socket.on('comment:new', (p) => ours(p) && apply({ type: 'comment', comment: p.comment }))
    socket.on('comment:deleted', (p) => ours(p) && apply({ type: 'comment-deleted', id: p.id }))
    socket.on('comment:pinned', (p) => ours(p) && apply({ type: 'pinned', pinned: p.pinned }))
    socket.on('question:new', (p) => ours(p) && apply({ type: 'question', question: p.question }))
    socket.on('question:update', (p) => ours(p) && apply({ type: 'question-update', update: p }))
    socket.on('item:held', (p) => ours(p) && apply({ type: 'item-held', kind: p.kind, id: p.id }))
    socket.on('reactions', (p) => ours(p) && apply({ type: 'reactions', totals: p.totals }))
    socket.on('talk:status', (p) => {
      if (!ours(p)) return
      apply({ type: 'status', status: p.status })
      // Opening puts the host on stage, which is not broadcast on its own: fetch the room.
      if (p.status === 'live') later(Math.random() * RESYNC_JITTER_MS, () => void resync())
    })
    socket.on('stage:invited', (p) => {
      // Hosts and co-hosts invite themselves to go on stage; that is not a question for them.
      if (ours(p) && p.by !== stateRef.current?.me.userId) apply({ type: 'invited' })
    })
    socket.on('stage:mute-requested', (p) => ours(p) && setMuteRequests((n) => n + 1))
    socket.on('talk:removed', (p) => ours(p) && close('removed', p.message))
    socket.on('recording:update', (p) => ours(p) && apply({ type: 'recording', update: p }))
    socket.on('media:role', (p) => ours(p) && setMediaRoleChanges((n) => n + 1))

    // A phone that slept may have missed events its socket never noticed losing.
    let hiddenAt = 0
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') hiddenAt = Date.now()
      else if (hiddenAt && Date.now() - hiddenAt > HIDDEN_RESYNC_MS && socket.connected && !closed) void resync()
    }
    document.addEventListener('visibilitychange', onVisibility)

    return () => {
      closed = true
      document.removeEventListener('visibilitychange', onVisibility)
      for (const timer of timers) clearTimeout(timer)
      socket.removeAllListeners()
      socket.disconnect()
      socketRef.current = null
      setLive({ socket: null, joins: 0 })
    }
  }, [talkId, resync, joined])

  const actions = useMemo(() => {
    /** Sends a stage change and applies the stage the ack carries. */
    const stage = async <E extends StageEvent>(event: E, ...payload: TalkPayloadArgs<E>) => {
      const ack: Ack<{ stage: StageUpdate }> = await call(event, ...payload)
      if (ack.ok) dispatch({ type: 'stage', update: ack.stage })
      return ack
    }
    /** Sends a recording change, then reads the room again. */
    const recording = async <E extends 'recording:start' | 'recording:stop' | 'talk:set-recorded'>(event: E, ...payload: TalkPayloadArgs<E>) => {
      const ack = await call(event, ...payload)
      if (ack.ok) await resync()
      return ack
    }
    return {
      openTalk: async () => {
        const ack = await call('talk:open')
        if (ack.ok) {
          dispatch({ type: 'status', status: ack.status })
          await resync()
        }
        return ack
      },
      endTalk: async () => {
        const ack = await call('talk:end')
        if (ack.ok) dispatch({ type: 'status', status: ack.status })
        return ack
      },
      raiseHand: () => stage('hand:raise'),
      lowerHand: () => stage('hand:lower'),
      /** Hosts and co-hosts go on stage by inviting themselves and accepting. */
      joinStage: async (userId: string, recordingConsent?: string) => {
        const invited = await stage('stage:invite', { userId })
        if (!invited.ok) return invited
        const ack = await stage('stage:respond', recordingConsent ? { accept: true, recordingConsent } : { accept: true })
        if (ack.ok && recordingConsent) dispatch({ type: 'recording-consent', consented: true })
        return ack
      },
      /** Consent to being recorded, for someone already on stage (the host, an invited speaker). */
      consentToRecording: async (policyVersion: string) => {
        const ack = await call('recording:consent', { policyVersion })
        if (ack.ok) {
          dispatch({ type: 'recording-consent', consented: true })
          await resync()
        }
        return ack
      },
      /** Withdraws consent: the person leaves the stage and is not recorded from then on. */
      withdrawRecordingConsent: async () => {
        const ack = await call('recording:withdraw')
        if (ack.ok) {
          if (ack.stage) dispatch({ type: 'stage', update: ack.stage })
          dispatch({ type: 'recording-consent', consented: false })
          await resync()
        }
        return ack
      },
      startRecording: () => recording('recording:start'),
      stopRecording: () => recording('recording:stop'),
      setRecorded: (recorded: boolean) => recording('talk:set-recorded', { recorded }),
      /** A LiveKit token for this person's current role in the talk. */
      mediaToken: () => call('media:token'),
      /** Accepting the stage of a recorded talk carries the policy version the person agreed to. */
      respondToInvite: async (accept: boolean, recordingConsent?: string) => {
        const ack = await stage('stage:respond', accept && recordingConsent ? { accept, recordingConsent } : { accept })
        if (ack.ok) dispatch({ type: 'invite-answered' })
        if (ack.ok && accept && recordingConsent) dispatch({ type: 'recording-consent', consented: true })
        // The invitation may have been withdrawn (moved back to the audience): ask what is true.
        if (!ack.ok) await resync()
        return ack
      },
      leaveStage: () => stage('stage:leave'),
      inviteToStage: (userId: string) => stage('stage:invite', { userId }),
      moveToAudience: (userId: string) => stage('stage:move-to-audience', { userId }),
      askToMute: (userId: string) => call('stage:ask-mute', { userId }),
      remove: (userId: string) => stage('talk:remove', { userId }),
      promote: (userId: string) => stage('cohost:promote', { userId }),
      sendComment: async (body: string, clientId = newClientId()) => {
        const ack = await call('comment:send', { body, clientId })
        if (ack.ok) dispatch({ type: 'comment', comment: ack.comment })
        return ack
      },
      deleteComment: async (commentId: string) => {
        const ack = await call('comment:delete', { commentId })
        if (ack.ok) dispatch({ type: 'comment-deleted', id: ack.id })
        return ack
      },
      pinComment: async (commentId: string | null) => {
        const ack = await call('comment:pin', { commentId })
        if (ack.ok) dispatch({ type: 'pinned', pinned: ack.pinned })
        return ack
      },
      react: (kind: ReactionKind) => call('reaction:send', { kind }),
      ask: async (body: string, clientId = newClientId()) => {
        const ack = await call('question:ask', { body, clientId })
        if (ack.ok) dispatch({ type: 'question', question: ack.question })
        return ack
      },
      upvote: async (questionId: string, up: boolean) => {
        const ack = await call('question:upvote', { questionId, up })
        if (ack.ok) dispatch({ type: 'voted', id: ack.id, votes: ack.votes, up })
        return ack
      },
      report: (kind: 'comment' | 'question', itemId: string, reason: ReportReasonChoice, details: string) =>
        call('item:report', { kind, itemId, reason, details: details || null }),
      markQuestion: async (questionId: string, status: QuestionStatus) => {
        const ack = await call('question:mark', { questionId, status })
        if (ack.ok) {
          const { talkId: tid, id, votes } = ack.question
          dispatch({ type: 'question-update', update: { talkId: tid, id, votes, status: ack.question.status, question: ack.question } })
        }
        return ack
      },
    }
  }, [call, resync])

  return { state, connection, backOnline, refusal, muteRequests, mediaRoleChanges, actions, live }
}
