import { describe, expect, it } from 'vitest'
import { formatTime, UTC, wallClock, zonedInputError, zonedTimeToMoment } from '../../app/utils/time'

const STOCKHOLM = 'Europe/Stockholm'

describe('times in the reader’s zone', () => {
  it('names the zone, in winter and in summer time', () => {
    expect(formatTime('2026-12-03T18:00:00.000Z', STOCKHOLM)).toBe('Thu 3 Dec, 19:00 CET')
    expect(formatTime(new Date('2026-06-04T18:00:00.000Z'), STOCKHOLM)).toBe('Thu 4 Jun, 20:00 CEST')
    expect(formatTime('2026-12-03T18:00:00.000Z', STOCKHOLM, 'dateTime')).toBe('3 Dec 2026, 19:00 CET')
    expect(formatTime('2026-12-03T18:00:05.000Z', STOCKHOLM, 'clock')).toBe('19:00:05')
  })

  it('changes the clock at the moment Stockholm does', () => {
    // Summer time starts at 01:00 UTC on 29 March 2026: 01:59 CET is followed by 03:00 CEST.
    expect(formatTime('2026-03-29T00:59:00.000Z', STOCKHOLM)).toBe('Sun 29 Mar, 01:59 CET')
    expect(formatTime('2026-03-29T01:00:00.000Z', STOCKHOLM)).toBe('Sun 29 Mar, 03:00 CEST')
    // It ends at 01:00 UTC on 25 October 2026: 02:59 CEST is followed by 02:00 CET.
    expect(formatTime('2026-10-25T00:59:00.000Z', STOCKHOLM)).toBe('Sun 25 Oct, 02:59 CEST')
    expect(formatTime('2026-10-25T01:00:00.000Z', STOCKHOLM)).toBe('Sun 25 Oct, 02:00 CET')
  })

  it('falls back to UTC, and says so', () => {
    expect(formatTime('2026-12-03T18:00:00.000Z', UTC)).toBe('Thu 3 Dec, 18:00 UTC')
    expect(formatTime('2026-12-03T18:00:00.000Z', UTC, 'day')).toBe('3 Dec 2026')
  })
})

describe('a time typed into a form', () => {
  it('is read in the form’s zone', () => {
    expect(zonedTimeToMoment('2026-12-03', '19:00', STOCKHOLM)).toEqual({ ok: true, moment: new Date('2026-12-03T18:00:00.000Z'), ambiguous: false })
    expect(zonedTimeToMoment('2026-06-04', '20:00', STOCKHOLM)).toEqual({ ok: true, moment: new Date('2026-06-04T18:00:00.000Z'), ambiguous: false })
    expect(zonedTimeToMoment('2026-12-05', '18:30', 'Asia/Kolkata')).toEqual({ ok: true, moment: new Date('2026-12-05T13:00:00.000Z'), ambiguous: false })
    expect(zonedTimeToMoment('2026-12-05', '18:30', 'America/New_York')).toEqual({ ok: true, moment: new Date('2026-12-05T23:30:00.000Z'), ambiguous: false })
  })

  it('is read as UTC when no zone is known', () => {
    expect(zonedTimeToMoment('2026-03-29', '02:30', UTC)).toEqual({ ok: true, moment: new Date('2026-03-29T02:30:00.000Z'), ambiguous: false })
  })

  it('refuses a time the clocks skip when summer time starts, with a message naming the zone', () => {
    const skipped = zonedTimeToMoment('2026-03-29', '02:30', STOCKHOLM)
    expect(skipped).toEqual({ ok: false, reason: 'skipped' })
    expect(zonedInputError(skipped, STOCKHOLM)).toBe(
      'That time does not happen in Europe/Stockholm: the clocks go forward past it that night. Choose another time.',
    )
    // Either side of the gap is fine.
    expect(zonedTimeToMoment('2026-03-29', '01:59', STOCKHOLM)).toMatchObject({ ok: true, moment: new Date('2026-03-29T00:59:00.000Z') })
    expect(zonedTimeToMoment('2026-03-29', '03:00', STOCKHOLM)).toMatchObject({ ok: true, moment: new Date('2026-03-29T01:00:00.000Z') })
  })

  it('takes the first of a time that happens twice when summer time ends, and says it was ambiguous', () => {
    expect(zonedTimeToMoment('2026-10-25', '02:30', STOCKHOLM)).toEqual({ ok: true, moment: new Date('2026-10-25T00:30:00.000Z'), ambiguous: true })
    expect(zonedTimeToMoment('2026-10-25', '03:00', STOCKHOLM)).toEqual({ ok: true, moment: new Date('2026-10-25T02:00:00.000Z'), ambiguous: false })
    expect(zonedTimeToMoment('2026-10-25', '01:59', STOCKHOLM)).toEqual({ ok: true, moment: new Date('2026-10-24T23:59:00.000Z'), ambiguous: false })
  })

  it('refuses a day that does not exist, a malformed time and an unknown zone', () => {
    expect(zonedTimeToMoment('2026-02-30', '10:00', STOCKHOLM)).toEqual({ ok: false, reason: 'invalid' })
    expect(zonedTimeToMoment('2026-02-28', '24:00', STOCKHOLM)).toEqual({ ok: false, reason: 'invalid' })
    expect(zonedTimeToMoment('2026-02-28', '9:00', STOCKHOLM)).toEqual({ ok: false, reason: 'invalid' })
    const unknown = zonedTimeToMoment('2026-02-28', '09:00', 'Mars/Olympus_Mons')
    expect(unknown).toEqual({ ok: false, reason: 'zone' })
    expect(zonedInputError(unknown, 'Mars/Olympus_Mons')).toMatch(/time zone/)
  })

  it('fills a form back in with the wall clock of the same zone', () => {
    expect(wallClock(new Date('2026-10-25T00:30:00.000Z'), STOCKHOLM)).toEqual({ date: '2026-10-25', time: '02:30' })
    expect(wallClock(new Date('2026-12-31T23:30:00.000Z'), STOCKHOLM)).toEqual({ date: '2027-01-01', time: '00:30' })
  })
})
