/**
 * The live room's wire format (docs/live-room.md). The shapes are the data layer's and the
 * socket layer's own types, imported as types only, so no server code reaches the browser.
 */
import type { ReactionKind, TalkRoleName } from '#db/live'
import type { MediaRole } from '#db/recordings'
import type { LiveServerEvents } from '#server/realtime/live'

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

export type { RecordingState } from '#db/live'
export type { MediaRole } from '#db/recordings'

/** `recording:update`: what everyone is told; hosts and co-hosts also get who has not consented. */
export type RecordingUpdate = Parameters<LiveServerEvents['recording:update']>[0]

/** The `media:token` ack: a LiveKit room token for the person's current role in the talk. */
export type MediaToken = { url: string; token: string; role: MediaRole; canPublish: boolean; expiresAt: string }
