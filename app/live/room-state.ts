import {
  isModerator,
  type LiveComment,
  type LiveQuestion,
  type QuestionUpdate,
  type RecordingState,
  type RecordingUpdate,
  type RoomState,
  type SharedQuestion,
  type StageUpdate,
  type TalkStatus,
} from './protocol'

/** What changes the room on screen: the server's events, and the data an ack carries back. */
export type RoomEvent =
  | { type: 'state'; state: RoomState }
  | { type: 'stage'; update: StageUpdate }
  | { type: 'audience'; count: number }
  | { type: 'comment'; comment: LiveComment }
  | { type: 'comment-deleted'; id: string }
  | { type: 'item-held'; kind: 'comment' | 'question'; id: string }
  | { type: 'pinned'; pinned: LiveComment | null }
  | { type: 'question'; question: SharedQuestion | LiveQuestion }
  | { type: 'question-update'; update: QuestionUpdate }
  | { type: 'voted'; id: string; votes: number; up: boolean }
  | { type: 'reactions'; totals: Record<string, number> }
  | { type: 'status'; status: TalkStatus }
  | { type: 'invited' }
  | { type: 'invite-answered' }
  | { type: 'recording'; update: RecordingUpdate }
  | { type: 'recording-consent'; consented: boolean }

// The server sends the last 50; a long talk's chat is trimmed on screen too.
const COMMENTS_KEPT = 200

function byVotesThenTime(a: LiveQuestion, b: LiveQuestion) {
  return b.votes - a.votes || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)
}

function byTime(a: LiveComment, b: LiveComment) {
  return a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)
}

function applyStage(state: RoomState, update: StageUpdate): RoomState {
  const moderator = isModerator(state.me.role)
  const mine = update.stage.find((p) => p.userId === state.me.userId)
  const onStage = Boolean(mine)
  const invited = moderator ? update.invited : []
  let hand: RoomState['me']['hand'] = null
  if (onStage) hand = null
  else if (update.handPosition !== null) hand = 'raised'
  else if (invited.includes(state.me.userId)) hand = 'invited'
  // The audience is not sent the invitation list: an invitation stands until it is answered
  // (a refused answer resyncs the room, see useLiveRoom).
  else if (state.me.hand === 'invited' && !state.me.onStage) hand = 'invited'
  return {
    ...state,
    stage: update.stage,
    hands: moderator ? update.hands : [],
    handCount: update.handCount,
    invited,
    me: { ...state.me, role: mine?.role ?? state.me.role, onStage, hand, handPosition: onStage ? null : update.handPosition },
  }
}

function applyQuestionUpdate(state: RoomState, update: QuestionUpdate): RoomState {
  const existing = state.questions.find((q) => q.id === update.id)
  if (update.status === 'hidden' && !isModerator(state.me.role)) {
    return { ...state, questions: state.questions.filter((q) => q.id !== update.id) }
  }
  if (!existing) {
    // A question shown again after being hidden reaches the audience as new.
    if (!update.question) return state
    return { ...state, questions: [...state.questions, { ...update.question, votedByMe: false }].sort(byVotesThenTime) }
  }
  const changed: LiveQuestion = {
    ...existing,
    ...(update.question ?? {}),
    votes: update.votes ?? existing.votes,
    status: update.status ?? existing.status,
    votedByMe: existing.votedByMe,
  }
  return { ...state, questions: state.questions.map((q) => (q.id === update.id ? changed : q)).sort(byVotesThenTime) }
}

/** The room with its recording changed; the rest of the recording as it was. */
function withRecording(state: RoomState, change: Partial<RecordingState>): RoomState {
  return { ...state, recording: { ...state.recording, ...change } }
}

function applyRecording(state: RoomState, update: RecordingUpdate): RoomState {
  if (update.talkId !== state.talk.id) return state
  const { recorded, active, startedAt, missingConsent } = update
  return withRecording(state, missingConsent ? { recorded, active, startedAt, missingConsent } : { recorded, active, startedAt })
}

/**
 * A room read by the server replaces the one on screen, except for comments newer than the
 * newest it holds: those were broadcast after the server read the room, while its reply was on
 * the way, and would otherwise vanish from the screen until the next comment.
 */
function withLaterComments(incoming: RoomState, current: RoomState | null): RoomState {
  if (!current || current.talk.id !== incoming.talk.id || current.comments.length === 0) return incoming
  const newest = incoming.comments.reduce<LiveComment | null>((n, c) => (n && byTime(n, c) >= 0 ? n : c), null)
  const known = new Set(incoming.comments.map((c) => c.id))
  const later = current.comments.filter((c) => !known.has(c.id) && (!newest || byTime(c, newest) > 0))
  if (later.length === 0) return incoming
  return { ...incoming, comments: [...incoming.comments, ...later].sort(byTime).slice(-COMMENTS_KEPT) }
}

export function roomReducer(state: RoomState | null, event: RoomEvent): RoomState | null {
  if (event.type === 'state') return withLaterComments(event.state, state)
  if (!state) return state
  switch (event.type) {
    case 'stage':
      return event.update.talkId === state.talk.id ? applyStage(state, event.update) : state
    case 'audience':
      return { ...state, audienceCount: event.count }
    case 'comment': {
      if (state.comments.some((c) => c.id === event.comment.id)) return state
      return { ...state, comments: [...state.comments, event.comment].sort(byTime).slice(-COMMENTS_KEPT) }
    }
    case 'comment-deleted':
      return {
        ...state,
        comments: state.comments.filter((c) => c.id !== event.id),
        pinned: state.pinned?.id === event.id ? null : state.pinned,
      }
    case 'item-held':
      if (event.kind === 'question') return { ...state, questions: state.questions.filter((q) => q.id !== event.id) }
      return {
        ...state,
        comments: state.comments.filter((c) => c.id !== event.id),
        pinned: state.pinned?.id === event.id ? null : state.pinned,
      }
    case 'pinned':
      return {
        ...state,
        pinned: event.pinned,
        comments: state.comments.map((c) => ({ ...c, pinned: c.id === event.pinned?.id })),
      }
    case 'question': {
      if (state.questions.some((q) => q.id === event.question.id)) return state
      const question: LiveQuestion = { votedByMe: false, ...event.question }
      return { ...state, questions: [...state.questions, question].sort(byVotesThenTime) }
    }
    case 'question-update':
      return applyQuestionUpdate(state, event.update)
    case 'voted':
      return {
        ...state,
        questions: state.questions
          .map((q) => (q.id === event.id ? { ...q, votes: event.votes, votedByMe: event.up } : q))
          .sort(byVotesThenTime),
      }
    case 'reactions':
      return { ...state, reactions: event.totals }
    case 'status':
      if (event.status !== 'ended') return { ...state, talk: { ...state.talk, status: event.status } }
      // Ending clears the stage and the hands (db/live.ts endTalk), and stops any recording.
      return {
        ...withRecording(state, { active: false, missingConsent: [] }),
        talk: { ...state.talk, status: 'ended' },
        stage: [],
        hands: [],
        handCount: 0,
        invited: [],
        me: { ...state.me, onStage: false, hand: null, handPosition: null },
      }
    case 'invited':
      return state.me.onStage ? state : { ...state, me: { ...state.me, hand: 'invited', handPosition: null } }
    case 'invite-answered':
      // The audience is not sent the invitation list, so the answer itself closes the invitation.
      return state.me.hand === 'invited' ? { ...state, me: { ...state.me, hand: null, handPosition: null } } : state
    case 'recording':
      return applyRecording(state, event.update)
    case 'recording-consent':
      return withRecording(state, { consented: event.consented })
  }
}
