import type { TalkArchive } from '#db/live/archive'
import { CommentLine } from '~/components/comment-line'
import { VerifiedMark } from '~/components/verified-badge'
import { LocalTime } from '~/utils/time-zone'

/* An ended talk's record on its page, read-only: the pinned comment, answered questions and the comments. */

export function TalkArchiveView({ archive }: { archive: TalkArchive }) {
  const { pinned, comments, moreComments, answeredQuestions } = archive
  if (!pinned && comments.length === 0 && answeredQuestions.length === 0) return null
  return (
    <section aria-labelledby="talk-archive" className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" data-testid="talk-archive">
      <div>
        <h2 id="talk-archive" className="text-lg font-semibold">
          From the live room
        </h2>
        <p className="text-sm text-slate-600">What was said during the talk. The room is closed, so this is read-only.</p>
      </div>
      {pinned ? (
        <div data-testid="archive-pinned" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-2 text-sm">
          <p className="text-xs font-semibold uppercase tracking-wide text-amber-800">Pinned by the hosts</p>
          <p className="mt-0.5 whitespace-pre-wrap break-words">
            <span className="font-semibold">{pinned.author.name}</span>
            <VerifiedMark badge={pinned.author.verified} />: {pinned.body}
          </p>
        </div>
      ) : null}
      {answeredQuestions.length ? (
        <div>
          <h3 className="font-semibold">Questions answered</h3>
          <ul className="mt-2 space-y-2">
            {answeredQuestions.map((q) => (
              <li key={q.id} data-testid="archive-question" className="rounded-md bg-slate-50 px-3 py-2 text-sm">
                <p className="whitespace-pre-wrap break-words text-slate-900">{q.body}</p>
                <p className="mt-0.5 text-xs text-slate-500">
                  {q.author.name}
                  <VerifiedMark badge={q.author.verified} /> · {q.votes} {q.votes === 1 ? 'upvote' : 'upvotes'}
                </p>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {comments.length ? (
        <div>
          <h3 className="font-semibold">Comments</h3>
          <ul className="mt-2 max-h-[32rem] space-y-3 overflow-y-auto pr-1" data-testid="archive-comments">
            {comments.map((c) => (
              <CommentLine key={c.id} testId="archive-comment" comment={c} time={<LocalTime at={c.createdAt} style="clock" />} />
            ))}
          </ul>
          {moreComments ? <p className="mt-2 text-xs text-slate-500">Only the first {comments.length} comments are shown.</p> : null}
        </div>
      ) : null}
    </section>
  )
}
