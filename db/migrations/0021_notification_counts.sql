-- Whenever a person's notices change (a new one, one grouped into, one read, one erased), the
-- change says whose on commit, so every node can give that person's open pages the new count.
CREATE OR REPLACE FUNCTION "notification_counts_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('rounds_notification_counts', OLD."user_id");
    RETURN OLD;
  END IF;
  PERFORM pg_notify('rounds_notification_counts', NEW."user_id");
  IF TG_OP = 'UPDATE' AND OLD."user_id" IS DISTINCT FROM NEW."user_id" THEN
    PERFORM pg_notify('rounds_notification_counts', OLD."user_id");
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "notification_counts_changed"
  AFTER INSERT OR UPDATE OR DELETE ON "notifications"
  FOR EACH ROW EXECUTE FUNCTION "notification_counts_changed"();
