/*
 * How long Rounds keeps each kind of data that is not deleted by the person themselves, and what
 * happens when the time is up. One table: the daily `retention.apply` job (server/jobs/retention.ts)
 * applies the rules it owns, /privacy shows the whole table, and the README of every export
 * cites it. What erasure of an account removes and keeps is db/retention.ts.
 *
 * A rule with a legal minimum cannot be set shorter than it: `checkRetentionSchedule` throws when
 * this module loads, so the server does not start and tests fail.
 */

export type RetentionAction =
  /** The rows are deleted. */
  | 'delete'
  /** The rows stay, with the fields that identify a person or their device emptied. */
  | 'anonymise'
  /** The rows are replaced by a summary that keeps the totals and drops the detail. */
  | 'aggregate'

export type RetentionRule = {
  /** Stable key; the job reports counts under it. */
  id: string
  /** What the data is, for a reader of the privacy page. */
  data: string
  table: string
  /** How long it is kept: whole days, or fractions for less than a day. */
  days: number
  /** The period in words, where it ends on an event rather than a date (`days` is then 0). */
  period?: string
  /** What the period counts from, completing "N days after …". */
  from: string
  action: RetentionAction
  /** What remains when the action is 'anonymise' or 'aggregate'. */
  result?: string
  why: string
  /** A law that requires keeping it at least this long. */
  minimum?: { days: number; law: string }
  /** Who applies the rule: the daily job, unless another part of Rounds does it sooner. */
  appliedBy: 'daily' | 'exports.prune' | 'live-rooms' | 'moderation'
}

const YEAR = 365

/**
 * India's Digital Personal Data Protection Rules, 2025: logs of processing and traffic data are
 * kept for at least one year, to detect and investigate unauthorised access (rules 6(1)(e), 8(3)).
 */
const DPDP_LOGS = { days: YEAR, law: 'Digital Personal Data Protection Rules, 2025, rules 6(1)(e) and 8(3) (India): logs kept at least one year.' }

