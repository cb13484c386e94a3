import { randomUUID } from 'node:crypto'
import sharp from 'sharp'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  clubAdPlacement,
  createCampaign,
  flushAdEvents,
  followAd,
  forgetRunningCampaigns,
  getCampaignReport,
  getMyCampaign,
  getReportCell,
  hideAdvertiser,
  registerAdvertiser,
  reviewCampaign,
  rollUpAds,
  selectAd,
  suppressCells,
  type ReportCell,
} from '../../db/ads/index'
import { rawSql } from '../../db/client'
import { collectExport, requestErasure } from '../../db/data-rights/index'
import { saveCookieConsent, setPersonalisedAds } from '../../db/privacy/index'
import { storeAdImage } from '../../server/ad-images'
import { runDueJobs } from '../../server/jobs/index'
import { deleteUpload } from '../../server/uploads'
import {
  approvedAdvertiser,
  adsReviewer as reviewer,
  campaignFields as fields,
  DAY_MS as DAY,
  endAllCampaigns,
  expectAdRefusal as expectRefusal,
  runningCampaign,
} from '../support/ads'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'

const sql = () => rawSql()
async function consentingMember(doctor: TestDoctor) {
  await saveCookieConsent({ userId: doctor.id, consentId: randomUUID().replace(/-/g, '') }, { performance: false, functionality: false, targeting: true })
  await setPersonalisedAds(doctor.id, true)
  await sql()`insert into ad_interests (user_id, key, label, source) values (${doctor.id}, 'ecg', 'ECG', 'interest')`
}

async function countCampaigns() {
  const [row] = await sql()<{ n: number }[]>`select count(*)::int as n from ad_campaigns`
  return row.n
}

// Each test starts with no campaign running, so selection sees only what it made.
beforeEach(endAllCampaigns)

describe('creating a campaign', () => {
  it('refuses bad input with a clear 4xx and writes nothing', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const before = await countCampaigns()
    await expectRefusal(createCampaign(advertiser.viewer, fields({ sponsorName: undefined }), 'x.webp'), 400, /sponsored by/)
    await expectRefusal(createCampaign(advertiser.viewer, fields({ landingUrl: 'http://acme.example' }), 'x.webp'), 400, /https/)
    await expectRefusal(createCampaign(advertiser.viewer, fields({ audienceAge: 'under_18' }), 'x.webp'), 422, /under 18/)
    await expectRefusal(createCampaign(advertiser.viewer, fields({ interestConsent: 'ignore' }), 'x.webp'), 422, /personalised ads/)
    await expectRefusal(createCampaign(advertiser.viewer, fields({ targetClubSlugs: 'no-such-club' }), 'x.webp'), 400, /No public club/)
    // Someone whose organisation is not approved cannot create one either.
    const stranger = await createDoctor()
    await registerAdvertiser(viewerOf(stranger), { name: 'Pending Pharma', website: 'https://pending.example' })
    await expectRefusal(createCampaign(viewerOf(stranger), fields(), 'x.webp'), 403, /waiting for approval/)
    expect(await countCampaigns()).toBe(before)
  })

  it('takes only an image that decodes as one, stored re-encoded', async () => {
    await expectRefusal(storeAdImage(new TextEncoder().encode('<svg onload="alert(1)"></svg>')), 400, /not an image/)
    await expectRefusal(storeAdImage(new Uint8Array()), 400, /Choose an image/)
    const png = await sharp({ create: { width: 60, height: 30, channels: 3, background: '#0a7' } }).png().toBuffer()
    const stored = await storeAdImage(new Uint8Array(png))
    expect(stored).toMatch(/^ad-[0-9a-f-]{36}\.webp$/)
    await deleteUpload(stored)
  })

  it('waits for staff review before it runs', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const member = await createDoctor()
    const { id } = await createCampaign(advertiser.viewer, fields(), 'ad-test.webp')
    expect(await selectAd(viewerOf(member), { kind: 'home' }, { record: false })).toBeNull()
    // Only an ads reviewer may approve it.
    await expectRefusal(reviewCampaign(viewerOf(member), id, 'approve', null), 404, /could not find/)
    await reviewCampaign(staff, id, 'approve', null)
    const ad = await selectAd(viewerOf(member), { kind: 'home' }, { record: false })
    expect(ad).toMatchObject({ campaignId: id, sponsorName: 'Acme Cardio Ltd', reasons: [{ text: 'Shown to every doctor on Rounds' }] })
  })

  it('is not readable by another advertiser', async () => {
    const staff = await reviewer()
    const mine = await approvedAdvertiser(staff, 'Acme Cardio')
    const theirs = await approvedAdvertiser(staff, 'Rival Pharma')
    const id = await runningCampaign(staff, mine)
    expect((await getMyCampaign(mine.viewer, id)).name).toBe('Stent launch')
    await expectRefusal(getMyCampaign(theirs.viewer, id), 404, /could not find that campaign/)
    await expectRefusal(getCampaignReport(theirs.viewer, id), 404, /could not find that campaign/)
  })
})

