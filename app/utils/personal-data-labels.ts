/*
 * Words for the privacy office: what a request asked for, and what kinds of data a person has,
 * named as a doctor would name them rather than by table. A table with no entry here is shown
 * under "Other" with its name made readable, so a new table is never hidden.
 */

export const requestKindLabels: Record<string, string> = {
  export: 'Copy of their data',
  correction: 'Correction',
  erasure: 'Erasure',
  nominee: 'Nominee request',
  grievance: 'Grievance',
}

const detailLabels: Record<string, string> = {
  field: 'What to correct',
  requested: 'Correct value, as they gave it',
  note: 'Their note',
  topic: 'Topic',
  message: 'Their message',
  reason: 'Reason',
}

const fieldValues: Record<string, string> = {
  date_of_birth: 'Date of birth',
  email: 'Email address',
  registration: 'Registration number',
  other: 'Something else',
}

export const humanise = (name: string) => {
  const words = name.replace(/[_.-]+/g, ' ').trim()
  return words ? words[0].toUpperCase() + words.slice(1) : name
}

function valueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—'
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return value.map(valueText).join(', ')
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${humanise(k)}: ${valueText(v)}`)
    .join('; ')
}

/** A request's details as labelled fields, in a stable order. */
export function requestDetailFields(details: Record<string, unknown>): { label: string; value: string }[] {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([key, value]) => ({
      label: detailLabels[key] ?? humanise(key),
      value: key === 'field' && typeof value === 'string' ? (fieldValues[value] ?? humanise(value)) : valueText(value),
    }))
}

type Kind = { section: string; label: string }

const tables: Record<string, Kind> = {
  users: { section: 'Account and sign-in', label: 'Account' },
  profiles: { section: 'Account and sign-in', label: 'Profile' },
  sessions: { section: 'Account and sign-in', label: 'Signed-in sessions' },
  sign_in_devices: { section: 'Account and sign-in', label: 'Known devices' },
  oauth_accounts: { section: 'Account and sign-in', label: 'Linked Google accounts' },
  email_verifications: { section: 'Account and sign-in', label: 'Sign-up codes' },
  password_resets: { section: 'Account and sign-in', label: 'Password resets' },
  email_changes: { section: 'Account and sign-in', label: 'Email address changes' },
  doctor_verifications: { section: 'Account and sign-in', label: 'Doctor verification applications' },
  follows: { section: 'People', label: 'Follows (either way)' },
  person_relations: { section: 'People', label: 'Blocks and mutes (either way)' },
  clubs: { section: 'Clubs', label: 'Clubs they own' },
  club_members: { section: 'Clubs', label: 'Club memberships' },
  club_follows: { section: 'Clubs', label: 'Clubs they follow' },
  club_invitations: { section: 'Clubs', label: 'Club invitations' },
  club_invite_links: { section: 'Clubs', label: 'Invite links they made' },
  club_bans: { section: 'Clubs', label: 'Club bans' },
  club_audit_log: { section: 'Clubs', label: 'Club admin log entries' },
  talks: { section: 'Talks and quizzes', label: 'Talks they host' },
  talk_roles: { section: 'Talks and quizzes', label: 'Talk roles (co-host, speaker)' },
  talk_rsvps: { section: 'Talks and quizzes', label: 'Talk RSVPs' },
  talk_attendance: { section: 'Talks and quizzes', label: 'Attendance' },
  talk_comments: { section: 'Talks and quizzes', label: 'Comments' },
  talk_questions: { section: 'Talks and quizzes', label: 'Questions' },
  talk_question_votes: { section: 'Talks and quizzes', label: 'Question votes' },
  talk_stage: { section: 'Talks and quizzes', label: 'Times on stage' },
  stage_events: { section: 'Talks and quizzes', label: 'Stage events' },
  talk_removals: { section: 'Talks and quizzes', label: 'Removals from talks' },
  talk_certificate_settings: { section: 'Talks and quizzes', label: 'Certificate settings' },
  attendance_certificates: { section: 'Talks and quizzes', label: 'Attendance certificates' },
  reminder_choices: { section: 'Talks and quizzes', label: 'Reminder choices' },
  recordings: { section: 'Talks and quizzes', label: 'Recordings' },
  recording_consents: { section: 'Talks and quizzes', label: 'Recording consents' },
  quizzes: { section: 'Talks and quizzes', label: 'Quizzes they wrote' },
  quiz_answers: { section: 'Talks and quizzes', label: 'Quiz answers' },
  privacy_settings: { section: 'Privacy choices', label: 'Privacy settings' },
  cookie_consents: { section: 'Privacy choices', label: 'Cookie choices' },
  communication_preferences: { section: 'Privacy choices', label: 'Message preferences' },
  unsubscribe_token_uses: { section: 'Privacy choices', label: 'Unsubscribe links used' },
  policy_acknowledgements: { section: 'Privacy choices', label: 'Policy versions confirmed' },
  nominees: { section: 'Privacy choices', label: 'Nominee' },
  activity_events: { section: 'Privacy choices', label: 'Recorded activity (with consent)' },
  ad_interests: { section: 'Ads', label: 'Inferred ad interests' },
  ad_events: { section: 'Ads', label: 'Ad views and clicks' },
  ad_hidden_advertisers: { section: 'Ads', label: 'Hidden advertisers' },
  advertisers: { section: 'Ads', label: 'Advertiser accounts' },
  advertiser_members: { section: 'Ads', label: 'Advertiser memberships' },
  ad_campaigns: { section: 'Ads', label: 'Ad campaigns' },
  notifications: { section: 'Notices', label: 'Notifications' },
  notification_deliveries: { section: 'Notices', label: 'Emails, pushes and texts sent' },
  push_subscriptions: { section: 'Notices', label: 'Push subscriptions' },
  phone_numbers: { section: 'Notices', label: 'Phone number for texts' },
  access_changes: { section: 'Notices', label: 'Pending access changes' },
  data_requests: { section: 'Data rights and safety', label: 'Data-rights requests' },
  data_request_events: { section: 'Data rights and safety', label: 'Request history entries' },
  legal_holds: { section: 'Data rights and safety', label: 'Legal holds' },
  personal_data_access_log: { section: 'Data rights and safety', label: 'Staff views of data (either way)' },
  privacy_incident_recipients: { section: 'Data rights and safety', label: 'Incidents they were told of' },
  privacy_incidents: { section: 'Data rights and safety', label: 'Incidents they recorded' },
  moderation_reports: { section: 'Data rights and safety', label: 'Reports (made or about them)' },
  moderation_holds: { section: 'Data rights and safety', label: 'Content held for review' },
  moderation_actions: { section: 'Data rights and safety', label: 'Moderation decisions' },
  moderation_appeals: { section: 'Data rights and safety', label: 'Appeals' },
  account_restrictions: { section: 'Data rights and safety', label: 'Account restrictions' },
  staff_duties: { section: 'Data rights and safety', label: 'Staff duties' },
  watched_words: { section: 'Data rights and safety', label: 'Watched words added' },
}

const sectionOrder = [
  'Account and sign-in',
  'People',
  'Clubs',
  'Talks and quizzes',
  'Privacy choices',
  'Ads',
  'Notices',
  'Data rights and safety',
  'Other',
]

export type DataSection = { title: string; items: { label: string; count: number }[] }

/** What a person has stored, by kind, in sections; kinds with nothing stored are counted, not listed. */
export function personalDataSections(counts: Record<string, number>): { sections: DataSection[]; empty: number } {
  const bySection = new Map<string, { label: string; count: number }[]>()
  let empty = 0
  for (const [table, count] of Object.entries(counts)) {
    if (count === 0) {
      empty++
      continue
    }
    const kind = tables[table] ?? { section: 'Other', label: humanise(table) }
    bySection.set(kind.section, [...(bySection.get(kind.section) ?? []), { label: kind.label, count }])
  }
  const sections = sectionOrder
    .filter((title) => bySection.has(title))
    .map((title) => ({ title, items: bySection.get(title)!.sort((a, b) => a.label.localeCompare(b.label)) }))
  return { sections, empty }
}
