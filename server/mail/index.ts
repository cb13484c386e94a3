import { storeDevMail } from '../../db/mailbox'
import { mayMessage, userIdByEmail, type MessageKind } from '../../db/privacy/index'
import { config } from '../config'
import { signUnsubscribeToken, unsubscribeUrl } from './unsubscribe'

/**
 * A message to send. `kind` says what it is: 'service' (codes, security and
 * policy notices — always sent) or 'engagement' / 'promotional', which are sent
 * only when the person has not turned them off, and always carry an unsubscribe link.
 */
export type Mail = {
  to: string
  subject: string
  text: string
  kind: MessageKind
  /** The recipient's account, when known; otherwise found by address. */
  userId?: string
}

/** What leaves the server: the text with its unsubscribe footer, and the RFC 8058 headers. */
export type ComposedMail = { to: string; subject: string; text: string; headers: Record<string, string> }

/** What the transport takes: a composed mail, and optionally an HTML part and a Message-ID of our choosing. */
export type OutgoingMail = ComposedMail & { html?: string; messageId?: string }

type Transport = { sendMail(mail: OutgoingMail & { from: string }): Promise<unknown> }
let transport: Promise<Transport> | undefined

async function smtpTransport(url: string): Promise<Transport> {
  const nodemailer = await import('nodemailer')
  return nodemailer.createTransport(url)
}

export type SendResult = { sent: true } | { sent: false; reason: 'unsubscribed' | 'no-account' }

/**
 * Checks the recipient's preference and adds the unsubscribe link; answers
 * `{ sent: false }` instead when the message must not be sent.
 */
export async function composeMail(mail: Mail, now = new Date()): Promise<ComposedMail | SendResult> {
  const base = { to: mail.to, subject: mail.subject, text: mail.text, headers: {} }
  if (mail.kind === 'service') return base
  const userId = mail.userId ?? (await userIdByEmail(mail.to))
  if (!userId) return { sent: false, reason: 'no-account' }
  if (!(await mayMessage(userId, 'email', mail.kind))) return { sent: false, reason: 'unsubscribed' }
  const url = unsubscribeUrl(signUnsubscribeToken({ userId, kind: mail.kind, channel: 'email' }, now))
  const what = mail.kind === 'promotional' ? 'news and offers from Rounds' : 'these updates'
  return {
    ...base,
    text: `${mail.text}\n\n--\nTo stop receiving ${what} by email, open: ${url}\nOr change what we send in Settings → Notifications.`,
    // RFC 8058: mail clients show an "Unsubscribe" button that POSTs to this URL.
    headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  }
}

/** Sends through SMTP when SMTP_URL is set; otherwise keeps the mail in the dev mailbox. */
export async function sendMail(mail: Mail): Promise<SendResult> {
  const composed = await composeMail(mail)
  if ('sent' in composed) return composed
  await deliverMail(composed)
  return { sent: true }
}

/** Hands a mail already composed (preferences checked, unsubscribe headers set) to SMTP or the dev mailbox. */
export async function deliverMail(mail: OutgoingMail) {
  const { SMTP_URL, MAIL_FROM } = config()
  if (!SMTP_URL) {
    await storeDevMail({ to: mail.to, subject: mail.subject, text: mail.text })
    return
  }
  transport ??= smtpTransport(SMTP_URL)
  await (await transport).sendMail({ ...mail, from: MAIL_FROM })
}

/**
 * Sends a rendered mail with its Message-ID and, when it has one, the one-click unsubscribe of
 * RFC 8058 (mail clients show an "Unsubscribe" button that POSTs to the URL).
 */
export async function deliverRenderedMail(input: { to: string; mail: { subject: string; text: string; html: string }; messageId: string; unsubscribeUrl: string | null }) {
  await deliverMail({
    to: input.to,
    subject: input.mail.subject,
    text: input.mail.text,
    html: input.mail.html,
    messageId: input.messageId,
    headers: input.unsubscribeUrl ? { 'List-Unsubscribe': `<${input.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {},
  })
}
