import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import { COMMENT_MAX, isModerator, type LiveComment } from './protocol'
import { ReportItem } from './report-item'
import { PersonControls, type RoomProps } from './stage'
import { ActionError, HeldNote, ClockTime, button, newClientId, useAckAction } from './ui'
import { CommentLine } from '~/components/comment-line'
import { VerifiedMark } from '~/components/verified-badge'

/** The chat: a pinned comment, the stream, and a send box with a length counter. */
export function Comments({ state, actions }: RoomProps) {
  const { comments, pinned, talk } = state
  const list = useRef<HTMLDivElement>(null)
  const stickToEnd = useRef(true)
  const lastId = comments.at(-1)?.id

  // Follow new comments, unless the reader has scrolled up to read older ones.
  useEffect(() => {
    const el = list.current
    if (el && stickToEnd.current) el.scrollTop = el.scrollHeight
  }, [lastId])

  return (
    <section aria-labelledby="comments-heading" className="flex flex-col rounded-xl border border-slate-200 bg-white shadow-sm">
      <h2 id="comments-heading" className="border-b border-slate-100 px-4 py-3 font-semibold">
        Comments
      </h2>
      {pinned ? <PinnedComment comment={pinned} state={state} actions={actions} /> : null}
      {/* The log wraps the list, so the list keeps its own role and its items stay list items. */}
      <div
        ref={list}
        role="log"
        aria-label="Comments"
        data-testid="comments"
        className="max-h-[28rem] min-h-32 flex-1 overflow-y-auto px-4 py-3"
        onScroll={(e) => {
          const el = e.currentTarget
          stickToEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40
        }}
      >
        <ol className="space-y-3">
          {comments.length === 0 ? (
            <li className="text-sm text-slate-500">{talk.status === 'live' ? 'No comments yet. Say hello.' : 'No comments.'}</li>
          ) : (
            comments.map((c) => <CommentItem key={c.id} comment={c} state={state} actions={actions} />)
          )}
        </ol>
      </div>
      <CommentBox state={state} actions={actions} />
    </section>
  )
}

function PinnedComment({ comment, state, actions }: RoomProps & { comment: LiveComment }) {
  const { run, pending, error } = useAckAction()
  return (
    <div data-testid="pinned-comment" className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm">
      <p className="text-xs font-semibold uppercase tracking-wide text-amber-800">
        <span aria-hidden="true">📌 </span>Pinned
      </p>
      <p className="mt-0.5 break-words whitespace-pre-wrap">
        <strong>{comment.author.name}</strong>
        <VerifiedMark badge={comment.author.verified} />: {comment.body}
      </p>
      {isModerator(state.me.role) && state.talk.status === 'live' ? (
        <button type="button" className={`${button.small} mt-1`} disabled={pending} onClick={() => void run(() => actions.pinComment(null))}>
          Unpin
        </button>
      ) : null}
      <ActionError error={error} />
    </div>
  )
}

function CommentItem({ comment, state, actions }: RoomProps & { comment: LiveComment }) {
  const { run, pending, error } = useAckAction()
  const { me, talk } = state
  const moderator = isModerator(me.role)
  const mine = comment.author.userId === me.userId
  const authorIsHost = comment.author.userId === talk.hostId
  return (
    <CommentLine testId="comment" comment={comment} you={mine} time={<ClockTime iso={comment.createdAt} />}>
      {comment.held ? <HeldNote /> : null}
      {moderator || mine ? (
        <div className="mt-1 flex flex-wrap gap-1.5">
          {moderator && talk.status === 'live' && !comment.pinned ? (
            <button type="button" className={button.small} disabled={pending} onClick={() => void run(() => actions.pinComment(comment.id))}>
              Pin
            </button>
          ) : null}
          <button type="button" className={button.small} disabled={pending} onClick={() => void run(() => actions.deleteComment(comment.id))}>
            Delete
          </button>
        </div>
      ) : null}
      {moderator && !mine && !authorIsHost && talk.status !== 'ended' ? (
        <PersonControls person={comment.author} state={state} actions={actions} where="comments" />
      ) : null}
      {mine ? null : <ReportItem kind="comment" itemId={comment.id} actions={actions} />}
      <ActionError error={error} className="mt-1" />
    </CommentLine>
  )
}

/** A length counter and a send button; Enter sends, Shift+Enter starts a new line. */
function CommentBox({ state, actions }: RoomProps) {
  const [body, setBody] = useState('')
  // Kept across retries of the same text, so a comment whose ack was lost is stored once.
  const clientId = useRef<string | null>(null)
  const { run, pending, error } = useAckAction()
  const live = state.talk.status === 'live'
  const length = body.normalize('NFC').trim().length
  const over = length > COMMENT_MAX

  async function send(e?: FormEvent) {
    e?.preventDefault()
    if (!live || pending || length === 0 || over) return
    clientId.current ??= newClientId()
    const ack = await run(() => actions.sendComment(body, clientId.current ?? undefined))
    if (ack.ok) {
      setBody('')
      clientId.current = null
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) void send(e)
  }

  return (
    <form onSubmit={(e) => void send(e)} className="border-t border-slate-100 p-3">
      <label htmlFor="comment-body" className="sr-only">
        Write a comment
      </label>
      <textarea
        id="comment-body"
        rows={2}
        value={body}
        disabled={!live}
        placeholder={live ? 'Write a comment' : state.talk.status === 'ended' ? 'The talk has ended.' : 'Comments open when the talk goes live.'}
        aria-describedby="comment-count comment-error"
        aria-invalid={over || undefined}
        onChange={(e) => {
          setBody(e.target.value)
          clientId.current = null
        }}
        onKeyDown={onKeyDown}
        className="block w-full resize-y rounded-md border border-slate-300 px-3 py-2 text-sm aria-[invalid=true]:border-red-600 disabled:bg-slate-50"
      />
      <div className="mt-2 flex items-center justify-between gap-2">
        <span id="comment-count" data-testid="comment-count" className={`text-xs ${over ? 'font-semibold text-red-700' : 'text-slate-500'}`}>
          {length}/{COMMENT_MAX}
          {over ? ` — ${length - COMMENT_MAX} too many` : ''}
        </span>
        <button type="submit" className={button.primary} disabled={!live || pending || length === 0 || over}>
          Send
        </button>
      </div>
      <div id="comment-error">
        <ActionError error={error} className="mt-1" />
      </div>
    </form>
  )
}
