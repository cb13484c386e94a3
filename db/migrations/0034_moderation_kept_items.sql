CREATE TABLE "moderation_kept_items" (
	"item_kind" "moderation_item_kind" NOT NULL,
	"item_id" text NOT NULL,
	"erasure_request_id" text,
	"club_id" text,
	"talk_id" text,
	"text" text NOT NULL,
	"context" text,
	"written_at" timestamp with time zone,
	"kept_since" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "moderation_kept_items_item_kind_item_id_pk" PRIMARY KEY("item_kind","item_id")
);
--> statement-breakpoint
ALTER TABLE "moderation_kept_items" ADD CONSTRAINT "moderation_kept_items_erasure_request_id_data_requests_id_fk" FOREIGN KEY ("erasure_request_id") REFERENCES "public"."data_requests"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_kept_items" ADD CONSTRAINT "moderation_kept_items_club_id_clubs_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."clubs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "moderation_kept_items_request_idx" ON "moderation_kept_items" USING btree ("erasure_request_id");