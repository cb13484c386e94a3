/**
 * To the author only: page text of theirs that a watched word held for a moderator's approval
 * (db/moderation/holds.ts), or that a moderator did not approve. Others meanwhile see what was
 * there before.
 */
export function PendingReviewNotice({
  pending,
  what,
}: {
  pending: { text: string; state: 'hidden' | 'removed' } | null | undefined
  /** "bio", "title", "description". */
  what: string
}) {
  if (!pending) return null
  const refused = pending.state === 'removed'
  return (
    <div
      role="status"
      data-testid="pending-review"
      className={`rounded-md border px-4 py-3 text-sm ${refused ? 'border-red-200 bg-red-50 text-red-900' : 'border-amber-200 bg-amber-50 text-amber-900'}`}
    >
      <p className="font-medium">
        {refused
          ? `A moderator did not approve your new ${what}. Others still see the one before it.`
          : `Your new ${what} is waiting for a moderator: it uses a word Rounds checks first. Until it is approved, others see the one before it.`}
      </p>
      <p className="mt-1 break-words whitespace-pre-wrap text-slate-700">“{pending.text}”</p>
      <p className="mt-1">
        {refused ? 'You can appeal from ' : 'You will find the decision in '}
        <a href="/settings/moderation" className="font-medium underline">
          Settings → Moderation
        </a>
        .
      </p>
    </div>
  )
}
