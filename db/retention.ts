/*
 * What happens to each piece of data about a person when they export or erase
 * their account, and what erasure keeps and why.
 *
 * Every column that points at a person is listed in `userColumns`, keyed
 * "table.column". The list of such columns is read from the database catalogue
 * (db/data-rights.ts `listUserColumns`: foreign keys to users(id), plus text
 * columns named like user ids), so a new table is found by itself: erasure
 * refuses to run, and tests/db/data-rights-erasure.test.ts fails, until the new
 * column has a rule here.
 */

export type ErasureAction =
  /** Rows about the person are deleted. */
  | 'delete'
  /** The column is emptied; the row is someone else's (a club's log, a comment they moderated) and stays. */
  | 'clear'
  /** The thing belongs to a club: it passes to the club's (new) owner, recorded in the club's audit log. */
  | 'hand-over'
  /** The row stays, with nothing left that identifies the person (see retentionList). */
  | 'anonymise'
  /** The users row itself: deleted, or anonymised while a legal hold is active. */
  | 'account'
  /** Named like a person reference (`sort_by`…) but holds none; say so in `note`. */
  | 'not-a-person'

export type ColumnRule = {
  erase: ErasureAction
  /** Kept unchanged while a legal hold is active on the person. */
  keptUnderHold?: true
  /** Rows matched by this column are left out of the export, for this reason. */
  exportExcluded?: string
  /** With 'clear': other columns of the same rows to empty too (free text that could name the person). */
  alsoClear?: string[]
  note?: string
}

const othersRows = 'These rows are about other people (what you did to them as a moderator or host); your own actions are in the club audit log section.'

