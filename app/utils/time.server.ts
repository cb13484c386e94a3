import { getHintUtils } from '@epic-web/client-hints'
import { clientHint as timeZoneHint } from '@epic-web/client-hints/time-zone'
import { getTimeZonePreference, knownTimeZone } from '#db/time-zone-preference'
import { UTC } from './time'

const hints = getHintUtils({ timeZone: timeZoneHint })

/** Where the zone pages are shown in came from: the person's setting, their browser's hint, or neither (UTC). */
export type TimeZoneSource = 'setting' | 'browser' | 'none'

/**
 * The zone a page shows times in for this request: the person's saved setting, else their
 * browser's (the hint cookie TimeZoneHint sets in the page head), else UTC — as it stays without
 * JavaScript until a setting is saved. `browser` is the hint as the browser wrote it, for the page
 * to tell whether it has changed since.
 */
export async function timeZoneOf(request: Request, userId: string | null): Promise<{ timeZone: string; source: TimeZoneSource; browser: string | null }> {
  const setting = userId ? await getTimeZonePreference(userId) : null
  // getHints answers 'UTC' for a missing cookie too; only a cookie that names a zone counts.
  const sent = (request.headers.get('cookie') ?? '').includes(`${timeZoneHint.cookieName}=`) ? hints.getHints(request).timeZone : null
  const fromBrowser = knownTimeZone(sent)
  const browser = fromBrowser ? sent : null
  if (setting) return { timeZone: setting, source: 'setting', browser }
  if (fromBrowser) return { timeZone: fromBrowser, source: 'browser', browser }
  return { timeZone: UTC, source: 'none', browser }
}
