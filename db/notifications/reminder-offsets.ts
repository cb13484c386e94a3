/*
 * The reminder times offered (docs/decisions/028-talk-reminders.md), apart from the queries so
 * pages can show them without the data layer.
 */

/** Minutes before the start a person may choose to be reminded, longest first. */
export const REMINDER_OFFSETS = [1440, 60, 10] as const
export type ReminderOffset = (typeof REMINDER_OFFSETS)[number]
/** What someone who never chose is reminded. */
export const DEFAULT_REMINDER_OFFSETS: readonly ReminderOffset[] = [1440, 10]

export const isReminderOffset = (value: unknown): value is ReminderOffset => REMINDER_OFFSETS.includes(value as ReminderOffset)
