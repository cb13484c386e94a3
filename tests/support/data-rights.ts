import { randomUUID } from 'node:crypto'
import { rawSql } from '../../db/client'
import { createTalk, createTestClub, type TestClub, type TestDoctor } from './factories'

/*
 * One doctor who touches every table that can point at a person, for the
 * erasure and export completeness tests. `seeders` is keyed like the rules in
 * db/retention.ts ("table.column"); the tests fail, naming the column, when the
 * catalogue shows a column with no seeder here — add one when you add a table.
 */

export type World = {
  subject: TestDoctor
  /** An admin of the subject's club: inherits it on erasure. */
  admin: TestDoctor
  /** A member and follower of the subject; their own data must survive. */
  friend: TestDoctor
  /** Owns a club the subject belongs to. */
  otherOwner: TestDoctor
  staff: TestDoctor
  ownedClub: TestClub
  lonelyClub: TestClub
  otherClub: TestClub
  hostedTalk: string
  otherTalk: string
  /** A comment by the friend in the subject's talk: it stays. */
  friendCommentId: string
}

type Seeder = (w: World) => Promise<unknown>

const sql = () => rawSql()

/** An app registered by this developer; its id. */
async function seedApp(developerId: string) {
  const id = randomUUID()
  await sql()`insert into apps (id, client_id, developer_id, name, description, homepage_url, privacy_url, redirect_uris, secret_salt)
    values (${id}, ${`rounds_${id}`}, ${developerId}, 'Seeded CPD app', 'Logs talks.', 'https://cpd.example.org', 'https://cpd.example.org/privacy', '{https://cpd.example.org/cb}', 'salt')`
  return id
}

