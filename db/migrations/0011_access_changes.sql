CREATE TYPE "public"."access_change_kind" AS ENUM('club', 'talk', 'user', 'session');--> statement-breakpoint
CREATE TABLE "access_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" "access_change_kind" NOT NULL,
	"user_id" text,
	"club_id" text,
	"talk_id" text,
	"session_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "access_changes_created_idx" ON "access_changes" USING btree ("created_at");