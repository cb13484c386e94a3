import { noticeForDelivery } from '../../db/notifications'
import { claimDigest, dueDigests, finishDigest, releaseDigest } from '../../db/notifications/digest'
import { mayMessage } from '../../db/privacy/index'
import { config } from '../config'
import { deliverRenderedMail } from '../mail/index'
import { renderDigestMail } from '../mail/templates/notifications'
import { signUnsubscribeToken, unsubscribeUrl } from '../mail/unsubscribe'
import type { JobHandler } from '../jobs/runner'

/*
 * The hourly `notification.digest` job (db/notifications/digest.ts): for each person whose digest
 * is due, one mail with what was held for it. As with single mails, everything is decided at send
 * time: a notice they may no longer see drops out, and activity emails turned off since means
 * nothing goes. A mail that fails puts everything back for the next hour.
 */

export const sendDueDigests: JobHandler = async (_payload, { now }) => {
  for (const due of await dueDigests(now)) {
    const digest = await claimDigest(due.userId, due.lastSentAt, now)
    if (!digest || digest.deliveries.length === 0) {
      if (digest) await finishDigest(digest, { sent: [], skipped: [], messageId: null, now })
      continue
    }
    const allowed = await mayMessage(digest.userId, 'email', 'engagement')
    const items: { deliveryId: string; notice: NonNullable<Awaited<ReturnType<typeof noticeForDelivery>>> }[] = []
    const skipped: string[] = []
    for (const delivery of digest.deliveries) {
      const notice = allowed ? await noticeForDelivery(delivery.notificationId) : null
      if (notice) items.push({ deliveryId: delivery.id, notice })
      else skipped.push(delivery.id)
    }
    if (items.length === 0) {
      await finishDigest(digest, { sent: [], skipped, messageId: null, now })
      continue
    }
    const { publicUrl } = config()
    const first = items[0].notice
    const unsubscribe = unsubscribeUrl(signUnsubscribeToken({ userId: digest.userId, kind: 'engagement', channel: 'email' }, now))
    const mail = renderDigestMail({ items: items.map((i) => ({ facts: i.notice.facts })), timeZone: first.timeZone, publicUrl, unsubscribeUrl: unsubscribe })
    const messageId = `<digest-${items[0].deliveryId}@${new URL(publicUrl).hostname}>`
    try {
      await deliverRenderedMail({ to: first.email, mail, messageId, unsubscribeUrl: unsubscribe })
    } catch (error) {
      await releaseDigest(digest, error instanceof Error ? error.message : String(error))
      continue
    }
    await finishDigest(digest, { sent: items.map((i) => i.deliveryId), skipped, messageId, now })
  }
}
