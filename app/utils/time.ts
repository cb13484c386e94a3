/*
 * Dates and times as a reader sees them: in their own time zone, on the server and in the
 * browser alike (the zone comes from the root loader, so both render the same text). Exports and
 * calendar files keep UTC; they do not use this module.
 */

export const UTC = 'UTC'

/** How a moment is written; each style names the zone when it shows a time of day. */
const styles = {
  /** "Thu 3 Dec, 19:00 CET": when a talk starts. */
  when: { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' },
  /** "3 Dec 2026, 19:00 CET". */
  dateTime: { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' },
  /** "Thursday 3 December 2026, 19:00 CET": a deadline that matters, such as an erasure. */
  longDateTime: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' },
  /** "3 Dec 2026". */
  day: { day: 'numeric', month: 'short', year: 'numeric' },
  /** "19:00 CET". */
  hourMinute: { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' },
  /** "19:00:05": times within one talk, beside its start. */
  clock: { hour: '2-digit', minute: '2-digit', second: '2-digit' },
} satisfies Record<string, Intl.DateTimeFormatOptions>

export type TimeStyle = keyof typeof styles

// Building a formatter costs far more than using one, and a page prints many dates in one zone.
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(zone: string, style: TimeStyle) {
  const key = `${style} ${zone}`
  let formatter = formatters.get(key)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { ...styles[style], timeZone: zone })
    if (formatters.size > 500) formatters.clear()
    formatters.set(key, formatter)
  }
  return formatter
}

/** A moment (a Date or an ISO string) written in `zone`, such as "Thu 3 Dec, 19:00 CET". */
export function formatTime(moment: Date | string, zone: string, style: TimeStyle = 'when') {
  return formatterFor(zone, style).format(typeof moment === 'string' ? new Date(moment) : moment)
}

/** The zone as a reader recognises it: "Europe/Stockholm" → "Europe/Stockholm", "America/New_York" → "America/New York". */
export function zoneName(zone: string) {
  return zone.replace(/_/g, ' ')
}

/** True for the names browsers give UTC itself. */
export function isUtc(zone: string) {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT' || zone === 'GMT'
}

const wallClockParts = new Map<string, Intl.DateTimeFormat>()

/** The date and time a wall clock in `zone` shows at `moment`, as form fields want them: "2026-03-05" and "14:30". */
export function wallClock(moment: Date, zone: string): { date: string; time: string } {
  let formatter = wallClockParts.get(zone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    if (wallClockParts.size > 500) wallClockParts.clear()
    wallClockParts.set(zone, formatter)
  }
  const part: Record<string, string> = {}
  for (const p of formatter.formatToParts(moment)) part[p.type] = p.value
  return { date: `${part.year}-${part.month}-${part.day}`, time: `${part.hour}:${part.minute}` }
}

/** Minutes `zone` is ahead of UTC at `moment`. */
function offsetMinutes(moment: number, zone: string) {
  const { date, time } = wallClock(new Date(moment), zone)
  const asUtc = Date.parse(`${date}T${time}:00Z`)
  return Math.round((asUtc - Math.floor(moment / 60_000) * 60_000) / 60_000)
}

export type ZonedInput =
  | { ok: true; moment: Date; /** The time happens twice that night (clocks went back); `moment` is the first. */ ambiguous: boolean }
  | { ok: false; reason: 'invalid' | 'skipped' | 'zone' }

/**
 * A date and time typed by someone in `zone` ("2026-03-05", "14:30"), as the moment they mean.
 *
 * At a change to summer time an hour is skipped (02:30 on the last Sunday of March does not happen
 * in Stockholm): that is `skipped`, for the form to say so. At the change back an hour happens
 * twice: the first of the two is taken (still summer time), and `ambiguous` says so.
 */
export function zonedTimeToMoment(date: string, time: string, zone: string): ZonedInput {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return { ok: false, reason: 'invalid' }
  const local = Date.parse(`${date}T${time}:00Z`)
  // Date.parse rolls 2026-02-30 over to 2 March; a real day reads back the same.
  if (Number.isNaN(local) || !new Date(local).toISOString().startsWith(`${date}T${time}`)) return { ok: false, reason: 'invalid' }
  if (isUtc(zone)) return { ok: true, moment: new Date(local), ambiguous: false }
  try {
    return momentInZone(local, date, time, zone)
  } catch {
    // Intl refuses a zone it does not know.
    return { ok: false, reason: 'zone' }
  }
}

function momentInZone(local: number, date: string, time: string, zone: string): ZonedInput {
  // No zone changes its clocks twice within two days, so the offsets a day either side are the
  // only ones this wall-clock time can have.
  const offsets = new Set([offsetMinutes(local - 86_400_000, zone), offsetMinutes(local + 86_400_000, zone)])
  const candidates = [...offsets]
    .map((offset) => local - offset * 60_000)
    .filter((moment) => {
      const shown = wallClock(new Date(moment), zone)
      return shown.date === date && shown.time === time
    })
    .sort((a, b) => a - b)
  if (candidates.length === 0) return { ok: false, reason: 'skipped' }
  return { ok: true, moment: new Date(candidates[0]), ambiguous: candidates.length > 1 }
}

/** What a form says when a typed start cannot be read in `zone`; null when it can. */
export function zonedInputError(input: ZonedInput, zone: string): string | null {
  if (input.ok) return null
  if (input.reason === 'skipped') {
    return `That time does not happen in ${zoneName(zone)}: the clocks go forward past it that night. Choose another time.`
  }
  if (input.reason === 'zone') return 'We do not know that time zone. Reload the page and try again.'
  return 'That day and time do not exist. Check the date.'
}
