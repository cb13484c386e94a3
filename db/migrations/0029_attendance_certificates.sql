CREATE TABLE "attendance_certificates" (
	"id" text PRIMARY KEY NOT NULL,
	"talk_id" text,
	"club_id" text,
	"user_id" text,
	"holder_name" text,
	"talk_title" text NOT NULL,
	"club_name" text NOT NULL,
	"held_at" timestamp with time zone NOT NULL,
	"minutes" integer NOT NULL,
	"credits" numeric(5, 2),
	"credit_provider" text,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" text,
	"revoke_reason" text
);
--> statement-breakpoint
CREATE TABLE "talk_certificate_settings" (
	"talk_id" text PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"min_share_percent" integer DEFAULT 75 NOT NULL,
	"credits" numeric(5, 2),
	"credit_provider" text,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "talk_certificate_settings_share" CHECK ("talk_certificate_settings"."min_share_percent" between 1 and 100),
	CONSTRAINT "talk_certificate_settings_credits" CHECK (("talk_certificate_settings"."credits" is null) = ("talk_certificate_settings"."credit_provider" is null))
);
--> statement-breakpoint
ALTER TABLE "attendance_certificates" ADD CONSTRAINT "attendance_certificates_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "attendance_certificates" ADD CONSTRAINT "attendance_certificates_club_id_clubs_id_fk" FOREIGN KEY ("club_id") REFERENCES "public"."clubs"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "attendance_certificates" ADD CONSTRAINT "attendance_certificates_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "attendance_certificates" ADD CONSTRAINT "attendance_certificates_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "talk_certificate_settings" ADD CONSTRAINT "talk_certificate_settings_talk_id_talks_id_fk" FOREIGN KEY ("talk_id") REFERENCES "public"."talks"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "talk_certificate_settings" ADD CONSTRAINT "talk_certificate_settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "attendance_certificates_talk_user_key" ON "attendance_certificates" USING btree ("talk_id","user_id");
--> statement-breakpoint
CREATE INDEX "attendance_certificates_user_idx" ON "attendance_certificates" USING btree ("user_id");
