import { useCallback, useEffect, useRef, useState } from 'react'
import type { LeaderEntry, LiveQuizState, PublicQuestion, QuizSummary, Tally } from '#db/quizzes'
import { callLive, type LiveClientSocket, type LiveConnection, type TalkPayload, type TalkPayloadArgs } from './live-socket'
import type { LiveEventName, LiveServerEvents } from './protocol'
import { countsWithheld, isCurrentQuizState, tallyRows } from './quiz-state'
import { ActionError, button, useAckAction } from './ui'

/*
 * The live quiz and poll panel (server/realtime/quiz.ts): hosts launch and step through a
 * quiz; everyone answers on their own device and sees how many have answered (the host, and a
 * poll's voters, see the live bar chart), the reveal with
 * its explanation, the leaderboard and, at the end, the podium. It uses the page's one `/live`
 * connection, which the room's hook (use-live-room.ts) opens and joins to the talk, and reads the
 * quiz again each time the room is joined or synced.
 */

type Board = { top: LeaderEntry[]; participants: number }

export function useQuizSocket(talkId: string, { socket, joins }: LiveConnection) {
  const socketRef = useRef<LiveClientSocket | null>(socket)
  socketRef.current = socket
  const [state, setState] = useState<LiveQuizState | null>(null)
  const [tally, setTally] = useState<Tally | null>(null)
  const [board, setBoard] = useState<Board | null>(null)
  const [me, setMe] = useState<LeaderEntry | null>(null)
  const [quizzes, setQuizzes] = useState<QuizSummary[]>([])
  /** Server clock minus ours, so the countdown follows the server. */
  const [skew, setSkew] = useState(0)
  /** The state on screen, read synchronously: an answer may arrive after a newer broadcast. */
  const stateRef = useRef<LiveQuizState | null>(null)

  /** Shows `next` unless a newer state is already on screen; says whether it did. */
  const accept = useCallback((next: LiveQuizState) => {
    const prev = stateRef.current
    if (!isCurrentQuizState(prev, next)) return false
    stateRef.current = next
    if (prev?.question?.id !== next.question?.id) setTally(null)
    setState(next)
    setSkew(new Date(next.serverNow).getTime() - Date.now())
    return true
  }, [])

  /** Sends a protocol event for this talk; resolves with its ack, or a refusal when offline or unanswered. */
  const call = useCallback(
    <E extends LiveEventName>(event: E, ...[payload]: TalkPayloadArgs<E>) => callLive(socketRef.current, talkId, event, payload),
    [talkId],
  )

  const refresh = useCallback(async () => {
    const ack = await call('quiz:results')
    if (!ack.ok) return
    setQuizzes(ack.quizzes)
    if (ack.state && !accept(ack.state)) return
    const shown = stateRef.current?.question?.id
    if (ack.tally && ack.tally.questionId === shown) setTally(ack.tally)
    if (ack.leaderboard) {
      setBoard({ top: ack.leaderboard.top, participants: ack.leaderboard.participants })
      setMe(ack.leaderboard.me)
    }
  }, [call, accept])

  // The room's hook has joined the talk (or synced it again): read the quiz as it now stands.
  useEffect(() => {
    if (socket && joins > 0) void refresh()
  }, [socket, joins, refresh])

  useEffect(() => {
    if (!socket) return
    const onState = (next: LiveQuizState) => {
      if (next.talkId !== talkId || !accept(next)) return
      if (next.phase === 'reveal' || next.phase === 'finished') void refresh()
    }
    const onResults: LiveServerEvents['quiz:results'] = (payload) => {
      if (payload.talkId !== talkId || payload.tally.questionId !== stateRef.current?.question?.id) return
      // Counts are withheld only while the question is open; after the reveal the full tally stands.
      if (countsWithheld(payload.tally) && stateRef.current.phase !== 'question') return
      setTally((prev) => (prev && prev.questionId === payload.tally.questionId && prev.asOf > payload.tally.asOf ? prev : payload.tally))
    }
    const onLeaderboard: LiveServerEvents['quiz:leaderboard'] = (payload) => {
      if (payload.talkId === talkId) setBoard({ top: payload.top, participants: payload.participants })
    }
    socket.on('quiz:state', onState)
    socket.on('quiz:results', onResults)
    socket.on('quiz:leaderboard', onLeaderboard)
    return () => {
      socket.off('quiz:state', onState)
      socket.off('quiz:results', onResults)
      socket.off('quiz:leaderboard', onLeaderboard)
    }
  }, [socket, talkId, refresh, accept])

  return { state, tally, board, me, quizzes, skew, call, refresh }
}