export const userColumns: Record<string, ColumnRule> = {
  // Account and sign-in
  'users.id': { erase: 'account', keptUnderHold: true },
  'profiles.user_id': { erase: 'delete' },
  'sessions.user_id': { erase: 'delete' },
  'oauth_accounts.user_id': { erase: 'delete' },
  'access_changes.user_id': {
    erase: 'delete',
    exportExcluded: 'Notes telling the live rooms that your access changed (a removal, a new role); each is deleted within an hour.',
  },
  'email_verifications.user_id': { erase: 'delete' },
  'password_resets.user_id': { erase: 'delete' },
  'email_changes.user_id': { erase: 'delete' },
  // Social graph
  'follows.follower_id': { erase: 'delete' },
  'follows.followee_id': { erase: 'delete' },
  'person_relations.user_id': { erase: 'delete' },
  'person_relations.other_id': {
    erase: 'delete',
    exportExcluded: 'Whether another member blocked or muted you is their choice, and Rounds does not tell you of it.',
  },
  // Clubs
  'clubs.owner_id': { erase: 'hand-over' },
  'club_members.user_id': { erase: 'delete' },
  'club_follows.user_id': { erase: 'delete' },
  'club_invitations.user_id': { erase: 'delete' },
  'club_invitations.invited_by': { erase: 'clear', exportExcluded: othersRows },
  'club_invite_links.created_by': { erase: 'clear' },
  'club_bans.user_id': { erase: 'delete' },
  'club_bans.banned_by': { erase: 'clear', exportExcluded: othersRows },
  'club_audit_log.actor_id': { erase: 'clear', keptUnderHold: true },
  'club_audit_log.target_user_id': { erase: 'clear', keptUnderHold: true },
  // Talks and live rooms
  'talks.host_id': { erase: 'hand-over' },
  'talk_rsvps.user_id': { erase: 'delete' },
  'talk_roles.user_id': { erase: 'delete' },
  'talk_stage.user_id': { erase: 'delete' },
  'talk_stage.invited_by': { erase: 'clear', exportExcluded: othersRows },
  'talk_removals.user_id': { erase: 'delete' },
  'talk_removals.removed_by': { erase: 'clear', exportExcluded: othersRows },
  'talk_comments.user_id': { erase: 'delete', keptUnderHold: true },
  'talk_comments.deleted_by': { erase: 'clear', exportExcluded: othersRows },
  'talk_questions.user_id': { erase: 'delete', keptUnderHold: true },
  'talk_question_votes.user_id': { erase: 'delete' },
  'talk_attendance.user_id': { erase: 'delete' },
  // Certificates: the row stays without the person, so its number answers "no longer available"
  // rather than looking forged (docs/decisions/029-attendance-certificates.md).
  'attendance_certificates.user_id': { erase: 'clear', alsoClear: ['holder_name', 'revoke_reason'] },
  'attendance_certificates.revoked_by': { erase: 'clear', exportExcluded: othersRows },
  'talk_certificate_settings.updated_by': { erase: 'clear', exportExcluded: 'Certificate settings you chose as a club admin are the club’s.' },
  // Recordings: consent rows are deleted like comments (kept as evidence under a hold); the stage
  // log loses the person, so a recording's speaker timeline no longer names them.
  'recording_consents.user_id': { erase: 'delete', keptUnderHold: true },
  'stage_events.user_id': { erase: 'delete' },
  'recordings.started_by': { erase: 'clear' },
  'quizzes.author_id': { erase: 'hand-over' },
  // The answer stays, unlinked, so a quiz's tallies and a survey's results stay right without the
  // person; a typed answer (survey text) could name them, so it goes.
  'quiz_answers.user_id': { erase: 'clear', alsoClear: ['body'], keptUnderHold: true },
  // Privacy choices (privacy centre, part 1)
  'privacy_settings.user_id': { erase: 'delete' },
  'cookie_consents.user_id': { erase: 'delete' },
  'activity_events.user_id': { erase: 'delete' },
  'ad_interests.user_id': { erase: 'delete' },
  // Advertising (docs/ads.md): per-person ad events go; daily totals hold no one and stay.
  'ad_events.user_id': { erase: 'delete' },
  'ad_hidden_advertisers.user_id': { erase: 'delete' },
  'advertiser_members.user_id': { erase: 'delete' },
  'advertisers.created_by': { erase: 'clear', exportExcluded: 'The organisation’s record belongs to the advertiser; your membership of it is in its own section.' },
  'advertisers.decided_by': { erase: 'clear', exportExcluded: 'Advertisers you approved or rejected as staff are the organisations’ records.' },
  'ad_campaigns.created_by': { erase: 'clear', exportExcluded: 'Campaigns belong to the advertiser, not to the person who entered them.' },
  'ad_campaigns.reviewed_by': { erase: 'clear', exportExcluded: 'Campaigns you reviewed as staff are the advertisers’ records.' },
  'communication_preferences.user_id': { erase: 'delete' },
  'unsubscribe_token_uses.user_id': { erase: 'delete' },
  'policy_acknowledgements.user_id': { erase: 'delete' },
  'notifications.user_id': { erase: 'delete' },
  'notification_deliveries.user_id': { erase: 'delete' },
  'reminder_choices.user_id': { erase: 'delete' },
  'email_digest_choices.user_id': { erase: 'delete' },
  'push_subscriptions.user_id': { erase: 'delete' },
  'sign_in_devices.user_id': { erase: 'delete' },
  'phone_numbers.user_id': { erase: 'delete' },
  // Third-party apps (docs/apps.md): erasure revokes every grant and deletes every token; an erased
  // developer's apps go with them (their users' grants and tokens with the apps).
  'app_authorisations.user_id': { erase: 'delete' },
  'app_data_reads.user_id': { erase: 'delete' },
  'app_testers.user_id': { erase: 'delete' },
  'oauth_records.user_id': { erase: 'delete' },
  'apps.developer_id': { erase: 'delete' },
  'apps.reviewed_by': { erase: 'clear', exportExcluded: 'Apps you reviewed as staff are their developers’ records.' },
  'nominees.user_id': { erase: 'delete' },
  // Data rights
  'data_requests.user_id': { erase: 'anonymise' },
  'data_requests.handled_by': {
    erase: 'clear',
    exportExcluded: 'Requests you handled as a privacy officer are other people’s requests.',
  },
  'data_request_events.actor_id': {
    erase: 'clear',
    exportExcluded: 'The history of your own requests is in the requests_history section; other events are other people’s requests.',
  },
  'legal_holds.user_id': { erase: 'delete', keptUnderHold: true },
  'legal_holds.set_by': { erase: 'clear', exportExcluded: 'Holds you placed as a privacy officer concern other people.' },
  'legal_holds.released_by': { erase: 'clear', exportExcluded: 'Holds you released as a privacy officer concern other people.' },
  // Verified doctors: the application goes with the account (its document file with it, see
  // server/jobs/erasure.ts); a verifier's decisions about others stay, without the verifier.
  'doctor_verifications.user_id': { erase: 'delete' },
  'doctor_verifications.decided_by': {
    erase: 'clear',
    exportExcluded: 'Applications you decided as a verifier are other doctors’ data.',
  },
  // Moderation. Reports the person made stay, without them, so an open one is still decided;
  // reports about them, holds and decisions about them go with their content — except an open
  // report, which stays without them, its item kept until decided (db/moderation/kept.ts).
  // Decisions they made as a moderator stay in the log, without them.
  'moderation_reports.reporter_id': { erase: 'clear', alsoClear: ['details'] },
  'moderation_reports.author_id': {
    erase: 'delete',
    exportExcluded: 'Reports about what you wrote say who made them, and Rounds never tells; what moderators decided about it is in the moderation_actions section.',
  },
  'moderation_holds.author_id': { erase: 'delete' },
  'moderation_actions.author_id': { erase: 'delete', keptUnderHold: true },
  'moderation_actions.actor_id': { erase: 'clear', exportExcluded: 'Decisions you made as a moderator concern other people’s content.' },
  'moderation_appeals.author_id': { erase: 'delete', keptUnderHold: true },
  'account_restrictions.user_id': { erase: 'delete' },
  'watched_words.created_by': { erase: 'clear', exportExcluded: 'The watched-words list is staff’s, not yours.' },
  'staff_duties.user_id': { erase: 'delete' },
  'staff_duties.granted_by': { erase: 'clear', exportExcluded: 'Duties you granted concern other members of staff.' },
  'personal_data_access_log.subject_user_id': { erase: 'delete', keptUnderHold: true },
  'personal_data_access_log.staff_id': {
    erase: 'clear',
    exportExcluded: 'Your views of other people’s data as a privacy officer are their data; they stay in the staff audit trail.',
  },
  // Personal-data incidents: who was told stays while a hold needs it; an officer's own entries
  // concern other people.
  'privacy_incident_recipients.user_id': { erase: 'delete', keptUnderHold: true },
  'privacy_incidents.recorded_by': { erase: 'clear', exportExcluded: 'Incidents you recorded as a privacy officer concern other people.' },
  'privacy_incidents.board_reported_by': { erase: 'clear', exportExcluded: 'Reports to the Board you recorded as a privacy officer concern other people.' },
}

