import type { MessageKind } from '../privacy-choices'

/*
 * Every kind of notice: which preference decides whether it is sent (service notices always
 * go), whether repeated events join one notice, and the words. The words are made from what the
 * recipient may see when the notice is read or mailed (db/notifications.ts), never stored.
 */

export const NOTIFICATION_KINDS = [
  'follow',
  'follow_request',
  'follow_approved',
  'club_invitation',
  'club_joined_by_link',
  'data_export_ready',
  'erasure_scheduled',
  'erasure_cancelled',
  // Written with stored words before the centre existed (db/privacy/policies.ts, db/data-rights/erasure.ts).
  'policy',
  'club_handover',
  'verification_decided',
  // To those going to a talk, and its co-hosts, when its host changes or cancels it.
  'talk_changed',
  'talk_cancelled',
  // Moderation (db/moderation/): to an item's author, what was decided and how to appeal; to a
  // reporter, the outcome of their report (never who decided).
  'moderation_action',
  'report_outcome',
  // A personal-data incident that concerns the recipient (db/privacy/incidents.ts).
  'privacy_incident',
  // To those going to a talk, its host and co-hosts: before it starts, at the times each chose
  // (db/notifications/reminders.ts), and when its room opens (db/notifications/live-now.ts).
  'talk_reminder',
  'talk_live',
  // A sign-in from a device the account has not used before (db/security-notices.ts).
  'new_device_sign_in',
] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

export type TargetType = 'user' | 'club' | 'data_request'

export type KindRule = {
  /** The preference row that decides sending: 'service' always goes. */
  category: MessageKind
  /** Repeated events of this kind about the same target join one notice while it is unread, for this long. */
  groupWindowMs?: number
  /** Whether the notice is also emailed (export-ready mail is sent by the export job itself). */
  email: boolean
  /** Whether the notice means nothing without someone the recipient may still see. */
  needsActor: boolean
  /** Whether it also goes to the person's browsers by web push; unset: when it is emailed. */
  push?: boolean
  /** Whether its email can wait for the person's daily digest, if they chose one (db/notifications/digest.ts). */
  digest?: boolean
  /**
   * Whether it also goes by text (SMS, WhatsApp) to a confirmed number, under that channel's
   * choice: only what cannot wait for the person to open Rounds (a talk about to start, changed
   * or cancelled). Texts carry engagement notices only, so a choice governs each.
   */
  text?: boolean
}

const DAY_MS = 24 * 60 * 60 * 1000

/** Replies and security notices are never grouped: each one matters on its own. */
export const KIND_RULES: Record<NotificationKind, KindRule> = {
  follow: { category: 'engagement', groupWindowMs: DAY_MS, email: true, needsActor: true, digest: true },
  follow_request: { category: 'engagement', groupWindowMs: DAY_MS, email: true, needsActor: true, digest: true },
  follow_approved: { category: 'engagement', groupWindowMs: DAY_MS, email: true, needsActor: true, digest: true },
  club_invitation: { category: 'engagement', email: true, needsActor: true, digest: true },
  club_joined_by_link: { category: 'engagement', groupWindowMs: DAY_MS, email: true, needsActor: true, digest: true },
  data_export_ready: { category: 'service', email: false, needsActor: false },
  // Mailed too: whoever asked may not be the owner (a stolen password), and the owner must hear of it.
  erasure_scheduled: { category: 'service', email: true, needsActor: false },
  erasure_cancelled: { category: 'service', email: true, needsActor: false },
  // A significant policy change is mailed to everyone (db/privacy/policies.ts); a minor one sends nothing.
  policy: { category: 'service', email: true, needsActor: false },
  club_handover: { category: 'service', email: false, needsActor: false },
  verification_decided: { category: 'service', email: false, needsActor: false },
  talk_changed: { category: 'engagement', email: true, needsActor: false, text: true },
  talk_cancelled: { category: 'engagement', email: true, needsActor: false, text: true },
  moderation_action: { category: 'service', email: true, needsActor: false },
  report_outcome: { category: 'service', email: false, needsActor: false },
  // The talk's host is the actor: a host blocked, deactivated or erased since takes the notice away.
  talk_reminder: { category: 'engagement', email: true, needsActor: true, text: true },
  talk_live: { category: 'engagement', email: true, needsActor: true, text: true },
  privacy_incident: { category: 'service', email: true, needsActor: false },
  new_device_sign_in: { category: 'service', email: true, needsActor: false },
}

export function isNotificationKind(kind: string): kind is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(kind)
}

/** A person as the recipient may see them: only active people reach this point. */
export type NoticeActor = { handle: string; name: string }

/** Everything the words of a notice are made from, already filtered by what the recipient may see. */
export type NoticeFacts = {
  kind: string
  actors: NoticeActor[]
  club: { slug: string; name: string } | null
  data: Record<string, unknown>
  /** Stored words (notices written before the centre). */
  title: string
  body: string
  link: string | null
  /** The recipient's own handle, for links to their own lists. */
  recipientHandle: string | null
}

export type NoticeText = { title: string; body: string; link: string | null }

/** "Asha Rao", "Asha Rao and Tom Becker", "Asha Rao and 3 others". */
export function namesOf(actors: NoticeActor[]) {
  if (actors.length === 0) return 'Someone'
  if (actors.length === 1) return actors[0].name
  if (actors.length === 2) return `${actors[0].name} and ${actors[1].name}`
  return `${actors[0].name} and ${actors.length - 1} others`
}

