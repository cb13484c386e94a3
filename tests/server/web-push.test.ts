import { createHash, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, rawSql } from '../../db/client'
import { notify } from '../../db/notifications'
import { queuePushDeliveriesForNotices } from '../../db/notifications/deliveries'
import { listPushSubscriptions, savePushSubscription } from '../../db/notifications/push-subscriptions'
import { updateCommunicationPreferences } from '../../db/privacy/index'
import { runDueJobs } from '../../server/jobs/index'
import { pushTopic, vapidKeys } from '../../server/notifications/push'
import * as pushSubscriptionsRoute from '../../app/routes/settings.push-subscriptions'
import * as settingsNotificationsRoute from '../../app/routes/settings.notifications'
import { createDoctor, type TestDoctor } from '../support/factories'
import { browserSubscription, pushService, verifyVapid } from '../support/push-service'
import { callAction, callLoader, signIn } from '../support/routes'

const service = pushService()
const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36'

beforeAll(async () => {
  await service.start()
})
afterAll(async () => {
  await service.stop()
})

const runJobs = (at: Date) => runDueJobs({ now: () => at, log: () => {} })

async function subscribedDoctor() {
  const doctor = await createDoctor()
  const browser = browserSubscription(`${service.origin}/push/${randomUUID()}`)
  const id = await savePushSubscription(doctor.id, browser.json, ANDROID_CHROME)
  return { doctor, browser, subscriptionId: id }
}

/** A notice about a talk, as a reminder would write it, meaning nothing after `expiresAt`. */
async function talkNotice(doctor: TestDoctor, talkId: string, now: Date, expiresAt: Date | null = null) {
  return db.transaction((tx) =>
    notify(tx, {
      recipientId: doctor.id,
      kind: 'talk_changed',
      data: { talkId, title: 'Sepsis in the first hour', startsAt: expiresAt?.toISOString() ?? now.toISOString(), rescheduled: true },
      now,
      expiresAt,
    }),
  )
}

const pushDeliveries = (userId: string) =>
  rawSql()`select status, attempts, provider_id, error, destination from notification_deliveries where user_id = ${userId} and channel = 'push' order by created_at`