/** Whole tables left out of the export, and why. */
export const exportExcludedTables: Record<string, string> = {
  oauth_records:
    'Live codes and tokens of the apps you connected: secrets that would let anyone holding the file act as those apps. Your connected apps and what each may do are in app_authorisations.',
  legal_holds:
    'Whether a legal hold is placed on an account is not disclosed while it is active, as disclosure could harm the claim or investigation it protects (GDPR art. 23(1)).',
}

/** Columns removed from exported rows, and why. */
export const exportRedactedColumns: Record<string, string> = {
  'users.password_hash': 'A one-way scramble of your password: of no use to you, and a risk if the file leaks.',
  'sessions.id': 'A scramble of the secret that keeps a device signed in.',
  'apps.secret_salt': 'Part of the recipe for your app’s client secret; of no use without Rounds’ own key.',
  'email_verifications.code_hash': 'A scramble of a one-time sign-up code.',
  'password_resets.code_hash': 'A scramble of a one-time password reset code.',
  'password_resets.token_hash': 'A scramble of the secret in a password reset link.',
  'email_changes.code_hash': 'A scramble of the one-time code that confirmed a new email address.',
  'club_invite_links.token': 'The secret part of an invite link: anyone holding it could join the club.',
  'unsubscribe_token_uses.token_id': 'The secret part of an unsubscribe link.',
  'ad_events.day_token': 'A scramble used only to count distinct doctors on one day; its key is deleted once the day is over.',
  'push_subscriptions.endpoint': 'The secret address a push service gave your browser: anyone holding it could send it notices.',
  'push_subscriptions.auth': 'The secret your browser decrypts push notices with.',
  'sign_in_devices.device_key': 'A scramble of the device name (already in the export).',
  'phone_numbers.code_hash': 'A scramble of the confirmation code we texted you, kept until it is used or a new one replaces it.',
  'data_requests.export_file': 'The name of the file on our server.',
  'doctor_verifications.number_cipher': 'Your registration number, encrypted; number_masked shows its last four characters.',
  'doctor_verifications.document_path': 'The name of your document’s file on our server (deleted once your application was decided).',
  'moderation_actions.actor_id': 'Which moderator decided is not disclosed, so moderators can decide without pressure.',
  'moderation_reports.author_id': 'Who wrote what you reported: the report names the item by its kind and id.',
  'profiles.search_card': 'A search index built from your name and speciality (already in the export).',
  'profiles.search_full': 'A search index built from your profile (already in the export).',
  'profiles.search_card_text': 'A search index built from your name and speciality (already in the export).',
  'profiles.search_full_text': 'A search index built from your profile (already in the export).',
  'clubs.search_text': 'A search index built from the club’s name (already in the export).',
  'clubs.search_doc': 'A search index built from the club’s name and description (already in the export).',
  'talks.search_doc': 'A search index built from the talk’s title and description (already in the export).',
}

