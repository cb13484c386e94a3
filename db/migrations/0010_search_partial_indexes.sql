DROP INDEX "profiles_search_full_idx";--> statement-breakpoint
CREATE INDEX "profiles_search_full_public_idx" ON "profiles" USING gin ("search_full") WHERE visibility = 'public' and discoverable;--> statement-breakpoint
CREATE INDEX "profiles_search_card_private_idx" ON "profiles" USING gin ("search_card") WHERE visibility <> 'public' and discoverable;