describe('choosing an ad', () => {
  it('shows a club campaign on the home page of a member of the club, saying why', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const owner = await createDoctor()
    const club = await createTestClub(owner, { name: 'Cardiology Grand Rounds', specialities: ['Cardiology'] })
    const id = await runningCampaign(staff, advertiser, { targetClubSlugs: club.slug })
    const member = await createDoctor()
    await addClubMember(club, member)
    const ad = await selectAd(viewerOf(member), { kind: 'home' }, { record: false })
    expect(ad).toMatchObject({ campaignId: id, reasons: [{ text: 'You are in Cardiology Grand Rounds' }] })
    expect(await selectAd(viewerOf(await createDoctor()), { kind: 'home' }, { record: false })).toBeNull()
  })

  it('uses interests only with personalised ads on and targeting cookies accepted', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const interestOnly = await runningCampaign(staff, advertiser, { targetInterests: 'ECG' })
    const consenting = await createDoctor()
    await consentingMember(consenting)
    expect(await selectAd(viewerOf(consenting), { kind: 'home' }, { record: false })).toMatchObject({
      campaignId: interestOnly,
      reasons: [{ text: 'Your interest: ECG (you can remove it)', link: '/settings/ads' }],
    })
    // The same interest on record, but personalised ads off: nothing.
    const off = await createDoctor()
    await sql()`insert into ad_interests (user_id, key, label, source) values (${off.id}, 'ecg', 'ECG', 'interest')`
    await saveCookieConsent({ userId: off.id, consentId: randomUUID().replace(/-/g, '') }, { performance: false, functionality: false, targeting: true })
    expect(await selectAd(viewerOf(off), { kind: 'home' }, { record: false })).toBeNull()
    // Personalised ads on but targeting cookies withdrawn: nothing either.
    await saveCookieConsent({ userId: consenting.id, consentId: randomUUID().replace(/-/g, '') }, { performance: false, functionality: false, targeting: false })
    expect(await selectAd(viewerOf(consenting), { kind: 'home' }, { record: false })).toBeNull()
  })

  it('never shows an ad to anyone under 18, nor in a live room, nor beside a talk with certificates', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const owner = await createDoctor()
    const club = await createTestClub(owner, { name: 'Cardiology Grand Rounds', specialities: ['Cardiology'] })
    await runningCampaign(staff, advertiser, { targetClubSlugs: club.slug })
    const young = await createDoctor({ dateOfBirth: new Date(Date.now() - 17 * 365 * DAY).toISOString().slice(0, 10) })
    await addClubMember(club, young)
    expect(await selectAd(viewerOf(young), { kind: 'home' }, { record: false })).toBeNull()
    expect(await selectAd(viewerOf(young), await clubAdPlacement(club.id, []), { record: false })).toBeNull()

    const adult = await createDoctor()
    expect(await selectAd(viewerOf(adult), { kind: 'live' }, { record: false })).toBeNull()
    expect(await selectAd(viewerOf(adult), { kind: 'talk', issuesCertificates: true }, { record: false })).toBeNull()
    const talk = await createTalk({ clubId: club.id, hostId: owner.id, title: 'ECG in atrial fibrillation' })
    const plain = await clubAdPlacement(club.id, [talk])
    expect(await selectAd(viewerOf(adult), plain, { record: false })).toMatchObject({ reasons: [{ text: 'You are viewing Cardiology Grand Rounds' }] })
    await sql()`insert into talk_certificate_settings (talk_id, enabled) values (${talk.id}, true)`
    expect(await selectAd(viewerOf(adult), await clubAdPlacement(club.id, [talk]), { record: false })).toBeNull()
  })

  it('shows prescription-medicine campaigns to verified doctors only', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const id = await runningCampaign(staff, advertiser, { prescriptionDrug: 'on' })
    const unverified = await createDoctor()
    expect(await selectAd(viewerOf(unverified), { kind: 'home' }, { record: false })).toBeNull()
    const verified = await createDoctor()
    await sql()`insert into doctor_verifications (id, user_id, status, council, registration_year, number_cipher, number_masked, verified_at)
      values (${randomUUID()}, ${verified.id}, 'verified', 'nmc', 2010, 'c2VhbGVk', '•••• 5678', now())`
    expect(await selectAd(viewerOf(verified), { kind: 'home' }, { record: false })).toMatchObject({ campaignId: id, reasons: [{ text: 'You are a verified doctor' }] })
  })

  it('stops showing an advertiser the member hid, and a campaign that reached its daily cap', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    await runningCampaign(staff, advertiser, { dailyCap: '2' })
    const a = await createDoctor()
    const b = await createDoctor()
    expect(await selectAd(viewerOf(a), { kind: 'home' })).not.toBeNull()
    await hideAdvertiser(viewerOf(a), advertiser.advertiserId)
    expect(await selectAd(viewerOf(a), { kind: 'home' })).toBeNull()
    expect(await selectAd(viewerOf(b), { kind: 'home' })).not.toBeNull()
    // Two impressions: the cap is reached, here and (after the buffer is written) on every node.
    expect(await selectAd(viewerOf(b), { kind: 'home' })).toBeNull()
    await flushAdEvents()
    forgetRunningCampaigns()
    expect(await selectAd(viewerOf(b), { kind: 'home' })).toBeNull()
  })
})

