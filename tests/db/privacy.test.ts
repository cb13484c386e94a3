import { describe, expect, it } from 'vitest'
import { listActivity, recordActivity } from '../../db/activity'
import { followClub, inviteToClub, joinClub, listClubFollowers, listClubMembers } from '../../db/clubs'
import { db, rawSql } from '../../db/client'
import { homeFeed } from '../../db/feed'
import { followUser, listFollowers, listFollowing, respondToFollowRequest } from '../../db/follows'
import {
  acknowledgePolicy,
  createPolicyVersion,
  currentPolicy,
  deactivateAccount,
  getAdPreferences,
  getCommunicationPreferences,
  getNominee,
  getPrivacySettings,
  inferAdInterests,
  listPolicyVersions,
  listUnreadNotices,
  mayMessage,
  personalisedAdsAllowed,
  reactivateAccount,
  removeAdInterest,
  removeNominee,
  saveCookieConsent,
  saveNominee,
  setPersonalisedAds,
  updateCommunicationPreferences,
  updatePrivacySettings,
  type PrivacySettingsUpdate,
} from '../../db/privacy/index'
import { getProfileForViewer, getProfilePage, listDoctorCards } from '../../db/profiles'
import { PRIVACY_POLICY_V1, seedPolicyVersions } from '../../db/seed'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'
import { signIn } from '../support/routes'

const as = viewerOf
const DEFAULTS: PrivacySettingsUpdate = {
  discoverable: true,
  listsVisibility: 'signed_in',
  invitesFrom: 'anyone',
  objectPersonalisation: false,
  objectAnalytics: false,
}

async function count(table: string, where = 'true', params: string[] = []) {
  const [row] = await rawSql().unsafe<{ n: number }[]>(`select count(*)::int as n from ${table} where ${where}`, params)
  return row.n
}

const consent = (userId: string, choices: Partial<{ performance: boolean; functionality: boolean; targeting: boolean }>) =>
  saveCookieConsent(
    { userId, consentId: `consent-${userId}` },
    { performance: false, functionality: false, targeting: false, ...choices },
  )

describe('followers and following lists: who may see them', () => {
  it('follows the owner’s setting: everyone signed in, approved followers only, or only them', async () => {
    const owner = await createDoctor({ profile: { visibility: 'public' } })
    const follower = await createDoctor()
    const stranger = await createDoctor()
    const followed = await createDoctor()
    await followUser(as(follower), owner.handle)
    await followUser(as(owner), followed.handle)

    // Default: a public profile's lists to anyone signed in, never to visitors.
    expect((await listFollowers(as(stranger), owner.handle))?.people.map((p) => p.handle)).toEqual([follower.handle])
    expect(await listFollowers(null, owner.handle)).toBeNull()

    await updatePrivacySettings(owner.id, { ...DEFAULTS, listsVisibility: 'followers' })
    expect(await listFollowers(as(stranger), owner.handle)).toBeNull()
    expect(await listFollowing(as(stranger), owner.handle)).toBeNull()
    expect((await getProfilePage(as(stranger), owner.handle))?.counts).toBeNull()
    expect((await listFollowing(as(follower), owner.handle))?.people.map((p) => p.handle)).toEqual([followed.handle])
    expect((await getProfilePage(as(follower), owner.handle))?.counts).toEqual({ followers: 1, following: 1 })

    await updatePrivacySettings(owner.id, { ...DEFAULTS, listsVisibility: 'only_me' })
    expect(await listFollowers(as(follower), owner.handle)).toBeNull()
    expect(await listFollowing(as(follower), owner.handle)).toBeNull()
    expect((await getProfilePage(as(follower), owner.handle))?.counts).toBeNull()
    // The full profile itself is unaffected; only the lists close.
    expect((await getProfilePage(as(follower), owner.handle))?.view.kind).toBe('full')
    expect((await listFollowers(as(owner), owner.handle))?.people.map((p) => p.handle)).toEqual([follower.handle])
  })

  it('never opens a private profile’s lists wider than the profile rule', async () => {
    const owner = await createDoctor({ profile: { visibility: 'private' } })
    const stranger = await createDoctor()
    await updatePrivacySettings(owner.id, { ...DEFAULTS, listsVisibility: 'signed_in' })
    expect(await listFollowers(as(stranger), owner.handle)).toBeNull()
  })
})

