import { beforeAll, describe, expect, it } from 'vitest'
import * as rootRoute from '../../app/root'
import * as loginRoute from '../../app/routes/login'
import * as privacyRoute from '../../app/routes/privacy'
import * as adsRoute from '../../app/routes/settings.ads'
import * as deactivateRoute from '../../app/routes/settings.deactivate'
import * as nomineeRoute from '../../app/routes/settings.nominee'
import * as notificationsRoute from '../../app/routes/settings.notifications'
import * as privacySettingsRoute from '../../app/routes/settings.privacy'
import * as followersRoute from '../../app/routes/u.$handle.followers'
import * as profileRoute from '../../app/routes/u.$handle'
import { db, rawSql } from '../../db/client'
import { followClub } from '../../db/clubs'
import { followUser } from '../../db/follows'
import { createPolicyVersion, getNominee, getPrivacySettings, saveCookieConsent, saveNominee } from '../../db/privacy/index'
import { seedPolicyVersions } from '../../db/seed'
import { listDevMail } from '../../db/mailbox'
import { runDueJobs } from '../../server/jobs/index'
import { createDoctor, createTestClub, viewerOf, type TestDoctor } from '../support/factories'
import { callAction, callLoader, fieldErrors, signIn, type SignedIn } from '../support/routes'

const MB = 1024 * 1024
const huge = 'x'.repeat(MB)

/** Every privacy row of one person, to show a refused form changed nothing. */
async function snapshot(userId: string) {
  const tables = ['privacy_settings', 'communication_preferences', 'nominees', 'ad_interests', 'policy_acknowledgements']
  const out: Record<string, unknown> = {}
  for (const table of tables) out[table] = await rawSql().unsafe(`select * from ${table} where user_id = $1`, [userId])
  out.profile = await rawSql()`select discoverable, visibility from profiles where user_id = ${userId}`
  out.user = await rawSql()`select deactivated_at from users where id = ${userId}`
  return out
}

describe('settings pages ask for sign-in', () => {
  it.each([privacySettingsRoute, adsRoute, notificationsRoute, nomineeRoute, deactivateRoute])('redirects visitors to sign in', async (route) => {
    const res = await callLoader(route, { url: '/settings/x' })
    expect(res.status).toBe(302)
    expect(res.location).toMatch(/^\/login\?redirectTo=/)
    const post = await callAction(route, { url: '/settings/x', form: { intent: 'save' } })
    expect(post.status).toBe(302)
  })
})

describe('Settings → Privacy', () => {
  let doctor: TestDoctor
  let auth: SignedIn
  beforeAll(async () => {
    doctor = await createDoctor({ profile: { visibility: 'private' } })
    auth = await signIn(doctor.id)
  })
  const valid = { discoverable: 'no', listsVisibility: 'only_me', invitesFrom: 'nobody', objectPersonalisation: 'on' }

  it('shows the settings, mirroring the profile’s visibility', async () => {
    const res = await callLoader(privacySettingsRoute, { url: '/settings/privacy', auth })
    expect(res.data).toMatchObject({ settings: { profileVisibility: 'private', discoverable: true, listsVisibility: 'signed_in' } })
  })

  it('refuses bad input beside the field, and changes nothing', async () => {
    const before = await snapshot(doctor.id)
    const cases: [Record<string, string>, string][] = [
      [{ ...valid, listsVisibility: 'everyone' }, 'listsVisibility'],
      [{ ...valid, invitesFrom: huge }, 'invitesFrom'],
      [{ ...valid, discoverable: 'true' }, 'discoverable'],
      [{ ...valid, objectAnalytics: 'yes' }, 'objectAnalytics'],
      [{ ...valid, objectPersonalisation: huge }, 'objectPersonalisation'],
    ]
    for (const [form, field] of cases) {
      const res = await callAction(privacySettingsRoute, { url: '/settings/privacy', form, auth })
      expect(res.status).toBe(400)
      expect(fieldErrors(res.data, field).length, field).toBeGreaterThan(0)
    }
    expect(await snapshot(doctor.id)).toEqual(before)
  })

  it('saves every setting together', async () => {
    const res = await callAction(privacySettingsRoute, { url: '/settings/privacy', form: valid, auth })
    expect(res.status).toBe(302)
    expect(await getPrivacySettings(doctor.id)).toEqual({
      profileVisibility: 'private',
      discoverable: false,
      listsVisibility: 'only_me',
      invitesFrom: 'nobody',
      objectPersonalisation: true,
      objectAnalytics: false,
    })
  })
})