type Seed = { speciality: string | null; region: string; impressions: number; clicks: number; member?: string | null }

/** Writes events for distinct members on a day, as the buffer would (day tokens, no names needed). */
async function seedEvents(campaignId: string, day: string, people: Seed[]) {
  for (const p of people) {
    const token = randomUUID()
    for (let i = 0; i < p.impressions + p.clicks; i++) {
      await sql()`insert into ad_events (campaign_id, user_id, day_token, kind, placement, sponsor_name, speciality, region, day)
        values (${campaignId}, ${p.member ?? null}, ${token}, ${i < p.impressions ? 'impression' : 'click'}, 'home', 'Acme Cardio Ltd', ${p.speciality}, ${p.region}, ${day})`
    }
  }
}

const isShown = (c: ReportCell | undefined): c is Extract<ReportCell, { suppressed: false }> => Boolean(c && !c.suppressed)

describe('measurement', () => {
  it('counts a click and sends the doctor to the https landing page; an ad not running is not found', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const id = await runningCampaign(staff, advertiser)
    const member = await createDoctor({ profile: { speciality: 'Cardiology' } })
    expect(await followAd(viewerOf(member), id, 'club')).toBe('https://acme.example/stent')
    await flushAdEvents()
    expect(await sql()`select kind, placement, speciality from ad_events where campaign_id = ${id} and user_id = ${member.id}`).toEqual([
      { kind: 'click', placement: 'club', speciality: 'Cardiology' },
    ])
    await expectRefusal(followAd(viewerOf(member), randomUUID(), 'home'), 404, /no longer running/)
    await sql()`update ad_campaigns set status = 'paused' where id = ${id}`
    await expectRefusal(followAd(viewerOf(member), id, 'home'), 404, /no longer running/)
  })

  it('rolls each completed day up once into totals, then deletes the per-person events after the window', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const id = await runningCampaign(staff, advertiser)
    const day = '2026-03-10'
    await seedEvents(id, day, [
      ...Array.from({ length: 30 }, () => ({ speciality: 'Cardiology', region: 'Asia', impressions: 2, clicks: 1 })),
      ...Array.from({ length: 25 }, () => ({ speciality: null, region: 'Europe', impressions: 1, clicks: 0 })),
    ])
    await sql()`insert into ad_day_salts (day, salt) values (${day}, 'old-salt') on conflict do nothing`
    // The day is still in its grace period just after midnight: nothing yet.
    expect((await rollUpAds(new Date('2026-03-11T00:05:00Z'))).rolledDays).toBe(0)
    const first = await rollUpAds(new Date('2026-03-11T01:00:00Z'))
    expect(first.rolledDays).toBeGreaterThanOrEqual(1)
    const stats = await sql()<{ dimension: string; value: string; reach: number; impressions: number; clicks: number }[]>`
      select dimension, value, reach, impressions, clicks from ad_daily_stats where campaign_id = ${id} and day = ${day} order by dimension, value`
    expect(stats).toEqual([
      { dimension: 'all', value: '', reach: 55, impressions: 85, clicks: 30 },
      { dimension: 'region', value: 'Asia', reach: 30, impressions: 60, clicks: 30 },
      { dimension: 'region', value: 'Europe', reach: 25, impressions: 25, clicks: 0 },
      { dimension: 'speciality', value: 'Cardiology', reach: 30, impressions: 60, clicks: 30 },
      { dimension: 'speciality', value: 'Not stated', reach: 25, impressions: 25, clicks: 0 },
    ])
    expect(await sql()`select 1 from ad_day_salts where day = ${day}`).toHaveLength(0)
    // Running again changes nothing; the events stay for the member's export until the window passes.
    expect((await rollUpAds(new Date('2026-03-11T02:00:00Z'))).rolledDays).toBe(0)
    expect(await sql()`select 1 from ad_events where campaign_id = ${id}`).toHaveLength(30 * 3 + 25)
    await rollUpAds(new Date('2026-03-18T01:00:00Z'))
    expect(await sql()`select 1 from ad_events where campaign_id = ${id}`).toHaveLength(0)
    expect(await sql()`select 1 from ad_daily_stats where campaign_id = ${id}`).toHaveLength(5)
  })

  it('writes impressions in batches, and keeps no per-person history for a member who objected to analytics', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const id = await runningCampaign(staff, advertiser)
    const objector = await createDoctor()
    await sql()`insert into privacy_settings (user_id, object_analytics) values (${objector.id}, true)`
    const member = await createDoctor()
    await selectAd(viewerOf(objector), { kind: 'home' })
    await selectAd(viewerOf(member), { kind: 'home' })
    // Nothing is written on the request path.
    expect(await sql()`select 1 from ad_events where campaign_id = ${id}`).toHaveLength(0)
    await flushAdEvents()
    const rows = await sql()<{ user_id: string | null; day_token: string }[]>`select user_id, day_token from ad_events where campaign_id = ${id}`
    expect(rows.map((r) => r.user_id).sort()).toEqual([member.id, null].sort())
    expect(new Set(rows.map((r) => r.day_token)).size).toBe(2)
    expect(JSON.stringify(rows)).not.toContain(objector.id)
  })

  it('reports only cells of at least 50 doctors, rounded, and holds back a complementary cell so no one is singled out', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const id = await runningCampaign(staff, advertiser)
    const day = '2026-04-02'
    // 60 cardiologists and one dermatologist — the one an attacker wants to find.
    await seedEvents(id, day, [
      ...Array.from({ length: 60 }, () => ({ speciality: 'Cardiology', region: 'Asia', impressions: 1, clicks: 0 })),
      { speciality: 'Dermatology', region: 'Asia', impressions: 1, clicks: 1 },
    ])
    await rollUpAds(new Date('2026-04-03T01:00:00Z'))
    const report = await getCampaignReport(advertiser.viewer, id, { day })
    const total = report.breakdown!.total
    expect(isShown(total) && total.reach).toBe(60)
    // Dermatology (1) is under the threshold; Cardiology is held back with it, or total − Cardiology = 1.
    expect(report.breakdown!.speciality).toEqual([
      { key: 'Cardiology', suppressed: true },
      { key: 'Dermatology', suppressed: true },
    ])
    // Differencing the two reports of the same day: the total and the speciality table.
    const shownSum = report.breakdown!.speciality.filter(isShown).reduce((n, c) => n + c.reach, 0)
    const recovered = isShown(total) ? total.reach - shownSum : null
    expect(recovered).not.toBe(1)
    expect(recovered === 0 || (recovered ?? 0) >= 50).toBe(true)
    // The region table has one cell of 61: shown, rounded.
    expect(report.breakdown!.region).toEqual([{ key: 'Asia', suppressed: false, reach: 60, impressions: 60, clicks: 0, ctr: 0, frequency: 1 }])
    // Asking for the cell directly is refused.
    await expectRefusal(getReportCell(advertiser.viewer, id, day, 'speciality', 'Dermatology'), 403, /Fewer than 50/)
    await expectRefusal(getReportCell(advertiser.viewer, id, day, 'speciality', 'Cardiology'), 403, /Fewer than 50/)
    expect(await getReportCell(advertiser.viewer, id, day, 'region', 'Asia')).toMatchObject({ reach: 60 })
  })

  it('holds back a whole day under the threshold, and one more so the all-days total does not reveal it', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const id = await runningCampaign(staff, advertiser)
    await seedEvents(id, '2026-05-01', Array.from({ length: 70 }, () => ({ speciality: 'Cardiology', region: 'Asia', impressions: 1, clicks: 0 })))
    await seedEvents(id, '2026-05-02', Array.from({ length: 90 }, () => ({ speciality: 'Cardiology', region: 'Asia', impressions: 1, clicks: 0 })))
    await seedEvents(id, '2026-05-03', [{ speciality: 'Cardiology', region: 'Asia', impressions: 3, clicks: 1 }])
    await rollUpAds(new Date('2026-05-04T01:00:00Z'))
    const report = await getCampaignReport(advertiser.viewer, id)
    expect(report.days.map((d) => [d.key, d.suppressed])).toEqual([
      ['2026-05-01', true],
      ['2026-05-02', false],
      ['2026-05-03', true],
    ])
    const shown = report.days.filter(isShown).reduce((n, c) => n + c.impressions, 0)
    expect(isShown(report.total) && report.total.impressions - shown).toBe(70)
    // The newest day has no breakdown to give.
    expect(report.breakdown!.speciality.every((c) => c.suppressed)).toBe(true)
  })

  it('suppresses as a pure rule: nothing hidden when every cell is large, otherwise at least 50 hidden together', () => {
    const cell = (key: string, reach: number) => ({ key, reach, impressions: reach, clicks: 0 })
    expect(suppressCells([cell('a', 60), cell('b', 70)]).every((c) => !c.suppressed)).toBe(true)
    const out = suppressCells([cell('a', 60), cell('b', 70), cell('c', 10), cell('d', 5)])
    expect(out.map((c) => c.suppressed)).toEqual([true, false, true, true])
    expect(suppressCells([cell('a', 60), cell('b', 70), cell('c', 30), cell('d', 25)]).map((c) => c.suppressed)).toEqual([false, false, true, true])
  })
})

