import { z } from 'zod'
import { formatTime, isUtc, UTC, zonedInputError, zonedTimeToMoment } from './time'
import { optionalText, text } from './validation'

/*
 * The fields of a talk as the scheduling and editing forms take them, checked the same way in
 * the browser and on the server.
 */

const MAX_PEOPLE = 20
const HANDLE = /^[a-z0-9_-]{1,60}$/

/** "@asha-rao, ben-okafor" → ['asha-rao', 'ben-okafor']: a leading @ is forgiven, repeats are dropped. */
function handleList(who: string) {
  return z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(/[,\s]+/)
        .map((h) => h.trim().replace(/^@/, '').toLowerCase())
        .filter(Boolean),
    )
    .refine((list) => list.every((h) => HANDLE.test(h)), `Write ${who} as handles separated by commas, such as asha-rao, ben-okafor.`)
    .transform((list) => [...new Set(list)])
    .refine((list) => list.length <= MAX_PEOPLE, `Add at most ${MAX_PEOPLE} ${who}.`)
}

const YEAR_MS = 366 * 24 * 60 * 60 * 1000
// A start a few minutes ago is still "now": the form may have sat open while it was filled in.
const GRACE_MS = 10 * 60 * 1000

/**
 * The date and time are read in the zone the form was shown in (its hidden `timeZone`): the
 * person's setting, else their browser's, else UTC — as it is without JavaScript on a first visit.
 */
export const TalkFieldsSchema = z.object({
  type: z.enum(['talk', 'case_discussion', 'surgery', 'quiz'], { errorMap: () => ({ message: 'Choose what kind of session this is.' }) }),
  title: text('title', { min: 3, max: 120 }),
  description: optionalText('description', { max: 5000, multiline: true }).transform((v) => v ?? ''),
  date: z.string({ required_error: 'Enter the day it starts.' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the day as a date, such as 2026-03-05.'),
  time: z.string({ required_error: 'Enter the time it starts.' }).regex(/^\d{2}:\d{2}$/, 'Enter the time as hours and minutes, such as 14:30.'),
  timeZone: z.string().max(64).optional(),
  durationMinutes: z.coerce
    .number({ required_error: 'Enter how long it runs, in minutes.', invalid_type_error: 'Enter how long it runs, in minutes.' })
    .int('Enter a whole number of minutes.')
    .min(10, 'A session runs at least 10 minutes.')
    .max(480, 'A session runs at most 8 hours (480 minutes).'),
  cohostHandles: handleList('co-hosts'),
  speakerHandles: handleList('speakers'),
  // A checkbox: "on" when ticked (conform reads it as true), absent otherwise.
  recorded: z.boolean({ invalid_type_error: 'Say whether the talk is recorded.' }).default(false),
})

/**
 * The fields with the start made a moment. `keepStart` is the talk's present start: an edit may
 * leave a start that has just passed as it is (the data layer checks the same).
 */
export function talkScheduleSchema(keepStart?: Date) {
  return TalkFieldsSchema.transform((value, ctx) => {
    const zone = value.timeZone || UTC
    const input = zonedTimeToMoment(value.date, value.time, zone)
    if (!input.ok) {
      ctx.addIssue({ code: 'custom', path: ['date'], message: zonedInputError(input, zone) ?? '' })
      return z.NEVER
    }
    const startsAt = input.moment
    const now = Date.now()
    if (startsAt.getTime() < now - GRACE_MS && startsAt.getTime() !== keepStart?.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'That start is in the past. Choose a time from now on.' })
      return z.NEVER
    }
    if (startsAt.getTime() > now + YEAR_MS) {
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'Schedule talks up to a year ahead.' })
      return z.NEVER
    }
    const { date: _date, time: _time, timeZone: _zone, ...rest } = value
    return { ...rest, startsAt }
  })
}

/** Data-layer field names → the form field that shows the error. */
export const talkFormFieldFor: Record<string, string> = { startsAt: 'date' }

/** What the start the fields say will be, in the form's zone and in UTC, for the line under them. */
export function startPreview(date: string, time: string, zone: string) {
  const input = zonedTimeToMoment(date, time, zone)
  if (!input.ok) return date && time ? zonedInputError(input, zone) : null
  const utc = isUtc(zone) ? '' : ` (${formatTime(input.moment, UTC, 'hourMinute')})`
  const twice = input.ambiguous ? ' That time happens twice that night, as the clocks go back: this is the first.' : ''
  return `Starts ${formatTime(input.moment, zone)}${utc}.${twice}`
}
