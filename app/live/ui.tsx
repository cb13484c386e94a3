import { useCallback, useState } from 'react'
import type { Ack } from './protocol'

const base = 'inline-flex items-center justify-center gap-1.5 rounded-md font-semibold disabled:cursor-not-allowed disabled:opacity-60'
export const button = {
  primary: `${base} bg-brand-600 px-4 py-2 text-sm text-white hover:bg-brand-700`,
  secondary: `${base} border border-slate-300 bg-white px-4 py-2 text-sm text-slate-800 hover:bg-slate-50`,
  danger: `${base} bg-red-700 px-4 py-2 text-sm text-white hover:bg-red-800`,
  small: `${base} border border-slate-300 bg-white px-2.5 py-1 text-xs text-slate-800 hover:bg-slate-50`,
  smallDanger: `${base} border border-red-300 bg-white px-2.5 py-1 text-xs text-red-800 hover:bg-red-50`,
}

/**
 * One control's round trip: `run` sends and waits for the ack; `error` is the server's
 * sentence when it said no, shown beside the control.
 */
export function useAckAction() {
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = useCallback(async <T extends object>(send: () => Promise<Ack<T>>) => {
    setPending(true)
    setError(null)
    try {
      const ack = await send()
      if (!ack.ok) setError(ack.error)
      return ack
    } finally {
      setPending(false)
    }
  }, [])
  return { run, pending, error, clearError: () => setError(null) }
}

export function ActionError({ error, className = '' }: { error: string | null; className?: string }) {
  if (!error) return null
  return (
    <p role="alert" className={`text-sm text-red-700 ${className}`}>
      {error}
    </p>
  )
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

/** A time of day in the reader's zone; rendered only in the browser, where the room lives. */
export function ClockTime({ iso, className = '' }: { iso: string; className?: string }) {
  return (
    <time dateTime={iso} className={className}>
      {clock.format(new Date(iso))}
    </time>
  )
}

/** An id for a message, so a retry is stored once. randomUUID needs a secure context; plain http on a LAN has none. */
export function newClientId() {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Under one's own comment or question that a moderator must look at before anyone else sees it. */
export function HeldNote() {
  return (
    <p data-testid="held-note" className="mt-1 rounded bg-amber-50 px-2 py-1 text-xs text-amber-900">
      Only you can see this until a moderator reviews it. You will find their decision in Settings → Moderation.
    </p>
  )
}
