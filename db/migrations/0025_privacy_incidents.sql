CREATE TABLE "privacy_incident_recipients" (
	"incident_id" text NOT NULL,
	"user_id" text NOT NULL,
	"notified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "privacy_incident_recipients_incident_id_user_id_pk" PRIMARY KEY("incident_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "privacy_incidents" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"what_happened" text NOT NULL,
	"found_at" timestamp with time zone NOT NULL,
	"data_kinds" text[] NOT NULL,
	"what_we_did" text NOT NULL,
	"what_you_can_do" text NOT NULL,
	"audience" jsonb NOT NULL,
	"affected_count" integer NOT NULL,
	"recorded_by" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"board_due_at" timestamp with time zone NOT NULL,
	"board_reported_at" timestamp with time zone,
	"board_reported_by" text,
	"board_reference" text
);
--> statement-breakpoint
ALTER TABLE "privacy_incident_recipients" ADD CONSTRAINT "privacy_incident_recipients_incident_id_privacy_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."privacy_incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_incident_recipients" ADD CONSTRAINT "privacy_incident_recipients_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_incidents" ADD CONSTRAINT "privacy_incidents_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_incidents" ADD CONSTRAINT "privacy_incidents_board_reported_by_users_id_fk" FOREIGN KEY ("board_reported_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "privacy_incident_recipients_user_idx" ON "privacy_incident_recipients" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "privacy_incidents_recorded_idx" ON "privacy_incidents" USING btree ("recorded_at");