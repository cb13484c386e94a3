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
 * policies.ts       policy versions, acknowledgements, notices
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
  getPolicyVersion,
  listAccountsAfter,
  listPolicyVersions,
  listUnreadNotices,
  type Notice,
  type PolicyInput,
  type PolicyVersion,
} from './policies'
export { getNominee, removeNominee, saveNominee, type Nominee, type NomineeInput } from './nominee'
export { deactivateAccount, isDeactivated, passwordHashOf, reactivateAccount } from './deactivation'
