import { FieldErrors, inputClass } from './forms'
import { isUtc, UTC, wallClock, zonedInputError, zonedTimeToMoment, zoneName } from '~/utils/time'

/*
 * A quiz's settings as a form shows them, on the first step of writing one and in its editor,
 * and the deadline as the form sends it: a wall-clock time in the zone the form was shown in
 * (its hidden `timeZone`; UTC without one).
 */

export type QuizSettingsValues = { anonymous: boolean; deadline: string; speedScoring: boolean; streakBonus: string }

/** The `datetime-local` value of a deadline in a zone ('' for none). */
export function deadlineInput(deadline: string | null, zone: string): string {
  if (!deadline) return ''
  const { date, time } = wallClock(new Date(deadline), zone)
  return `${date}T${time}`
}

/** A `datetime-local` deadline read in its zone: an ISO moment, the value unchanged if it is not one, or why it cannot be read. */
export function deadlineFromForm(deadline: unknown, timeZone: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (typeof deadline !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(deadline)) return { ok: true, value: deadline }
  const zone = typeof timeZone === 'string' && timeZone ? timeZone : UTC
  const input = zonedTimeToMoment(deadline.slice(0, 10), deadline.slice(11), zone)
  return input.ok ? { ok: true, value: input.moment.toISOString() } : { ok: false, message: zonedInputError(input, zone) ?? '' }
}

/**
 * The settings fieldset. `kind` null shows every setting with the kinds it applies to (the first
 * step, where the kind is still being chosen); a kind shows only the settings it has.
 */
export function QuizSettingsFields({
  kind,
  live,
  zone,
  values,
  errorsFor,
  maxStreakBonus,
}: {
  kind: 'quiz' | 'poll' | 'survey' | null
  live: boolean
  zone: string
  values: QuizSettingsValues
  errorsFor: (name: string) => string[] | null
  maxStreakBonus: number
}) {
  const scored = kind === null || kind === 'quiz'
  const mayBeAnonymous = kind === null || kind !== 'quiz'
  return (
    <fieldset className="space-y-3 rounded-md border border-slate-200 p-4">
      <legend className="px-1 text-sm font-medium text-slate-800">Settings</legend>
      {mayBeAnonymous ? (
        <>
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input name="anonymous" type="checkbox" defaultChecked={values.anonymous} />
            Anonymous{kind === null ? ' (polls and surveys)' : ''}: results and exports never name who answered
          </label>
          <FieldErrors id="anonymous-error" errors={errorsFor('anonymous')} />
        </>
      ) : null}
      {live ? null : (
        <div>
          <label className="block text-sm text-slate-700">
            Deadline ({isUtc(zone) ? 'UTC' : `your time, ${zoneName(zone)}`}, optional)
            <input name="deadline" type="datetime-local" defaultValue={values.deadline} className={inputClass} />
          </label>
          <input type="hidden" name="timeZone" value={zone} />
          <FieldErrors id="deadline-error" errors={errorsFor('deadline')} />
        </div>
      )}
      {scored ? (
        <>
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input name="speedScoring" type="checkbox" defaultChecked={values.speedScoring} />
            Speed scoring{kind === null ? ' (quizzes)' : ''}: faster correct answers earn more in live runs
          </label>
          <div>
            <label className="block text-sm text-slate-700">
              Streak bonus ({kind === null ? 'quizzes: ' : ''}points per correct answer in a row; 0 for none)
              <input name="streakBonus" type="number" min={0} max={maxStreakBonus} defaultValue={values.streakBonus} className={inputClass} />
            </label>
            <FieldErrors id="streakBonus-error" errors={errorsFor('streakBonus')} />
          </div>
        </>
      ) : null}
    </fieldset>
  )
}
