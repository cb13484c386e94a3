CREATE TYPE "public"."staff_duty" AS ENUM('verifier');--> statement-breakpoint
CREATE TYPE "public"."verification_status" AS ENUM('pending', 'verified', 'rejected', 'revoked', 'lapsed');--> statement-breakpoint
CREATE TABLE "doctor_verifications" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"status" "verification_status" NOT NULL,
	"council" text NOT NULL,
	"regulator_name" text,
	"registration_year" integer NOT NULL,
	"number_cipher" text NOT NULL,
	"number_masked" text NOT NULL,
	"document_path" text,
	"document_type" text,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	"method" text,
	"decided_at" timestamp with time zone,
	"decided_by" text,
	"verified_at" timestamp with time zone,
	"reverify_due_at" timestamp with time zone,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "staff_duties" (
	"user_id" text NOT NULL,
	"duty" "staff_duty" NOT NULL,
	"granted_by" text,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_duties_user_id_duty_pk" PRIMARY KEY("user_id","duty")
);
--> statement-breakpoint
ALTER TABLE "doctor_verifications" ADD CONSTRAINT "doctor_verifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doctor_verifications" ADD CONSTRAINT "doctor_verifications_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_duties" ADD CONSTRAINT "staff_duties_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_duties" ADD CONSTRAINT "staff_duties_granted_by_users_id_fk" FOREIGN KEY ("granted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "doctor_verifications_user_idx" ON "doctor_verifications" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "doctor_verifications_pending_idx" ON "doctor_verifications" USING btree ("applied_at") WHERE status = 'pending';