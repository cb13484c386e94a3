CREATE INDEX "club_invitations_inviter_idx" ON "club_invitations" USING btree ("invited_by","created_at");--> statement-breakpoint
CREATE INDEX "talk_comments_user_idx" ON "talk_comments" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "talk_questions_user_idx" ON "talk_questions" USING btree ("user_id","created_at");