export function QuizPanel({ talkId, host, live }: { talkId: string; host: boolean; live: LiveConnection }) {
  const { state, tally, board, me, quizzes, skew, call, refresh } = useQuizSocket(talkId, live)
  const hostAction = useAckAction()
  const [chosen, setChosen] = useState<string>('')

  if (!state && (!host || quizzes.length === 0)) return null
  const quizId = state && state.phase !== 'finished' ? state.quizId : chosen || quizzes.find((q) => q.status !== 'closed')?.id || ''
  const command = (event: 'quiz:launch' | 'quiz:next' | 'quiz:close') =>
    hostAction.run(async () => {
      const ack = await call(event, { quizId })
      if (ack.ok) void refresh()
      return ack
    })

  return (
    <section aria-labelledby="quiz-heading" data-testid="quiz-panel" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4">
      <h2 id="quiz-heading" className="text-lg font-semibold">
        {state ? state.title : 'Quizzes and polls'}
      </h2>
      {host ? (
        <div className="flex flex-wrap items-center gap-2" data-testid="quiz-host-controls">
          {!state || state.phase === 'finished' ? (
            <>
              <label className="text-sm">
                <span className="sr-only">Quiz to launch</span>
                <select className="rounded-md border border-slate-300 px-2 py-1 text-sm" value={quizId} onChange={(e) => setChosen(e.target.value)}>
                  {quizzes.map((q) => (
                    <option key={q.id} value={q.id} disabled={q.status === 'closed'}>
                      {q.title} ({q.kind}, {q.questionCount} {q.questionCount === 1 ? 'question' : 'questions'}){q.status === 'closed' ? ' — done' : ''}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" className={button.primary} disabled={!quizId || hostAction.pending} onClick={() => void command('quiz:launch')}>
                Launch
              </button>
            </>
          ) : null}
          {state && state.phase !== 'finished' ? (
            <>
              {state.phase === 'question' ? (
                <button type="button" className={button.secondary} disabled={hostAction.pending} onClick={() => void command('quiz:close')}>
                  {state.kind === 'quiz' ? 'Reveal answer' : 'Close poll'}
                </button>
              ) : null}
              <button type="button" className={button.primary} disabled={hostAction.pending} onClick={() => void command('quiz:next')}>
                {state.phase === 'lobby' ? 'First question' : state.question && state.question.position >= state.questionCount ? 'Finish' : 'Next question'}
              </button>
            </>
          ) : null}
          <ActionError error={hostAction.error} />
        </div>
      ) : null}
      {state ? <QuizStage key={state.question?.id ?? state.phase} state={state} tally={tally} skew={skew} call={call} /> : null}
      {state && state.kind === 'quiz' && (state.phase === 'reveal' || state.phase === 'finished') && board ? (
        <LeaderboardView board={board} me={me} podium={state.phase === 'finished'} />
      ) : null}
    </section>
  )
}

export function useCountdown(closesAt: string | null, skew: number) {
  const [left, setLeft] = useState<number | null>(null)
  useEffect(() => {
    if (!closesAt) return setLeft(null)
    const tick = () => setLeft(Math.max(0, Math.ceil((new Date(closesAt).getTime() - (Date.now() + skew)) / 1000)))
    tick()
    const timer = setInterval(tick, 250)
    return () => clearInterval(timer)
  }, [closesAt, skew])
  return left
}

function QuizStage({ state, tally, skew, call }: { state: LiveQuizState; tally: Tally | null; skew: number; call: ReturnType<typeof useQuizSocket>['call'] }) {
  const left = useCountdown(state.phase === 'question' ? state.closesAt : null, skew)
  if (state.phase === 'lobby') return <p className="text-slate-700">Get ready: the first question is coming up.</p>
  if (state.phase === 'finished') return <p className="font-medium text-slate-800">{state.kind === 'quiz' ? 'That’s the end of the quiz.' : 'This poll has closed.'}</p>
  const question = state.question
  if (!question) return null
  return (
    <div className="space-y-3">
      <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">
        Question {question.position} of {state.questionCount}
        {left !== null ? <span data-testid="quiz-countdown"> · {left} s left</span> : null}
      </p>
      <p className="text-lg font-medium" data-testid="quiz-prompt">
        {question.prompt}
      </p>
      {question.imageUrl ? <img src={question.imageUrl} alt={question.imageAlt} className="max-h-64 rounded-md border border-slate-200" /> : null}
      <AnswerForm question={question} open={state.phase === 'question' && left !== 0} talkId={state.talkId} call={call} reveal={state.reveal?.correctOptionIds ?? null} />
      <BarChart question={question} tally={tally} correct={state.reveal?.correctOptionIds ?? null} />
      {state.reveal?.explanation ? (
        <p className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900" data-testid="quiz-explanation">
          {state.reveal.explanation}
        </p>
      ) : null}
    </div>
  )
}

function AnswerForm({
  question,
  open,
  call,
  reveal,
}: {
  question: PublicQuestion
  open: boolean
  talkId: string
  call: ReturnType<typeof useQuizSocket>['call']
  reveal: string[] | null
}) {
  const { run, pending, error } = useAckAction()
  const [sent, setSent] = useState<string[] | null>(null)
  const [picked, setPicked] = useState<string[]>([])
  const [text, setText] = useState('')
  const send = (payload: Omit<TalkPayload<'quiz:answer'>, 'questionId'>) =>
    run(async () => {
      const ack = await call('quiz:answer', { questionId: question.id, ...payload })
      if (ack.ok) setSent(ack.answer.optionIds.length ? ack.answer.optionIds : ['sent'])
      return ack
    })
  const disabled = !open || pending || sent !== null
  return (
    <div className="space-y-2">
      {question.kind === 'text' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault()
            void send({ body: text })
          }}
          className="flex gap-2"
        >
          <textarea value={text} onChange={(e) => setText(e.target.value)} maxLength={2000} className="flex-1 rounded-md border border-slate-300 p-2 text-sm" disabled={disabled} aria-label="Your answer" />
          <button type="submit" className={button.primary} disabled={disabled}>
            Send
          </button>
        </form>
      ) : question.kind === 'rating' ? (
        <div className="flex gap-1" role="group" aria-label="Your rating">
          {Array.from({ length: question.ratingMax }, (_, i) => (
            <button key={i} type="button" className={button.secondary} disabled={disabled} onClick={() => void send({ rating: i + 1 })}>
              {i + 1}
            </button>
          ))}
        </div>
      ) : (
        <div className="grid gap-2 sm:grid-cols-2">
          {question.options.map((option) => {
            const mine = (sent ?? picked).includes(option.id)
            const right = reveal?.includes(option.id)
            return (
              <button
                key={option.id}
                type="button"
                data-testid="quiz-option"
                aria-pressed={mine}
                disabled={disabled}
                onClick={() => {
                  if (question.kind === 'multiple') setPicked((p) => (p.includes(option.id) ? p.filter((x) => x !== option.id) : [...p, option.id]))
                  else void send({ optionIds: [option.id] })
                }}
                className={`rounded-md border px-3 py-2 text-left text-sm font-medium ${mine ? 'border-brand-600 bg-brand-50' : 'border-slate-300 bg-white'} ${right ? 'ring-2 ring-emerald-500' : ''} disabled:cursor-not-allowed`}
              >
                {right ? '✓ ' : ''}
                {option.label}
              </button>
            )
          })}
          {question.kind === 'multiple' ? (
            <button type="button" className={button.primary} disabled={disabled || picked.length === 0} onClick={() => void send({ optionIds: picked })}>
              Send answer
            </button>
          ) : null}
        </div>
      )}
      {sent ? (
        <p role="status" className="text-sm text-slate-600" data-testid="quiz-answer-sent">
          Answer sent.
        </p>
      ) : null}
      <ActionError error={error} />
    </div>
  )
}

