/**
 * The live room's wire format (docs/live-room.md). The shapes are the data layer's and the
 * socket layer's own types, imported as types only, so no server code reaches the browser.
 */
import type { ReactionKind, RoomState, TalkRoleName } from '#db/live'

export type {
  HandEntry,
  LiveComment,
  LiveQuestion,
  PersonRef,
  QuestionStatus,
  ReactionKind,
  RoomState,
  StagePerson,
  TalkRoleName,
  TalkStatus,
} from '#db/live'
export type { LiveServerEvents, QuestionUpdate, SharedQuestion, StageUpdate } from '#server/realtime/live'

export type Ack<T = object> = ({ ok: true } & T) | { ok: false; error: string }

// The data layer's limits (db/live.ts), repeated for the counters beside the send boxes.
export const COMMENT_MAX = 500
export const QUESTION_MAX = 300

export const reactionLabel: Record<ReactionKind, { emoji: string; name: string }> = {
  clap: { emoji: '👏', name: 'Clap' },
  heart: { emoji: '❤️', name: 'Love' },
  insight: { emoji: '💡', name: 'Insight' },
  laugh: { emoji: '😄', name: 'Funny' },
  thanks: { emoji: '🙏', name: 'Thanks' },
}
export const reactionKinds = Object.keys(reactionLabel) as ReactionKind[]

export const roleLabel: Record<TalkRoleName, string> = {
  host: 'Host',
  cohost: 'Co-host',
  speaker: 'Speaker',
  audience: 'Audience',
}

export function isModerator(role: TalkRoleName) {
  return role === 'host' || role === 'cohost'
}

/** A talk's recording as the room sees it (RoomState.recording, docs/live-contract.md). */
export type RecordingState = {
  recorded: boolean
  active: boolean
  startedAt: string | null
  policyVersion: string
  /** Whether the viewer has consented to the current policy version. */
  consented: boolean
  /** Names of people on stage without consent (sent to hosts and co-hosts; [] for others). */
  missingConsent: string[]
}

/** The part of a recording every person in the room is told at once (`recording:update`). */
export type RecordingUpdate = { talkId: string; recorded: boolean; active: boolean; startedAt: string | null; missingConsent?: string[] }

/** What a person may do in LiveKit: listen, or also publish (`media:token`, `media:role`). */
export type MediaRole = 'audience' | 'speaker' | 'host'
export type MediaToken = { url: string; token: string; role: MediaRole; canPublish: boolean; expiresAt: string }

const notRecorded: RecordingState = { recorded: false, active: false, startedAt: null, policyVersion: '', consented: false, missingConsent: [] }

/** The room's recording, or "not recorded" from a server that does not send one. */
export function recordingOf(state: RoomState): RecordingState {
  return (state as { recording?: RecordingState }).recording ?? notRecorded
}
