CREATE TYPE "public"."quiz_question_kind" AS ENUM('single', 'multiple', 'true_false', 'rating', 'text');--> statement-breakpoint
CREATE TYPE "public"."quiz_kind" AS ENUM('quiz', 'poll', 'survey');--> statement-breakpoint
CREATE TYPE "public"."quiz_status" AS ENUM('draft', 'open', 'closed');--> statement-breakpoint
CREATE TABLE "quiz_answers" (
	"id" text PRIMARY KEY NOT NULL,
	"quiz_id" text NOT NULL,
	"question_id" text NOT NULL,
	"user_id" text,
	"option_ids" text[] DEFAULT '{}' NOT NULL,
	"rating" integer,
	"body" text,
	"correct" boolean,
	"points" integer DEFAULT 0 NOT NULL,
	"streak" integer DEFAULT 0 NOT NULL,
	"elapsed_ms" integer,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
ALTER TABLE "quiz_questions" ADD COLUMN "kind" "quiz_question_kind" DEFAULT 'single' NOT NULL;--> statement-breakpoint
ALTER TABLE "quiz_questions" ADD COLUMN "image_url" text;--> statement-breakpoint
ALTER TABLE "quiz_questions" ADD COLUMN "rating_max" integer DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE "quiz_questions" ADD COLUMN "opened_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quiz_questions" ADD COLUMN "closes_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quiz_questions" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "kind" "quiz_kind" DEFAULT 'quiz' NOT NULL;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "status" "quiz_status" DEFAULT 'draft' NOT NULL;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "anonymous" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "deadline" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "speed_scoring" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "streak_bonus" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "current_question_id" text;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "launched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quiz_answers" ADD CONSTRAINT "quiz_answers_quiz_id_quizzes_id_fk" FOREIGN KEY ("quiz_id") REFERENCES "public"."quizzes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quiz_answers" ADD CONSTRAINT "quiz_answers_question_id_quiz_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."quiz_questions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quiz_answers" ADD CONSTRAINT "quiz_answers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "quiz_answers_one_per_person" ON "quiz_answers" USING btree ("question_id","user_id");--> statement-breakpoint
CREATE INDEX "quiz_answers_quiz_user_idx" ON "quiz_answers" USING btree ("quiz_id","user_id");--> statement-breakpoint
CREATE INDEX "quiz_options_question_idx" ON "quiz_options" USING btree ("question_id");--> statement-breakpoint
CREATE UNIQUE INDEX "quiz_questions_position_unique" ON "quiz_questions" USING btree ("quiz_id","position");--> statement-breakpoint
CREATE INDEX "quizzes_talk_idx" ON "quizzes" USING btree ("talk_id");
