import { describeNotice, formatWhen, type NoticeFacts, type NotificationKind } from '../../../db/notifications/kinds'
import { renderMail, type MailContent, type RenderedMail } from './layout'

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
  talk_cancelled: (_input, w) => ({
    subject: w.title,
    preheader: 'A talk you were going to is cancelled.',
    heading: w.title,
    paragraphs: [w.body, 'If you added it to your calendar, open the talk and add it again to mark it cancelled there.'],
    action: w.url ? { label: 'Open the talk', url: w.url } : undefined,
  }),
  erasure_scheduled: (input, w) => ({
    subject: 'Your Rounds account is due to be erased',
    preheader: `Scheduled for ${formatWhen(input.facts.data.scheduledFor, input.timeZone)}.`,
    heading: w.title,
    paragraphs: [w.body],
    action: w.url ? { label: 'Cancel the erasure', url: w.url } : undefined,
  }),
  erasure_cancelled: (_input, w) => ({
    subject: 'Your Rounds account will not be erased',
    preheader: 'The erasure is cancelled.',
    heading: w.title,
    paragraphs: [w.body, 'If you did not cancel it, sign in and check your devices in Settings → Devices and sessions.'],
    action: w.url ? { label: 'Open Your data', url: w.url } : undefined,
  }),
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
