/**
 * The socket protocol, both ways, in one module the server and the browser share
 * (docs/live-room.md, docs/quizzes.md, docs/decisions/019-one-socket-handler-and-typed-protocol.md):
 *
 * - client → server: each event's name, the zod schema its payload must pass, and what its ack
 *   carries when it is ok. The server's handlers take their schemas from here
 *   (server/realtime/events.ts), and the browser's `call` is typed by it (app/live/live-socket.ts),
 *   so a wrong event name or payload is a compile error on both sides.
 * - server → client: each event's name and payload.
 *
 * It reaches the browser: only zod, types and the report reasons (db/moderation/reasons.ts, free
 * of database code). The data layer's shapes are imported as types, which the build erases, so no
 * server code comes with them.
 */
import { z } from 'zod'
import type { LiveComment, LiveQuestion, QuestionStatus, ReactionKind, RoomState, StageSnapshot, TalkRoleName, TalkStatus } from '#db/live'
import type { LeaderEntry, Leaderboard, LiveQuizState, MyAnswer, QuizSummary, Tally } from '#db/quizzes'
import type { MediaRole, RecordingUpdate as TalkRecordingUpdate } from '#db/recordings'
import { DETAILS_MAX, chosenReasons } from '#db/moderation/reasons'

export type {
  HandEntry,
  LiveComment,
  LiveQuestion,
  PersonRef,
  QuestionStatus,
  ReactionKind,
  RecordingState,
  RoomState,
  StagePerson,
  TalkRoleName,
  TalkStatus,
} from '#db/live'
export type { MediaRole } from '#db/recordings'
export { chosenReasons, reportReasonLabel } from '#db/moderation/reasons'
/** A reason a member may give for a report. */
export type ReportReasonChoice = (typeof chosenReasons)[number]

/** Every ack: `{ ok: true, … }` with what the event returns, or a refusal a person can read. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string }

// The data layer's limits (db/live.ts), repeated for the counters beside the send boxes.
export const COMMENT_MAX = 500
export const QUESTION_MAX = 300

/** Payloads larger than this (as JSON) are refused before they are parsed (the engine drops ≥ 1 MB). */
export const MAX_PAYLOAD_CHARS = 10 * 1024

export const reactionLabel: Record<ReactionKind, { emoji: string; name: string }> = {
  clap: { emoji: '👏', name: 'Clap' },
  heart: { emoji: '❤️', name: 'Love' },
  insight: { emoji: '💡', name: 'Insight' },
  laugh: { emoji: '😄', name: 'Funny' },
  thanks: { emoji: '🙏', name: 'Thanks' },
}
/** The data layer's reaction kinds: `reactionLabel` must name each of them, and no other. */
export const reactionKinds = Object.keys(reactionLabel) as [ReactionKind, ...ReactionKind[]]

export const roleLabel: Record<TalkRoleName, string> = {
  host: 'Host',
  cohost: 'Co-host',
  speaker: 'Speaker',
  audience: 'Audience',
}

/** Hosts and co-hosts see the hand queue, hidden questions and who has not consented; the server decides the same in db/live.ts. */
export function isModerator(role: TalkRoleName) {
  return role === 'host' || role === 'cohost'
}

// ─── Payload schemas ────────────────────────────────────────────────────────────────────────
// zod's own messages ("Required", "Expected object, received null") are not for people: name
// each case. Lengths and content are the data layer's rules; these keep the wrong types and the
// huge out.

const notUnderstood = 'That request was not understood.'
const tooLong = 'That is too long to send.'
const required = (message: string) => ({ required_error: message, invalid_type_error: message })
const payload = <T extends z.ZodRawShape>(shape: T) => z.object(shape, required(notUnderstood))
// Ids are UUIDs throughout Rounds; anything else cannot name a thing that exists.
const id = (what: string) => z.string(required(`Say which ${what}.`)).uuid(`We could not find that ${what}.`)
const talkId = id('talk')
const text = (what: string) => ({
  body: z.string(required(`Write your ${what} first.`)).max(MAX_PAYLOAD_CHARS, tooLong),
  clientId: z.string({ invalid_type_error: 'That message id is not valid.' }).max(100, 'That message id is not valid.').nullish(),
})