export const retentionSchedule: RetentionRule[] = [
  {
    id: 'session-devices',
    data: 'The IP address and device (browser and system) of each sign-in',
    table: 'sessions',
    days: YEAR,
    from: 'the sign-in',
    action: 'anonymise',
    result: 'The sign-in stays on your devices list as “unknown device” until it is deleted.',
    why: 'To show you where you are signed in and to investigate a break-in to your account.',
    minimum: DPDP_LOGS,
    appliedBy: 'daily',
  },
  {
    id: 'sessions-ended',
    data: 'Sign-ins that have ended (signed out or expired)',
    table: 'sessions',
    days: YEAR,
    from: 'the sign-in ended',
    action: 'delete',
    why: 'A record of access to your account, in case it is questioned.',
    minimum: DPDP_LOGS,
    appliedBy: 'daily',
  },
  {
    id: 'sign-in-devices',
    data: 'Devices you signed in from (such as “Chrome on Android”), to warn you of a sign-in from a new one',
    table: 'sign_in_devices',
    days: YEAR,
    from: 'the device was last used',
    action: 'delete',
    why: 'A device unused for a year counts as new again: signing in from it sends the security notice.',
    minimum: DPDP_LOGS,
    appliedBy: 'daily',
  },
  {
    id: 'activity-events',
    data: 'What you looked at (talks, clubs, profiles), kept only with your analytics consent',
    table: 'activity_events',
    days: 180,
    from: 'the view',
    action: 'delete',
    why: 'To suggest talks and clubs; older views say little about what you want now.',
    appliedBy: 'daily',
  },
  {
    id: 'attendance-stays',
    data: 'Each time you entered and left a talk’s room',
    table: 'talk_attendance',
    days: 90,
    from: 'you left the room',
    action: 'aggregate',
    result: 'One line per person and talk: when you first came in and how long you stayed in all. Attendance reports and certificates still add up.',
    why: 'Hosts see who attended and for how long; the exact comings and goings are needed only while the talk is recent.',
    appliedBy: 'daily',
  },
  {
    id: 'notification-deliveries',
    data: 'The log of notices sent to you by email (when, whether it went, the mail provider’s reference)',
    table: 'notification_deliveries',
    days: YEAR,
    from: 'the notice was sent',
    action: 'delete',
    why: 'To answer “did you send it?” and to find a mail provider’s fault.',
    minimum: DPDP_LOGS,
    appliedBy: 'daily',
  },
  {
    id: 'staff-access-log',
    data: 'The log of Rounds staff who opened your personal data, and why',
    table: 'personal_data_access_log',
    days: 2 * YEAR,
    from: 'the access',
    action: 'delete',
    why: 'Shown to you under “Who accessed your data”, and kept to check staff used their access only for a request. Kept longer while a legal hold is on the account.',
    minimum: DPDP_LOGS,
    appliedBy: 'daily',
  },
  {
    id: 'ended-invite-links',
    data: 'Club invite links that were revoked, expired or used up',
    table: 'club_invite_links',
    days: 90,
    from: 'the link ended',
    action: 'delete',
    why: 'Club admins can see which links were in use recently.',
    appliedBy: 'daily',
  },
  {
    id: 'sign-up-codes',
    data: 'Email verification codes (kept only as a scramble)',
    table: 'email_verifications',
    days: 1,
    from: 'the code expired',
    action: 'delete',
    why: 'A code is of no use once it has expired; a day lets us answer “my code did not work”.',
    appliedBy: 'daily',
  },
  {
    id: 'password-reset-codes',
    data: 'Password reset codes and links (kept only as a scramble)',
    table: 'password_resets',
    days: 1,
    from: 'the code expired',
    action: 'delete',
    why: 'Same as sign-up codes.',
    appliedBy: 'daily',
  },
  {
    id: 'email-change-codes',
    data: 'Changes of sign-in email that were never confirmed',
    table: 'email_changes',
    days: 1,
    from: 'the code expired',
    action: 'delete',
    why: 'Same as sign-up codes.',
    appliedBy: 'daily',
  },
  {
    id: 'email-changes',
    data: 'Confirmed changes of sign-in email (old and new address)',
    table: 'email_changes',
    days: YEAR,
    from: 'the change could no longer be undone',
    action: 'delete',
    why: 'A changed email address is how accounts are taken over; the record lets us give an account back to its owner.',
    minimum: DPDP_LOGS,
    appliedBy: 'daily',
  },
  {
    id: 'failed-jobs',
    data: 'Background tasks that failed for good (such as a mail that could not be sent), with what they were for',
    table: 'jobs',
    days: 30,
    from: 'the last attempt',
    action: 'delete',
    why: 'So engineers can find and fix the fault.',
    appliedBy: 'daily',
  },
  {
    id: 'dev-mail',
    data: 'Mail kept in the test mailbox of a demo or development server (never on the live service)',
    table: 'dev_mailbox',
    days: 7,
    from: 'it was sent',
    action: 'delete',
    why: 'To read sign-up codes and notices while trying Rounds out.',
    appliedBy: 'daily',
  },
  {
    id: 'dev-text-messages',
    data: 'Text and WhatsApp messages kept in the test mailbox of a demo or development server (never on the live service)',
    table: 'dev_text_messages',
    days: 7,
    from: 'it was sent',
    action: 'delete',
    why: 'Same as the test mailbox.',
    appliedBy: 'daily',
  },
  {
    id: 'erasure-receipts',
    data: 'Receipts of an account erasure (table names and counts only)',
    table: 'erasure_receipts',
    days: 0,
    from: 'its link expired (30 days after the erasure)',
    action: 'delete',
    why: 'So the person can read what was removed; it holds nothing about them.',
    appliedBy: 'daily',
  },
  {
    id: 'export-files',
    data: 'The copy of your data you asked for (the ZIP file)',
    table: 'data_requests',
    days: 7,
    from: 'it was ready',
    action: 'delete',
    result: 'The request stays in your requests list; the file is gone.',
    why: 'Long enough to download it; a copy left on a server is a risk.',
    appliedBy: 'exports.prune',
  },
  {
    id: 'reported-content-of-erased-accounts',
    data: 'What an erased account wrote that an open report names (a copy of its words and where they were said, linked to no one)',
    table: 'moderation_kept_items',
    days: 0,
    period: 'Until decided',
    from: 'a moderator decides the last open report about it',
    action: 'delete',
    result: 'Until then only the moderators deciding the reports can read it; it is shown nowhere else.',
    why: 'Content under an open report is kept until decided, so a report made before an erasure is still decided. The decision deletes it in the same step, whatever was decided, and the erasure is then complete.',
    appliedBy: 'moderation',
  },
  {
    id: 'access-changes',
    data: 'Notes telling live rooms that someone’s access changed',
    table: 'access_changes',
    days: 1 / 24,
    from: 'the change',
    action: 'delete',
    why: 'Every server reads them within seconds; an hour covers a server that was briefly away.',
    appliedBy: 'live-rooms',
  },
]

