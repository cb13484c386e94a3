import { formatWhen, type NoticeFacts } from '../../../db/notifications/kinds'
import { ERASURE_GRACE_DAYS, RECEIPT_LINK_DAYS } from '../../../db/data-rights/requests'
import type { MailContent } from './layout'

/*
 * The mails about erasing an account: when it is scheduled (what will go, what stays, how to stop
 * it) and when it is cancelled. Service messages: they go whatever the person's mail choices,
 * because a stranger holding the password could have asked for either.
 */

type Words = { title: string; body: string; url: string | null }
type Content = Omit<MailContent, 'footer' | 'footerLink'>

export function erasureScheduledMail(facts: NoticeFacts, timeZone: string | null, w: Words): Content {
  const when = formatWhen(facts.data.scheduledFor, timeZone)
  return {
    subject: 'Your Rounds account is due to be erased',
    preheader: when ? `On ${when}, unless you cancel.` : `In ${ERASURE_GRACE_DAYS} days, unless you cancel.`,
    heading: w.title,
    paragraphs: [
      when ? `You asked us to erase your Rounds account. We will do it on ${when}.` : `You asked us to erase your Rounds account. We will do it in ${ERASURE_GRACE_DAYS} days.`,
      'Until then you can use Rounds as usual and cancel at any time from Settings → Erase account.',
      'What goes: your profile and photo, follows, club memberships, comments, questions, answers, attendance and sign-ins. Clubs you own pass to their longest-standing admin.',
      'What stays: the record that you asked (without your name or email), and what a law or a legal hold makes us keep. The privacy page lists how long each kind of data is kept.',
      `We will email you a receipt of what was removed, readable for ${RECEIPT_LINK_DAYS} days.`,
      'If you did not ask for this, cancel it now and change your password.',
    ],
    action: w.url ? { label: 'Cancel the erasure', url: w.url } : undefined,
  }
}

export function erasureCancelledMail(_facts: NoticeFacts, w: Words): Content {
  return {
    subject: 'Your Rounds account will not be erased',
    preheader: 'The erasure is cancelled; your account stays as it is.',
    heading: w.title,
    paragraphs: [
      'The erasure of your Rounds account is cancelled. Your account, profile and everything in it stay as they are.',
      'You can ask again at any time from Settings → Erase account.',
      'If you did not cancel it, sign in, change your password and check Settings → Devices and sessions.',
    ],
    action: w.url ? { label: 'Open Your data', url: w.url } : undefined,
  }
}
