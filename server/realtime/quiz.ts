import {
  answerLiveQuestion,
  closeExpiredQuestion,
  closeQuestion,
  databaseClockOffset,
  getLiveQuiz,
  launchQuiz,
  leaderboardOf,
  listTalkQuizzes,
  myAnswers,
  nextQuestion,
  overdueLiveQuestions,
  prepareLiveQuestion,
  questionTally,
  type AnswerInput,
  type LiveAnswerOutcome,
  type LiveQuizState,
  type QuizKind,
  type Tally,
} from '../../db/quizzes'
import type { LiveEvents } from '../../app/live/protocol'
import { withheldTally } from '../../app/live/quiz-state'
import { rooms, seesAsModerator, talkAudiences } from './audiences'
import { createCoalescer, type Coalescer } from './coalesce'
import { done, refuse, type On } from './events'
import type { LiveNamespace, LiveSocket, SocketData } from './types'

/*
 * Live quizzes and polls on the `/live` namespace (docs/quizzes.md). Handlers are registered
 * with the room's `on()` (events.ts): validate → in the room → rate limit → call db/quizzes.ts
 * (which authorises) → ack → broadcast.
 * Answers to a question that arrive close together are written in one statement, each timed by
 * when this server received it; the bar chart is counted here from the answers written and goes
 * out coalesced, at most four times a second per question, never naming who voted. Until the
 * reveal only the talk's moderators (and a poll's voters) get the counts; the rest of the room gets
 * how many have answered (docs/who-sees-what.md).
 *
 * Server → client: `quiz:state` (phase, question, reveal), `quiz:results` (tally),
 * `quiz:leaderboard` (top 10; each person asks `quiz:results` for their own rank).
 */

const RESULTS_FLUSH_MS = 250
/** After a question's time is up, its reveal goes out this much later (answers in flight land first). */
const CLOSE_GRACE_MS = 300
/** A question's answers wait at most this long for others to be written with them... */
const ANSWER_BATCH_MS = 20
/** ...or until this many have gathered. */
const ANSWER_BATCH_MAX = 200
/** Answers written by another node are not counted here: the database's count is read again this often. */
const TALLY_RECOUNT_MS = 1000
/** How often the offset between this server's clock and the database's is measured again. */
const CLOCK_MEASURE_MS = 60_000
/** A question nobody has answered for this long is forgotten (its tally is recounted if answers come again). */
const ANSWERS_IDLE_MS = 30_000

type QuizNamespace = LiveNamespace

type WaitingAnswer = { viewer: { userId: string; role: SocketData['role'] }; input: AnswerInput; receivedAt: number; done: (outcome: LiveAnswerOutcome) => void }

/** The answers to one question of one talk that wait to be written, and its tally as this server counts it. */
type QuestionAnswers = {
  talkId: string
  questionId: string
  waiting: WaitingAnswer[]
  timer?: NodeJS.Timeout
  writing?: Promise<void>
  idle?: NodeJS.Timeout
  tally: Tally | null
  countedAt: number
  /** Every answer this server received by then is in `tally` (the database's clock). */
  asOf: string | null
}

type Shared = {
  results: Coalescer<{ talkId: string; quizId: string }>
  timers: Map<string, NodeJS.Timeout>
  answers: Map<string, QuestionAnswers>
  /** The database's clock minus this server's, and when that was measured. */
  clock: { offset: number; measuredAt: number }
  /** Whether each running quiz seen here is a quiz or a poll (who may see counts before the reveal). */
  kinds: Map<string, QuizKind>
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
      const tally = countedTally(nsp, talk, questionId) ?? (await questionTally(questionId))
      sendOpenTally(nsp, talk, quiz, tally)
    },
    onError: (error) => {
      // After the server has closed, a late flush has nowhere to go.
      if (nsp.sockets.size > 0) console.error('[quiz]', error)
    },
  })
  state = {
    results,
    timers: new Map(),
    answers: new Map(),
    clock: { offset: 0, measuredAt: -Infinity },
    kinds: new Map(),
  }
  shared.set(nsp, state)
  return state
}

const answersKey = (talk: string, questionId: string) => `${talk}:${questionId}`