/** A date in the recipient's time zone, naming the zone ("UTC" when theirs is not known). */
export function formatWhen(iso: unknown, timeZone: string | null) {
  const date = typeof iso === 'string' || iso instanceof Date ? new Date(iso) : null
  if (!date || Number.isNaN(date.getTime())) return ''
  const format = (timeZone: string) =>
    new Intl.DateTimeFormat('en-GB', {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    }).format(date)
  try {
    return format(timeZone ?? 'UTC')
  } catch {
    // A zone this runtime does not know: UTC, named.
    return format('UTC')
  }
}

const quoted = (title: unknown) => (typeof title === 'string' && title ? `“${title}”` : 'A talk you are going to')
const talkLink = (talkId: unknown) => (typeof talkId === 'string' && /^[0-9a-f-]{36}$/i.test(talkId) ? `/t/${talkId}` : null)

/** The words of a notice, for the centre and for the mail. */
export function describeNotice(facts: NoticeFacts, timeZone: string | null = null): NoticeText {
  const who = namesOf(facts.actors)
  const one = facts.actors.length === 1 ? facts.actors[0] : null
  const mine = facts.recipientHandle ? `/u/${facts.recipientHandle}` : null
  switch (facts.kind) {
    case 'follow':
      return { title: `${who} followed you`, body: '', link: one ? `/u/${one.handle}` : mine && `${mine}/followers` }
    case 'follow_request':
      return {
        title: `${who} asked to follow you`,
        body: 'Your profile is private: approve or decline in Settings → Follow requests.',
        link: '/settings/requests',
      }
    case 'follow_approved':
      return {
        title: `${who} approved your follow request`,
        body: 'You can now see their full profile.',
        link: one ? `/u/${one.handle}` : mine && `${mine}/following`,
      }
    case 'club_invitation':
      return {
        title: `${who} invited you to join ${facts.club?.name ?? 'a club'}`,
        body: 'Open the club to join it, or decline the invitation from Clubs.',
        link: facts.club ? `/c/${facts.club.slug}` : '/clubs',
      }
    case 'club_joined_by_link':
      return {
        title: `${who} joined ${facts.club?.name ?? 'your club'} with an invite link`,
        body: '',
        link: facts.club ? `/c/${facts.club.slug}/members` : null,
      }
    case 'data_export_ready':
      return { title: facts.title || 'Your copy of your data is ready', body: facts.body, link: facts.link ?? '/settings/data' }
    case 'erasure_scheduled': {
      const when = formatWhen(facts.data.scheduledFor, timeZone)
      return {
        title: 'Your account is due to be erased',
        body: `We will erase your Rounds account${when ? ` on ${when}` : ''}. You can cancel until then from Settings → Erase account. If you did not ask for this, cancel it and change your password.`,
        link: '/settings/erase',
      }
    }
    case 'erasure_cancelled':
      return {
        title: 'Your account will not be erased',
        body: 'The erasure you asked for is cancelled; your account stays as it is.',
        link: '/settings/data',
      }
    case 'talk_changed': {
      const when = formatWhen(facts.data.startsAt, timeZone)
      const moved = facts.data.rescheduled === true
      return {
        title: `${quoted(facts.data.title)} ${moved ? 'has a new time' : 'was updated'}`,
        body: [moved && when ? `It now starts ${when}.` : '', facts.club ? `In ${facts.club.name}.` : ''].filter(Boolean).join(' '),
        link: talkLink(facts.data.talkId),
      }
    }
    case 'talk_cancelled': {
      const reason = typeof facts.data.reason === 'string' && facts.data.reason ? facts.data.reason : null
      return {
        title: `${quoted(facts.data.title)} is cancelled`,
        body: reason ? `The host wrote: ${reason}` : 'The host cancelled it.',
        link: talkLink(facts.data.talkId),
      }
    }
    case 'privacy_incident':
      return {
        title: typeof facts.data.title === 'string' && facts.data.title ? facts.data.title : 'A data incident concerns you',
        body: typeof facts.data.whatHappened === 'string' ? facts.data.whatHappened : facts.body,
        link: facts.link ?? '/privacy#incidents',
      }
    case 'talk_reminder': {
      const when = formatWhen(facts.data.startsAt, timeZone)
      return {
        title: `${quoted(facts.data.title)} starts in ${timeLeft(facts.data.minutesLeft)}`,
        body: [when ? `It starts ${when}.` : '', facts.club ? `In ${facts.club.name}, hosted by ${who}.` : ''].filter(Boolean).join(' '),
        link: talkLink(facts.data.talkId),
      }
    }
    case 'talk_live':
      return {
        title: `${quoted(facts.data.title)} is live now`,
        body: `${who} opened the room${facts.club ? ` in ${facts.club.name}` : ''}. Join from the talk’s page.`,
        link: talkLink(facts.data.talkId),
      }
    case 'new_device_sign_in': {
      const when = formatWhen(facts.data.at, timeZone)
      const device = typeof facts.data.device === 'string' && facts.data.device ? facts.data.device : 'A new device'
      const place = typeof facts.data.place === 'string' && facts.data.place ? ` near ${facts.data.place}` : ''
      return {
        title: `New sign-in: ${device}`,
        body: `${device} signed in to your account${when ? ` on ${when}` : ''}${place}. If this was you, there is nothing to do. If not, sign out everywhere and choose a new password.`,
        link: facts.link,
      }
    }
    default:
      return { title: facts.title, body: facts.body, link: facts.link }
  }
}

/** "24 hours", "1 hour", "10 minutes", "a minute": how long until a talk starts, as a reminder says it. */
export function timeLeft(minutes: unknown) {
  const m = typeof minutes === 'number' && Number.isFinite(minutes) ? Math.max(0, Math.round(minutes)) : 0
  if (m >= 120) return `${Math.round(m / 60)} hours`
  if (m >= 60) return '1 hour'
  if (m > 1) return `${m} minutes`
  return 'a minute'
}
