import type { talkType } from '../schema/index'
import type { TalkRoleName, TalkStatus } from '../access/index'

/** A talk's kind: a talk, a case discussion, a surgery or a quiz. */
export type TalkType = (typeof talkType.enumValues)[number]

/*
 * The live room's shapes (docs/live-room.md, contract in docs/live-contract.md): what the data
 * layer returns and the socket layer sends. app/live/protocol.ts imports them as types.
 */

export type { TalkRoleName, TalkStatus }
export type QuestionStatus = 'open' | 'answered' | 'hidden'
export const reactionKinds = ['clap', 'heart', 'insight', 'laugh', 'thanks'] as const
export type ReactionKind = (typeof reactionKinds)[number]

export type PersonRef = {
  userId: string
  handle: string
  name: string
  photoUrl: string | null
  /** The "Verified doctor" badge: council and year of registration, never the number. */
  verified: { council: string; since: number } | null
}
export type StagePerson = PersonRef & { role: TalkRoleName }
export type HandEntry = PersonRef & { raisedAt: string }
export type LiveComment = {
  id: string
  talkId: string
  author: PersonRef
  body: string
  createdAt: string
  pinned: boolean
  /** Held back for a moderator's review: set only on its author's own copy, the one person who sees it. */
  held?: true
}
export type LiveQuestion = {
  id: string
  talkId: string
  author: PersonRef
  body: string
  createdAt: string
  status: QuestionStatus
  votes: number
  votedByMe: boolean
  /** Held back for a moderator's review: set only on its author's own copy. */
  held?: true
}
export type StageSnapshot = { talkId: string; stage: StagePerson[]; hands: HandEntry[]; handCount: number; invited: string[] }
/** The recording as one person sees it (docs/live-contract.md). */
export type RecordingState = {
  recorded: boolean
  active: boolean
  startedAt: string | null
  policyVersion: string
  consented: boolean
  missingConsent: string[]
}
export type RoomState = {
  talk: {
    id: string
    title: string
    type: TalkType
    status: TalkStatus
    startsAt: string
    durationMinutes: number
    club: { slug: string; name: string; visibility: 'public' | 'private' }
    hostId: string
  }
  me: { userId: string; role: TalkRoleName; onStage: boolean; hand: 'raised' | 'invited' | null; handPosition: number | null }
  stage: StagePerson[]
  hands: HandEntry[]
  handCount: number
  invited: string[]
  audienceCount: number
  comments: LiveComment[]
  pinned: LiveComment | null
  questions: LiveQuestion[]
  reactions: Record<string, number>
  recording: RecordingState
}
export type AttendanceStay = { joinedAt: string; leftAt: string | null }
export type AttendanceReport = {
  uniqueAttendees: number
  peakConcurrent: number
  averageSeconds: number
  comments: number
  questions: number
  people: { handle: string; name: string; stays: AttendanceStay[]; totalSeconds: number }[]
}
export type TextInput = { body: string; clientId?: string | null }