function answersFor(nsp: QuizNamespace, talk: string, questionId: string): QuestionAnswers {
  const { answers } = sharedFor(nsp)
  const key = answersKey(talk, questionId)
  let question = answers.get(key)
  if (!question) {
    question = { talkId: talk, questionId, waiting: [], tally: null, countedAt: -Infinity, asOf: null }
    answers.set(key, question)
  }
  clearTimeout(question.idle)
  return question
}

/** Queues an answer to be written with the others that arrive within ANSWER_BATCH_MS; resolves once it is stored or refused. */
function submitAnswer(nsp: QuizNamespace, talk: string, questionId: string, answer: Omit<WaitingAnswer, 'done'>): Promise<LiveAnswerOutcome> {
  const queued = answersFor(nsp, talk, questionId)
  return new Promise((done) => {
    queued.waiting.push({ ...answer, done })
    if (queued.writing) return // the writer takes it when the batch in flight is stored
    if (queued.waiting.length >= ANSWER_BATCH_MAX) return void startWriting(nsp, queued)
    queued.timer ??= setTimeout(() => void startWriting(nsp, queued), ANSWER_BATCH_MS)
  })
}

function startWriting(nsp: QuizNamespace, question: QuestionAnswers): Promise<void> {
  clearTimeout(question.timer)
  question.timer = undefined
  question.writing ??= writeAnswers(nsp, question).finally(() => {
    question.writing = undefined
    if (question.waiting.length > 0) return void startWriting(nsp, question)
    const { answers } = sharedFor(nsp)
    question.idle = setTimeout(() => {
      if (!question.writing && question.waiting.length === 0) answers.delete(answersKey(question.talkId, question.questionId))
    }, ANSWERS_IDLE_MS)
    question.idle.unref()
  })
  return question.writing
}

/**
 * Writes a question's waiting answers, a batch at a time (one writer per question, so the tally
 * counts each stored answer once), acks each, and queues the bar chart. Answers that arrive
 * while a batch is being written go in the next one.
 */
async function writeAnswers(nsp: QuizNamespace, question: QuestionAnswers) {
  const { clock, results } = sharedFor(nsp)
  for (;;) {
    try {
      await Promise.all([
        Date.now() - clock.measuredAt > CLOCK_MEASURE_MS &&
          databaseClockOffset().then((offset) => {
            clock.offset = offset
            clock.measuredAt = Date.now()
          }),
        // Nothing of this server's is being written now, so the count is exact as of here.
        Date.now() - question.countedAt > TALLY_RECOUNT_MS &&
          questionTally(question.questionId).then(
            (tally) => {
              question.tally = tally
              question.countedAt = Date.now()
            },
            () => {
              question.tally = null
              question.countedAt = Date.now()
            },
          ),
        prepareLiveQuestion(question.questionId),
      ])
    } catch (error) {
      console.error('[quiz]', error)
    }
    if (question.waiting.length === 0) return
    // Everything received before this moment is in this batch or an earlier one.
    const cut = Date.now()
    const batch = question.waiting.splice(0, ANSWER_BATCH_MAX)
    let outcomes: LiveAnswerOutcome[]
    try {
      outcomes = await answerLiveQuestion(
        question.talkId,
        question.questionId,
        batch.map(({ viewer, input, receivedAt }) => ({ viewer, input, receivedAt: new Date(receivedAt + clock.offset) })),
      )
    } catch (error) {
      outcomes = batch.map(() => ({ ok: false, error }))
    }
    let quizId: string | null = null
    outcomes.forEach((outcome, i) => {
      if (outcome.ok && !outcome.result.repeated) {
        quizId = outcome.result.quizId
        if (question.tally) question.tally = counted(question.tally, outcome.result.answer)
      }
      batch[i].done(outcome)
    })
    question.asOf = new Date(cut - 1 + clock.offset).toISOString()
    if (quizId) results.add(question.questionId, { talkId: question.talkId, quizId })
  }
}

/** The tally with one more stored answer in it. */
function counted(tally: Tally, answer: { optionIds: string[]; rating: number | null }): Tally {
  return {
    ...tally,
    total: tally.total + 1,
    options: tally.options.map((o) => (answer.optionIds.includes(o.id) ? { ...o, count: o.count + 1 } : o)),
    ratings: tally.ratings && answer.rating !== null ? tally.ratings.map((n, i) => (i === answer.rating! - 1 ? n + 1 : n)) : tally.ratings,
  }
}

