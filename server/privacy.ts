import { createPolicyVersion, listAccountsAfter, type PolicyInput } from '../db/privacy/index'
import { config } from './config'
import { sendMail } from './mail/index'

const BATCH = 500

/**
 * Publishes a new privacy policy version. A significant one gives everyone an
 * in-app notice (stored with the version, in one transaction) and an email —
 * a service message, sent whatever the person's marketing choices.
 */
export async function publishPolicyVersion(input: PolicyInput): Promise<{ notified: number; emailed: number }> {
  const { notified } = await createPolicyVersion(input)
  if (!input.significant) return { notified, emailed: 0 }
  const effective = input.effectiveAt.toISOString().slice(0, 10)
  const link = `${config().publicUrl}/privacy`
  let emailed = 0
  for (let after = ''; ; ) {
    const page = await listAccountsAfter(after, BATCH)
    for (const account of page) {
      await sendMail({
        kind: 'service',
        to: account.email,
        userId: account.id,
        subject: `Our privacy policy changes on ${effective}`,
        text: [
          `We are updating the Rounds privacy policy (version ${input.version}), from ${effective}.`,
          '',
          'What changes:',
          input.summary,
          '',
          `Read the new policy and confirm you have read it: ${link}`,
        ].join('\n'),
      })
      emailed++
    }
    if (page.length < BATCH) break
    after = page[page.length - 1].id
  }
  return { notified, emailed }
}
