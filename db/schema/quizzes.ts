import { boolean, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { clubs } from './clubs'
import { talks } from './talks'
import { users } from './users'

/*
 * Quizzes, polls and surveys. Authored in a club (self-paced, with an optional deadline) or
 * attached to a talk (run live by its hosts). Changed only through db/quizzes.ts.
 */

export const quizKind = pgEnum('quiz_kind', ['quiz', 'poll', 'survey'])
/** draft → open (answers taken) → closed. A live run is 'open' while the host steps through it. */
export const quizStatus = pgEnum('quiz_status', ['draft', 'open', 'closed'])
export const questionKind = pgEnum('quiz_question_kind', ['single', 'multiple', 'true_false', 'rating', 'text'])

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
    kind: quizKind('kind').notNull().default('quiz'),
    status: quizStatus('status').notNull().default('draft'),
    /** Polls and surveys: results and exports never name who answered. */
    anonymous: boolean('anonymous').notNull().default(false),
    /** Self-paced challenges: answers after this are refused. */
    deadline: timestamp('deadline', { withTimezone: true }),
    /** Quizzes: a correct answer earns more the faster it comes (live runs only). */
    speedScoring: boolean('speed_scoring').notNull().default(true),
    /** Quizzes: extra points per consecutive correct answer after the first; 0 turns streaks off. */
    streakBonus: integer('streak_bonus').notNull().default(0),
    /** Being written one question at a time (/q/:id/edit): its creators' own, never launched, until published. */
    editing: boolean('editing').notNull().default(false),
    /** Live run: the question on screen now (null before the first and after the last). */
    currentQuestionId: text('current_question_id'),
    launchedAt: timestamp('launched_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('quizzes_club_idx').on(t.clubId), index('quizzes_talk_idx').on(t.talkId)],
)

export const quizQuestions = pgTable(
  'quiz_questions',
  {
    id: text('id').primaryKey(),
    quizId: text('quiz_id')
      .notNull()
      .references(() => quizzes.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    kind: questionKind('kind').notNull().default('single'),
    prompt: text('prompt').notNull(),
    imageUrl: text('image_url'),
    /** An uploaded image (a file name in the private quiz image folder), served only to those who may see the quiz. */
    imagePath: text('image_path'),
    /** What the uploaded image shows, for people who cannot see it; required with an image. */
    imageAlt: text('image_alt'),
    explanation: text('explanation').notNull().default(''),
    timeLimitSeconds: integer('time_limit_seconds').notNull().default(30),
    points: integer('points').notNull().default(1000),
    /** Rating questions: the scale runs 1..ratingMax. */
    ratingMax: integer('rating_max').notNull().default(5),
    /** Live run of this question, by the server's clock. */
    openedAt: timestamp('opened_at', { withTimezone: true }),
    closesAt: timestamp('closes_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('quiz_questions_position_unique').on(t.quizId, t.position)],
)

export const quizOptions = pgTable(
  'quiz_options',
  {
    id: text('id').primaryKey(),
    questionId: text('question_id')
      .notNull()
      .references(() => quizQuestions.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    label: text('label').notNull(),
    correct: boolean('correct').notNull().default(false),
  },
  (t) => [index('quiz_options_question_idx').on(t.questionId)],
)

/**
 * One answer per person per question, enforced here. `points` is computed by the server from
 * correctness and the server's clock; nothing the client sends sets it. Erasure unlinks the
 * person (user_id → null) so tallies stay right without them.
 */
export const quizAnswers = pgTable(
  'quiz_answers',
  {
    id: text('id').primaryKey(),
    quizId: text('quiz_id')
      .notNull()
      .references(() => quizzes.id, { onDelete: 'cascade' }),
    questionId: text('question_id')
      .notNull()
      .references(() => quizQuestions.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    optionIds: text('option_ids').array().notNull().default([]),
    rating: integer('rating'),
    body: text('body'),
    correct: boolean('correct'),
    points: integer('points').notNull().default(0),
    /** Consecutive correct answers up to and including this one (quizzes). */
    streak: integer('streak').notNull().default(0),
    elapsedMs: integer('elapsed_ms'),
    answeredAt: timestamp('answered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('quiz_answers_one_per_person').on(t.questionId, t.userId),
    index('quiz_answers_quiz_user_idx').on(t.quizId, t.userId),
  ],
)