describe('web push', () => {
  it('encrypts the notice to the browser’s keys (RFC 8291), signs with VAPID, and sends TTL, topic and urgency', async () => {
    const { doctor, browser, subscriptionId } = await subscribedDoctor()
    const talkId = randomUUID()
    const now = new Date()
    const startsAt = new Date(now.getTime() + 30 * 60_000)
    const told = await talkNotice(doctor, talkId, now, startsAt)
    expect(told).toMatchObject({ emailed: true, pushed: 1 })
    const before = service.received.length

    await runJobs(now)
    const requests = service.received.slice(before)
    expect(requests).toHaveLength(1)
    const [request] = requests
    expect(request.headers['content-encoding']).toBe('aes128gcm')
    // No longer than the time left before the talk starts.
    expect(Number(request.headers.ttl)).toBe(30 * 60)
    expect(request.headers.topic).toBe(pushTopic(`talk:${talkId}`))
    expect(request.headers.urgency).toBe('high')
    const claims = verifyVapid(request.headers.authorization as string, vapidKeys()!.publicKey)
    expect(claims.aud).toBe(service.origin)
    expect(claims.exp * 1000).toBeGreaterThan(now.getTime())

    const message = JSON.parse(browser.decrypt(request.body)) as Record<string, string>
    expect(message).toEqual({
      title: '“Sepsis in the first hour” has a new time',
      body: expect.stringContaining('It now starts'),
      url: `/t/${talkId}`,
      tag: told!.id,
    })
    expect(await pushDeliveries(doctor.id)).toEqual([
      { status: 'sent', attempts: 1, provider_id: `${service.origin}/messages/${service.received.length}`, error: null, destination: subscriptionId },
    ])
  })

  it('retries a push service’s 5xx with backoff and sends once', async () => {
    const { doctor } = await subscribedDoctor()
    const start = new Date()
    await talkNotice(doctor, randomUUID(), start)
    service.answers.push(503)
    const before = service.received.length

    expect(await runJobs(start)).toMatchObject({ failed: 1 })
    expect(await pushDeliveries(doctor.id)).toEqual([expect.objectContaining({ status: 'retrying', attempts: 1, error: expect.stringContaining('503') })])
    // Not before the backoff (10 s), then once, and never again.
    await runJobs(new Date(start.getTime() + 5_000))
    expect(service.received.length - before).toBe(1)
    await runJobs(new Date(start.getTime() + 11_000))
    await runJobs(new Date(start.getTime() + 60 * 60_000))
    expect(service.received.length - before).toBe(2)
    expect(await pushDeliveries(doctor.id)).toEqual([expect.objectContaining({ status: 'sent', attempts: 2, error: null })])
  })

  it('removes a subscription the push service says is gone (410), without retrying', async () => {
    const { doctor } = await subscribedDoctor()
    const now = new Date()
    await talkNotice(doctor, randomUUID(), now)
    service.answers.push(410)
    const before = service.received.length

    await runJobs(now)
    await runJobs(new Date(now.getTime() + 60 * 60_000))
    expect(service.received.length - before).toBe(1)
    expect(await listPushSubscriptions(doctor.id)).toEqual([])
    expect(await pushDeliveries(doctor.id)).toEqual([expect.objectContaining({ status: 'failed', attempts: 1, error: expect.stringContaining('410') })])
    // The next notice has no browser to go to.
    expect(await talkNotice(doctor, randomUUID(), now)).toMatchObject({ pushed: 0 })
  })

  it('drops a notice whose time has passed, and sends nothing when push is turned off for its kind', async () => {
    const { doctor } = await subscribedDoctor()
    const now = new Date()
    await talkNotice(doctor, randomUUID(), now, new Date(now.getTime() + 60_000))
    const before = service.received.length
    // The job runs two minutes late: the talk has started.
    await runJobs(new Date(now.getTime() + 2 * 60_000))
    expect(service.received.length).toBe(before)
    expect(await pushDeliveries(doctor.id)).toEqual([expect.objectContaining({ status: 'skipped', error: expect.stringContaining('Too late') })])

    await updateCommunicationPreferences(doctor.id, {
      email: { engagement: true, promotional: false },
      sms: { engagement: false, promotional: false },
      whatsapp: { engagement: false, promotional: false },
      push: { engagement: false, promotional: false },
    })
    expect(await talkNotice(doctor, randomUUID(), now)).toMatchObject({ emailed: true, pushed: 0 })
  })

  it('sends to each of a person’s browsers, one delivery each', async () => {
    const { doctor, subscriptionId } = await subscribedDoctor()
    const second = browserSubscription(`${service.origin}/push/${randomUUID()}`)
    const secondId = await savePushSubscription(doctor.id, second.json, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Firefox/128.0')
    const now = new Date()
    expect(await talkNotice(doctor, randomUUID(), now)).toMatchObject({ pushed: 2 })
    await runJobs(now)
    const rows = await pushDeliveries(doctor.id)
    expect(rows.map((r) => r.destination).sort()).toEqual([subscriptionId, secondId].sort())
    expect(rows.every((r) => r.status === 'sent')).toBe(true)
  })
})

describe('push for notices written many at a time', () => {
  it('queues one push per browser of each recipient whose preference allows it, once', async () => {
    const wants = await subscribedDoctor()
    const declines = await subscribedDoctor()
    const off = { engagement: false, promotional: false }
    await updateCommunicationPreferences(declines.doctor.id, { email: off, sms: off, whatsapp: off, push: off })
    const talkId = randomUUID()
    const ids = [randomUUID(), randomUUID()]
    for (const [i, doctor] of [wants.doctor, declines.doctor].entries()) {
      await rawSql()`insert into notifications (id, user_id, kind, subject, data)
        values (${ids[i]}, ${doctor.id}, 'talk_changed', ${randomUUID()}, ${JSON.stringify({ talkId, title: 'Grand round', rescheduled: false })}::jsonb)`
    }
    const now = new Date()
    const queue = () =>
      db.transaction((tx) => queuePushDeliveriesForNotices(tx, { notificationIds: ids, category: 'engagement', runAt: now, expiresAt: new Date(now.getTime() + 600_000) }))
    expect(await queue()).toBe(1)
    expect(await queue()).toBe(0)
    const before = service.received.length
    await runJobs(now)
    const requests = service.received.slice(before)
    expect(requests).toHaveLength(1)
    expect(Number(requests[0].headers.ttl)).toBe(600)
    expect(JSON.parse(wants.browser.decrypt(requests[0].body))).toMatchObject({ title: '“Grand round” was updated', url: `/t/${talkId}`, tag: ids[0] })
  })
})

describe('push subscriptions', () => {
  it('refuses a subscription with an http endpoint or bad keys (400) and stores nothing', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    const good = browserSubscription(`${service.origin}/push/${randomUUID()}`).json
    const offCurve = Buffer.alloc(65, 7)
    offCurve[0] = 4
    const cases = [
      { endpoint: 'http://push.example.org/abc', p256dh: good.keys.p256dh, auth: good.keys.auth },
      { endpoint: good.endpoint, p256dh: offCurve.toString('base64url'), auth: good.keys.auth },
      { endpoint: good.endpoint, p256dh: good.keys.p256dh, auth: 'c2hvcnQ' },
      { endpoint: 'not a url', p256dh: good.keys.p256dh, auth: good.keys.auth },
    ]
    for (const form of cases) {
      const result = await callAction(pushSubscriptionsRoute, { auth, form: { intent: 'subscribe', ...form } })
      expect(result.status).toBe(400)
      expect(result.data).toMatchObject({ ok: false, message: expect.stringMatching(/browser/i) })
    }
    expect(await listPushSubscriptions(doctor.id)).toEqual([])

    const saved = await callAction(pushSubscriptionsRoute, {
      auth,
      form: { intent: 'subscribe', endpoint: good.endpoint, p256dh: good.keys.p256dh, auth: good.keys.auth },
      headers: { 'user-agent': ANDROID_CHROME },
    })
    expect(saved.status).toBe(200)
    const [device] = await listPushSubscriptions(doctor.id)
    expect(device).toMatchObject({ userAgent: ANDROID_CHROME })
  })

  it('lists the person’s browsers by name on Settings → Notifications, with Push offered', async () => {
    const { doctor, browser } = await subscribedDoctor()
    const page = await callLoader(settingsNotificationsRoute, { auth: await signIn(doctor.id) })
    expect(page.data).toMatchObject({
      channels: ['email', 'push'],
      push: {
        publicKey: vapidKeys()!.publicKey,
        devices: [{ device: 'Chrome on Android', endpointTag: createHash('sha256').update(browser.json.endpoint).digest('hex').slice(0, 16) }],
      },
    })
    // The page never holds the endpoint or the keys.
    expect(JSON.stringify(page.data)).not.toContain(browser.json.endpoint)
    expect(JSON.stringify(page.data)).not.toContain(browser.json.keys.auth)
  })

  it('removes only the person’s own browser, and moves an endpoint that subscribes again for someone else', async () => {
    const { doctor, browser, subscriptionId } = await subscribedDoctor()
    const other = await createDoctor()
    const otherAuth = await signIn(other.id)
    // Someone else cannot remove it.
    await callAction(pushSubscriptionsRoute, { auth: otherAuth, form: { intent: 'remove', id: subscriptionId } })
    expect(await listPushSubscriptions(doctor.id)).toHaveLength(1)
    // The same browser, signed in as someone else, subscribes again: one row, now theirs.
    await savePushSubscription(other.id, browser.json, ANDROID_CHROME)
    expect(await listPushSubscriptions(doctor.id)).toEqual([])
    expect(await listPushSubscriptions(other.id)).toHaveLength(1)
    const removed = await callAction(pushSubscriptionsRoute, { auth: otherAuth, form: { intent: 'remove', id: subscriptionId } })
    expect(removed.location).toBe('/settings/notifications#browsers')
    expect(await listPushSubscriptions(other.id)).toEqual([])
  })

  it('renews a subscription the browser replaced, in place, and never brings back one the person removed or someone else’s', async () => {
    const { doctor, browser, subscriptionId } = await subscribedDoctor()
    const auth = await signIn(doctor.id)
    const fresh = browserSubscription(`${service.origin}/push/${randomUUID()}`).json
    const renew = (who: typeof auth, oldEndpoint: string) =>
      callAction(pushSubscriptionsRoute, { auth: who, form: { intent: 'renew', oldEndpoint, endpoint: fresh.endpoint, p256dh: fresh.keys.p256dh, auth: fresh.keys.auth } })

    // Someone else cannot take it over.
    expect((await renew(await signIn((await createDoctor()).id), browser.json.endpoint)).status).toBe(404)
    expect((await renew(auth, browser.json.endpoint)).status).toBe(200)
    const [device] = await listPushSubscriptions(doctor.id)
    expect(device.id).toBe(subscriptionId)
    expect(device.endpointTag).toBe(createHash('sha256').update(fresh.endpoint).digest('hex').slice(0, 16))

    // Bad keys: a clear 400 and the stored one unchanged.
    const bad = await callAction(pushSubscriptionsRoute, { auth, form: { intent: 'renew', oldEndpoint: fresh.endpoint, endpoint: fresh.endpoint, p256dh: 'short', auth: fresh.keys.auth } })
    expect(bad.status).toBe(400)
    expect((await listPushSubscriptions(doctor.id))[0].endpointTag).toBe(device.endpointTag)

    // Removed in settings: the worker's renewal is refused and nothing comes back.
    await callAction(pushSubscriptionsRoute, { auth, form: { intent: 'remove', id: subscriptionId } })
    expect((await renew(auth, fresh.endpoint)).status).toBe(404)
    expect(await listPushSubscriptions(doctor.id)).toEqual([])
  })
})