describe('who may invite me to clubs', () => {
  it('refuses every invitation with “nobody”, and writes nothing', async () => {
    const admin = await createDoctor()
    const invitee = await createDoctor()
    const club = await createTestClub(admin, { visibility: 'private' })
    await updatePrivacySettings(invitee.id, { ...DEFAULTS, invitesFrom: 'nobody' })
    const before = [await count('club_invitations'), await count('club_audit_log')]
    await expect(inviteToClub(as(admin), club.slug, invitee.handle)).rejects.toMatchObject({ status: 403, field: 'handle' })
    expect([await count('club_invitations'), await count('club_audit_log')]).toEqual(before)
  })

  it('takes invitations only from people I follow with “following”', async () => {
    const admin = await createDoctor()
    const invitee = await createDoctor()
    const club = await createTestClub(admin, { visibility: 'private' })
    await updatePrivacySettings(invitee.id, { ...DEFAULTS, invitesFrom: 'following' })
    await expect(inviteToClub(as(admin), club.slug, invitee.handle)).rejects.toMatchObject({ status: 403 })
    // The admin following the invitee is not enough: it is whom the invitee follows that counts.
    await followUser(as(admin), invitee.handle)
    await expect(inviteToClub(as(admin), club.slug, invitee.handle)).rejects.toMatchObject({ status: 403 })
    await followUser(as(invitee), admin.handle)
    await inviteToClub(as(admin), club.slug, invitee.handle)
    expect(await count('club_invitations', 'user_id = $1', [invitee.id])).toBe(1)
  })

  it('lets anyone invite by default', async () => {
    const admin = await createDoctor()
    const invitee = await createDoctor()
    const club = await createTestClub(admin, { visibility: 'private' })
    await inviteToClub(as(admin), club.slug, invitee.handle)
    await joinClub(as(invitee), club.slug)
  })
})

describe('deactivation', () => {
  it('makes the profile not found to everyone else, everywhere, until reactivated', async () => {
    const hidden = await createDoctor({ name: 'Dr Hidden Person', profile: { visibility: 'public', speciality: 'Cardiology' } })
    const approved = await createDoctor()
    const stranger = await createDoctor()
    const friend = await createDoctor({ profile: { visibility: 'public' } })
    const admin = await createDoctor()
    const club = await createTestClub(admin, { specialities: ['Cardiology'] })
    const otherClub = await createTestClub(admin)
    await followUser(as(approved), hidden.handle)
    await followUser(as(hidden), friend.handle)
    await followUser(as(friend), hidden.handle)
    await joinClub(as(hidden), club.slug)
    await followClub(as(hidden), club.slug)
    await addClubMember(club, hidden, 'admin')
    await createTalk({ clubId: club.id, hostId: hidden.id, title: 'Talk by the hidden host' })
    await followClub(as(stranger), club.slug)
    const keep = await signIn(hidden.id)
    const other = await signIn(hidden.id)

    const { endedSessions } = await deactivateAccount(hidden.id, keep.sessionId)
    expect(endedSessions).toEqual([other.sessionId])
    expect(await count('sessions', 'user_id = $1', [hidden.id])).toBe(1)

    for (const viewer of [null, as(stranger), as(approved), as(admin)]) {
      expect(await getProfileForViewer(viewer, hidden.handle)).toBeNull()
      expect(await getProfilePage(viewer, hidden.handle)).toBeNull()
      await expect(listFollowers(viewer, hidden.handle)).rejects.toMatchObject({ status: 404 })
      await expect(listFollowing(viewer, hidden.handle)).rejects.toMatchObject({ status: 404 })
    }
    // Gone from other people's lists and counts, the club's lists (admins included) and the directory.
    const friendsFollowers = await listFollowers(as(stranger), friend.handle)
    expect(friendsFollowers).toMatchObject({ people: [], hiddenCount: 0, total: 0 })
    expect((await getProfilePage(as(stranger), friend.handle))?.counts).toEqual({ followers: 0, following: 0 })
    expect((await listClubMembers(as(admin), club.slug)).people.map((p) => p.handle)).toEqual([admin.handle])
    expect((await listClubFollowers(as(admin), club.slug)).people.map((p) => p.handle)).toEqual([stranger.handle])
    expect((await listDoctorCards(null, 1000)).map((c) => c.handle)).not.toContain(hidden.handle)
    // Feeds do not show talks the hidden doctor hosts.
    const feed = await homeFeed(as(stranger))
    expect(feed.upcoming.map((t) => t.title)).not.toContain('Talk by the hidden host')
    // Nobody can follow or invite them.
    await expect(followUser(as(stranger), hidden.handle)).rejects.toMatchObject({ status: 404 })
    await expect(inviteToClub(as(admin), otherClub.slug, hidden.handle)).rejects.toMatchObject({ status: 404 })

    // The owner still sees their own profile.
    expect((await getProfilePage(as(hidden), hidden.handle))?.view.kind).toBe('own')

    await reactivateAccount(hidden.id)
    expect((await getProfilePage(as(stranger), hidden.handle))?.view.kind).toBe('full')
    expect((await listFollowers(as(stranger), friend.handle))?.people.map((p) => p.handle)).toEqual([hidden.handle])
  })
})

