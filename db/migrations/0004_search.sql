CREATE TYPE "public"."search_doc_kind" AS ENUM('profile', 'club', 'talk');--> statement-breakpoint
CREATE TABLE "search_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" "search_doc_kind" NOT NULL,
	"entity_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "discoverable" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "search_card_text" text GENERATED ALWAYS AS ("name" || ' ' || coalesce("speciality", '')) STORED;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "search_full_text" text GENERATED ALWAYS AS ("name" || ' ' || coalesce("speciality", '') || ' ' || coalesce("city", '') || ' ' || coalesce("interests"[1], '') || ' ' || coalesce("interests"[2], '') || ' ' || coalesce("interests"[3], '') || ' ' || coalesce("interests"[4], '') || ' ' || coalesce("interests"[5], '') || ' ' || coalesce("interests"[6], '') || ' ' || coalesce("interests"[7], '') || ' ' || coalesce("interests"[8], '') || ' ' || coalesce("interests"[9], '') || ' ' || coalesce("interests"[10], '')) STORED;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "search_card" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, "name"), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce("speciality", '')), 'B')) STORED;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "search_full" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, "name"), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce("speciality", '')), 'B') || setweight(to_tsvector('simple'::regconfig, coalesce("city", '') || ' ' || coalesce("interests"[1], '') || ' ' || coalesce("interests"[2], '') || ' ' || coalesce("interests"[3], '') || ' ' || coalesce("interests"[4], '') || ' ' || coalesce("interests"[5], '') || ' ' || coalesce("interests"[6], '') || ' ' || coalesce("interests"[7], '') || ' ' || coalesce("interests"[8], '') || ' ' || coalesce("interests"[9], '') || ' ' || coalesce("interests"[10], '')), 'C')) STORED;--> statement-breakpoint
ALTER TABLE "clubs" ADD COLUMN "search_text" text GENERATED ALWAYS AS ("name" || ' ' || coalesce("specialities"[1], '') || ' ' || coalesce("specialities"[2], '') || ' ' || coalesce("specialities"[3], '') || ' ' || coalesce("specialities"[4], '') || ' ' || coalesce("specialities"[5], '')) STORED;--> statement-breakpoint
ALTER TABLE "clubs" ADD COLUMN "search_doc" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, "name"), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce("specialities"[1], '') || ' ' || coalesce("specialities"[2], '') || ' ' || coalesce("specialities"[3], '') || ' ' || coalesce("specialities"[4], '') || ' ' || coalesce("specialities"[5], '')), 'B') || setweight(to_tsvector('simple'::regconfig, "description"), 'C')) STORED;--> statement-breakpoint
ALTER TABLE "talks" ADD COLUMN "search_doc" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, "title"), 'A') || setweight(to_tsvector('simple'::regconfig, "description"), 'C')) STORED;--> statement-breakpoint
CREATE INDEX "search_outbox_doc_idx" ON "search_outbox" USING btree ("kind","entity_id","id");--> statement-breakpoint
CREATE INDEX "search_outbox_due_idx" ON "search_outbox" USING btree ("next_attempt_at","id");--> statement-breakpoint
CREATE INDEX "profiles_search_card_idx" ON "profiles" USING gin ("search_card");--> statement-breakpoint
CREATE INDEX "profiles_search_full_idx" ON "profiles" USING gin ("search_full");--> statement-breakpoint
CREATE INDEX "profiles_search_card_trgm_idx" ON "profiles" USING gin ("search_card_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "profiles_search_full_trgm_idx" ON "profiles" USING gin ("search_full_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "clubs_search_doc_idx" ON "clubs" USING gin ("search_doc");--> statement-breakpoint
CREATE INDEX "clubs_search_trgm_idx" ON "clubs" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "talks_search_doc_idx" ON "talks" USING gin ("search_doc");--> statement-breakpoint
CREATE INDEX "talks_title_trgm_idx" ON "talks" USING gin ("title" gin_trgm_ops);