export const seeders: Record<string, Seeder> = {
  'users.id': async () => {},
  'profiles.user_id': async () => {},
  'sessions.user_id': async () => {},
  'oauth_accounts.user_id': ({ subject }) =>
    sql()`insert into oauth_accounts (provider, subject, user_id, email) values ('google', ${randomUUID()}, ${subject.id}, ${subject.email})`,
  'access_changes.user_id': ({ subject }) => sql()`insert into access_changes (kind, user_id) values ('user', ${subject.id})`,
  'email_verifications.user_id': ({ subject }) =>
    sql()`insert into email_verifications (id, user_id, code_hash, expires_at) values (${randomUUID()}, ${subject.id}, 'x', now())`,
  'password_resets.user_id': ({ subject }) =>
    sql()`insert into password_resets (id, user_id, code_hash, token_hash, expires_at) values (${randomUUID()}, ${subject.id}, 'x', ${randomUUID()}, now())`,
  'email_changes.user_id': ({ subject }) =>
    sql()`insert into email_changes (id, user_id, old_email, new_email, code_hash, expires_at) values (${randomUUID()}, ${subject.id}, ${subject.email}, 'new@hospital.test', 'x', now())`,
  'follows.follower_id': ({ subject, friend }) =>
    sql()`insert into follows (follower_id, followee_id, status) values (${subject.id}, ${friend.id}, 'approved') on conflict do nothing`,
  'follows.followee_id': ({ subject, friend }) =>
    sql()`insert into follows (follower_id, followee_id, status) values (${friend.id}, ${subject.id}, 'approved') on conflict do nothing`,
  // Mutes, not blocks: a block would hide the friend and the admin from the subject in the lists the tests read.
  'person_relations.user_id': ({ subject, staff }) =>
    sql()`insert into person_relations (user_id, other_id, kind) values (${subject.id}, ${staff.id}, 'mute') on conflict do nothing`,
  'person_relations.other_id': ({ subject, admin }) =>
    sql()`insert into person_relations (user_id, other_id, kind) values (${admin.id}, ${subject.id}, 'mute') on conflict do nothing`,
  'clubs.owner_id': async () => {},
  'club_members.user_id': async () => {},
  'club_follows.user_id': ({ subject, otherClub }) =>
    sql()`insert into club_follows (club_id, user_id) values (${otherClub.id}, ${subject.id}) on conflict do nothing`,
  'club_invitations.user_id': ({ subject, otherClub, otherOwner }) =>
    sql()`insert into club_invitations (id, club_id, user_id, invited_by, status) values (${randomUUID()}, ${otherClub.id}, ${subject.id}, ${otherOwner.id}, 'declined')`,
  'club_invitations.invited_by': ({ subject, ownedClub, staff }) =>
    sql()`insert into club_invitations (id, club_id, user_id, invited_by) values (${randomUUID()}, ${ownedClub.id}, ${staff.id}, ${subject.id})`,
  'club_invite_links.created_by': ({ subject, otherClub }) =>
    sql()`insert into club_invite_links (id, club_id, token, created_by) values (${randomUUID()}, ${otherClub.id}, ${randomUUID()}, ${subject.id})`,
  'club_bans.user_id': ({ subject, otherClub, otherOwner }) =>
    sql()`insert into club_bans (club_id, user_id, banned_by) values (${otherClub.id}, ${subject.id}, ${otherOwner.id})`,
  'club_bans.banned_by': ({ subject, ownedClub, otherOwner }) =>
    sql()`insert into club_bans (club_id, user_id, banned_by) values (${ownedClub.id}, ${otherOwner.id}, ${subject.id})`,
  'club_audit_log.actor_id': async () => {},
  'club_audit_log.target_user_id': ({ subject, otherClub, otherOwner }) =>
    sql()`insert into club_audit_log (id, club_id, actor_id, action, target_user_id) values (${randomUUID()}, ${otherClub.id}, ${otherOwner.id}, 'member.role_changed', ${subject.id})`,
  'talks.host_id': async () => {},
  'talk_rsvps.user_id': ({ subject, otherTalk }) => sql()`insert into talk_rsvps (talk_id, user_id) values (${otherTalk}, ${subject.id})`,
  'talk_roles.user_id': ({ subject, otherTalk }) => sql()`insert into talk_roles (talk_id, user_id, role) values (${otherTalk}, ${subject.id}, 'speaker')`,
  'talk_stage.user_id': ({ subject, otherTalk, otherOwner }) =>
    sql()`insert into talk_stage (talk_id, user_id, status, invited_by) values (${otherTalk}, ${subject.id}, 'invited', ${otherOwner.id})`,
  'talk_stage.invited_by': ({ subject, hostedTalk, friend }) =>
    sql()`insert into talk_stage (talk_id, user_id, status, invited_by) values (${hostedTalk}, ${friend.id}, 'invited', ${subject.id})`,
  'talk_removals.user_id': ({ subject, otherTalk, otherOwner }) =>
    sql()`insert into talk_removals (talk_id, user_id, removed_by) values (${otherTalk}, ${subject.id}, ${otherOwner.id})`,
  'talk_removals.removed_by': ({ subject, hostedTalk, staff }) =>
    sql()`insert into talk_removals (talk_id, user_id, removed_by) values (${hostedTalk}, ${staff.id}, ${subject.id})`,
  'talk_comments.user_id': ({ subject, otherTalk }) =>
    sql()`insert into talk_comments (id, talk_id, user_id, body) values (${randomUUID()}, ${otherTalk}, ${subject.id}, ${`Zyxwquv says hello`})`,
  'talk_comments.deleted_by': ({ subject, hostedTalk, staff }) =>
    sql()`insert into talk_comments (id, talk_id, user_id, body, deleted_at, deleted_by) values (${randomUUID()}, ${hostedTalk}, ${staff.id}, 'off topic', now(), ${subject.id})`,
  'talk_questions.user_id': async ({ subject, otherTalk, friend }) => {
    const id = randomUUID()
    await sql()`insert into talk_questions (id, talk_id, user_id, body) values (${id}, ${otherTalk}, ${subject.id}, 'Zyxwquv asks: dose?')`
    await sql()`insert into talk_question_votes (question_id, user_id) values (${id}, ${friend.id})`
  },
  'talk_question_votes.user_id': async ({ subject, otherTalk, friend }) => {
    const id = randomUUID()
    await sql()`insert into talk_questions (id, talk_id, user_id, body) values (${id}, ${otherTalk}, ${friend.id}, 'A friend asks')`
    await sql()`insert into talk_question_votes (question_id, user_id) values (${id}, ${subject.id})`
  },
  'talk_attendance.user_id': ({ subject, otherTalk }) =>
    sql()`insert into talk_attendance (id, talk_id, user_id, socket_id, left_at) values (${randomUUID()}, ${otherTalk}, ${subject.id}, ${randomUUID()}, now())`,
  'attendance_certificates.user_id': ({ subject, otherTalk, otherClub }) =>
    sql()`insert into attendance_certificates (id, talk_id, club_id, user_id, holder_name, talk_title, club_name, held_at, minutes)
      values (${'SUBJ' + randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}, ${otherTalk}, ${otherClub.id}, ${subject.id}, ${subject.name}, 'A talk', 'A club', now(), 45)`,
  'attendance_certificates.revoked_by': ({ subject, friend, otherTalk, otherClub }) =>
    sql()`insert into attendance_certificates (id, talk_id, club_id, user_id, holder_name, talk_title, club_name, held_at, minutes, revoked_at, revoked_by, revoke_reason)
      values (${'FRND' + randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}, ${otherTalk}, ${otherClub.id}, ${friend.id}, 'Friend Name', 'A talk', 'A club', now(), 30, now(), ${subject.id}, 'Left early')`,
  'talk_certificate_settings.updated_by': ({ subject, otherTalk }) =>
    sql()`insert into talk_certificate_settings (talk_id, enabled, updated_by) values (${otherTalk}, true, ${subject.id}) on conflict (talk_id) do update set updated_by = excluded.updated_by`,
  'recording_consents.user_id': async ({ subject, otherTalk }) => {
    await sql()`insert into recording_consents (talk_id, user_id, kind, policy_version) values (${otherTalk}, ${subject.id}, 'given', '2026-11-23')`
    await sql()`insert into recording_consents (talk_id, user_id, kind, policy_version) values (${otherTalk}, ${subject.id}, 'withdrawn', '2026-11-23')`
  },
  'stage_events.user_id': ({ subject, otherTalk }) =>
    sql()`insert into stage_events (talk_id, user_id, kind) values (${otherTalk}, ${subject.id}, 'joined_stage')`,
  'recordings.started_by': ({ subject, hostedTalk }) =>
    sql()`insert into recordings (id, talk_id, started_by, status, storage) values (${randomUUID()}, ${hostedTalk}, ${subject.id}, 'complete', 'local')`,
  'quizzes.author_id': ({ subject, ownedClub, hostedTalk }) =>
    sql()`insert into quizzes (id, club_id, talk_id, author_id, title) values (${randomUUID()}, ${ownedClub.id}, ${hostedTalk}, ${subject.id}, 'ECG quiz')`,
  'quiz_answers.user_id': async ({ subject, otherClub, otherOwner, friend }) => {
    const quiz = randomUUID()
    const question = randomUUID()
    await sql()`insert into quizzes (id, club_id, author_id, title, kind, status) values (${quiz}, ${otherClub.id}, ${otherOwner.id}, 'Survey', 'survey', 'open')`
    await sql()`insert into quiz_questions (id, quiz_id, position, kind, prompt) values (${question}, ${quiz}, 1, 'text', 'Any feedback?')`
    await sql()`insert into quiz_answers (id, quiz_id, question_id, user_id, body, points) values
      (${randomUUID()}, ${quiz}, ${question}, ${subject.id}, 'Zyxwquv here: loved it', 10),
      (${randomUUID()}, ${quiz}, ${question}, ${friend.id}, 'Great', 10)`
  },
  'privacy_settings.user_id': ({ subject }) => sql()`insert into privacy_settings (user_id, lists_visibility) values (${subject.id}, 'followers')`,
  'cookie_consents.user_id': ({ subject }) =>
    sql()`insert into cookie_consents (id, user_id, consent_id, performance, functionality, targeting, policy_version)
      values (${randomUUID()}, ${subject.id}, ${randomUUID()}, true, true, false, 'test')`,
  'activity_events.user_id': ({ subject, otherTalk }) =>
    sql()`insert into activity_events (id, user_id, kind, subject) values (${randomUUID()}, ${subject.id}, 'talk.viewed', ${otherTalk})`,
  'ad_interests.user_id': ({ subject }) =>
    sql()`insert into ad_interests (user_id, key, label, source) values (${subject.id}, 'cardiology', 'Cardiology', 'interest')`,
  'communication_preferences.user_id': ({ subject }) =>
    sql()`insert into communication_preferences (user_id, channel, kind, enabled) values (${subject.id}, 'email', 'promotional', false)`,
  'reminder_choices.user_id': ({ subject }) => sql()`insert into reminder_choices (user_id, offsets_minutes) values (${subject.id}, '{60}')`,
  'email_digest_choices.user_id': ({ subject }) => sql()`insert into email_digest_choices (user_id, daily) values (${subject.id}, true)`,
  'unsubscribe_token_uses.user_id': ({ subject }) =>
    sql()`insert into unsubscribe_token_uses (token_id, user_id, channel, kind) values (${randomUUID()}, ${subject.id}, 'email', 'engagement')`,
  'policy_acknowledgements.user_id': async ({ subject }) => {
    const version = `test-${randomUUID()}`
    await sql()`insert into policy_versions (version, effective_at, body, summary) values (${version}, now(), 'Body', 'Summary')`
    await sql()`insert into policy_acknowledgements (user_id, version) values (${subject.id}, ${version})`
  },
  'notifications.user_id': ({ subject }) =>
    sql()`insert into notifications (id, user_id, kind, subject, title) values (${randomUUID()}, ${subject.id}, 'test', ${randomUUID()}, 'Hello')`,
  'notification_deliveries.user_id': async ({ subject }) => {
    const notice = randomUUID()
    await sql()`insert into notifications (id, user_id, kind, subject) values (${notice}, ${subject.id}, 'follow', ${randomUUID()})`
    await sql()`insert into notification_deliveries (id, notification_id, user_id, channel, status, attempts) values (${randomUUID()}, ${notice}, ${subject.id}, 'email', 'sent', 1)`
  },
  'push_subscriptions.user_id': ({ subject }) =>
    sql()`insert into push_subscriptions (id, user_id, endpoint, p256dh, auth, user_agent)
      values (${randomUUID()}, ${subject.id}, ${`https://push.example.org/${randomUUID()}`}, 'BPublicKey', 'AuthSecret', 'Firefox/128.0')`,
  'phone_numbers.user_id': ({ subject }) =>
    sql()`insert into phone_numbers (user_id, number, verified_at, pending_number, code_hash, code_expires_at, codes_sent, codes_window_started_at)
      values (${subject.id}, '+447700900123', now(), '+447700900456', ${'a'.repeat(64)}, now() + interval '10 minutes', 1, now())`,
  'sign_in_devices.user_id': ({ subject }) =>
    sql()`insert into sign_in_devices (id, user_id, device_key, device_name) values (${randomUUID()}, ${subject.id}, ${randomUUID()}, 'Chrome on Android')`,
  // Third-party apps: the friend's app, which the subject tests, authorised and was read by.
  'apps.developer_id': ({ subject }) => seedApp(subject.id),
  'apps.reviewed_by': async ({ subject, friend }) => {
    const id = await seedApp(friend.id)
    await sql()`update apps set status = 'public', reviewed_by = ${subject.id}, reviewed_at = now() where id = ${id}`
  },
  'app_testers.user_id': async ({ subject, friend }) => sql()`insert into app_testers (app_id, user_id) values (${await seedApp(friend.id)}, ${subject.id})`,
  'app_authorisations.user_id': async ({ subject, friend }) =>
    sql()`insert into app_authorisations (app_id, user_id, scopes) values (${await seedApp(friend.id)}, ${subject.id}, '{openid,talks:read}')`,
  'app_data_reads.user_id': async ({ subject, friend }) =>
    sql()`insert into app_data_reads (id, app_id, user_id, what) values (${randomUUID()}, ${await seedApp(friend.id)}, ${subject.id}, 'your clubs')`,
  'oauth_records.user_id': ({ subject }) =>
    sql()`insert into oauth_records (kind, id, payload, user_id, client_id, grant_id, expires_at)
      values ('AccessToken', ${randomUUID()}, ${JSON.stringify({ accountId: subject.id })}::jsonb, ${subject.id}, 'rounds_seeded', ${randomUUID()}, now() + interval '1 hour')`,
  'nominees.user_id': ({ subject }) =>
    sql()`insert into nominees (user_id, name, email, relationship) values (${subject.id}, 'Sam Nominee', 'sam@family.test', 'spouse')`,
  'data_requests.user_id': ({ subject }) =>
    sql()`insert into data_requests (id, user_id, kind, status, due_at, details) values (${randomUUID()}, ${subject.id}, 'correction', 'received', now(), ${JSON.stringify({ field: 'date_of_birth', requested: 'Zyxwquv born 1980-02-03' })}::jsonb)`,
  // The subject is also a privacy officer, so the staff columns point at them too.
  'data_requests.handled_by': async ({ subject, friend }) => {
    const id = randomUUID()
    await sql()`insert into data_requests (id, user_id, kind, status, due_at, handled_by, resolution)
      values (${id}, ${friend.id}, 'correction', 'completed', now(), ${subject.id}, 'Fixed.')`
    await sql()`insert into data_request_events (id, request_id, actor_id, action) values (${randomUUID()}, ${id}, ${subject.id}, 'completed')`
  },
  'data_request_events.actor_id': async () => {},
  'legal_holds.user_id': ({ subject, staff }) =>
    sql()`insert into legal_holds (id, user_id, reason, set_by, released_at, released_by) values (${randomUUID()}, ${subject.id}, 'An old claim', ${staff.id}, now(), ${staff.id})`,
  'legal_holds.set_by': ({ subject, friend }) =>
    sql()`insert into legal_holds (id, user_id, reason, set_by, released_at, released_by) values (${randomUUID()}, ${friend.id}, 'Released claim', ${subject.id}, now(), ${subject.id})`,
  'legal_holds.released_by': async () => {},
  'personal_data_access_log.subject_user_id': ({ subject, staff }) =>
    sql()`insert into personal_data_access_log (id, subject_user_id, staff_id, reason) values (${randomUUID()}, ${subject.id}, ${staff.id}, 'Checking the export request')`,
  'personal_data_access_log.staff_id': ({ subject, friend }) =>
    sql()`insert into personal_data_access_log (id, subject_user_id, staff_id, reason) values (${randomUUID()}, ${friend.id}, ${subject.id}, 'Checking a correction')`,
  // The subject was told of an incident; as an officer recorded another and reported it to the Board.
  'privacy_incident_recipients.user_id': async ({ subject, staff }) => {
    const id = await seedIncident(staff.id)
    await sql()`insert into privacy_incident_recipients (incident_id, user_id) values (${id}, ${subject.id})`
  },
  'privacy_incidents.recorded_by': ({ subject }) => seedIncident(subject.id),
  'privacy_incidents.board_reported_by': async () => {},
  // The subject is a verified doctor, and as a verifier decided the friend's application.
  'doctor_verifications.user_id': ({ subject, staff }) =>
    sql()`insert into doctor_verifications (id, user_id, status, council, registration_year, number_cipher, number_masked, method, decided_at, decided_by, verified_at)
      values (${randomUUID()}, ${subject.id}, 'verified', 'nmc', 2010, 'c2VhbGVk', '•••• 5678', 'document', now(), ${staff.id}, now())`,
  'doctor_verifications.decided_by': ({ subject, friend }) =>
    sql()`insert into doctor_verifications (id, user_id, status, council, registration_year, number_cipher, number_masked, decided_at, decided_by, reason)
      values (${randomUUID()}, ${friend.id}, 'rejected', 'delhi', 2012, 'c2VhbGVk', '•••• 1234', now(), ${subject.id}, 'Not found in the register')`,
  'staff_duties.user_id': ({ subject, staff }) => sql()`insert into staff_duties (user_id, duty, granted_by) values (${subject.id}, 'verifier', ${staff.id})`,
  'staff_duties.granted_by': ({ subject, friend }) => sql()`insert into staff_duties (user_id, duty, granted_by) values (${friend.id}, 'verifier', ${subject.id})`,
  // Moderation: the subject reported the friend's comment, was reported, held back, warned and
  // limited, appealed; and as a moderator warned the friend and added a watched word.
  'moderation_reports.reporter_id': ({ subject, friend, friendCommentId }) =>
    sql()`insert into moderation_reports (id, reporter_id, item_kind, item_id, author_id, reason, details)
      values (${randomUUID()}, ${subject.id}, 'comment', ${friendCommentId}, ${friend.id}, 'spam', 'Selling things')`,
  'moderation_reports.author_id': ({ subject, friend }) =>
    sql()`insert into moderation_reports (id, reporter_id, item_kind, item_id, author_id, reason) values (${randomUUID()}, ${friend.id}, 'person', ${subject.id}, ${subject.id}, 'impersonation')`,
  'moderation_holds.author_id': ({ subject }) =>
    sql()`insert into moderation_holds (item_kind, item_id, author_id, state, reason) values ('person', ${subject.id}, ${subject.id}, 'hidden', 'Reported')`,
  'moderation_actions.author_id': ({ subject, staff }) =>
    sql()`insert into moderation_actions (id, action, item_kind, item_id, author_id, actor_id, reason, appeal_by)
      values (${randomUUID()}, 'warn', 'person', ${subject.id}, ${subject.id}, ${staff.id}, 'Keep it civil', now() + interval '30 days')`,
  'moderation_actions.actor_id': ({ subject, friend, friendCommentId }) =>
    sql()`insert into moderation_actions (id, action, item_kind, item_id, author_id, actor_id, reason) values (${randomUUID()}, 'warn', 'comment', ${friendCommentId}, ${friend.id}, ${subject.id}, 'Keep it civil')`,
  'moderation_appeals.author_id': async ({ subject, staff }) => {
    const actionId = randomUUID()
    await sql()`insert into moderation_actions (id, action, author_id, actor_id, reason, until, appeal_by)
      values (${actionId}, 'limit', ${subject.id}, ${staff.id}, 'Too many posts', now() + interval '3 days', now() + interval '30 days')`
    await sql()`insert into moderation_appeals (id, action_id, author_id, body) values (${randomUUID()}, ${actionId}, ${subject.id}, 'I was answering questions')`
  },
  'account_restrictions.user_id': ({ subject }) =>
    sql()`insert into account_restrictions (user_id, posting_limited_until) values (${subject.id}, now() + interval '3 days') on conflict do nothing`,
  'watched_words.created_by': ({ subject }) =>
    sql()`insert into watched_words (id, pattern, action, created_by) values (${randomUUID()}, ${'erasable-' + randomUUID().slice(0, 8)}, 'flag', ${subject.id})`,
  // Advertising: the subject acts for an advertiser, entered a campaign, was shown and clicked an
  // ad, hid an advertiser; as staff approved another advertiser and reviewed a campaign.
  'advertisers.created_by': ({ subject, staff }) => seedAdvertiser(subject.id, staff.id),
  'advertisers.decided_by': ({ subject, friend }) => seedAdvertiser(friend.id, subject.id),
  'advertiser_members.user_id': async ({ subject, staff }) => {
    const advertiserId = await seedAdvertiser(staff.id, staff.id)
    await sql()`insert into advertiser_members (advertiser_id, user_id) values (${advertiserId}, ${subject.id})`
  },
  'ad_campaigns.created_by': async ({ subject, staff }) => seedCampaign(await seedAdvertiser(staff.id, staff.id), subject.id, staff.id),
  'ad_campaigns.reviewed_by': async ({ subject, friend }) => seedCampaign(await seedAdvertiser(friend.id, friend.id), friend.id, subject.id),
  'ad_events.user_id': async ({ subject, staff }) => {
    const campaignId = await seedCampaign(await seedAdvertiser(staff.id, staff.id), staff.id, staff.id)
    await sql()`insert into ad_events (campaign_id, user_id, day_token, kind, placement, sponsor_name, speciality, region, day)
      values (${campaignId}, ${subject.id}, 'token-a', 'impression', 'home', 'Acme Cardio', 'Cardiology', 'Asia', current_date),
             (${campaignId}, ${subject.id}, 'token-a', 'click', 'home', 'Acme Cardio', 'Cardiology', 'Asia', current_date)`
  },
  'ad_hidden_advertisers.user_id': async ({ subject, staff }) =>
    sql()`insert into ad_hidden_advertisers (user_id, advertiser_id) values (${subject.id}, ${await seedAdvertiser(staff.id, staff.id)})`,
}