const InTalk = payload({ talkId })
const ToPerson = payload({ talkId, userId: id('person') })
const StageAnswer = payload({
  talkId,
  accept: z.boolean(required('Say whether you accept.')),
  recordingConsent: z.string({ invalid_type_error: 'That consent is not valid.' }).max(100, 'That consent is not valid.').nullish(),
})
const Consent = payload({ talkId, policyVersion: z.string(required('Say which policy you agree to.')).max(100, 'That consent is not valid.') })
const Recorded = payload({ talkId, recorded: z.boolean(required('Say whether the talk is recorded.')) })
const NewComment = payload({ talkId, ...text('comment') })
const OneComment = payload({ talkId, commentId: id('comment') })
const PinnedComment = payload({ talkId, commentId: id('comment').nullable() })
const Reaction = payload({ talkId, kind: z.enum(reactionKinds, { errorMap: () => ({ message: 'Pick one of the reactions.' }) }) })
const NewQuestion = payload({ talkId, ...text('question') })
const QuestionVote = payload({ talkId, questionId: id('question'), up: z.boolean(required('Say whether you are voting for it.')) })
const QuestionMark = payload({
  talkId,
  questionId: id('question'),
  status: z.enum(['open', 'answered', 'hidden'], { errorMap: () => ({ message: 'Mark it open, answered or hidden.' }) }),
})
const ItemReport = payload({
  talkId,
  kind: z.enum(['comment', 'question'], { errorMap: () => ({ message: 'Say what you are reporting.' }) }),
  itemId: z.string(required('Say what you are reporting.')).uuid('We could not find that comment.'),
  reason: z.enum(chosenReasons, { errorMap: () => ({ message: 'Choose why you are reporting it.' }) }),
  details: z.string({ invalid_type_error: 'Those details are not valid.' }).max(DETAILS_MAX, `Keep the details under ${DETAILS_MAX} characters.`).nullish(),
})
const QuizCommand = payload({ talkId, quizId: id('quiz') })
const QuizQuery = payload({ talkId, quizId: id('quiz').optional() })
const QuizAnswer = payload({
  talkId,
  questionId: id('question'),
  optionIds: z.array(z.string().max(100), required('Choose an answer first.')).max(20, 'That option is not part of this question.').optional(),
  rating: z.number(required('Choose a rating.')).optional(),
  body: z.string(required('Write your answer first.')).optional(),
})
const ClubRoom = z.object(
  {
    clubId: z
      .string({ required_error: 'Say which club.', invalid_type_error: 'Say which club.' })
      .min(1, 'Say which club.')
      .max(60, 'That club id is not valid.'),
  },
  { required_error: notUnderstood, invalid_type_error: notUnderstood },
)

// ─── Client → server ────────────────────────────────────────────────────────────────────────

/** A client event: the schema its payload must pass, and (a type only) what its ok ack carries. */
type ClientEvent<S extends z.ZodTypeAny, A extends object> = { payload: S; ack: A }
const event = <A extends object = Record<never, never>>() => <S extends z.ZodTypeAny>(schema: S): ClientEvent<S, A> => ({ payload: schema, ack: undefined as unknown as A })

/** A stage as one person sees it: the full queue for hosts and co-hosts, the count and their own place for others. */
export type StageUpdate = StageSnapshot & { handPosition: number | null }
type StageChange = { stage: StageUpdate }

/** The `media:token` ack: a LiveKit room token for the person's current role in the talk. */
export type MediaToken = { url: string; token: string; role: MediaRole; canPublish: boolean; expiresAt: string }
/** The `quiz:results` ack: the talk's live quiz as this person may see it, and the quizzes a host may launch. */
export type QuizResults = { state: LiveQuizState | null; tally: Tally | null; leaderboard: Leaderboard | null; quizzes: QuizSummary[] }
/** The `quiz:answer` ack: the answer as stored. Whether it was right, and the points, are told at the reveal. */
export type QuizAnswerAck = { repeated: boolean; answer: Pick<MyAnswer, 'questionId' | 'optionIds' | 'rating' | 'body' | 'answeredAt'> }

/** The `/live` namespace: the live room (docs/live-room.md, docs/live-contract.md) and its quizzes (docs/quizzes.md). */
export const liveEvents = {
  'talk:join': event<{ state: RoomState }>()(InTalk),
  'talk:sync': event<{ state: RoomState }>()(InTalk),
  'talk:leave': event()(InTalk),
  /** The presenter view (hosts and co-hosts): the talk's broadcasts without attending, no stay opened. */
  'talk:present': event<{ status: TalkStatus }>()(InTalk),
  'talk:open': event<{ status: TalkStatus }>()(InTalk),
  'talk:end': event<{ status: TalkStatus }>()(InTalk),
  'hand:raise': event<StageChange>()(InTalk),
  'hand:lower': event<StageChange>()(InTalk),
  'stage:leave': event<StageChange>()(InTalk),
  'stage:respond': event<StageChange>()(StageAnswer),
  'stage:invite': event<StageChange>()(ToPerson),
  'stage:move-to-audience': event<StageChange>()(ToPerson),
  'stage:ask-mute': event()(ToPerson),
  'talk:remove': event<StageChange>()(ToPerson),
  'cohost:promote': event<StageChange>()(ToPerson),
  'media:token': event<MediaToken>()(InTalk),
  'recording:consent': event()(Consent),
  'recording:withdraw': event<StageChange>()(InTalk),
  'talk:set-recorded': event()(Recorded),
  'recording:start': event<{ recording: { id: string; status: 'active'; startedAt: string | null } }>()(InTalk),
  'recording:stop': event()(InTalk),
  'comment:send': event<{ comment: LiveComment }>()(NewComment),
  'comment:delete': event<{ id: string }>()(OneComment),
  'comment:pin': event<{ pinned: LiveComment | null }>()(PinnedComment),
  'reaction:send': event()(Reaction),
  'question:ask': event<{ question: LiveQuestion }>()(NewQuestion),
  'question:upvote': event<{ id: string; votes: number }>()(QuestionVote),
  'question:mark': event<{ question: LiveQuestion }>()(QuestionMark),
  /** A report of a comment or question (db/moderation): one that identifies a patient is held back from the room at once. */
  'item:report': event<{ held: boolean }>()(ItemReport),
  'quiz:launch': event<{ state: LiveQuizState }>()(QuizCommand),
  'quiz:next': event<{ state: LiveQuizState }>()(QuizCommand),
  'quiz:close': event<{ state: LiveQuizState }>()(QuizCommand),
  'quiz:answer': event<QuizAnswerAck>()(QuizAnswer),
  'quiz:results': event<QuizResults>()(QuizQuery),
}

