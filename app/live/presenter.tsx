import { useEffect, useState } from 'react'
import { io } from 'socket.io-client'
import type { LeaderEntry, LiveQuizState, PublicQuestion, Tally } from '#db/quizzes'
import { emitLive, type LiveClientSocket, type LiveConnection } from './live-socket'
import type { TalkStatus } from './protocol'
import { useCountdown, useQuizSocket } from './quiz-panel'
import { countsWithheld, tallyRows } from './quiz-state'

/*
 * The presenter view (docs/quizzes.md, Presenter view): the talk's live quiz or poll on a screen
 * for the hall, in large type, light on dark. It is a second connection of a host or co-host:
 * `talk:present` puts it in the talk's room without attending (no stay, not in the audience
 * count), and the quiz reaches it as it reaches the audience — while a question is open, only
 * how many have answered; the counts come with the reveal.
 */

type PresenterConnection = 'connecting' | 'online' | 'reconnecting' | 'closed'

const RETRY_MS = 2_000

/** The presenter's own `/live` connection: presents the talk on each (re)connection, so the quiz is read afresh. */
function usePresenterConnection(talkId: string, initialStatus: TalkStatus) {
  const [live, setLive] = useState<LiveConnection>({ socket: null, joins: 0 })
  const [connection, setConnection] = useState<PresenterConnection>('connecting')
  const [refusal, setRefusal] = useState<string | null>(null)
  const [status, setStatus] = useState<TalkStatus>(initialStatus)

  useEffect(() => {
    const socket: LiveClientSocket = io('/live', { withCredentials: true, transports: ['websocket', 'polling'] })
    setLive({ socket, joins: 0 })
    let closed = false
    let retry: ReturnType<typeof setTimeout> | undefined
    const close = (message: string) => {
      closed = true
      setRefusal(message)
      setConnection('closed')
      socket.disconnect()
    }
    const present = async () => {
      try {
        const ack = await emitLive(socket, 'talk:present', { talkId })
        if (closed) return
        if (!ack.ok) return close(ack.error)
        setStatus(ack.status)
        setConnection('online')
        setLive((prev) => ({ socket, joins: prev.joins + 1 }))
      } catch {
        // No answer: try again while still connected; a reconnection presents again by itself.
        if (!closed && socket.connected) retry = setTimeout(() => void present(), RETRY_MS)
      }
    }
    socket.on('connect', () => void present())
    socket.on('disconnect', (reason) => {
      if (closed) return
      if (reason === 'io server disconnect') return close('You were signed out. Sign in again, then reload this page.')
      setConnection('reconnecting')
    })
    socket.on('connect_error', (error) => {
      if (closed) return
      if (!socket.active) return close(error.message || 'Sign in again, then reload this page.')
      setConnection((prev) => (prev === 'connecting' ? prev : 'reconnecting'))
    })
    socket.on('talk:status', (p) => p.talkId === talkId && setStatus(p.status))
    socket.on('talk:removed', (p) => p.talkId === talkId && close(p.message))
    return () => {
      closed = true
      clearTimeout(retry)
      socket.removeAllListeners()
      socket.disconnect()
      setLive({ socket: null, joins: 0 })
    }
  }, [talkId])

  return { live, connection, refusal, status }
}

export type PresentedTalkView = { id: string; title: string; status: TalkStatus; clubName: string }

export function PresenterView({ talk }: { talk: PresentedTalkView }) {
  const { live, connection, refusal, status } = usePresenterConnection(talk.id, talk.status)
  const quiz = useQuizSocket(talk.id, live)
  return (
    <div className="flex min-h-screen flex-col bg-slate-950 text-white" data-testid="presenter">
      <header className="flex flex-wrap items-baseline justify-between gap-x-6 gap-y-1 border-b border-slate-700 px-4 py-3 sm:px-8">
        <p className="text-base text-slate-200 sm:text-xl">
          <span className="font-semibold text-white">{talk.title}</span>
          <span aria-hidden="true"> · </span>
          {talk.clubName}
        </p>
        <ConnectionNote connection={connection} />
      </header>
      <main className="flex flex-1 flex-col px-4 py-6 sm:px-8 sm:py-10" aria-live="polite">
        <noscript>
          <p className="text-2xl text-amber-200">The presenter view needs JavaScript. Turn it on, then reload this page.</p>
        </noscript>
        {refusal ? (
          <Calm role="alert" title={refusal} />
        ) : status === 'ended' ? (
          <Calm title="This talk has ended." />
        ) : connection === 'connecting' && live.joins === 0 ? (
          <Calm title="Connecting…" />
        ) : (
          <QuizScreen state={quiz.state} tally={quiz.tally} board={quiz.board} skew={quiz.skew} />
        )}
      </main>
    </div>
  )
}

