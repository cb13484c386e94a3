import { useFetcher } from '@remix-run/react'
import { DETAILS_MAX, chosenReasons, itemKindLabel, reportReasonLabel, type ItemKind } from '#db/moderation/reasons'

const quiet = 'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50 disabled:opacity-60'

type ReportReply = { ok: boolean; message: string }

/**
 * "Report" behind a <details>: a reason and, optionally, details, posted to /report. With
 * JavaScript the answer shows in place; without it the browser goes to /report, which says the
 * same and links back.
 */
export function ReportControl({ kind, id, back, label }: { kind: ItemKind; id: string; back: string; label?: string }) {
  const fetcher = useFetcher<ReportReply>()
  const reply = fetcher.data
  const what = itemKindLabel[kind]
  const field = (name: string) => `report-${kind}-${id}-${name}`
  return (
    <details className="min-w-0 max-w-full" data-testid={`report-${kind}`}>
      <summary className={`${quiet} inline-block cursor-pointer list-none`}>{label ?? 'Report'}</summary>
      {reply?.ok ? (
        <p role="status" className="mt-2 max-w-sm rounded-md bg-brand-50 p-3 text-sm text-brand-900">
          {reply.message}
        </p>
      ) : (
        <fetcher.Form method="post" action="/report" className="mt-2 max-w-sm space-y-2 rounded-md border border-slate-200 bg-slate-50 p-3 text-sm">
          <input type="hidden" name="kind" value={kind} />
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="back" value={back} />
          <p className="font-medium text-slate-800">Report this {what} to the moderators. The author is not told who reported it.</p>
          <label htmlFor={field('reason')} className="block font-medium">
            Why?
          </label>
          <select id={field('reason')} name="reason" required defaultValue="" className="block w-full rounded-md border border-slate-300 px-2 py-1.5">
            <option value="" disabled>
              Choose a reason
            </option>
            {chosenReasons.map((reason) => (
              <option key={reason} value={reason}>
                {reportReasonLabel[reason]}
              </option>
            ))}
          </select>
          <label htmlFor={field('details')} className="block font-medium">
            Details <span className="font-normal text-slate-500">(needed for “Something else”)</span>
          </label>
          <textarea
            id={field('details')}
            name="details"
            rows={2}
            maxLength={DETAILS_MAX}
            className="block w-full rounded-md border border-slate-300 px-2 py-1.5"
          />
          {reply && !reply.ok ? (
            <p role="alert" className="rounded-md bg-red-50 p-2 text-red-800">
              {reply.message}
            </p>
          ) : null}
          <button type="submit" disabled={fetcher.state !== 'idle'} className="rounded-md bg-slate-800 px-3 py-1.5 font-semibold text-white hover:bg-slate-900 disabled:opacity-60">
            Send report
          </button>
        </fetcher.Form>
      )}
    </details>
  )
}
