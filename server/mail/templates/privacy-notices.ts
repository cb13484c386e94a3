import type { NoticeFacts } from '../../../db/notifications/kinds'
import type { MailContent } from './layout'

/*
 * The mails of the privacy office: a significant change to the privacy policy, and a
 * personal-data incident that concerns the recipient. Both are service messages.
 */

type Words = { title: string; body: string; url: string | null }
type Content = Omit<MailContent, 'footer' | 'footerLink'>

const str = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

export function policyChangeMail(_facts: NoticeFacts, w: Words): Content {
  return {
    subject: w.title,
    preheader: 'What changes in how Rounds handles your data.',
    heading: w.title,
    paragraphs: ['What changes:', w.body, 'Please read the new policy and confirm you have read it. We will ask you once, the next time you open Rounds.'],
    action: w.url ? { label: 'Read the changes', url: w.url } : undefined,
  }
}

/** The four parts a notice of a personal-data incident must tell, each under its own heading line. */
export function incidentMail(facts: NoticeFacts, w: Words): Content {
  const part = (label: string, value: unknown) => (str(value) ? [`${label}:`, str(value)] : [])
  return {
    subject: w.title,
    preheader: 'What happened, what it affected, what we did and what you can do.',
    heading: w.title,
    paragraphs: [
      ...part('What happened', facts.data.whatHappened),
      ...part('What was affected', facts.data.affected),
      ...part('What we did', facts.data.whatWeDid),
      ...part('What you can do', facts.data.whatYouCanDo),
      'You can read this again at any time in the privacy centre.',
    ],
    action: w.url ? { label: 'Open the privacy centre', url: w.url } : undefined,
  }
}
