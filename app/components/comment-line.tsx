import type { ReactNode } from 'react'
import { Avatar } from '~/components/avatar'
import { VerifiedMark } from '~/components/verified-badge'

type CommentAuthor = { name: string; photoUrl: string | null; verified: { council: string; since: number } | null | undefined }

/**
 * One comment as a list item: the author's photo, name, badge and time, then the text. The live
 * room adds its controls as children; an ended talk's archive shows it as it is.
 */
export function CommentLine(props: { comment: { author: CommentAuthor; body: string }; time: ReactNode; you?: boolean; testId: string; children?: ReactNode }) {
  const { comment, time, you, testId, children } = props
  return (
    <li data-testid={testId} className="flex gap-2">
      <Avatar name={comment.author.name} photoUrl={comment.author.photoUrl} size={28} />
      <div className="min-w-0 flex-1">
        <p className="text-xs text-slate-500">
          <span className="font-semibold text-slate-800">{comment.author.name}</span>
          <VerifiedMark badge={comment.author.verified} />
          {you ? ' (you)' : ''} · {time}
        </p>
        <p className="whitespace-pre-wrap break-words text-sm text-slate-900">{comment.body}</p>
        {children}
      </div>
    </li>
  )
}