describe('Settings → Ads', () => {
  it('turns personalised ads on and off, lists inferred interests only with consent, and removes one', async () => {
    const doctor = await createDoctor({ profile: { interests: ['Sepsis'] } })
    const auth = await signIn(doctor.id)
    const owner = await createDoctor()
    await followClub(viewerOf(doctor), (await createTestClub(owner, { specialities: ['Emergency Medicine'] })).slug)

    let page = await callLoader(adsRoute, { url: '/settings/ads', auth })
    expect(page.data).toMatchObject({ prefs: { personalisedAds: false, chosen: false, active: false, interests: [] } })
    expect((await callAction(adsRoute, { url: '/settings/ads', form: { intent: 'set-ads', personalisedAds: 'on' }, auth })).status).toBe(200)
    // Targeting cookies are still off: nothing is inferred or stored.
    page = await callLoader(adsRoute, { url: '/settings/ads', auth })
    expect(page.data).toMatchObject({ prefs: { personalisedAds: true, targetingConsent: false, active: false, interests: [] } })
    expect(await rawSql()`select 1 from ad_interests where user_id = ${doctor.id}`).toHaveLength(0)

    await saveCookieConsent({ userId: null, consentId: 'ads-browser-consent-00001' }, { performance: false, functionality: false, targeting: true })
    page = await callLoader(adsRoute, { url: '/settings/ads', auth, headers: { cookie: 'rounds_consent=ads-browser-consent-00001' } })
    const prefs = (page.data as { prefs: { active: boolean; interests: { key: string }[] } }).prefs
    expect(prefs.active).toBe(true)
    expect(prefs.interests.map((i) => i.key).sort()).toEqual(['emergency medicine', 'sepsis'])

    const before = await snapshot(doctor.id)
    const forms: Record<string, string>[] = [
      { intent: 'remove-interest', key: 'not-mine' },
      { intent: 'remove-interest', key: huge },
      { intent: 'remove-interest' },
      { intent: 'set-ads', personalisedAds: 'maybe' },
      { intent: 'hack' },
    ]
    for (const form of forms) {
      const res = await callAction(adsRoute, { url: '/settings/ads', form, auth })
      expect(res.status, JSON.stringify(form).slice(0, 60)).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
    }
    expect(await snapshot(doctor.id)).toEqual(before)

    expect((await callAction(adsRoute, { url: '/settings/ads', form: { intent: 'remove-interest', key: 'sepsis' }, auth })).status).toBe(200)
    expect(await rawSql()`select key from ad_interests where user_id = ${doctor.id} and removed_at is null`).toEqual([{ key: 'emergency medicine' }])
  })

  it('refuses personalised ads to an under-18 with a 403', async () => {
    const minor = await createDoctor({ dateOfBirth: `${new Date().getUTCFullYear() - 15}-03-01` })
    const auth = await signIn(minor.id)
    const res = await callAction(adsRoute, { url: '/settings/ads', form: { intent: 'set-ads', personalisedAds: 'on' }, auth })
    expect(res.status).toBe(403)
    expect(await rawSql()`select 1 from privacy_settings where user_id = ${minor.id}`).toHaveLength(0)
  })
})

describe('Settings → Notifications', () => {
  it('saves per channel and kind, and refuses anything but a tick', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    const page = await callLoader(notificationsRoute, { url: '/settings/notifications', auth })
    expect(page.data).toMatchObject({ prefs: { email: { service: true, engagement: true, promotional: false } } })

    const before = await snapshot(doctor.id)
    const forms: Record<string, string>[] = [{ 'email-promotional': 'yes' }, { 'sms-engagement': huge }, { 'push-engagement': 'true' }]
    for (const form of forms) {
      expect((await callAction(notificationsRoute, { url: '/settings/notifications', form, auth })).status).toBe(400)
    }
    expect(await snapshot(doctor.id)).toEqual(before)

    // Unticked boxes are absent from a form post: everything optional on offered channels (email,
    // and push, which a local server can send) turns off. WhatsApp has no provider here, so it is
    // not offered: a post naming it changes nothing stored.
    const res = await callAction(notificationsRoute, { url: '/settings/notifications', form: { 'whatsapp-promotional': 'on', 'email-service': 'on' }, auth })
    expect(res.status).toBe(200)
    const after = await callLoader(notificationsRoute, { url: '/settings/notifications', auth })
    expect(after.data).toMatchObject({
      channels: ['email', 'push'],
      prefs: {
        email: { service: true, engagement: false, promotional: false },
        whatsapp: { service: true, engagement: false, promotional: false },
        push: { service: true, engagement: false, promotional: false },
      },
    })
  })
})