/** The default namespace: a club's room carries its live updates. */
export const clubEvents = {
  'club:enter': event()(ClubRoom),
  'club:leave': event()(ClubRoom),
}

export type ClientEvents = Record<string, ClientEvent<z.ZodTypeAny, object>>
export type LiveEvents = typeof liveEvents
export type LiveEventName = keyof LiveEvents
/** What the client sends with `event` (talkId included). */
export type PayloadOf<Events extends ClientEvents, E extends keyof Events> = z.input<Events[E]['payload']>
/** What the server's handler of `event` receives, once parsed. */
export type ParsedOf<Events extends ClientEvents, E extends keyof Events> = z.output<Events[E]['payload']>
/** The ack of `event`. */
export type AckOf<Events extends ClientEvents, E extends keyof Events> = Ack<Events[E]['ack']>
export type LivePayload<E extends LiveEventName> = PayloadOf<LiveEvents, E>
export type LiveAck<E extends LiveEventName> = AckOf<LiveEvents, E>

// ─── Server → client ────────────────────────────────────────────────────────────────────────

export type SharedQuestion = Omit<LiveQuestion, 'votedByMe'>
/** A vote (`votes`), or a host's mark (`status`, and the question unless the audience is told it is hidden). */
export type QuestionUpdate = { talkId: string; id: string; votes?: number; status?: QuestionStatus; question?: SharedQuestion }
/** `recording:update`: what everyone is told; hosts and co-hosts also get who has not consented. */
export type RecordingUpdate = TalkRecordingUpdate & { missingConsent?: string[] }
export type QuizLeaderboard = { talkId: string; quizId: string; top: LeaderEntry[]; participants: number }

export type LiveServerEvents = {
  'room:state': (state: RoomState) => void
  'stage:update': (update: StageUpdate) => void
  'audience:count': (payload: { talkId: string; count: number }) => void
  'comment:new': (payload: { talkId: string; comment: LiveComment }) => void
  'comment:deleted': (payload: { talkId: string; id: string }) => void
  'comment:pinned': (payload: { talkId: string; pinned: LiveComment | null }) => void
  'question:new': (payload: { talkId: string; question: SharedQuestion }) => void
  'question:update': (payload: QuestionUpdate) => void
  /** Moderation held back or removed a comment or question: drop it, whatever one's role (its author is not sent this). */
  'item:held': (payload: { talkId: string; kind: 'comment' | 'question'; id: string }) => void
  reactions: (payload: { talkId: string; totals: Record<string, number> }) => void
  'talk:status': (payload: { talkId: string; status: TalkStatus }) => void
  'stage:invited': (payload: { talkId: string; by: string }) => void
  'stage:mute-requested': (payload: { talkId: string; by: string }) => void
  'talk:removed': (payload: { talkId: string; message: string }) => void
  'recording:update': (payload: RecordingUpdate) => void
  'media:role': (payload: { talkId: string; role: MediaRole; canPublish: boolean }) => void
  'quiz:state': (state: LiveQuizState) => void
  'quiz:results': (payload: { talkId: string; quizId: string; tally: Tally }) => void
  'quiz:leaderboard': (payload: QuizLeaderboard) => void
}

/** What the site's own socket (the default namespace, open on every page of a signed-in doctor) is sent. */
export type SiteServerEvents = {
  'club:removed': (payload: { clubId: string; message: string }) => void
  /** A talk of the club went live or ended: pages showing the club read it again, with their own rules. */
  'club:talk': (payload: { clubId: string; talkId: string; status: TalkStatus }) => void
  /** The person's unread notices changed (a new one, or read on another page or device). */
  'notifications:unread': (payload: { unread: number }) => void
}
