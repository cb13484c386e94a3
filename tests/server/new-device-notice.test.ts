import { describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { listPushSubscriptions, savePushSubscription } from '../../db/notifications/push-subscriptions'
import { updateCommunicationPreferences } from '../../db/privacy/index'
import { validateSessionId } from '../../server/auth'
import { runDueJobs } from '../../server/jobs/index'
import { noteSignIn } from '../../server/notifications/security'
import * as notMeRoute from '../../app/routes/security.not-me.$id'
import { createDoctor } from '../support/factories'
import { browserSubscription } from '../support/push-service'
import { callAction, callLoader, signIn } from '../support/routes'

const MAC_FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5; rv:128.0) Gecko/20100101 Firefox/128.0'
const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36'
const ANDROID_CHROME_NEWER = ANDROID_CHROME.replace('126.0.0.0', '127.0.0.0')

const notices = (userId: string) =>
  rawSql()`select id, kind, link, data from notifications where user_id = ${userId} and kind = 'new_device_sign_in' order by created_at`

const devMail = (email: string) => rawSql()`select subject, text from dev_mailbox where "to" = ${email} order by sent_at`

/** The link's path and query, as the route sees them, and its id parameter. */
function linkParts(link: string) {
  const url = new URL(link, 'http://localhost:3000')
  return { url: url.pathname + url.search, params: { id: decodeURIComponent(url.pathname.split('/').pop()!) } }
}

