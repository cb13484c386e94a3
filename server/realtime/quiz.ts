import type { Namespace, Socket } from 'socket.io'
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import { z } from 'zod'
import {
  answerQuestion,
  closeExpiredQuestion,
  closeQuestion,
  getLiveQuiz,
  launchQuiz,
  leaderboardOf,
  listTalkQuizzes,
  nextQuestion,
  questionTally,
  type LiveQuizState,
  type Tally,
} from '../../db/quizzes'
import { createCoalescer, type Coalescer } from './coalesce'
import { handler, type Ack } from './events'
import type { SocketData } from './index'

/*
 * Live quizzes and polls on the `/live` namespace (docs/quizzes.md). Handlers are shaped like
 * the room's: validate → in the room → call db/quizzes.ts (which authorises) → ack → broadcast.
 * Answers are written one by one; the bar chart goes out coalesced, at most four times a second
 * per question, never naming who voted.
 *
 * Server → client: `quiz:state` (phase, question, reveal), `quiz:results` (tally),
 * `quiz:leaderboard` (top 10; each person asks `quiz:results` for their own rank).
 */

const RESULTS_FLUSH_MS = 250
/** After a question's time is up, its reveal goes out this much later (answers in flight land first). */
const CLOSE_GRACE_MS = 300
const MAX_PAYLOAD_CHARS = 10 * 1024

const notUnderstood = 'That request was not understood.'
const required = (message: string) => ({ required_error: message, invalid_type_error: message })
const payload = <T extends z.ZodRawShape>(shape: T) => z.object(shape, required(notUnderstood))
const talkId = z.string(required('Say which talk.')).uuid('We could not find that talk.')
const quizId = z.string(required('Say which quiz.')).uuid('We could not find that quiz.')

const QuizCommand = payload({ talkId, quizId })
const QuizQuery = payload({ talkId, quizId: quizId.optional() })
const Answer = payload({
  talkId,
  questionId: z.string(required('Say which question.')).uuid('We could not find that question.'),
  optionIds: z.array(z.string().max(100), required('Choose an answer first.')).max(20, 'That option is not part of this question.').optional(),
  rating: z.number(required('Choose a rating.')).optional(),
  // Length is the data layer's rule; the payload cap below keeps the huge out.
  body: z.string(required('Write your answer first.')).optional(),
})

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- client events are validated by zod, not typed
type QuizSocket = Socket<Record<string, (...args: any[]) => void>, any, Record<string, never>, SocketData>
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- shared with live.ts, whose event map is its own
type QuizNamespace = Namespace<any, any, any, SocketData>

const talkRoom = (talk: string) => `talk:${talk}`

type Shared = {
  results: Coalescer<{ talkId: string; quizId: string }>
  timers: Map<string, NodeJS.Timeout>
  limiter: RateLimiterMemory
}

/** One coalescer and one set of question timers per namespace (per server). */
const shared = new WeakMap<QuizNamespace, Shared>()

function sharedFor(nsp: QuizNamespace): Shared {
  let state = shared.get(nsp)
  if (state) return state
  const results = createCoalescer<{ talkId: string; quizId: string }>({
    intervalMs: RESULTS_FLUSH_MS,
    merge: (_pending, next) => next,
    flush: async (questionId, { talkId: talk, quizId: quiz }) => {
      const tally = await questionTally(questionId)
      nsp.to(talkRoom(talk)).emit('quiz:results', { talkId: talk, quizId: quiz, tally })
    },
    onError: (error) => {
      // After the server has closed, a late flush has nowhere to go.
      if (nsp.sockets.size > 0) console.error('[quiz]', error)
    },
  })
  state = { results, timers: new Map(), limiter: new RateLimiterMemory({ keyPrefix: 'rounds:quiz', points: 30, duration: 10 }) }
  shared.set(nsp, state)
  return state
}

function broadcastState(nsp: QuizNamespace, state: LiveQuizState) {
  nsp.to(talkRoom(state.talkId)).emit('quiz:state', state)
}

async function broadcastLeaderboard(nsp: QuizNamespace, state: LiveQuizState) {
  if (state.kind !== 'quiz') return
  const { top, participants } = await leaderboardOf(state.quizId, null)
  nsp.to(talkRoom(state.talkId)).emit('quiz:leaderboard', { talkId: state.talkId, quizId: state.quizId, top, participants })
}

/** Reveal and final tally for a question, once it has closed. */
async function broadcastClosed(nsp: QuizNamespace, state: LiveQuizState) {
  broadcastState(nsp, state)
  if (state.question) {
    const tally = await questionTally(state.question.id)
    nsp.to(talkRoom(state.talkId)).emit('quiz:results', { talkId: state.talkId, quizId: state.quizId, tally })
  }
  await broadcastLeaderboard(nsp, state)
}

