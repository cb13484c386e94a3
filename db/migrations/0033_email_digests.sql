CREATE TABLE "email_digest_choices" (
	"user_id" text PRIMARY KEY NOT NULL,
	"daily" boolean DEFAULT false NOT NULL,
	"last_sent_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "email_digest_choices" ADD CONSTRAINT "email_digest_choices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;