export type Retained = {
  table: string
  what: string
  why: string
  /** 'always'; only while a legal hold is active on the account; or only when an open report named something of theirs. */
  when: 'always' | 'legal-hold' | 'open-report'
}

/** What erasure keeps. Shown on every erasure receipt (filtered by whether a hold applied). */
export const retentionList: Retained[] = [
  {
    table: 'data_requests',
    what: 'The record that you asked for erasure (and any other request): its kind, dates and status, without your account, your email or what you wrote.',
    why: 'We must be able to show that we handled each data-rights request and when (GDPR arts. 5(2) and 12).',
    when: 'always',
  },
  {
    table: 'data_request_events',
    what: 'The history of those requests (received, started, completed), without notes.',
    why: 'Same reason: the audit trail of how a request was handled.',
    when: 'always',
  },
  {
    table: 'erasure_receipts',
    what: 'This receipt: table names and counts only.',
    why: 'So you can read it once from the link we emailed; it holds nothing about you.',
    when: 'always',
  },
  {
    table: 'club_audit_log',
    what: 'Entries in club audit logs stay, with your name removed from them.',
    why: 'Club admins need an intact record of what happened in their club.',
    when: 'always',
  },
  {
    table: 'search_outbox',
    what: 'A note of your account id telling the search index to drop your profile.',
    why: 'The search index needs it to forget you; it is deleted as soon as the index has done so.',
    when: 'always',
  },
  {
    table: 'quiz_answers',
    what: 'Your answers to quizzes, polls and surveys (choices, ratings, scores), with nothing left that links them to you; any text you typed is deleted.',
    why: 'So the results the creators already saw (counts per option, averages) stay correct.',
    when: 'always',
  },
  {
    table: 'recordings',
    what: 'Recordings of talks you spoke in, as one mixed audio file per talk; your consents and the record of when you were on stage are deleted, so the recording no longer names you.',
    why: 'The recording is the talk’s, shared by its creator with the people who attended; your voice cannot be cut out of the mix. Ask the talk’s creator to delete the recording if you need it gone.',
    when: 'always',
  },
  {
    table: 'attendance_certificates',
    what: 'The certificates you were issued, without your name: the number, the talk, its date and the minutes. Checking the number says the certificate is no longer available.',
    why: 'So a number printed on a certificate is answered honestly instead of looking forged; nothing in it links to you.',
    when: 'always',
  },
  {
    table: 'moderation_reports',
    what: 'Reports you made of other people’s content, without your name or the details you wrote.',
    why: 'A report still open is decided by a moderator, and the content it names is kept until then; decided ones keep the moderation record whole.',
    when: 'always',
  },
  {
    table: 'moderation_kept_items',
    what: 'What you wrote that someone had reported and a moderator had not yet decided on (a comment, a question, your profile text, a page): a copy of its words and where they were said, linked to no one, which only the moderators deciding the reports can read. It is shown nowhere else.',
    why: 'Content under an open report is kept until decided, so a report made before your erasure can still be decided. The copy is deleted the moment a moderator decides the last open report about it, whatever they decide; the erasure is complete then.',
    when: 'open-report',
  },
  {
    table: 'moderation_actions',
    what: 'Moderation decisions you made about other people’s content, without your name.',
    why: 'The moderation log is append-only: authors appeal against it and moderators read it.',
    when: 'always',
  },
  {
    table: 'users',
    what: 'An account row with the email, password and date of birth replaced, so held items can be linked to it.',
    why: 'A legal hold (for a claim or an investigation) requires the held items to stay attributable.',
    when: 'legal-hold',
  },
  {
    table: 'talk_comments',
    what: 'Your comments in live rooms.',
    why: 'Held as evidence under the legal hold.',
    when: 'legal-hold',
  },
  {
    table: 'talk_questions',
    what: 'Your questions in live rooms.',
    why: 'Held as evidence under the legal hold.',
    when: 'legal-hold',
  },
  {
    table: 'recording_consents',
    what: 'Your consents to be recorded, and their withdrawals, with the time and policy version.',
    why: 'Held as evidence under the legal hold.',
    when: 'legal-hold',
  },
  {
    table: 'club_audit_log',
    what: 'Club audit log entries keep their link to the held account.',
    why: 'Held as evidence under the legal hold.',
    when: 'legal-hold',
  },
  {
    table: 'moderation_actions',
    what: 'Moderation decisions about your content and account, and your appeals.',
    why: 'Held as evidence under the legal hold.',
    when: 'legal-hold',
  },
  {
    table: 'personal_data_access_log',
    what: 'The record of staff who viewed your data.',
    why: 'The investigation may need to show who saw what.',
    when: 'legal-hold',
  },
  {
    table: 'legal_holds',
    what: 'The hold itself.',
    why: 'It says why the items above are kept, and ends when released.',
    when: 'legal-hold',
  },
]

/**
 * What a verification decision keeps once the uploaded document is deleted (db/verification.ts):
 * enough to show the badge, to answer the doctor, and to check the registration again.
 */
export const verificationDecisionKeeps: { what: string; why: string }[] = [
  { what: 'The council (or regulator) and year of registration.', why: 'They are what the badge shows.' },
  { what: 'The registration number, encrypted, and its last four characters.', why: 'To look the registration up again at re-verification or on a complaint; the owner sees it masked.' },
  { what: 'The decision, how it was made (a verifier compared the document with the register), when, by whom, and the reason for a rejection or revocation.', why: 'To show the doctor why, and to account for each decision.' },
]

export const columnKey = (table: string, column: string) => `${table}.${column}`
