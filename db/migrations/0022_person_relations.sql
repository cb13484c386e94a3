CREATE TYPE "public"."person_relation_kind" AS ENUM('block', 'mute');--> statement-breakpoint
CREATE TABLE "person_relations" (
	"user_id" text NOT NULL,
	"other_id" text NOT NULL,
	"kind" "person_relation_kind" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "person_relations_user_id_other_id_pk" PRIMARY KEY("user_id","other_id"),
	CONSTRAINT "person_relations_not_self" CHECK ("person_relations"."user_id" <> "person_relations"."other_id")
);
--> statement-breakpoint
ALTER TABLE "person_relations" ADD CONSTRAINT "person_relations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_relations" ADD CONSTRAINT "person_relations_other_id_users_id_fk" FOREIGN KEY ("other_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "person_relations_other_idx" ON "person_relations" USING btree ("other_id","kind");