import { useRef, useState, type FormEvent } from 'react'
import { isModerator, QUESTION_MAX, type LiveQuestion } from './protocol'
import type { RoomProps } from './stage'
import { ActionError, HeldNote, button, newClientId, useAckAction } from './ui'
import { ReportItem } from './report-item'
import { VerifiedMark } from '~/components/verified-badge'

/** Q&A: ask, upvote others' questions; hosts mark them answered or hide them. */
export function Questions({ state, actions }: RoomProps) {
  const visible = state.questions.filter((q) => q.status !== 'hidden')
  const hidden = state.questions.filter((q) => q.status === 'hidden')
  return (
    <section aria-labelledby="questions-heading" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="questions-heading" className="font-semibold">
        Questions <span className="font-normal text-slate-500">({visible.length})</span>
      </h2>
      <AskBox state={state} actions={actions} />
      {visible.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600">No questions yet. The most upvoted rise to the top.</p>
      ) : (
        <ol data-testid="questions" className="mt-3 divide-y divide-slate-100">
          {visible.map((q) => (
            <QuestionItem key={q.id} question={q} state={state} actions={actions} />
          ))}
        </ol>
      )}
      {hidden.length > 0 ? (
        <details className="mt-3">
          <summary className="cursor-pointer text-sm font-medium text-slate-700">Hidden questions ({hidden.length}), seen only by hosts</summary>
          <ol className="mt-2 divide-y divide-slate-100">
            {hidden.map((q) => (
              <QuestionItem key={q.id} question={q} state={state} actions={actions} />
            ))}
          </ol>
        </details>
      ) : null}
    </section>
  )
}

function QuestionItem({ question, state, actions }: RoomProps & { question: LiveQuestion }) {
  const { run, pending, error } = useAckAction()
  const mine = question.author.userId === state.me.userId
  const ended = state.talk.status === 'ended'
  const moderator = isModerator(state.me.role)
  return (
    <li data-testid="question" className="flex gap-3 py-3">
      <button
        type="button"
        aria-pressed={question.votedByMe}
        disabled={pending || mine || ended || question.status === 'hidden'}
        title={mine ? 'You cannot upvote your own question.' : undefined}
        onClick={() => void run(() => actions.upvote(question.id, !question.votedByMe))}
        className={`flex h-fit min-w-12 flex-col items-center rounded-md border px-2 py-1 text-sm disabled:cursor-not-allowed ${
          question.votedByMe ? 'border-brand-600 bg-brand-50 text-brand-700' : 'border-slate-300 text-slate-700 hover:bg-slate-50'
        }`}
      >
        <span aria-hidden="true">▲</span>
        <span className="font-semibold">{question.votes}</span>
        <span className="sr-only">{question.votedByMe ? 'votes; you upvoted this. Take back your vote' : 'votes. Upvote'}</span>
      </button>
      <div className="min-w-0 flex-1">
        <p className="break-words whitespace-pre-wrap text-slate-900">{question.body}</p>
        {question.held ? <HeldNote /> : null}
        <p className="mt-1 text-xs text-slate-500">
          {question.author.name}
          <VerifiedMark badge={question.author.verified} />
          {mine ? ' (you)' : ''}
          {question.status === 'answered' ? (
            <span className="ml-2 rounded bg-brand-50 px-1.5 py-0.5 font-semibold text-brand-700">Answered</span>
          ) : null}
          {question.status === 'hidden' ? <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 font-semibold">Hidden</span> : null}
        </p>
        {moderator && !ended ? (
          <div className="mt-1.5 flex flex-wrap gap-1.5">
            {question.status === 'open' ? (
              <button type="button" className={button.small} disabled={pending} onClick={() => void run(() => actions.markQuestion(question.id, 'answered'))}>
                Mark answered
              </button>
            ) : (
              <button type="button" className={button.small} disabled={pending} onClick={() => void run(() => actions.markQuestion(question.id, 'open'))}>
                {question.status === 'hidden' ? 'Show again' : 'Reopen'}
              </button>
            )}
            {question.status !== 'hidden' ? (
              <button type="button" className={button.small} disabled={pending} onClick={() => void run(() => actions.markQuestion(question.id, 'hidden'))}>
                Hide
              </button>
            ) : null}
          </div>
        ) : null}
        {mine ? null : <ReportItem kind="question" itemId={question.id} actions={actions} />}
        <ActionError error={error} className="mt-1" />
      </div>
    </li>
  )
}

function AskBox({ state, actions }: RoomProps) {
  const [body, setBody] = useState('')
  const clientId = useRef<string | null>(null)
  const { run, pending, error } = useAckAction()
  const open = state.talk.status !== 'ended'
  const length = body.normalize('NFC').trim().length
  const over = length > QUESTION_MAX

  async function ask(e: FormEvent) {
    e.preventDefault()
    if (!open || pending || length === 0 || over) return
    clientId.current ??= newClientId()
    const ack = await run(() => actions.ask(body, clientId.current ?? undefined))
    if (ack.ok) {
      setBody('')
      clientId.current = null
    }
  }

  if (!open) return <p className="mt-2 text-sm text-slate-600">The talk has ended; questions are closed.</p>
  return (
    <form onSubmit={(e) => void ask(e)} className="mt-3">
      <label htmlFor="question-body" className="block text-sm font-medium text-slate-800">
        Ask a question
      </label>
      <textarea
        id="question-body"
        rows={2}
        value={body}
        aria-describedby="question-count question-error"
        aria-invalid={over || undefined}
        onChange={(e) => {
          setBody(e.target.value)
          clientId.current = null
        }}
        className="mt-1 block w-full resize-y rounded-md border border-slate-300 px-3 py-2 text-sm aria-[invalid=true]:border-red-600"
      />
      <div className="mt-2 flex items-center justify-between gap-2">
        <span id="question-count" className={`text-xs ${over ? 'font-semibold text-red-700' : 'text-slate-500'}`}>
          {length}/{QUESTION_MAX}
          {over ? ` — ${length - QUESTION_MAX} too many` : ''}
        </span>
        <button type="submit" className={button.secondary} disabled={pending || length === 0 || over}>
          Ask
        </button>
      </div>
      <div id="question-error">
        <ActionError error={error} className="mt-1" />
      </div>
    </form>
  )
}