async function seedIncident(officerId: string) {
  const id = randomUUID()
  await sql()`insert into privacy_incidents (id, title, what_happened, found_at, data_kinds, what_we_did, what_you_can_do, audience, affected_count, recorded_by, board_due_at, board_reported_at, board_reported_by)
    values (${id}, 'Mail sent to the wrong list', 'A reminder went to the wrong club.', now(), ${['email']}, 'We recalled the mail.', 'Nothing: no action is needed.',
      ${JSON.stringify({ kind: 'emails', listed: 1 })}::jsonb, 1, ${officerId}, now() + interval '72 hours', now(), ${officerId})`
  return id
}

async function seedAdvertiser(createdBy: string, decidedBy: string) {
  const id = randomUUID()
  await sql()`insert into advertisers (id, name, website, status, created_by, decided_by, decided_at)
    values (${id}, 'Acme Cardio', 'https://acme.example', 'approved', ${createdBy}, ${decidedBy}, now())`
  return id
}

async function seedCampaign(advertiserId: string, createdBy: string, reviewedBy: string) {
  const id = randomUUID()
  await sql()`insert into ad_campaigns (id, advertiser_id, name, headline, body, image_path, image_alt, landing_url, sponsor_name, starts_at, ends_at, daily_cap, status, created_by, reviewed_by, reviewed_at)
    values (${id}, ${advertiserId}, 'Launch', 'A better stent', 'Read the trial.', 'ad.webp', 'A stent', 'https://acme.example', 'Acme Cardio', now(), now() + interval '7 days', 100, 'approved', ${createdBy}, ${reviewedBy}, now())`
  return id
}

