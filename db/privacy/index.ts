/*
 * The privacy centre's rules: each person's settings, and the checks other
 * modules call before they process personal data (recommendations, ads,
 * analytics, messages). Visibility of people (deactivation, list settings) and
 * who may invite whom are written in db/access/people.ts.
 *
 * settings.ts       profile visibility, search, lists, invitations, objections
 * cookies.ts        cookie consent, and whether activity may be recorded
 * ads.ts            ad preferences and inferred interests
 * communication.ts  what may be sent on which channel; unsubscribe links
 * policies.ts       policy versions, publishing them, acknowledgements, notices
 * incidents.ts      personal-data incidents, who they concern, the report to the Board
 * access-log.ts     every time staff opened someone's data, for the privacy office
 * fan-out.ts        one notice to many people in one statement
 * nominee.ts        the nominee
 * deactivation.ts   deactivation and reactivation
 *
 * Routes, the server and tests import this module only.
 */
export * from '../privacy-choices'
export { getPrivacySettings, updatePrivacySettings, type PrivacySettings, type PrivacySettingsUpdate } from './settings'
export {
  COOKIE_CATEGORIES,
  COOKIE_POLICY_VERSION,
  analyticsAllowedSql,
  getCookieConsent,
  saveCookieConsent,
  type ConsentHolder,
  type CookieCategory,
  type CookieChoices,
  type CookieConsent,
} from './cookies'
export {
  getAdPreferences,
  inferAdInterests,
  personalisedAdsAllowed,
  removeAdInterest,
  setPersonalisedAds,
  type AdInterest,
  type AdPreferences,
} from './ads'
export {
  getCommunicationPreferences,
  mayMessage,
  unsubscribeByToken,
  unsubscribeTokenUsed,
  updateCommunicationPreferences,
  userIdByEmail,
  type CommunicationChoices,
  type CommunicationPreferences,
  type UnsubscribeClaims,
} from './communication'
export {
  POLICY_NOTICE,
  acknowledgePolicy,
  acknowledgedVersions,
  createPolicyVersion,
  currentPolicy,
  diffPolicyText,
  getPolicyVersion,
  listPolicyVersions,
  listUnreadNotices,
  nextPolicyVersion,
  normalisePolicyText,
  policyToAcknowledgeSql,
  previewPolicyChange,
  publishPolicy,
  type Notice,
  type PolicyDiffLine,
  type PolicyInput,
  type PolicyPreview,
  type PolicyVersion,
  type PublishInput,
} from './policies'
export {
  INCIDENT_DATA_KINDS,
  BOARD_REPORT_HOURS,
  countIncidentAudience,
  getIncidentForStaff,
  listIncidentsForStaff,
  listMyIncidents,
  recordBoardReport,
  recordIncident,
  type AudienceQuery,
  type IncidentAudience,
  type IncidentDataKind,
  type IncidentInput,
  type MyIncident,
  type StaffIncident,
} from './incidents'
export { listStaffAccessLog, type AccessLogFilter, type AccessLogRow } from './access-log'
export { getNominee, removeNominee, saveNominee, type Nominee, type NomineeInput } from './nominee'
export { deactivateAccount, isDeactivated, passwordHashOf, reactivateAccount } from './deactivation'
