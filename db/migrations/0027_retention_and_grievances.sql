ALTER TYPE "public"."data_request_kind" ADD VALUE 'grievance';--> statement-breakpoint
CREATE INDEX "activity_events_created_idx" ON "activity_events" USING btree ("created_at");