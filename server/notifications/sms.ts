import { z } from 'zod'
import { storeDevTextMessage, type TextChannel } from '../../db/dev-text-messages'
import { PhoneNumber } from '../../db/phone-numbers'
import { config, type Config } from '../config'

/*
 * The SMS and WhatsApp port. One provider, configured by SMS_PROVIDER_URL and SMS_PROVIDER_TOKEN,
 * takes both: a JSON POST with a bearer token,
 *
 *   POST <SMS_PROVIDER_URL>  Authorization: Bearer <token>  Idempotency-Key: <reference>
 *   { "channel": "sms" | "whatsapp", "to": "+447700900123", "text": "…", "reference": "…" }
 *   → 2xx { "id": "<the provider's message id>" }
 *
 * the shape most gateways accept directly or through a small adapter. The reference is ours and
 * the same on every attempt, so a provider that honours Idempotency-Key never sends one message
 * twice when an answer is lost. A local server without a provider keeps the messages instead,
 * shown at /dev/mailbox. Production without a provider offers neither channel.
 */

/** How long the provider may take to answer before the attempt counts as failed (and is retried). */
export const TEXT_MESSAGE_TIMEOUT_MS = 10_000

export type TextMessage = { channel: TextChannel; to: string; text: string; reference: string }

/** The provider refused the message for good (a bad number, a blocked recipient): retrying would not help. */
export class TextMessageRefused extends Error {}

/** Which text channels this server can deliver on: the provider's, or both into the local sink. */
export function textChannelsConfigured(cfg: Config = config()): TextChannel[] {
  if (cfg.SMS_PROVIDER_URL && cfg.SMS_PROVIDER_TOKEN) return cfg.SMS_PROVIDER_CHANNELS
  return cfg.isProduction ? [] : ['sms', 'whatsapp']
}

const ProviderAnswer = z.object({ id: z.union([z.string().min(1).max(200), z.number()]) })

/** Sends one message; returns the provider's id for it (or the local sink's). */
export async function sendTextMessage(message: TextMessage, cfg: Config = config()): Promise<string> {
  if (!textChannelsConfigured(cfg).includes(message.channel)) throw new TextMessageRefused(`${message.channel} is not set up on this server.`)
  const to = PhoneNumber.safeParse(message.to)
  if (!to.success) throw new TextMessageRefused('Not a phone number in international form.')
  if (!cfg.SMS_PROVIDER_URL || !cfg.SMS_PROVIDER_TOKEN) {
    return `dev-${await storeDevTextMessage({ channel: message.channel, to: to.data, text: message.text })}`
  }
  let response: Response
  try {
    response = await fetch(cfg.SMS_PROVIDER_URL, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${cfg.SMS_PROVIDER_TOKEN}`,
        'content-type': 'application/json',
        'idempotency-key': message.reference,
      },
      body: JSON.stringify({ channel: message.channel, to: to.data, text: message.text, reference: message.reference }),
      signal: AbortSignal.timeout(TEXT_MESSAGE_TIMEOUT_MS),
    })
  } catch (error) {
    throw new Error(`The text message provider did not answer: ${error instanceof Error ? error.message : String(error)}`)
  }
  const body = await response.text()
  if (response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408) {
    throw new TextMessageRefused(`The text message provider refused the message (${response.status}): ${body.slice(0, 200)}`)
  }
  if (!response.ok) throw new Error(`The text message provider answered ${response.status}: ${body.slice(0, 200)}`)
  let answer: z.infer<typeof ProviderAnswer>
  try {
    answer = ProviderAnswer.parse(JSON.parse(body))
  } catch {
    throw new Error('The text message provider accepted the message but sent no message id.')
  }
  return String(answer.id)
}