/** Reads what a question's answers need as it opens, so the first answers do not wait for it. */
function prepareAnswers(nsp: QuizNamespace, talk: string, questionId: string) {
  void startWriting(nsp, answersFor(nsp, talk, questionId))
}

/** Writes the talk's waiting answers now: before a question closes or the next opens, answers already received count. */
async function settleAnswers(nsp: QuizNamespace, talk: string) {
  const { answers } = sharedFor(nsp)
  await Promise.all([...answers.values()].filter((q) => q.talkId === talk).map((q) => startWriting(nsp, q)))
}

/** The tally of a live question as this server counts it, or null to read it from the database. */
function countedTally(nsp: QuizNamespace, talk: string, questionId: string): Tally | null {
  const question = sharedFor(nsp).answers.get(answersKey(talk, questionId))
  return question?.tally && question.asOf ? { ...question.tally, asOf: question.asOf } : null
}

/**
 * The tally of a question still open: its counts to the moderators, and for a poll to those who
 * have voted; how many have answered to everyone else. A quiz not seen here is taken as a quiz.
 */
function sendOpenTally(nsp: QuizNamespace, talk: string, quizId: string, tally: Tally) {
  const poll = sharedFor(nsp).kinds.get(quizId) === 'poll'
  talkAudiences(nsp, talk).splitWith('quiz:results', {
    moderators: { talkId: talk, quizId, tally },
    audience: { talkId: talk, quizId, tally: withheldTally(tally) },
    alsoFull: poll ? [rooms.answered(talk, tally.questionId)] : [],
  })
}

/** Remembers whether the quiz is a quiz or a poll, while it runs. */
function remember(nsp: QuizNamespace, state: LiveQuizState) {
  const { kinds } = sharedFor(nsp)
  if (state.phase === 'finished') kinds.delete(state.quizId)
  else kinds.set(state.quizId, state.kind)
}

function broadcastState(nsp: QuizNamespace, state: LiveQuizState) {
  remember(nsp, state)
  talkAudiences(nsp, state.talkId).everyone('quiz:state', state)
}

async function broadcastLeaderboard(nsp: QuizNamespace, state: LiveQuizState) {
  if (state.kind !== 'quiz') return
  const { top, participants } = await leaderboardOf(state.quizId, null)
  talkAudiences(nsp, state.talkId).everyone('quiz:leaderboard', { talkId: state.talkId, quizId: state.quizId, top, participants })
}

/** Reveal and final tally for a question, once it has closed. */
async function broadcastClosed(nsp: QuizNamespace, state: LiveQuizState) {
  broadcastState(nsp, state)
  if (state.question) {
    const tally = await questionTally(state.question.id)
    talkAudiences(nsp, state.talkId).everyone('quiz:results', { talkId: state.talkId, quizId: state.quizId, tally })
    const answered = rooms.answered(state.talkId, state.question.id)
    nsp.in(answered).socketsLeave(answered)
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
    settleAnswers(nsp, state.talkId)
      .then(() => closeExpiredQuestion(state.quizId, questionId))
      .then((closed) => (closed ? broadcastClosed(nsp, closed) : undefined))
      .catch((error: unknown) => {
        if (nsp.sockets.size > 0) console.error('[quiz]', error)
      })
  }, Math.max(0, wait))
  timer.unref()
  timers.set(state.quizId, timer)
}

/** Past its time by this much, a question still open has lost its timer (its server stopped). */
const OVERDUE_AFTER_MS = 5_000

/**
 * Closes and reveals the live questions whose timers died with their server, as the timer would
 * have (closeExpiredQuestion, then the reveal to whoever is in the room). Run at start and every
 * few seconds; a question closed twice is revealed once more, which changes nothing on screen.
 */
export async function revealOverdueQuestions(nsp: QuizNamespace | undefined): Promise<number> {
  const overdue = await overdueLiveQuestions(OVERDUE_AFTER_MS)
  let revealed = 0
  for (const { quizId, questionId } of overdue) {
    const closed = await closeExpiredQuestion(quizId, questionId)
    if (!closed) continue
    revealed++
    if (nsp) await broadcastClosed(nsp, closed)
  }
  return revealed
}

