import type { Channel } from '../../db/privacy-choices'
import { config, type Config } from '../config'
import { pushConfigured } from './push'
import { textChannelsConfigured } from './sms'

/*
 * The channels Rounds can deliver on in this deployment, for this person. Settings offers a
 * switch only for these: a switch for a channel with no provider would do nothing. The stored
 * choices for the others are kept, and apply again once the channel can be delivered.
 *
 * The notification centre always shows every notice. Email goes through SMTP (or the dev
 * mailbox locally); push needs VAPID keys (made locally, configured in production); SMS and
 * WhatsApp need a provider (or the local sink) and a phone number for the person.
 */
export function deliverableChannels(person: { phoneNumber?: string | null } = {}, cfg: Config = config()): Channel[] {
  const channels: Channel[] = ['email']
  if (pushConfigured(cfg)) channels.push('push')
  if (person.phoneNumber) channels.push(...textChannelsConfigured(cfg))
  return channels
}
