import { storeDevMail } from '../../db/mailbox'
import { config } from '../config'

export type Mail = { to: string; subject: string; text: string }

type Transport = { sendMail(mail: Mail & { from: string }): Promise<unknown> }
let transport: Promise<Transport> | undefined

async function smtpTransport(url: string): Promise<Transport> {
  const nodemailer = await import('nodemailer')
  return nodemailer.createTransport(url)
}

/** Sends through SMTP when SMTP_URL is set; otherwise keeps the mail in the dev mailbox. */
export async function sendMail(mail: Mail) {
  const { SMTP_URL, MAIL_FROM } = config()
  if (!SMTP_URL) {
    await storeDevMail(mail)
    return
  }
  transport ??= smtpTransport(SMTP_URL)
  await (await transport).sendMail({ ...mail, from: MAIL_FROM })
}