describe('Settings → Nominee', () => {
  it('names, edits and removes a nominee; bad input is refused beside the field', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    const good = { intent: 'save', name: 'Ravi Iyer', email: 'Ravi@Example.org', relationship: 'Brother' }
    const cases: [Record<string, string>, string][] = [
      [{ ...good, email: 'not-an-email' }, 'email'],
      [{ ...good, name: huge }, 'name'],
      [{ ...good, relationship: '' }, 'relationship'],
      [{ ...good, name: 'Ravi\u202EIyer' }, 'name'],
      [{ ...good, email: doctor.email }, 'email'],
      [{ ...good, intent: 'delete-everything' }, 'intent'],
    ]
    for (const [form, field] of cases) {
      const res = await callAction(nomineeRoute, { url: '/settings/nominee', form, auth })
      expect(res.status, field).toBe(400)
      expect(fieldErrors(res.data, field).length, field).toBeGreaterThan(0)
    }
    expect(await getNominee(doctor.id)).toBeNull()

    expect((await callAction(nomineeRoute, { url: '/settings/nominee', form: good, auth })).status).toBe(302)
    expect(await getNominee(doctor.id)).toMatchObject({ name: 'Ravi Iyer', email: 'ravi@example.org', relationship: 'Brother' })
    await callAction(nomineeRoute, { url: '/settings/nominee', form: { ...good, relationship: 'Sibling' }, auth })
    expect(await getNominee(doctor.id)).toMatchObject({ relationship: 'Sibling' })
    expect((await callAction(nomineeRoute, { url: '/settings/nominee', form: { intent: 'remove' }, auth })).status).toBe(302)
    expect(await getNominee(doctor.id)).toBeNull()
    const again = await callAction(nomineeRoute, { url: '/settings/nominee', form: { intent: 'remove' }, auth })
    expect(again.status).toBe(404)
  })

  it('cannot touch another doctor’s nominee', async () => {
    const owner = await createDoctor()
    const other = await createDoctor()
    await saveNominee(owner.id, { name: 'Kept Safe', email: 'kept@example.org', relationship: 'Friend' })
    // Forged ids in the form are ignored: the signed-in person is the only subject.
    await callAction(nomineeRoute, { url: '/settings/nominee', form: { intent: 'remove', userId: owner.id }, auth: await signIn(other.id) })
    expect(await getNominee(owner.id)).toMatchObject({ name: 'Kept Safe' })
  })
})

describe('Settings → Deactivate', () => {
  it('asks for the password, hides the profile everywhere, ends other sessions, and offers reactivation at sign-in', async () => {
    const doctor = await createDoctor({ profile: { visibility: 'public' } })
    const stranger = await createDoctor()
    const friend = await createDoctor({ profile: { visibility: 'public' } })
    await followUser(viewerOf(doctor), friend.handle)
    const auth = await signIn(doctor.id)
    const elsewhere = await signIn(doctor.id)
    const strangerAuth = await signIn(stranger.id)

    const before = await snapshot(doctor.id)
    const forms: Record<string, string>[] = [
      { intent: 'deactivate', password: 'wrong password entirely' },
      { intent: 'deactivate', password: huge },
      { intent: 'deactivate' },
      { intent: 'vanish' },
    ]
    for (const form of forms) {
      const res = await callAction(deactivateRoute, { url: '/settings/deactivate', form, auth })
      expect(res.status).toBe(400)
    }
    const wrong = await callAction(deactivateRoute, { url: '/settings/deactivate', form: { intent: 'deactivate', password: 'nope nope nope' }, auth })
    expect(fieldErrors(wrong.data, 'password')).toEqual(['That password is not right.'])
    expect(await snapshot(doctor.id)).toEqual(before)

    const res = await callAction(deactivateRoute, { url: '/settings/deactivate', form: { intent: 'deactivate', password: doctor.password }, auth })
    expect(res.status).toBe(302)
    const sessions = await rawSql()`select id from sessions where user_id = ${doctor.id}`
    expect(sessions.map((s) => s.id)).toEqual([auth.sessionId])
    expect(sessions.map((s) => s.id)).not.toContain(elsewhere.sessionId)

    for (const viewer of [null, strangerAuth]) {
      const profile = await callLoader(profileRoute, { url: `/u/${doctor.handle}`, params: { handle: doctor.handle }, auth: viewer })
      expect(profile.status).toBe(404)
      const followers = await callLoader(followersRoute, { url: `/u/${doctor.handle}/followers`, params: { handle: doctor.handle }, auth: viewer })
      expect(followers.status).toBe(404)
    }
    const friendsFollowers = await callLoader(followersRoute, { url: `/u/${friend.handle}/followers`, params: { handle: friend.handle }, auth: strangerAuth })
    expect(JSON.stringify(friendsFollowers.data)).not.toContain(doctor.handle)
    // The owner still sees their profile, and a notice on every page.
    expect((await callLoader(profileRoute, { url: `/u/${doctor.handle}`, params: { handle: doctor.handle }, auth })).status).toBe(200)
    expect((await callLoader(rootRoute, { url: '/', auth })).data).toMatchObject({ deactivated: true })

    // Signing in again lands on the page that offers to reactivate.
    const login = await callAction(loginRoute, { url: '/login', form: { email: doctor.email, password: doctor.password, redirectTo: '/clubs' } })
    expect(login.status).toBe(302)
    expect(login.location).toBe('/settings/deactivate')
    expect((await callLoader(deactivateRoute, { url: '/settings/deactivate', auth })).data).toEqual({ deactivated: true })

    expect((await callAction(deactivateRoute, { url: '/settings/deactivate', form: { intent: 'reactivate' }, auth })).status).toBe(302)
    expect((await callLoader(profileRoute, { url: `/u/${doctor.handle}`, params: { handle: doctor.handle }, auth: strangerAuth })).status).toBe(200)
  })
})