describe('objection to personalisation', () => {
  it('stops the home feed from using speciality and interests', async () => {
    const viewer = await createDoctor({ profile: { speciality: 'Dermatology', interests: ['acne'] } })
    const owner = await createDoctor()
    await createTestClub(owner, { name: 'Skin Club', specialities: ['Dermatology'] })
    await createTestClub(owner, { name: 'Acne Circle', description: 'all about acne' })
    const personal = await homeFeed(as(viewer))
    expect(personal.recommendedClubs.map((c) => c.reason)).toContain('In your speciality: Dermatology')

    await updatePrivacySettings(viewer.id, { ...DEFAULTS, objectPersonalisation: true })
    const objected = await homeFeed(as(viewer))
    expect(objected.recommendedClubs.length).toBeGreaterThan(0)
    expect(new Set(objected.recommendedClubs.map((c) => c.reason))).toEqual(new Set(['Popular on Rounds']))
  })
})

describe('analytics: activity events', () => {
  it('keeps nothing without performance consent, for visitors, or after an objection', async () => {
    const doctor = await createDoctor()
    expect(await recordActivity(as(doctor), 'profile.view', 'someone')).toBe(false)
    expect(await recordActivity(null, 'profile.view', 'someone')).toBe(false)
    await consent(doctor.id, { functionality: true, targeting: true })
    expect(await recordActivity(as(doctor), 'profile.view', 'someone')).toBe(false)
    expect(await count('activity_events', 'user_id = $1', [doctor.id])).toBe(0)

    await consent(doctor.id, { performance: true })
    expect(await recordActivity(as(doctor), 'talk.view', 'talk-1')).toBe(true)
    expect(await listActivity(doctor.id)).toMatchObject([{ kind: 'talk.view', subject: 'talk-1' }])

    // Objecting stops it and deletes what was kept.
    await updatePrivacySettings(doctor.id, { ...DEFAULTS, objectAnalytics: true })
    expect(await count('activity_events', 'user_id = $1', [doctor.id])).toBe(0)
    expect(await recordActivity(as(doctor), 'talk.view', 'talk-1')).toBe(false)
    expect(await count('activity_events', 'user_id = $1', [doctor.id])).toBe(0)
  })

  it('follows a browser’s anonymous consent, and its withdrawal', async () => {
    const doctor = await createDoctor()
    await saveCookieConsent({ userId: null, consentId: 'anon-browser-consent-0001' }, { performance: true, functionality: false, targeting: false })
    expect(await recordActivity(as(doctor), 'profile.view', 'x', 'anon-browser-consent-0001')).toBe(true)
    await saveCookieConsent({ userId: null, consentId: 'anon-browser-consent-0001' }, { performance: false, functionality: false, targeting: false })
    expect(await recordActivity(as(doctor), 'profile.view', 'x', 'anon-browser-consent-0001')).toBe(false)
    expect(await count('activity_events', 'user_id = $1', [doctor.id])).toBe(1)
  })
})