describe('the member’s own data', () => {
  it('lists the ads shown and clicked in the export, and erasure removes every per-person event while totals stay', async () => {
    const staff = await reviewer()
    const advertiser = await approvedAdvertiser(staff)
    const id = await runningCampaign(staff, advertiser)
    const member = await createDoctor()
    await selectAd(viewerOf(member), { kind: 'home' })
    await sql()`insert into ad_events (campaign_id, user_id, day_token, kind, placement, sponsor_name, day)
      values (${id}, ${member.id}, 't', 'click', 'home', 'Acme Cardio Ltd', current_date)`
    await flushAdEvents()
    await hideAdvertiser(viewerOf(member), advertiser.advertiserId)
    const data = await collectExport(member.id)
    const events = data.sections.find((s) => s.table === 'ad_events')
    expect(events?.rowCount).toBe(2)
    expect(events?.rowsJson).toContain('Acme Cardio Ltd')
    expect(events?.rowsJson).toContain('click')
    expect(events?.rowsJson).not.toContain('"day_token"')
    expect(data.sections.find((s) => s.table === 'ad_hidden_advertisers')?.rowCount).toBe(1)

    await sql()`insert into ad_daily_stats (campaign_id, day, dimension, value, reach, impressions, clicks) values (${id}, '2026-01-01', 'all', '', 80, 90, 3)`
    const asked = new Date()
    await requestErasure(viewerOf(member), asked)
    expect(await runDueJobs({ now: () => new Date(asked.getTime() + 31 * DAY) })).toMatchObject({ failed: 0 })
    expect(await sql()`select 1 from ad_events where user_id = ${member.id}`).toHaveLength(0)
    expect(await sql()`select 1 from ad_hidden_advertisers where user_id = ${member.id}`).toHaveLength(0)
    expect(await sql()`select reach from ad_daily_stats where campaign_id = ${id}`).toEqual([{ reach: 80 }])
  })
})
