import { boolean, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { clubs } from './clubs'
import { talks } from './talks'
import { users } from './users'

export const quizzes = pgTable(
  'quizzes',
  {
    id: text('id').primaryKey(),
    clubId: text('club_id')
      .notNull()
      .references(() => clubs.id, { onDelete: 'cascade' }),
    talkId: text('talk_id').references(() => talks.id, { onDelete: 'set null' }),
    authorId: text('author_id')
      .notNull()
      .references(() => users.id),
    title: text('title').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('quizzes_club_idx').on(t.clubId)],
)

export const quizQuestions = pgTable('quiz_questions', {
  id: text('id').primaryKey(),
  quizId: text('quiz_id')
    .notNull()
    .references(() => quizzes.id, { onDelete: 'cascade' }),
  position: integer('position').notNull(),
  prompt: text('prompt').notNull(),
  explanation: text('explanation').notNull().default(''),
  timeLimitSeconds: integer('time_limit_seconds').notNull().default(30),
  points: integer('points').notNull().default(1000),
})

export const quizOptions = pgTable('quiz_options', {
  id: text('id').primaryKey(),
  questionId: text('question_id')
    .notNull()
    .references(() => quizQuestions.id, { onDelete: 'cascade' }),
  position: integer('position').notNull(),
  label: text('label').notNull(),
  correct: boolean('correct').notNull().default(false),
})