/** When a quiz question's time is up, the server closes it and reveals the answer: its clock decides. */
function scheduleClose(nsp: QuizNamespace, state: LiveQuizState) {
  const { timers } = sharedFor(nsp)
  clearTimeout(timers.get(state.quizId))
  timers.delete(state.quizId)
  if (state.phase !== 'question' || !state.closesAt || !state.question) return
  const questionId = state.question.id
  const wait = new Date(state.closesAt).getTime() - new Date(state.serverNow).getTime() + CLOSE_GRACE_MS
  const timer = setTimeout(() => {
    timers.delete(state.quizId)
    closeExpiredQuestion(state.quizId, questionId)
      .then((closed) => (closed ? broadcastClosed(nsp, closed) : undefined))
      .catch((error: unknown) => {
        if (nsp.sockets.size > 0) console.error('[quiz]', error)
      })
  }, Math.max(0, wait))
  timer.unref()
  timers.set(state.quizId, timer)
}

function payloadSize(value: unknown) {
  try {
    return JSON.stringify(value)?.length ?? 0
  } catch {
    return Infinity
  }
}

/** Registers the quiz events on one `/live` socket (called from the namespace's connection handler). */
export function registerQuizHandlers(nsp: QuizNamespace, socket: QuizSocket) {
  const { userId, role } = socket.data
  const viewer = { userId, role }
  const { results, limiter } = sharedFor(nsp)

  /** Validate → in the room → rate limit → run; `after` broadcasts once the ack has gone. */
  function on<S extends z.ZodTypeAny>(event: string, schema: S, run: (input: z.infer<S>) => Promise<{ ack: Ack<Record<string, unknown>>; after?: () => Promise<void> | void }>) {
    const wrapped = handler(z.unknown(), async (input: unknown) => {
      if (payloadSize(input) > MAX_PAYLOAD_CHARS) return { ok: false, error: 'That is too long to send.' }
      const parsed = schema.safeParse(input)
      if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? notUnderstood }
      const { talkId: talk } = parsed.data as { talkId: string }
      if (!socket.rooms.has(talkRoom(talk))) return { ok: false, error: 'Join the talk first.' }
      try {
        await limiter.consume(userId)
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error
        return { ok: false, error: 'You are answering too fast. Try again in a few seconds.' }
      }
      const outcome = await run(parsed.data)
      if (outcome.after) {
        // The ack goes first; the broadcast follows on the next turn.
        const after = outcome.after
        setImmediate(() => {
          Promise.resolve(after()).catch((error: unknown) => console.error('[quiz]', error))
        })
      }
      return outcome.ack
    })
    socket.on(event, wrapped)
  }

  const inTalk = (state: LiveQuizState, talk: string) => state.talkId === talk

  on('quiz:launch', QuizCommand, async ({ talkId: talk, quizId: quiz }) => {
    const state = await launchQuiz(viewer, quiz)
    if (!inTalk(state, talk)) return { ack: { ok: false, error: 'We could not find that quiz.' } }
    return { ack: { ok: true, state }, after: () => broadcastState(nsp, state) }
  })

  on('quiz:next', QuizCommand, async ({ talkId: talk, quizId: quiz }) => {
    const state = await nextQuestion(viewer, quiz)
    if (!inTalk(state, talk)) return { ack: { ok: false, error: 'We could not find that quiz.' } }
    return {
      ack: { ok: true, state },
      after: async () => {
        broadcastState(nsp, state)
        scheduleClose(nsp, state)
        if (state.question) results.add(state.question.id, { talkId: talk, quizId: quiz })
        if (state.phase === 'finished') await broadcastLeaderboard(nsp, state)
      },
    }
  })

  on('quiz:close', QuizCommand, async ({ talkId: talk, quizId: quiz }) => {
    const state = await closeQuestion(viewer, quiz)
    if (!inTalk(state, talk)) return { ack: { ok: false, error: 'We could not find that quiz.' } }
    return {
      ack: { ok: true, state },
      after: async () => {
        scheduleClose(nsp, state)
        await broadcastClosed(nsp, state)
      },
    }
  })

  on('quiz:answer', Answer, async ({ talkId: talk, questionId, optionIds, rating, body }) => {
    const result = await answerQuestion(viewer, questionId, { optionIds, rating, body }, { talkId: talk })
    // Whether it was right, and the points, are told at the reveal, not before.
    const { questionId: id, optionIds: chosen, rating: rated, body: text, answeredAt } = result.answer
    return {
      ack: { ok: true, repeated: result.repeated, answer: { questionId: id, optionIds: chosen, rating: rated, body: text, answeredAt } },
      after: () => {
        if (!result.repeated) results.add(questionId, { talkId: talk, quizId: result.quizId })
      },
    }
  })

  on('quiz:results', QuizQuery, async ({ talkId: talk }) => {
    const [state, quizzes] = await Promise.all([getLiveQuiz(viewer, talk), listTalkQuizzes(viewer, talk)])
    if (!state) return { ack: { ok: true, state: null, tally: null, leaderboard: null, quizzes } }
    const tally: Tally | null = state.question ? await questionTally(state.question.id) : null
    const leaderboard = state.kind === 'quiz' && (state.phase === 'reveal' || state.phase === 'finished') ? await leaderboardOf(state.quizId, userId) : null
    return { ack: { ok: true, state, tally, leaderboard, quizzes } }
  })
}
