/*
 * The recording-consent policy: the exact words a person agrees to before going on the stage
 * of a recorded talk, and its version. One source of truth for the consent dialog (app/) and
 * the consent rows (db/recordings.ts), which store the version agreed to. Browser-safe: no
 * imports, no queries.
 *
 * Changing the text means a new version: consent given to an older version no longer counts.
 */

export const RECORDING_POLICY_VERSION = '2026-11-23'

export const RECORDING_POLICY_TITLE = 'This talk is recorded'

export const RECORDING_POLICY_TEXT = [
  'Your voice, and your camera and screen if you share them, will be recorded while you are on stage.',
  'The recording is kept with the talk. Its creator decides who may watch it: people who attended, members of the club, or anyone who may see the talk.',
  'Do not share anything that identifies a patient unless you have their consent and your institution allows it.',
  'You can withdraw your consent at any time: you leave the stage and are not recorded from then on. What was recorded before stays unless the creator deletes it.',
  'Your consent, its time and this policy version are stored with your account, included in your data export and removed when you erase your account.',
].join('\n\n')

/** The sentence a refusal shows when someone would go on stage without consenting. */
export const CONSENT_REQUIRED_MESSAGE = 'This talk is recorded. Accept the recording consent to go on stage.'
