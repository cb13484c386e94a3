import { useState } from 'react'

/** An invite link to hand out: the full address (works without JavaScript) and a Copy button. */
export function InviteLinkBox({ url, label = 'Invite link' }: { url: string; label?: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <div className="flex flex-wrap items-end gap-2">
      <label className="block min-w-0 flex-1 text-sm font-medium text-slate-700">
        {label}
        <input
          readOnly
          value={url}
          data-testid="invite-link-url"
          className="mt-1 block w-full rounded-md border border-slate-300 bg-slate-50 px-2 py-1 font-mono text-sm"
          onFocus={(e) => e.currentTarget.select()}
        />
      </label>
      <button
        type="button"
        className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50"
        onClick={() => {
          void navigator.clipboard?.writeText(url).then(() => setCopied(true))
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  )
}
