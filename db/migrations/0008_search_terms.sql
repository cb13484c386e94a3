CREATE TABLE "search_terms" (
	"term" text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
DROP INDEX "profiles_search_card_trgm_idx";--> statement-breakpoint
DROP INDEX "profiles_search_full_trgm_idx";--> statement-breakpoint
DROP INDEX "clubs_search_trgm_idx";--> statement-breakpoint
DROP INDEX "talks_title_trgm_idx";--> statement-breakpoint
CREATE INDEX "search_terms_trgm_idx" ON "search_terms" USING gin ("term" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "profiles_city_idx" ON "profiles" USING btree (lower("city"));--> statement-breakpoint
CREATE INDEX "users_unsearchable_idx" ON "users" USING btree ("id") WHERE email_verified_at is null or deactivated_at is not null;--> statement-breakpoint
ALTER TABLE "profiles" DROP COLUMN "search_card_text";--> statement-breakpoint
ALTER TABLE "profiles" DROP COLUMN "search_full_text";--> statement-breakpoint
ALTER TABLE "clubs" DROP COLUMN "search_text";