describe('ad interests', () => {
  async function setUp(options: { dateOfBirth?: string } = {}) {
    const doctor = await createDoctor({ dateOfBirth: options.dateOfBirth, profile: { interests: ['Heart failure', 'Echo'] } })
    const owner = await createDoctor()
    const club = await createTestClub(owner, { specialities: ['Cardiology', 'Radiology'] })
    await followClub(as(doctor), club.slug)
    return doctor
  }
  const labels = (list: { label: string }[]) => list.map((i) => i.label).sort()

  it('records nothing while personalised ads are off (the default), even with targeting consent', async () => {
    const doctor = await setUp()
    await consent(doctor.id, { targeting: true })
    expect(await inferAdInterests(doctor.id)).toEqual([])
    expect(await personalisedAdsAllowed(doctor.id)).toBe(false)
    expect(await count('ad_interests', 'user_id = $1', [doctor.id])).toBe(0)
  })

  it('records nothing with targeting cookies off — consent is real', async () => {
    const doctor = await setUp()
    await setPersonalisedAds(doctor.id, true)
    expect(await inferAdInterests(doctor.id)).toEqual([])
    await consent(doctor.id, { performance: true, functionality: true, targeting: false })
    expect(await inferAdInterests(doctor.id)).toEqual([])
    expect(await count('ad_interests', 'user_id = $1', [doctor.id])).toBe(0)
  })

  it('infers from followed clubs and profile interests when every condition holds; removals stick', async () => {
    const doctor = await setUp()
    await setPersonalisedAds(doctor.id, true)
    await consent(doctor.id, { targeting: true })
    expect(labels(await inferAdInterests(doctor.id))).toEqual(['Cardiology', 'Echo', 'Heart failure', 'Radiology'])
    await removeAdInterest(doctor.id, 'radiology')
    await expect(removeAdInterest(doctor.id, 'radiology')).rejects.toMatchObject({ status: 404 })
    expect(labels(await inferAdInterests(doctor.id))).toEqual(['Cardiology', 'Echo', 'Heart failure'])
    expect(labels((await getAdPreferences(doctor.id)).interests)).toEqual(['Cardiology', 'Echo', 'Heart failure'])

    // Withdrawing targeting consent removes what was inferred (the removal is kept).
    await consent(doctor.id, { targeting: false })
    expect(await count('ad_interests', 'user_id = $1 and removed_at is null', [doctor.id])).toBe(0)
    expect(await inferAdInterests(doctor.id)).toEqual([])

    // So does an objection to personalisation, and it blocks inference.
    await consent(doctor.id, { targeting: true })
    expect(await inferAdInterests(doctor.id)).toHaveLength(3)
    await updatePrivacySettings(doctor.id, { ...DEFAULTS, objectPersonalisation: true })
    expect(await count('ad_interests', 'user_id = $1 and removed_at is null', [doctor.id])).toBe(0)
    expect(await inferAdInterests(doctor.id)).toEqual([])
    await updatePrivacySettings(doctor.id, DEFAULTS)

    // And turning personalised ads off.
    expect(await inferAdInterests(doctor.id)).toHaveLength(3)
    await setPersonalisedAds(doctor.id, false)
    expect(await count('ad_interests', 'user_id = $1 and removed_at is null', [doctor.id])).toBe(0)
  })

  it('never personalises ads for under-18s, whatever is stored', async () => {
    const now = new Date()
    const minor = await setUp({ dateOfBirth: `${now.getUTCFullYear() - 16}-01-01` })
    await consent(minor.id, { targeting: true })
    await expect(setPersonalisedAds(minor.id, true)).rejects.toMatchObject({ status: 403 })
    // Even if the flag were set some other way.
    await rawSql()`insert into privacy_settings (user_id, personalised_ads) values (${minor.id}, true)`
    expect(await personalisedAdsAllowed(minor.id)).toBe(false)
    expect(await inferAdInterests(minor.id)).toEqual([])
    expect(await count('ad_interests', 'user_id = $1', [minor.id])).toBe(0)
    expect(await getAdPreferences(minor.id)).toMatchObject({ adult: false, active: false, interests: [] })
  })
})

describe('communication preferences', () => {
  it('keeps service messages on, promotional off by default, and stores each choice', async () => {
    const doctor = await createDoctor()
    const prefs = await getCommunicationPreferences(doctor.id)
    expect(prefs.email).toEqual({ service: true, engagement: true, promotional: false })
    expect(prefs.sms).toEqual({ service: true, engagement: false, promotional: false })
    await updateCommunicationPreferences(doctor.id, {
      email: { engagement: false, promotional: true },
      sms: { engagement: true, promotional: false },
      whatsapp: { engagement: false, promotional: false },
      push: { engagement: true, promotional: false },
    })
    expect(await mayMessage(doctor.id, 'email', 'engagement')).toBe(false)
    expect(await mayMessage(doctor.id, 'email', 'promotional')).toBe(true)
    expect(await mayMessage(doctor.id, 'email', 'service')).toBe(true)
    expect((await getCommunicationPreferences(doctor.id)).sms.engagement).toBe(true)
  })
})

