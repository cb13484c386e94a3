import { useState } from 'react'

/** Share a page: the link itself (works without JavaScript), copy, and WhatsApp. */
export function ShareBox({ url, text }: { url: string; text: string }) {
  const [copied, setCopied] = useState(false)
  const whatsapp = `https://wa.me/?text=${encodeURIComponent(`${text} ${url}`)}`
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3">
      <label className="block text-sm font-medium text-slate-700">
        Share link
        <input readOnly value={url} className="mt-1 block w-full rounded-md border border-slate-300 bg-slate-50 px-2 py-1 text-sm" onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div className="mt-2 flex flex-wrap gap-2">
        <button
          type="button"
          className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50"
          onClick={() => {
            void navigator.clipboard?.writeText(url).then(() => setCopied(true))
          }}
        >
          {copied ? 'Copied' : 'Copy link'}
        </button>
        <a href={whatsapp} target="_blank" rel="noopener noreferrer" className="rounded-md bg-[#075E54] px-3 py-1.5 text-sm font-semibold text-white hover:bg-[#054740]">
          Share on WhatsApp
        </a>
      </div>
    </div>
  )
}

/** The absolute address of a path, for share links (`context.publicUrl`). */
export function absoluteUrl(publicUrl: string, path: string) {
  return new URL(path, publicUrl).toString()
}
