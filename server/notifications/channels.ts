import type { Channel } from '../../db/privacy-choices'

/*
 * The channels Rounds can deliver on in this deployment. Settings offers a switch only for
 * these: a switch for a channel with no provider would do nothing. The stored choices for the
 * others are kept, and apply again once a provider is configured.
 *
 * In the app, the notification centre always shows every notice; email goes through SMTP
 * (or the dev mailbox locally). SMS, WhatsApp and push have no provider yet.
 */
export function deliverableChannels(): Channel[] {
  return ['email']
}