describe('policy versions', () => {
  it('seeds version 1 once, however often seeding runs', async () => {
    await seedPolicyVersions(db)
    await seedPolicyVersions(db)
    expect(await count('policy_versions', 'version = $1', ['1'])).toBe(1)
    expect((await currentPolicy())?.version).toBe(PRIVACY_POLICY_V1.version)
  })

  it('notifies every account of a significant version, and records each acknowledgement', async () => {
    await seedPolicyVersions(db)
    const reader = await createDoctor()
    const users = await count('users')
    const minor = await createPolicyVersion({
      version: '1.1',
      effectiveAt: new Date(Date.now() - 1000),
      significant: false,
      body: '# Small fix\nTypos.',
      summary: 'Fixed typos.',
    })
    expect(minor.notified).toBe(0)
    const effectiveAt = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000)
    const major = await createPolicyVersion({ version: '2', effectiveAt, significant: true, body: '# New\nWe now do X.', summary: 'We now do X.' })
    expect(major.notified).toBe(users)
    await expect(
      createPolicyVersion({ version: '2', effectiveAt, significant: true, body: 'x', summary: 'y' }),
    ).rejects.toMatchObject({ status: 409 })
    // The current version is still 1.1 until 2 takes effect; all three are listed.
    expect((await currentPolicy())?.version).toBe('1.1')
    expect((await listPolicyVersions()).map((v) => v.version)).toEqual(['2', '1.1', '1'])

    const notices = await listUnreadNotices(reader.id)
    expect(notices).toMatchObject([{ kind: 'policy', subject: '2', link: '/privacy?version=2' }])
    await acknowledgePolicy(reader.id, '2')
    await acknowledgePolicy(reader.id, '2')
    expect(await listUnreadNotices(reader.id)).toEqual([])
    expect(await count('policy_acknowledgements', 'user_id = $1', [reader.id])).toBe(1)
    await expect(acknowledgePolicy(reader.id, 'nope')).rejects.toMatchObject({ status: 404 })
  })
})

describe('nominee', () => {
  it('is stored, editable and removable; never oneself', async () => {
    const doctor: TestDoctor = await createDoctor()
    expect(await getNominee(doctor.id)).toBeNull()
    await saveNominee(doctor.id, { name: 'Sam Rao', email: 'sam@example.org', relationship: 'Spouse' })
    await saveNominee(doctor.id, { name: 'Sam Rao', email: 'sam.rao@example.org', relationship: 'Spouse' })
    expect(await getNominee(doctor.id)).toMatchObject({ email: 'sam.rao@example.org' })
    expect(await count('nominees', 'user_id = $1', [doctor.id])).toBe(1)
    await expect(saveNominee(doctor.id, { name: 'Me', email: doctor.email.toUpperCase(), relationship: 'Self' })).rejects.toMatchObject({
      status: 400,
      field: 'email',
    })
    await removeNominee(doctor.id)
    expect(await getNominee(doctor.id)).toBeNull()
    await expect(removeNominee(doctor.id)).rejects.toMatchObject({ status: 404 })
  })
})

describe('privacy settings', () => {
  it('reads defaults, saves every field, and queues a search refresh when discoverability changes', async () => {
    const doctor = await createDoctor()
    expect(await getPrivacySettings(doctor.id)).toEqual({ profileVisibility: 'public', ...DEFAULTS })
    const outbox = await count('search_outbox', 'entity_id = $1', [doctor.id])
    const update: PrivacySettingsUpdate = {
      discoverable: false,
      listsVisibility: 'only_me',
      invitesFrom: 'following',
      objectPersonalisation: true,
      objectAnalytics: true,
    }
    await updatePrivacySettings(doctor.id, update)
    expect(await getPrivacySettings(doctor.id)).toEqual({ profileVisibility: 'public', ...update })
    expect(await count('search_outbox', 'entity_id = $1', [doctor.id])).toBe(outbox + 1)
    expect((await listDoctorCards(null, 1000)).map((c) => c.handle)).not.toContain(doctor.handle)
  })

  it('approving a follower still works with list settings in place', async () => {
    const owner = await createDoctor({ profile: { visibility: 'private' } })
    const asker = await createDoctor()
    await updatePrivacySettings(owner.id, { ...DEFAULTS, listsVisibility: 'followers' })
    await followUser(as(asker), owner.handle)
    await respondToFollowRequest(as(owner), asker.handle, true)
    expect((await listFollowers(as(asker), owner.handle))?.people.map((p) => p.handle)).toEqual([asker.handle])
  })
})
