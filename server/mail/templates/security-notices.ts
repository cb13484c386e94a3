import type { MailContent } from './layout'

/** The mail of a sign-in from a new device (db/security-notices.ts): its one button is the signed "This wasn't me" link. */
export function newDeviceSignInMail(w: { title: string; body: string; url: string | null }): Omit<MailContent, 'footer' | 'footerLink'> {
  return {
    subject: w.title,
    preheader: 'A sign-in to your Rounds account from a new device.',
    heading: w.title,
    paragraphs: [w.body, 'The button signs your account out on every device, then asks you to choose a new password. It works once, for 7 days.'],
    action: w.url ? { label: 'This wasn’t me — sign out everywhere', url: w.url } : undefined,
  }
}
