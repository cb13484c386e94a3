import { claimDelivery, markDeliveryFailed, markDeliverySent, markDeliverySkipped, noticeForDelivery } from '../../db/notifications'
import { textNumberOf } from '../../db/phone-numbers'
import { mayMessage } from '../../db/privacy/index'
import { config } from '../config'
import type { JobHandler } from '../jobs/runner'
import { sendTextMessage, TextMessageRefused, textChannelsConfigured } from './sms'

/*
 * The `notification.text` job: one notice by SMS or WhatsApp (db/notifications/deliveries.ts,
 * textDeliveryCtes). Decided at send time: the channel is still set up, the person still has a
 * confirmed number and still wants this channel, the notice still means something to them and, for
 * a reminder, the talk has not started. The delivery's id is the provider's idempotency reference,
 * so a retry after a lost answer is never a second message.
 */

/** A text is short: the notice's title and words, cut to fit, and where to open it. */
export const TEXT_MESSAGE_MAX = 320

export function textMessageOf(text: { title: string; body: string; link: string | null }, publicUrl: string) {
  const url = new URL(text.link ?? '/notifications', publicUrl).toString()
  const words = `Rounds: ${text.title}${text.body ? ` — ${text.body}` : ''}`
  const room = TEXT_MESSAGE_MAX - url.length - 1
  return `${words.length > room ? `${words.slice(0, room - 1).trimEnd()}…` : words} ${url}`
}

export const sendNotificationText: JobHandler = async (payload, { job, now }) => {
  const delivery = await claimDelivery(String(payload.deliveryId))
  if (!delivery) return
  const channel = delivery.channel
  if ((channel !== 'sms' && channel !== 'whatsapp') || !textChannelsConfigured().includes(channel)) {
    await markDeliverySkipped(delivery.id, `${channel === 'whatsapp' ? 'WhatsApp' : 'SMS'} is not set up on this server.`)
    return
  }
  const expiresAt = typeof payload.expiresAt === 'string' ? new Date(payload.expiresAt) : null
  if (expiresAt && !Number.isNaN(expiresAt.getTime()) && expiresAt <= now) {
    await markDeliverySkipped(delivery.id, 'Too late: the notice no longer applies.')
    return
  }
  const to = await textNumberOf(delivery.userId)
  if (!to) {
    await markDeliverySkipped(delivery.id, 'No confirmed phone number any more.')
    return
  }
  const notice = await noticeForDelivery(delivery.notificationId)
  if (!notice) {
    await markDeliverySkipped(delivery.id, 'Nothing in it may be shown to the recipient any more.')
    return
  }
  if (!(await mayMessage(notice.userId, channel, notice.category))) {
    await markDeliverySkipped(delivery.id, 'Turned off in Settings → Notifications.')
    return
  }
  try {
    const providerId = await sendTextMessage({ channel, to, text: textMessageOf(notice.text, config().publicUrl), reference: delivery.id })
    await markDeliverySent(delivery.id, providerId.slice(0, 500), now)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (error instanceof TextMessageRefused) {
      await markDeliveryFailed(delivery.id, message, true)
      return
    }
    await markDeliveryFailed(delivery.id, message, job.attempts >= job.maxAttempts)
    throw error
  }
}
