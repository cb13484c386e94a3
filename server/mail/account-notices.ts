import { config } from '../config'
import { signedPath } from '../signed-links'
import { sendMail } from './index'

/*
 * The mail that keeps an account: reset codes and links, the code that confirms a new address,
 * and the security notices sent when a password or sign-in email changes. All are service mail,
 * sent whatever the person's preferences.
 */

/** The purpose an email-change undo link is signed for; it opens nothing else. */
export const EMAIL_CHANGE_UNDO_LINK = 'email-change-undo'

export function emailChangeUndoPath(changeId: string, undoUntil: Date) {
  return signedPath('/email-undo', EMAIL_CHANGE_UNDO_LINK, changeId, undoUntil)
}

const when = (at: Date) =>
  new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }).format(at) +
  ' UTC'

export async function sendPasswordResetMail(to: string, code: string, token: string) {
  const link = `${config().publicUrl}/reset-password?token=${encodeURIComponent(token)}`
  await sendMail({
    kind: 'service',
    to,
    subject: `${code} is your Rounds password reset code`,
    text: [
      `Someone (we hope you) asked to reset the password of your Rounds account.`,
      '',
      `Your code is ${code}. Or open this link to choose a new password:`,
      link,
      '',
      'The code and the link work once, for 15 minutes. If you did not ask for this, ignore this email: your password stays as it is.',
    ].join('\n'),
  })
}

export async function sendResetRefusedNotice(to: string) {
  await sendMail({
    kind: 'service',
    to,
    subject: 'Your Rounds password was not reset',
    text: [
      'Someone (perhaps you) asked to reset the password of your Rounds account.',
      '',
      'Your account is deactivated, so its password cannot be reset by email. If you did not ask for this, you can ignore this email.',
    ].join('\n'),
  })
}

export async function sendPasswordChangedNotice(to: string, at = new Date()) {
  await sendMail({
    kind: 'service',
    to,
    subject: 'Your Rounds password was changed',
    text: [
      `Your Rounds password was changed on ${when(at)}, and every other device was signed out.`,
      '',
      `If this wasn't you, reset your password at once from the sign-in page (${config().publicUrl}/forgot-password) and check the devices signed in to your account in Settings → Devices and sessions.`,
    ].join('\n'),
  })
}

export async function sendEmailChangeCode(to: string, code: string) {
  await sendMail({
    kind: 'service',
    to,
    subject: `${code} is your Rounds code to confirm this address`,
    text: [
      `Your code is ${code}. Enter it in Rounds to make this your sign-in email.`,
      '',
      'It works once, for 10 minutes. If you did not ask for it, you can ignore this email.',
    ].join('\n'),
  })
}

export async function sendEmailChangedNotice(change: { changeId: string; oldEmail: string; newEmail: string; undoUntil: Date }) {
  const link = `${config().publicUrl}${emailChangeUndoPath(change.changeId, change.undoUntil)}`
  await sendMail({
    kind: 'service',
    to: change.oldEmail,
    subject: 'Your Rounds email address was changed',
    text: [
      `The sign-in email of your Rounds account was changed from this address to ${change.newEmail}.`,
      '',
      `If this wasn't you, open this link to put this address back and sign out every device (it works until ${when(change.undoUntil)}):`,
      link,
    ].join('\n'),
  })
}

export async function sendEmailChangeUndoneNotice(to: string) {
  await sendMail({
    kind: 'service',
    to,
    subject: 'Your Rounds email address was restored',
    text: [
      'This address is the sign-in email of your Rounds account again, and every device was signed out.',
      '',
      `If someone else changed it, reset your password now: ${config().publicUrl}/forgot-password`,
    ].join('\n'),
  })
}