function BarChart({ question, tally, correct }: { question: PublicQuestion; tally: Tally | null; correct: string[] | null }) {
  if (!tally || tally.questionId !== question.id) return null
  if (countsWithheld(tally))
    return (
      <p className="text-sm text-slate-600" data-testid="quiz-answered-count">
        {tally.total} answered
      </p>
    )
  const rows = tallyRows(question, tally, correct)
  if (rows.length === 0) return <p className="text-sm text-slate-600">{tally.total} answers so far.</p>
  const max = Math.max(1, ...rows.map((r) => r.count))
  return (
    <figure aria-label="Live results" data-testid="quiz-results" className="space-y-1">
      {rows.map((r) => (
        <div key={r.key} className="flex items-center gap-2 text-sm">
          <span className="w-40 truncate">{r.label}</span>
          <span className="h-4 flex-1 rounded bg-slate-100" aria-hidden="true">
            <span
              data-testid="quiz-bar"
              data-count={r.count}
              className={`block h-4 rounded ${r.right ? 'bg-emerald-500' : 'bg-brand-600'}`}
              style={{ width: `${(r.count / max) * 100}%` }}
            />
          </span>
          <span className="w-10 text-right tabular-nums">{r.count}</span>
        </div>
      ))}
      <figcaption className="text-xs text-slate-500">{tally.total} answered</figcaption>
    </figure>
  )
}

