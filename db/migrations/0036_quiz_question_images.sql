ALTER TABLE "quiz_questions" ADD COLUMN "image_path" text;--> statement-breakpoint
ALTER TABLE "quiz_questions" ADD COLUMN "image_alt" text;--> statement-breakpoint
ALTER TABLE "quizzes" ADD COLUMN "editing" boolean DEFAULT false NOT NULL;