/** Whether the socket may see an open question's counts: a moderator, or a voter in a poll (who then joins its voters). */
async function seesCounts(socket: LiveSocket, state: LiveQuizState): Promise<boolean> {
  if (seesAsModerator(socket, state.talkId)) return true
  if (state.kind !== 'poll' || !state.question) return false
  const answered = rooms.answered(state.talkId, state.question.id)
  if (socket.rooms.has(answered)) return true
  const questionId = state.question.id
  const voted = (await myAnswers({ userId: socket.data.userId, role: socket.data.role }, state.quizId)).some((a) => a.questionId === questionId)
  if (voted) await socket.join(answered)
  return voted
}

/** Registers the quiz events on one `/live` socket (called from the namespace's connection handler). */
export function registerQuizHandlers(nsp: QuizNamespace, socket: LiveSocket, on: On<LiveEvents>) {
  const { userId, role } = socket.data
  const viewer = { userId, role }
  const { results } = sharedFor(nsp)

  const inTalk = (state: LiveQuizState, talk: string) => state.talkId === talk
  const notInTalk = refuse('We could not find that quiz.')

  on('quiz:launch', { limit: 'quiz' }, async ({ talkId: talk, quizId: quiz }) => {
    const state = await launchQuiz(viewer, quiz)
    if (!inTalk(state, talk)) return notInTalk
    return done({ state }, () => broadcastState(nsp, state))
  })

  on('quiz:next', { limit: 'quiz' }, async ({ talkId: talk, quizId: quiz }) => {
    await settleAnswers(nsp, talk)
    const state = await nextQuestion(viewer, quiz)
    if (!inTalk(state, talk)) return notInTalk
    return done({ state }, async () => {
      broadcastState(nsp, state)
      scheduleClose(nsp, state)
      if (state.question) {
        if (state.phase === 'question') prepareAnswers(nsp, talk, state.question.id)
        results.add(state.question.id, { talkId: talk, quizId: quiz })
      }
      if (state.phase === 'finished') await broadcastLeaderboard(nsp, state)
    })
  })

  on('quiz:close', { limit: 'quiz' }, async ({ talkId: talk, quizId: quiz }) => {
    await settleAnswers(nsp, talk)
    const state = await closeQuestion(viewer, quiz)
    if (!inTalk(state, talk)) return notInTalk
    return done({ state }, async () => {
      scheduleClose(nsp, state)
      await broadcastClosed(nsp, state)
    })
  })

  on('quiz:answer', { limit: 'quiz' }, async ({ talkId: talk, questionId, optionIds, rating, body }, { receivedAt }) => {
    // Written with the others that arrive about now; the writer queues the bar chart.
    const outcome = await submitAnswer(nsp, talk, questionId, { viewer, input: { optionIds, rating, body }, receivedAt })
    if (!outcome.ok) throw outcome.error
    // A poll's voters see its counts from now on (the tally goes to this room too).
    await socket.join(rooms.answered(talk, questionId))
    // Whether it was right, and the points, are told at the reveal, not before.
    const { questionId: id, optionIds: chosen, rating: rated, body: text, answeredAt } = outcome.result.answer
    return done({ repeated: outcome.result.repeated, answer: { questionId: id, optionIds: chosen, rating: rated, body: text, answeredAt } })
  })

  on('quiz:results', { limit: 'quiz' }, async ({ talkId: talk }) => {
    const [state, quizzes] = await Promise.all([getLiveQuiz(viewer, talk), listTalkQuizzes(viewer, talk)])
    if (!state) return done({ state: null, tally: null, leaderboard: null, quizzes })
    remember(nsp, state)
    const counted: Tally | null = state.question ? (countedTally(nsp, talk, state.question.id) ?? (await questionTally(state.question.id))) : null
    const tally = counted && state.phase === 'question' && !(await seesCounts(socket, state)) ? withheldTally(counted) : counted
    const leaderboard = state.kind === 'quiz' && (state.phase === 'reveal' || state.phase === 'finished') ? await leaderboardOf(state.quizId, userId) : null
    return done({ state, tally, leaderboard, quizzes })
  })
}