function LeaderboardView({ board, me, podium }: { board: Board; me: LeaderEntry | null; podium: boolean }) {
  const places = podium ? board.top.slice(0, 3) : []
  return (
    <div className="space-y-3" data-testid="quiz-leaderboard">
      {places.length ? (
        <ol className="flex items-end justify-center gap-3" data-testid="quiz-podium" aria-label="Podium">
          {places.map((p) => (
            <li key={p.handle} className={`rounded-t-md bg-brand-50 px-3 text-center ${p.rank === 1 ? 'pb-8 pt-3' : p.rank === 2 ? 'pb-5 pt-2' : 'pb-3 pt-2'}`}>
              <span className="block text-xl font-bold">{p.rank}</span>
              <span className="block text-sm font-medium">{p.name}</span>
              <span className="block text-xs tabular-nums">{p.points} pts</span>
            </li>
          ))}
        </ol>
      ) : null}
      <h3 className="font-semibold">Leaderboard</h3>
      <ol className="divide-y divide-slate-100 text-sm">
        {board.top.map((e) => (
          <li key={e.handle} data-testid="leaderboard-row" className={`flex justify-between py-1 ${me?.handle === e.handle ? 'font-semibold' : ''}`}>
            <span>
              {e.rank}. {e.name}
            </span>
            <span className="tabular-nums" data-testid="leaderboard-points">
              {e.points}
            </span>
          </li>
        ))}
      </ol>
      {me ? (
        <p className="text-sm" data-testid="quiz-my-rank">
          You are {ordinal(me.rank)} of {board.participants} with {me.points} points.
        </p>
      ) : null}
    </div>
  )
}

function ordinal(n: number) {
  const s = ['th', 'st', 'nd', 'rd']
  const v = n % 100
  return `${n}${s[(v - 20) % 10] ?? s[v] ?? s[0]}`
}
