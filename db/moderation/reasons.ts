/**
 * Report reasons and moderation actions in words, for the report forms, the queue and the
 * notices. Free of database code, so components import it directly (`#db/moderation/reasons`).
 * The enums themselves are the schema's (db/schema/moderation.ts).
 */

export const reportReasonLabel = {
  patient_information: 'Identifies a patient',
  misinformation: 'Medical misinformation',
  undisclosed_promotion: 'Promotion without disclosure',
  impersonation: 'Impersonation',
  harassment: 'Harassment or abuse',
  spam: 'Spam',
  other: 'Something else',
  watched_word: 'Flagged by the watched-words list',
} as const

export type ReportReason = keyof typeof reportReasonLabel

/** The reasons a person may choose (the watched-words list raises its own). */
export const chosenReasons = [
  'patient_information',
  'misinformation',
  'undisclosed_promotion',
  'impersonation',
  'harassment',
  'spam',
  'other',
] as const satisfies readonly ReportReason[]

export const itemKindLabel = {
  person: 'profile',
  comment: 'comment',
  question: 'question',
  talk: 'talk',
  club: 'club',
  quiz: 'quiz',
} as const

export type ItemKind = keyof typeof itemKindLabel

/** What a moderator may decide about an item (the log also records 'hide' and appeal decisions). */
export const moderatorActions = ['dismiss', 'restore', 'remove', 'warn', 'limit', 'suspend', 'ban_from_club'] as const
export type ModeratorAction = (typeof moderatorActions)[number]

export const moderatorActionLabel: Record<ModeratorAction | 'hide' | 'appeal_upheld' | 'appeal_overturned', string> = {
  dismiss: 'Dismissed the reports',
  restore: 'Restored',
  remove: 'Removed',
  warn: 'Warned',
  limit: 'Limited posting',
  suspend: 'Suspended the account',
  ban_from_club: 'Banned from the club',
  hide: 'Hidden until reviewed',
  appeal_upheld: 'Appeal turned down',
  appeal_overturned: 'Appeal accepted',
}

/** Longest report details and appeal, in characters. */
export const DETAILS_MAX = 1000
export const REASON_MAX = 500
/** Posting limits, in days. */
export const LIMIT_DAYS_MAX = 90
/** How long an author may appeal a decision. */
export const APPEAL_DAYS = 30

/** Every kind of item, for forms that name one. */
export const moderationKinds = ['person', 'comment', 'question', 'talk', 'club', 'quiz'] as const satisfies readonly ItemKind[]
