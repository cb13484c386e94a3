CREATE TYPE "public"."question_status" AS ENUM('open', 'answered', 'hidden');--> statement-breakpoint
CREATE TYPE "public"."stage_status" AS ENUM('raised', 'invited', 'on_stage');--> statement-breakpoint
CREATE TYPE "public"."talk_role" AS ENUM('host', 'cohost', 'speaker');--> statement-breakpoint
CREATE TABLE "talk_attendance" (
	"id" text PRIMARY KEY NOT NULL,
	"talk_id" text NOT NULL,
	"user_id" text NOT NULL,
	"socket_id" text NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"left_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "talk_comments" (
	"id" text PRIMARY KEY NOT NULL,
	"talk_id" text NOT NULL,
	"user_id" text NOT NULL,
	"body" text NOT NULL,
	"client_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"pinned_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"deleted_by" text
);
--> statement-breakpoint
CREATE TABLE "talk_question_votes" (
	"question_id" text NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "talk_question_votes_question_id_user_id_pk" PRIMARY KEY("question_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "talk_questions" (
	"id" text PRIMARY KEY NOT NULL,
	"talk_id" text NOT NULL,
	"user_id" text NOT NULL,
	"body" text NOT NULL,
	"client_id" text,
	"status" "question_status" DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "talk_reaction_totals" (
	"talk_id" text NOT NULL,
	"kind" text NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "talk_reaction_totals_talk_id_kind_pk" PRIMARY KEY("talk_id","kind")
);
--> statement-breakpoint
CREATE TABLE "talk_removals" (
	"talk_id" text NOT NULL,
	"user_id" text NOT NULL,
	"removed_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "talk_removals_talk_id_user_id_pk" PRIMARY KEY("talk_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "talk_roles" (
	"talk_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" "talk_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "talk_roles_talk_id_user_id_pk" PRIMARY KEY("talk_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "talk_stage" (
	"talk_id" text NOT NULL,
	"user_id" text NOT NULL,
	"status" "stage_status" NOT NULL,
	"raised_at" timestamp with time zone,
	"invited_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "talk_stage_talk_id_user_id_pk" PRIMARY KEY("talk_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "talks" ADD COLUMN "opened_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "talks" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "talk_attendance" ADD CONSTRAINT "talk_attendance_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_attendance" ADD CONSTRAINT "talk_attendance_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_comments" ADD CONSTRAINT "talk_comments_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_comments" ADD CONSTRAINT "talk_comments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_comments" ADD CONSTRAINT "talk_comments_deleted_by_users_id_fk" FOREIGN KEY ("deleted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_question_votes" ADD CONSTRAINT "talk_question_votes_question_id_talk_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."talk_questions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_question_votes" ADD CONSTRAINT "talk_question_votes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_questions" ADD CONSTRAINT "talk_questions_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_questions" ADD CONSTRAINT "talk_questions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_reaction_totals" ADD CONSTRAINT "talk_reaction_totals_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_removals" ADD CONSTRAINT "talk_removals_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_removals" ADD CONSTRAINT "talk_removals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_removals" ADD CONSTRAINT "talk_removals_removed_by_users_id_fk" FOREIGN KEY ("removed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_roles" ADD CONSTRAINT "talk_roles_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_roles" ADD CONSTRAINT "talk_roles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_stage" ADD CONSTRAINT "talk_stage_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_stage" ADD CONSTRAINT "talk_stage_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "talk_stage" ADD CONSTRAINT "talk_stage_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "talk_attendance_talk_idx" ON "talk_attendance" USING btree ("talk_id","joined_at");--> statement-breakpoint
CREATE INDEX "talk_attendance_user_idx" ON "talk_attendance" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "talk_attendance_socket_key" ON "talk_attendance" USING btree ("talk_id","socket_id");--> statement-breakpoint
CREATE INDEX "talk_comments_talk_idx" ON "talk_comments" USING btree ("talk_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "talk_comments_client_key" ON "talk_comments" USING btree ("talk_id","user_id","client_id") WHERE client_id is not null;--> statement-breakpoint
CREATE INDEX "talk_question_votes_user_idx" ON "talk_question_votes" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "talk_questions_talk_idx" ON "talk_questions" USING btree ("talk_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "talk_questions_client_key" ON "talk_questions" USING btree ("talk_id","user_id","client_id") WHERE client_id is not null;