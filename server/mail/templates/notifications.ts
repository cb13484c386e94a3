import { describeNotice, type NoticeFacts, type NotificationKind } from '../../../db/notifications/kinds'
import { renderMail, type MailContent, type RenderedMail } from './layout'
import { erasureCancelledMail, erasureScheduledMail } from './erasure-notices'
import { incidentMail, policyChangeMail } from './privacy-notices'
import { newDeviceSignInMail } from './security-notices'

/*
 * One template per kind of notice. The words come from the same facts the notification centre
 * shows (db/notifications/kinds.ts), made at send time from what the recipient may see; a
 * template adds the subject, the button and, for anything but a service notice, the
 * unsubscribe link.
 */

export type NotificationMailInput = {
  facts: NoticeFacts
  /** The recipient's IANA time zone, or null: times are then shown in UTC, and say so. */
  timeZone: string | null
  publicUrl: string
  /** Present for every mail that is not a service message (RFC 8058 one-click link). */
  unsubscribeUrl: string | null
}

type Template = (input: NotificationMailInput, words: { title: string; body: string; url: string | null }) => Omit<MailContent, 'footer' | 'footerLink'>

const engagementFooter = 'You get this because activity notices by email are on for your Rounds account.'
const serviceFooter = 'This is a service message about your account: it is sent whatever your notification choices.'

/** A notice told in its own words, with one button. `extra` replaces the body when the notice has none worth mailing. */
const told =
  (preheader: string, actionLabel: string, extra?: string): Template =>
  (_input, w) => ({
    subject: w.title,
    preheader,
    heading: w.title,
    paragraphs: extra ? [extra] : [w.body],
    action: w.url ? { label: actionLabel, url: w.url } : undefined,
  })

const templates: Partial<Record<NotificationKind, Template>> = {
  policy: (input, w) => policyChangeMail(input.facts, w),
  privacy_incident: (input, w) => incidentMail(input.facts, w),
  follow: told('See who is following you on Rounds.', 'See their profile', 'They will see your talks and activity in their feed, as your privacy settings allow.'),
  follow_request: told('Approve or decline in your follow requests.', 'Review follow requests'),
  follow_approved: told('Your follow request was approved.', 'Open their profile'),
  club_invitation: told('A club on Rounds has invited you.', 'Open the club'),
  club_joined_by_link: told(
    'New members joined with an invite link.',
    'See the members',
    'You see this because you manage the club’s invitations. Invite links can be revoked or rotated from the club’s admin page.',
  ),
  talk_changed: told('A talk you are going to has changed.', 'Open the talk'),
  talk_reminder: (_input, w) => ({
    subject: w.title,
    preheader: 'A reminder of a talk you are going to.',
    heading: w.title,
    paragraphs: [w.body, 'Change when you are reminded in Settings → Notifications.'],
    action: w.url ? { label: 'Open the talk', url: w.url } : undefined,
  }),
  talk_live: told('A talk you are going to has started.', 'Join the talk'),
  talk_cancelled: (_input, w) => ({
    subject: w.title,
    preheader: 'A talk you were going to is cancelled.',
    heading: w.title,
    paragraphs: [w.body, 'If you added it to your calendar, open the talk and add it again to mark it cancelled there.'],
    action: w.url ? { label: 'Open the talk', url: w.url } : undefined,
  }),
  erasure_scheduled: (input, w) => erasureScheduledMail(input.facts, input.timeZone, w),
  erasure_cancelled: (input, w) => erasureCancelledMail(input.facts, w),
  new_device_sign_in: (_input, w) => newDeviceSignInMail(w),
}

const fallback: Template = (_input, w) => ({
  subject: w.title,
  preheader: w.body || w.title,
  heading: w.title,
  paragraphs: w.body ? [w.body] : [],
  action: w.url ? { label: 'Open Rounds', url: w.url } : undefined,
})

export function renderNotificationMail(kind: NotificationKind, input: NotificationMailInput): RenderedMail {
  const text = describeNotice(input.facts, input.timeZone)
  const url = text.link ? new URL(text.link, input.publicUrl).toString() : null
  const content = (templates[kind] ?? fallback)(input, { title: text.title, body: text.body, url })
  return renderMail({
    ...content,
    footer: input.unsubscribeUrl
      ? [engagementFooter, 'Change what we send in Settings → Notifications, or stop these emails with one click:']
      : [serviceFooter],
    footerLink: input.unsubscribeUrl ? { label: 'Unsubscribe from activity emails', url: input.unsubscribeUrl } : undefined,
  })
}

/**
 * The daily digest: the day's activity notices that could wait, one line each, and one button to
 * the notification centre, where each one links on.
 */
export function renderDigestMail(input: { items: { facts: NoticeFacts }[]; timeZone: string | null; publicUrl: string; unsubscribeUrl: string }): RenderedMail {
  const lines = input.items.map(({ facts }) => {
    const text = describeNotice(facts, input.timeZone)
    return text.body ? `${text.title}. ${text.body}` : `${text.title}.`
  })
  const count = lines.length
  return renderMail({
    subject: count === 1 ? 'Your day on Rounds: 1 update' : `Your day on Rounds: ${count} updates`,
    preheader: lines[0] ?? 'What happened on Rounds since your last digest.',
    heading: 'Since your last digest',
    paragraphs: lines,
    action: { label: 'Open your notifications', url: new URL('/notifications', input.publicUrl).toString() },
    footer: [
      'You get one digest a day because you chose it in Settings → Notifications. Talk reminders, security and service messages still come when they happen.',
      'Stop activity emails with one click:',
    ],
    footerLink: { label: 'Unsubscribe from activity emails', url: input.unsubscribeUrl },
  })
}
