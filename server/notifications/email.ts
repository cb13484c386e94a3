import { claimDelivery, markDeliveryFailed, markDeliverySent, markDeliverySkipped, noticeForDelivery } from '../../db/notifications'
import { holdDeliveryForDigest, holdsForDigest } from '../../db/notifications/digest'
import { mayMessage } from '../../db/privacy/index'
import { config } from '../config'
import { deliverRenderedMail } from '../mail/index'
import { renderNotificationMail } from '../mail/templates/notifications'
import { signUnsubscribeToken, unsubscribeUrl } from '../mail/unsubscribe'
import type { JobHandler } from '../jobs/runner'

/*
 * The `notification.email` job: one notice, one mail. Everything is decided at send time, not
 * when the notice was queued: the person's email preference (a change since wins), what they
 * may still see (someone who deactivated or was erased since drops out; a notice left with
 * no one in it is not sent), their time zone. Each attempt is counted on the delivery row; a
 * provider error fails the job, and the runner retries it with backoff. A delivery already
 * marked sent is never sent again, and every attempt carries the same Message-ID.
 */

export const sendNotificationEmail: JobHandler = async (payload, { job, now }) => {
  const delivery = await claimDelivery(String(payload.deliveryId))
  if (!delivery) return
  const notice = await noticeForDelivery(delivery.notificationId)
  if (!notice) {
    await markDeliverySkipped(delivery.id, 'Nothing in it may be shown to the recipient any more.')
    return
  }
  if (notice.category !== 'service' && !(await mayMessage(notice.userId, 'email', notice.category))) {
    await markDeliverySkipped(delivery.id, 'Turned off in Settings → Notifications.')
    return
  }
  // Chosen "once a day": it goes in the next daily digest (server/notifications/digest.ts).
  if (await holdsForDigest(notice.userId, notice.kind)) {
    await holdDeliveryForDigest(delivery.id)
    return
  }
  const { publicUrl } = config()
  const optional = notice.category === 'engagement' || notice.category === 'promotional' ? notice.category : null
  const unsubscribe = optional ? unsubscribeUrl(signUnsubscribeToken({ userId: notice.userId, kind: optional, channel: 'email' }, now)) : null
  const mail = renderNotificationMail(notice.kind, { facts: notice.facts, timeZone: notice.timeZone, publicUrl, unsubscribeUrl: unsubscribe })
  const messageId = `<notice-${delivery.id}@${new URL(publicUrl).hostname}>`
  try {
    await deliverRenderedMail({ to: notice.email, mail, messageId, unsubscribeUrl: unsubscribe })
  } catch (error) {
    await markDeliveryFailed(delivery.id, error instanceof Error ? error.message : String(error), job.attempts >= job.maxAttempts)
    throw error
  }
  await markDeliverySent(delivery.id, messageId, now)
}