function ConnectionNote({ connection }: { connection: PresenterConnection }) {
  if (connection !== 'reconnecting') return null
  return (
    <p role="status" className="text-base font-semibold text-amber-200 sm:text-xl">
      Connection lost. Reconnecting…
    </p>
  )
}

/** A quiet full screen: waiting, ended, or why the view cannot be shown. */
function Calm({ title, detail, role }: { title: string; detail?: string; role?: 'alert' }) {
  return (
    <div role={role} className="m-auto max-w-4xl space-y-4 text-center" data-testid="presenter-calm">
      <h1 className="text-3xl font-medium text-slate-100 sm:text-6xl">{title}</h1>
      {detail ? <p className="text-xl text-slate-200 sm:text-3xl">{detail}</p> : null}
    </div>
  )
}

type Board = { top: LeaderEntry[]; participants: number }

function QuizScreen({ state, tally, board, skew }: { state: LiveQuizState | null; tally: Tally | null; board: Board | null; skew: number }) {
  const waiting = 'Waiting for the next question'
  if (!state) return <Calm title={waiting} />
  if (state.phase === 'lobby') return <Calm title={waiting} detail={`${state.title}: the first question is coming up.`} />
  if (state.phase === 'finished') {
    if (state.kind === 'quiz' && board) return <FinalBoard title={state.title} board={board} />
    return <Calm title={waiting} detail={`${state.title} has closed.`} />
  }
  const question = state.question
  if (!question) return <Calm title={waiting} />
  const shownTally = tally && tally.questionId === question.id ? tally : null
  if (state.phase === 'question') return <OpenQuestion state={state} question={question} answered={shownTally?.total ?? 0} skew={skew} />
  const leaderboard = state.kind === 'quiz' && board && board.top.length > 0 ? board : null
  return (
    <div className={`grid flex-1 gap-8 ${leaderboard ? 'lg:grid-cols-[2fr_1fr]' : ''}`}>
      <section aria-labelledby="presenter-prompt" className="space-y-6">
        <QuestionHeading state={state} question={question} />
        <Results question={question} tally={shownTally} correct={state.reveal?.correctOptionIds ?? null} />
        {state.reveal?.explanation ? (
          <p className="rounded-lg border-2 border-emerald-300 p-4 text-xl text-white sm:text-2xl" data-testid="presenter-explanation">
            {state.reveal.explanation}
          </p>
        ) : null}
      </section>
      {leaderboard ? <Leaderboard board={leaderboard} limit={5} heading="Leaderboard" /> : null}
    </div>
  )
}

function QuestionHeading({ state, question, left }: { state: LiveQuizState; question: PublicQuestion; left?: number | null }) {
  return (
    <div className="space-y-3">
      <p className="text-lg font-semibold text-slate-200 sm:text-2xl">
        Question {question.position} of {state.questionCount}
        {state.phase === 'reveal' ? <span> · {state.kind === 'quiz' ? 'Answer' : 'Results'}</span> : null}
        {left != null ? <span data-testid="presenter-countdown"> · {left} s left</span> : null}
      </p>
      <h1 id="presenter-prompt" className="text-3xl leading-tight font-semibold sm:text-5xl 2xl:text-7xl" data-testid="presenter-prompt">
        {question.prompt}
      </h1>
    </div>
  )
}

const letter = (i: number) => String.fromCharCode(65 + i)