describe('new-device sign-in notices', () => {
  it('says nothing for the first device, tells once for a new one, and not for a known one (whatever its version)', async () => {
    const doctor = await createDoctor()
    await signIn(doctor.id, { userAgent: MAC_FIREFOX })
    await signIn(doctor.id, { userAgent: MAC_FIREFOX })
    expect(await notices(doctor.id)).toEqual([])

    await signIn(doctor.id, { userAgent: ANDROID_CHROME, ipAddress: '203.0.113.9' })
    await signIn(doctor.id, { userAgent: ANDROID_CHROME_NEWER })
    const told = await notices(doctor.id)
    expect(told).toHaveLength(1)
    // No GeoIP database configured: no place is named.
    expect(told[0].data).toEqual({ device: 'Chrome on Android', at: expect.any(String) })
    expect(told[0].link).toMatch(/^\/security\/not-me\/[0-9a-f-]{36}\.\d{13}\?expires=\d+&sig=[\w-]{43}$/)

    // Always emailed (a security notice), with the link.
    await runDueJobs({ log: () => {} })
    const mails = await devMail(doctor.email)
    expect(mails).toHaveLength(1)
    expect(mails[0].subject).toBe('New sign-in: Chrome on Android')
    expect(mails[0].text).toContain('This wasn’t me — sign out everywhere')
    expect(mails[0].text).toContain(`http://localhost:3000${told[0].link}`)
  })

  it('is sent even with every optional notice turned off, and never grouped', async () => {
    const doctor = await createDoctor()
    const off = { engagement: false, promotional: false }
    await updateCommunicationPreferences(doctor.id, { email: off, sms: off, whatsapp: off, push: off })
    await noteSignIn({ userId: doctor.id, userAgent: MAC_FIREFOX, ipAddress: null })
    expect(await noteSignIn({ userId: doctor.id, userAgent: ANDROID_CHROME, ipAddress: null })).toMatchObject({ notified: true })
    expect(await noteSignIn({ userId: doctor.id, userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/126.0', ipAddress: null })).toMatchObject({
      notified: true,
    })
    expect(await notices(doctor.id)).toHaveLength(2)
    expect(await rawSql()`select 1 from notification_deliveries d join notifications n on n.id = d.notification_id
      where n.user_id = ${doctor.id} and n.kind = 'new_device_sign_in' and d.channel = 'email'`).toHaveLength(2)
  })

  it('“This wasn’t me” ends every session and push subscription once; a replay or a forged link changes nothing', async () => {
    const doctor = await createDoctor()
    const laptop = await signIn(doctor.id, { userAgent: MAC_FIREFOX })
    const stranger = await signIn(doctor.id, { userAgent: ANDROID_CHROME })
    await savePushSubscription(doctor.id, browserSubscription(`https://push.example.org/${doctor.id}`).json, ANDROID_CHROME)
    const [notice] = await notices(doctor.id)
    const link = linkParts(notice.link as string)

    // Forged: another signature, another device, another moment.
    const forged = [
      link.url.replace(/sig=[\w-]+/, `sig=${'A'.repeat(43)}`),
      link.url.replace(/expires=(\d+)/, (_m, n: string) => `expires=${Number(n) + 1000}`),
    ]
    for (const url of forged) {
      expect((await callLoader(notMeRoute, { url, params: link.params })).status).toBe(404)
      expect((await callAction(notMeRoute, { url, params: link.params, form: {} })).status).toBe(404)
    }
    const otherMoment = link.params.id.replace(/\.(\d+)$/, (_m, n: string) => `.${Number(n) + 1}`)
    expect((await callAction(notMeRoute, { url: link.url.replace(link.params.id, otherMoment), params: { id: otherMoment }, form: {} })).status).toBe(404)
    expect(await validateSessionId(laptop.session.id)).not.toBeNull()
    expect(await listPushSubscriptions(doctor.id)).toHaveLength(1)

    // Opening the link changes nothing (mail scanners open links).
    expect(await callLoader(notMeRoute, { url: link.url, params: link.params })).toMatchObject({ status: 200, data: { status: 'open' } })
    expect(await validateSessionId(laptop.session.id)).not.toBeNull()

    const done = await callAction(notMeRoute, { url: link.url, params: link.params, form: {}, auth: laptop })
    expect(done.status).toBe(302)
    expect(done.location).toBe(`${link.url}&done=1`)
    expect(done.setCookie).toMatch(/rounds_session=;/)
    expect(await validateSessionId(laptop.session.id)).toBeNull()
    expect(await validateSessionId(stranger.session.id)).toBeNull()
    expect(await rawSql()`select 1 from sessions where user_id = ${doctor.id}`).toEqual([])
    expect(await listPushSubscriptions(doctor.id)).toEqual([])
    // The sockets of both sessions are told through the access-change outbox.
    const changes = await rawSql()`select session_id from access_changes where session_id in ${rawSql()([laptop.session.id, stranger.session.id])}`
    expect(changes).toHaveLength(2)
    expect(await callLoader(notMeRoute, { url: `${link.url}&done=1`, params: link.params })).toMatchObject({ status: 200, data: { status: 'done' } })

    // Replayed: refused, and a session started since stays.
    const again = await signIn(doctor.id, { userAgent: MAC_FIREFOX })
    const replay = await callAction(notMeRoute, { url: link.url, params: link.params, form: {} })
    expect(replay.status).toBe(410)
    expect(await callLoader(notMeRoute, { url: link.url, params: link.params })).toMatchObject({ status: 410 })
    expect(await validateSessionId(again.session.id)).not.toBeNull()
  })

  it('a disowned device that signs in again is news again, and the old link stays used', async () => {
    const doctor = await createDoctor()
    await signIn(doctor.id, { userAgent: MAC_FIREFOX })
    await signIn(doctor.id, { userAgent: ANDROID_CHROME })
    const [first] = await notices(doctor.id)
    const link = linkParts(first.link as string)
    expect((await callAction(notMeRoute, { url: link.url, params: link.params, form: {} })).status).toBe(302)

    await new Promise((resolve) => setTimeout(resolve, 5))
    await signIn(doctor.id, { userAgent: ANDROID_CHROME })
    const told = await notices(doctor.id)
    expect(told).toHaveLength(2)
    expect(told[1].link).not.toBe(first.link)
    expect((await callAction(notMeRoute, { url: link.url, params: link.params, form: {} })).status).toBe(410)
    const fresh = linkParts(told[1].link as string)
    expect((await callAction(notMeRoute, { url: fresh.url, params: fresh.params, form: {} })).status).toBe(302)
  })
})