describe('/privacy and policy notices', () => {
  it('shows the current policy and its changes; a significant version notifies in-app and by email until read', async () => {
    await seedPolicyVersions(db)
    const reader = await createDoctor()
    const auth = await signIn(reader.id)
    const page = await callLoader(privacyRoute, { url: '/privacy' })
    expect(page.data).toMatchObject({ policy: { version: '1' }, signedIn: false })
    expect((page.data as { versions: unknown[] }).versions).toHaveLength(1)

    const result = await createPolicyVersion({
      version: '3',
      effectiveAt: new Date(Date.now() + 14 * 24 * 60 * 60 * 1000),
      significant: true,
      body: '# Changes\nWe now keep recordings for 90 days.',
      summary: 'Recordings are kept for 90 days.',
    })
    expect(result.emailed).toBe(result.notified)
    expect(await runDueJobs()).toMatchObject({ failed: 0 })
    const [mail] = await listDevMail({ to: reader.email })
    expect(mail.subject).toMatch(/^Our privacy policy changes on /)
    expect(mail.text).toContain('Recordings are kept for 90 days.')

    const root = await callLoader(rootRoute, { url: '/', auth })
    expect(root.data).toMatchObject({ notices: [{ kind: 'policy', subject: '3', link: '/privacy?version=3' }] })
    const upcoming = await callLoader(privacyRoute, { url: '/privacy?version=3', auth })
    expect(upcoming.data).toMatchObject({ policy: { version: '3', upcoming: true } })

    // Bad and forged input: 4xx, nothing recorded.
    const forms: Record<string, string>[] = [{ intent: 'acknowledge', version: 'nope' }, { intent: 'acknowledge', version: huge }, { intent: 'agree', version: '3' }, {}]
    for (const form of forms) {
      const res = await callAction(privacyRoute, { url: '/privacy', form, auth })
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
    }
    expect(await rawSql()`select 1 from policy_acknowledgements where user_id = ${reader.id}`).toHaveLength(0)
    expect((await callLoader(privacyRoute, { url: `/privacy?version=${huge.slice(0, 100)}` })).status).toBe(404)
    expect((await callLoader(privacyRoute, { url: '/privacy?version=9' })).status).toBe(404)

    const read = await callAction(privacyRoute, { url: '/privacy', form: { intent: 'acknowledge', version: '3' }, auth })
    expect(read.status).toBe(200)
    expect((await callLoader(rootRoute, { url: '/', auth })).data).toMatchObject({ notices: [] })
    const after = await callLoader(privacyRoute, { url: '/privacy?version=3', auth })
    expect((after.data as { versions: { version: string; acknowledged: boolean }[] }).versions.find((v) => v.version === '3')?.acknowledged).toBe(true)
    // Visitors cannot acknowledge.
    expect((await callAction(privacyRoute, { url: '/privacy', form: { intent: 'acknowledge', version: '3' } })).status).toBe(302)
  })
})