function OpenQuestion({ state, question, answered, skew }: { state: LiveQuizState; question: PublicQuestion; answered: number; skew: number }) {
  const left = useCountdown(state.closesAt, skew)
  return (
    <section aria-labelledby="presenter-prompt" className="flex flex-1 flex-col gap-8">
      <QuestionHeading state={state} question={question} left={left} />
      {question.imageUrl ? <img src={question.imageUrl} alt={question.imageAlt} className="max-h-[40vh] self-start rounded-lg" /> : null}
      {question.options.length > 0 ? (
        <ol className="grid gap-4 lg:grid-cols-2" aria-label="Options">
          {question.options.map((option, i) => (
            <li key={option.id} className="flex items-center gap-4 rounded-lg border-2 border-slate-500 px-4 py-3 text-2xl sm:text-4xl 2xl:text-5xl" data-testid="presenter-option">
              <span className="font-bold text-sky-200" aria-hidden="true">
                {letter(i)}
              </span>
              <span>{option.label}</span>
            </li>
          ))}
        </ol>
      ) : question.kind === 'rating' ? (
        <p className="text-2xl text-slate-200 sm:text-4xl">Rate from 1 to {question.ratingMax}.</p>
      ) : (
        <p className="text-2xl text-slate-200 sm:text-4xl">Write your answer on your device.</p>
      )}
      <p className="mt-auto text-3xl font-semibold sm:text-6xl" data-testid="presenter-answered">
        <span className="tabular-nums">{answered}</span> {answered === 1 ? 'answer' : 'answers'} so far
      </p>
    </section>
  )
}

function Results({ question, tally, correct }: { question: PublicQuestion; tally: Tally | null; correct: string[] | null }) {
  if (!tally || countsWithheld(tally)) {
    return (
      <p className="text-2xl text-slate-200 sm:text-4xl" data-testid="presenter-answered">
        <span className="tabular-nums">{tally?.total ?? 0}</span> {tally?.total === 1 ? 'answer' : 'answers'}
      </p>
    )
  }
  const rows = tallyRows(question, tally, correct)
  const max = Math.max(1, ...rows.map((r) => r.count))
  const percent = (count: number) => (tally.total === 0 ? 0 : Math.round((count / tally.total) * 100))
  return (
    <figure className="space-y-5" data-testid="presenter-results">
      <figcaption className="text-xl text-slate-200 sm:text-2xl">
        <span className="tabular-nums">{tally.total}</span> {tally.total === 1 ? 'answer' : 'answers'}
      </figcaption>
      <ul className="space-y-5">
        {rows.map((r, i) => (
          <li key={r.key} className="space-y-2" data-testid="presenter-row">
            <div className="flex items-baseline justify-between gap-4 text-2xl sm:text-4xl 2xl:text-5xl">
              <span className={`min-w-0 ${r.right ? 'font-bold text-emerald-200' : ''}`}>
                {question.kind === 'rating' ? null : <span aria-hidden="true">{letter(i)}. </span>}
                {r.label}
                {r.right ? (
                  <span data-testid="presenter-correct" className="ml-3 inline-block rounded-md border-2 border-emerald-300 px-2 align-middle text-[0.7em] whitespace-nowrap">
                    ✓ Correct
                  </span>
                ) : null}
              </span>
              <span className="shrink-0 tabular-nums" data-testid="presenter-count">
                {r.count} · {percent(r.count)}%
              </span>
            </div>
            <div className="h-8 w-full rounded bg-slate-800 sm:h-12" aria-hidden="true">
              <div
                data-testid="presenter-bar"
                data-count={r.count}
                className={`h-full rounded ${r.right ? 'bg-emerald-400' : 'bg-sky-400'}`}
                style={{ width: `${(r.count / max) * 100}%` }}
              />
            </div>
          </li>
        ))}
      </ul>
    </figure>
  )
}

function Leaderboard({ board, limit, heading }: { board: Board; limit: number; heading: string }) {
  return (
    <section aria-labelledby="presenter-board" className="space-y-4" data-testid="presenter-leaderboard">
      <h2 id="presenter-board" className="text-2xl font-semibold sm:text-4xl">
        {heading}
      </h2>
      <ol className="space-y-3">
        {board.top.slice(0, limit).map((e) => (
          <li key={e.handle} className="flex justify-between gap-4 border-b border-slate-700 pb-2 text-xl sm:text-3xl" data-testid="presenter-leader">
            <span>
              <span className="tabular-nums">{e.rank}.</span> {e.name}
            </span>
            <span className="tabular-nums">{e.points}</span>
          </li>
        ))}
      </ol>
      <p className="text-lg text-slate-200 sm:text-xl">
        {board.participants} {board.participants === 1 ? 'player' : 'players'}
      </p>
    </section>
  )
}

function FinalBoard({ title, board }: { title: string; board: Board }) {
  return (
    <div className="mx-auto w-full max-w-4xl space-y-6">
      <p className="text-xl text-slate-200 sm:text-3xl">{title}: final results</p>
      <Leaderboard board={board} limit={10} heading="Final leaderboard" />
    </div>
  )
}
