import type { LoaderFunctionArgs } from '@remix-run/node'
import { getReminderOffsets } from '#db/notifications/reminders'
import { getTalkForViewer } from '#db/talks'
import { talkTypeLabel } from '~/components/talk-card'

/*
 * "Add to calendar": one VEVENT as an iCalendar file (RFC 5545). Times are in
 * UTC ("Z" form, §3.3.5) so no VTIMEZONE is needed; lines end in CRLF and are
 * folded at 75 octets (§3.1); text is escaped (§3.3.11). The UID stays the same
 * for the life of the talk and SEQUENCE rises with every change the host makes
 * (§3.8.7.4), so a calendar that imports the file again updates the event it
 * holds — or marks it cancelled (STATUS:CANCELLED) — instead of adding another.
 * One VALARM per reminder the downloading person chose in Settings → Notifications
 * (§3.6.6; a visitor gets the default ones), none once the talk is cancelled.
 */

export async function loader({ params, context }: LoaderFunctionArgs) {
  const talk = await getTalkForViewer(context.viewer, params.id ?? '')
  if (!talk) throw new Response('We could not find that talk.', { status: 404 })
  const pageUrl = new URL(`/t/${talk.id}`, context.publicUrl)
  const start = new Date(talk.startsAt)
  const end = new Date(start.getTime() + talk.durationMinutes * 60_000)
  const alarms = talk.cancelled ? [] : await getReminderOffsets(context.viewer)
  const body = icsEvent({
    uid: `talk-${talk.id}@${pageUrl.hostname}`,
    start,
    end,
    summary: talk.cancelled ? `Cancelled: ${talk.title}` : talk.title,
    description: [
      talk.cancelled ? `Cancelled by the host.${talk.cancelReason ? ` ${talk.cancelReason}` : ''}` : '',
      `${talkTypeLabel[talk.type]} in ${talk.club.name}, hosted by ${talk.host.name}.`,
      talk.description,
      pageUrl.toString(),
    ]
      .filter(Boolean)
      .join('\n\n'),
    url: pageUrl.toString(),
    sequence: talk.sequence,
    lastModified: new Date(talk.updatedAt),
    cancelled: talk.cancelled,
    alarms,
  })
  return new Response(body, {
    headers: {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': `attachment; filename="rounds-talk-${talk.id.slice(0, 8)}.ics"`,
      // A talk in a private club is for its members: keep it out of shared caches.
      'Cache-Control': 'private, no-cache',
    },
  })
}

type IcsEvent = {
  uid: string
  start: Date
  end: Date
  summary: string
  description: string
  url: string
  /** How many times the event has changed (RFC 5545 §3.8.7.4). */
  sequence: number
  lastModified: Date
  cancelled: boolean
  /** Minutes before the start to remind, one VALARM each. */
  alarms?: readonly number[]
}

export function icsEvent(event: IcsEvent, now = new Date()) {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Rounds//Talks//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${escapeText(event.uid)}`,
    `DTSTAMP:${icsUtc(now)}`,
    `LAST-MODIFIED:${icsUtc(event.lastModified)}`,
    `SEQUENCE:${event.sequence}`,
    `DTSTART:${icsUtc(event.start)}`,
    `DTEND:${icsUtc(event.end)}`,
    `SUMMARY:${escapeText(event.summary)}`,
    `DESCRIPTION:${escapeText(event.description)}`,
    `URL:${event.url}`,
    event.cancelled ? 'STATUS:CANCELLED' : 'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    ...(event.alarms ?? []).flatMap((minutes) => [
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `DESCRIPTION:${escapeText(event.summary)}`,
      `TRIGGER;RELATED=START:${icsBefore(minutes)}`,
      'END:VALARM',
    ]),
    'END:VEVENT',
    'END:VCALENDAR',
  ]
  return lines.map(fold).join('\r\n') + '\r\n'
}

/** A negative duration (RFC 5545 §3.3.6): 1440 → -P1D, 60 → -PT1H, 10 → -PT10M. */
export function icsBefore(minutes: number) {
  if (minutes % 1440 === 0) return `-P${minutes / 1440}D`
  if (minutes % 60 === 0) return `-PT${minutes / 60}H`
  return `-PT${minutes}M`
}

/** 20260314T183000Z */
export function icsUtc(date: Date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

function escapeText(value: string) {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n')
}

/** Folds a content line at 75 octets, never inside a UTF-8 character. */
function fold(line: string) {
  const encoder = new TextEncoder()
  const parts: string[] = []
  let current = ''
  let octets = 0
  for (const char of line) {
    const size = encoder.encode(char).length
    // Continuation lines start with a space, which counts towards their 75.
    if (octets + size > 75) {
      parts.push(current)
      current = ' '
      octets = 1
    }
    current += char
    octets += size
  }
  parts.push(current)
  return parts.join('\r\n')
}
