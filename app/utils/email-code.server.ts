import { issueEmailCode } from '#db/accounts'
import { sendMail } from '#server/mail/index'

/** Sends a fresh code unless one went out too recently; the caller answers the same either way. */
export async function sendVerificationCode(userId: string, email: string) {
  const issued = await issueEmailCode(userId)
  if (issued.status === 'throttled') return issued
  await sendMail({
    kind: 'service',
    to: email,
    subject: `${issued.code} is your Rounds code`,
    text: [
      `Your Rounds verification code is ${issued.code}.`,
      '',
      'It works once, for 10 minutes. If you did not ask for it, you can ignore this email.',
    ].join('\n'),
  })
  return issued
}

export async function sendAccountExistsNotice(email: string) {
  await sendMail({
    kind: 'service',
    to: email,
    subject: 'Someone tried to join Rounds with your email',
    text: [
      'Someone (perhaps you) tried to create a Rounds account with this email address, which already has one.',
      '',
      'If it was you, sign in instead — or reset your password from the sign-in page. If not, you can ignore this email.',
    ].join('\n'),
  })
}
