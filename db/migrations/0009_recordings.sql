CREATE TYPE "public"."recording_consent_kind" AS ENUM('given', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."recording_share" AS ENUM('private', 'attendees', 'members', 'public');--> statement-breakpoint
CREATE TYPE "public"."recording_status" AS ENUM('starting', 'active', 'ending', 'complete', 'failed');--> statement-breakpoint
CREATE TYPE "public"."stage_event_kind" AS ENUM('joined_stage', 'left_stage');--> statement-breakpoint
CREATE TABLE "livekit_webhook_events" (
	"id" text PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"created_at" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recording_consents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"talk_id" text NOT NULL,
	"user_id" text NOT NULL,
	"kind" "recording_consent_kind" NOT NULL,
	"policy_version" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recordings" (
	"id" text PRIMARY KEY NOT NULL,
	"talk_id" text NOT NULL,
	"started_by" text,
	"status" "recording_status" DEFAULT 'starting' NOT NULL,
	"share" "recording_share" DEFAULT 'private' NOT NULL,
	"egress_id" text,
	"storage" text NOT NULL,
	"file_path" text,
	"file_location" text,
	"content_type" text DEFAULT 'audio/ogg' NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"duration_seconds" integer,
	"error" text,
	"last_event_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stage_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"talk_id" text NOT NULL,
	"user_id" text NOT NULL,
	"kind" "stage_event_kind" NOT NULL,
	"at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "talks" ADD COLUMN "recorded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "recording_consents" ADD CONSTRAINT "recording_consents_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recording_consents" ADD CONSTRAINT "recording_consents_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recordings" ADD CONSTRAINT "recordings_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recordings" ADD CONSTRAINT "recordings_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_events" ADD CONSTRAINT "stage_events_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_events" ADD CONSTRAINT "stage_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recording_consents_talk_user_idx" ON "recording_consents" USING btree ("talk_id","user_id","id");--> statement-breakpoint
CREATE INDEX "recording_consents_user_idx" ON "recording_consents" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "recordings_talk_idx" ON "recordings" USING btree ("talk_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "recordings_egress_key" ON "recordings" USING btree ("egress_id") WHERE egress_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "recordings_running_key" ON "recordings" USING btree ("talk_id") WHERE status in ('starting', 'active');--> statement-breakpoint
CREATE INDEX "stage_events_talk_idx" ON "stage_events" USING btree ("talk_id","at");--> statement-breakpoint
CREATE INDEX "stage_events_user_idx" ON "stage_events" USING btree ("user_id");