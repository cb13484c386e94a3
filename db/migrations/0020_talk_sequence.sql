ALTER TABLE "talks" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "talks" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
ALTER TABLE "talks" ADD COLUMN "sequence" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "talks" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;