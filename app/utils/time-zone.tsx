import { clientHint as timeZoneHint } from '@epic-web/client-hints/time-zone'
import { useRouteLoaderData, useRevalidator } from '@remix-run/react'
import { useEffect } from 'react'
import type { loader as rootLoader } from '~/root'
import { formatTime, isUtc, UTC, type TimeStyle } from './time'

/** The zone this page shows times in (the root loader decides it; UTC on an error page without it). */
export function useTimeZone(): string {
  return useRouteLoaderData<typeof rootLoader>('root')?.timeZone ?? UTC
}

/** A moment written in the reader's zone, inside a <time> element that keeps the exact moment. */
export function LocalTime({ at, style = 'when', className }: { at: string | Date; style?: TimeStyle; className?: string }) {
  const zone = useTimeZone()
  const iso = typeof at === 'string' ? at : at.toISOString()
  return (
    <time dateTime={iso} className={className}>
      {formatTime(iso, zone, style)}
    </time>
  )
}

/*
 * The browser's zone reaches the server in @epic-web/client-hints' time-zone cookie. Unlike the
 * library's own check, this script never reloads the page (a reload can throw away a form being
 * filled in): it writes the cookie, and TimeZoneHint re-runs the loaders once after hydration when
 * the page was rendered without it. The cookie lasts for the browser session, like a language
 * choice; a zone kept for good is a setting (settings → time zone).
 */
const hintScript = `(function(){try{var n=${JSON.stringify(timeZoneHint.cookieName)},z=String(${timeZoneHint.getValueCode});if(!z)return;var v=encodeURIComponent(z);if(document.cookie.split(/;\\s*/).indexOf(n+'='+v)<0)document.cookie=n+'='+v+'; Path=/; SameSite=Lax'+(location.protocol==='https:'?'; Secure':'')}catch(e){}})()`

/** In the page head: sends the browser's time zone with every later request. */
export function TimeZoneHintScript({ nonce }: { nonce?: string }) {
  return <script nonce={nonce} dangerouslySetInnerHTML={{ __html: hintScript }} />
}

/**
 * After hydration, loads the page's data again if it was rendered before the server knew the
 * browser's zone (a first visit) or with an older one, unless a saved setting decides the zone.
 */
export function useTimeZoneHint({ source, browser }: { source: 'setting' | 'browser' | 'none'; browser: string | null }) {
  const { revalidate } = useRevalidator()
  useEffect(() => {
    if (source === 'setting') return
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    if (!zone || zone === browser || (browser === null && isUtc(zone))) return
    // Without the cookie (cookies off) the server would answer the same; do not ask it in vain.
    if (!document.cookie.split(/;\s*/).includes(`${timeZoneHint.cookieName}=${encodeURIComponent(zone)}`)) return
    // The data loaded again carries the new zone, so this asks once.
    revalidate()
  }, [source, browser, revalidate])
}
