import { useState, type FormEvent } from 'react'
import { chosenReasons, reportReasonLabel, type ReportReasonChoice } from './protocol'
import type { RoomProps } from './stage'
import { ActionError, button, useAckAction } from './ui'

/**
 * "Report" on a comment or question in the live room: a reason and optional details, sent as
 * `item:report`. A report that it identifies a patient hides it from the room at once (the server
 * tells every screen but its author's); the reporter is told either way.
 */
export function ReportItem({ kind, itemId, actions }: Pick<RoomProps, 'actions'> & { kind: 'comment' | 'question'; itemId: string }) {
  const [reason, setReason] = useState<ReportReasonChoice | ''>('')
  const [details, setDetails] = useState('')
  const [done, setDone] = useState<string | null>(null)
  const { run, pending, error } = useAckAction()
  const field = `report-${kind}-${itemId}`

  async function send(e: FormEvent) {
    e.preventDefault()
    if (!reason || pending) return
    const ack = await run(() => actions.report(kind, itemId, reason, details.trim()))
    if (ack.ok) setDone(ack.held ? 'Thank you. It is hidden until a moderator decides.' : 'Thank you. A moderator will look at it.')
  }

  if (done) {
    return (
      <p role="status" className="mt-1 text-xs text-brand-800">
        {done}
      </p>
    )
  }
  return (
    <details className="mt-1" data-testid={`report-${kind}`}>
      <summary className={`${button.small} inline-block cursor-pointer list-none`}>Report</summary>
      <form onSubmit={(e) => void send(e)} className="mt-1.5 max-w-xs space-y-1.5 rounded-md border border-slate-200 bg-slate-50 p-2 text-xs">
        <label htmlFor={`${field}-reason`} className="block font-medium">
          Why are you reporting this {kind}?
        </label>
        <select
          id={`${field}-reason`}
          value={reason}
          required
          onChange={(e) => setReason(e.target.value as ReportReasonChoice)}
          className="block w-full rounded border border-slate-300 px-1.5 py-1"
        >
          <option value="" disabled>
            Choose a reason
          </option>
          {chosenReasons.map((r) => (
            <option key={r} value={r}>
              {reportReasonLabel[r]}
            </option>
          ))}
        </select>
        <label htmlFor={`${field}-details`} className="block font-medium">
          Details {reason === 'other' ? '' : <span className="font-normal text-slate-500">(optional)</span>}
        </label>
        <textarea
          id={`${field}-details`}
          rows={2}
          value={details}
          required={reason === 'other'}
          onChange={(e) => setDetails(e.target.value)}
          className="block w-full rounded border border-slate-300 px-1.5 py-1"
        />
        <button type="submit" className={button.small} disabled={pending || !reason}>
          Send report
        </button>
        <ActionError error={error} />
      </form>
    </details>
  )
}
