import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { users } from './users'

/**
 * When each person wants to be reminded before a talk they are going to or host
 * (db/notifications/reminders.ts, docs/decisions/028-talk-reminders.md): minutes before the
 * start, from the offered set. No row means the default (24 hours and 10 minutes); an empty
 * list means no reminders.
 */
export const reminderChoices = pgTable('reminder_choices', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  offsetsMinutes: integer('offsets_minutes').array().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})