/** Throws when a rule is shorter than its legal minimum, or the table is malformed. */
export function checkRetentionSchedule(schedule: RetentionRule[]) {
  const seen = new Set<string>()
  for (const rule of schedule) {
    if (seen.has(rule.id)) throw new Error(`Retention rule "${rule.id}" is declared twice.`)
    seen.add(rule.id)
    if (!(rule.days >= 0) || !Number.isFinite(rule.days)) throw new Error(`Retention rule "${rule.id}" has no valid period.`)
    if (rule.minimum && rule.days < rule.minimum.days) {
      throw new Error(
        `Retention rule "${rule.id}" keeps ${rule.table} for ${rule.days} days, less than the ${rule.minimum.days} days required by ${rule.minimum.law}`,
      )
    }
  }
}

checkRetentionSchedule(retentionSchedule)

export function retentionRule(id: string): RetentionRule {
  const rule = retentionSchedule.find((r) => r.id === id)
  if (!rule) throw new Error(`No retention rule "${id}".`)
  return rule
}

/** The period as the privacy page says it: its words, or its length. */
export const retentionPeriodOf = (rule: RetentionRule) => rule.period ?? formatRetentionPeriod(rule.days)

/** "1 year", "90 days", "1 hour": how the page and the export README say a period. */
export function formatRetentionPeriod(days: number): string {
  if (days === 0) return 'Until it expires'
  if (days < 1) {
    const hours = Math.round(days * 24)
    return hours === 1 ? '1 hour' : `${hours} hours`
  }
  if (days % YEAR === 0) return days === YEAR ? '1 year' : `${days / YEAR} years`
  return days === 1 ? '1 day' : `${days} days`
}

/** "Deleted 90 days after you left the room." */
export function describeRetention(rule: RetentionRule): string {
  const verb = { delete: 'Deleted', anonymise: 'Anonymised', aggregate: 'Summarised' }[rule.action]
  if (rule.days === 0) return `${verb} once ${rule.from}.`
  return `${verb} ${formatRetentionPeriod(rule.days)} after ${rule.from}.`
}

/** The schedule as plain text, for the README of an export. */
export function retentionScheduleText(publicUrl?: string): string {
  const lines = [
    'How long Rounds keeps data',
    '',
    `Data you keep on Rounds (your profile, posts, memberships) stays until you delete it or erase your account. The rest follows this schedule${publicUrl ? `, also at ${new URL('/privacy#retention', publicUrl).toString()}` : ''}:`,
    '',
  ]
  for (const rule of retentionSchedule) {
    lines.push(`- ${rule.data}: ${describeRetention(rule)}${rule.result ? ` ${rule.result}` : ''}`)
    lines.push(`  Why: ${rule.why}${rule.minimum ? ` Required: ${rule.minimum.law}` : ''}`)
  }
  return lines.join('\n')
}