/** Builds the world: clubs, talks, memberships; then runs every seeder. */
export async function buildWorld(people: Pick<World, 'subject' | 'admin' | 'friend' | 'otherOwner' | 'staff'>): Promise<World> {
  const { subject, admin, friend, otherOwner, staff } = people
  await sql()`update users set role = 'staff' where id in (${subject.id}, ${staff.id})`
  const ownedClub = await createTestClub(subject, { name: 'Erasable Owned Club' })
  const lonelyClub = await createTestClub(subject, { name: 'Erasable Lonely Club' })
  const otherClub = await createTestClub(otherOwner, { name: 'Other Owner Club' })
  // Joined in this order: the admin is the longest-standing admin.
  await sql()`insert into club_members (club_id, user_id, role, joined_at) values
    (${ownedClub.id}, ${friend.id}, 'member', now() - interval '10 days'),
    (${ownedClub.id}, ${admin.id}, 'admin', now() - interval '5 days'),
    (${otherClub.id}, ${subject.id}, 'member', now()),
    (${otherClub.id}, ${friend.id}, 'member', now())`
  const hosted = await createTalk({ clubId: ownedClub.id, hostId: subject.id, status: 'ended', title: 'Hosted by the subject' })
  const other = await createTalk({ clubId: otherClub.id, hostId: otherOwner.id, status: 'live', title: 'Other talk' })
  const friendCommentId = randomUUID()
  await sql()`insert into talk_comments (id, talk_id, user_id, body) values (${friendCommentId}, ${hosted.id}, ${friend.id}, 'Great talk')`
  await sql()`insert into talk_comments (id, talk_id, user_id, body) values (${randomUUID()}, ${other.id}, ${friend.id}, 'Agree')`
  const world: World = {
    ...people,
    ownedClub,
    lonelyClub,
    otherClub,
    hostedTalk: hosted.id,
    otherTalk: other.id,
    friendCommentId,
  }
  for (const seed of Object.values(seeders)) await seed(world)
  return world
}

/** Rows in each "table.column" that point at the person. */
export async function countReferences(columns: { table: string; column: string }[], userId: string) {
  const counts: Record<string, number> = {}
  for (const c of columns) {
    const [row] = await rawSql().unsafe<{ n: number }[]>(`select count(*)::int as n from "${c.table}" where "${c.column}" = $1`, [userId])
    counts[`${c.table}.${c.column}`] = row.n
  }
  return counts
}

/** Every text, JSON or array column in the public schema that contains `needle`, with counts. */
export async function findEverywhere(needle: string, options: { skipTables?: string[] } = {}) {
  const columns = await rawSql()<{ table_name: string; column_name: string }[]>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and (c.data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'USER-DEFINED'))`
  const found: Record<string, number> = {}
  for (const c of columns) {
    if (options.skipTables?.includes(c.table_name)) continue
    const [row] = await rawSql().unsafe<{ n: number }[]>(
      `select count(*)::int as n from "${c.table_name}" where "${c.column_name}"::text ilike $1`,
      [`%${needle}%`],
    )
    if (row.n > 0) found[`${c.table_name}.${c.column_name}`] = row.n
  }
  return found
}
