import { beforeEach, describe, expect, it } from 'vitest'
import {
  campaignActions,
  campaignPhase,
  createCampaign,
  editCampaign,
  endCampaign,
  getCampaignReport,
  getMyCampaign,
  listAdsReviewQueue,
  pauseCampaign,
  resumeCampaign,
  reviewCampaign,
  selectAd,
  type CampaignPhase,
} from '../../db/ads/index'
import { rawSql } from '../../db/client'
import {
  adsReviewer,
  approvedAdvertiser,
  campaignFields,
  campaignRow,
  DAY_MS,
  endAllCampaigns,
  expectAdRefusal,
  homeAdFor,
  runningCampaign,
  type AdsReviewer,
  type TestAdvertiser,
} from '../support/ads'
import { createDoctor, createTestClub, viewerOf } from '../support/factories'

const sql = () => rawSql()

async function shownTo(member: { id: string }) {
  return (await homeAdFor(member))?.campaignId ?? null
}

/** The campaign's fields as they stand, with some changed: an edit as the form would send it. */
async function editOf(advertiser: TestAdvertiser, id: string, changes: Record<string, string | undefined>) {
  const c = await getMyCampaign(advertiser.viewer, id)
  return {
    ...campaignFields({
      name: c.name,
      headline: c.headline,
      body: c.body,
      imageAlt: c.imageAlt,
      landingUrl: c.landingUrl,
      sponsorName: c.sponsorName,
      startsOn: c.startsAt.toISOString().slice(0, 10),
      endsOn: new Date(c.endsAt.getTime() - 1).toISOString().slice(0, 10),
      dailyCap: String(c.dailyCap),
      targetClubSlugs: c.targetClubSlugs.join(','),
      targetPageSpecialities: c.targetPageSpecialities.join(','),
      targetTopics: c.targetTopics.join(','),
      audienceSpecialities: c.audienceSpecialities.join(','),
      targetInterests: c.targetInterests.join(','),
      verifiedOnly: c.verifiedOnly ? 'on' : undefined,
      prescriptionDrug: c.prescriptionDrug ? 'on' : undefined,
    }),
    ...changes,
  }
}

let staff: AdsReviewer
let advertiser: TestAdvertiser

beforeEach(async () => {
  await endAllCampaigns()
  staff = await adsReviewer()
  advertiser = await approvedAdvertiser(staff)
})

describe('what an advertiser may do in each state', () => {
  it('allows only the actions that do something in the campaign’s phase', () => {
    const now = new Date('2026-06-10T12:00:00Z')
    const at = (status: Parameters<typeof campaignPhase>[0]['status'], reviewed: boolean, starts: string, ends: string) =>
      campaignPhase({ status, reviewedAt: reviewed ? now : null, startsAt: new Date(starts), endsAt: new Date(ends) }, now)
    const cases: [CampaignPhase, CampaignPhase][] = [
      [at('pending_review', false, '2026-06-01', '2026-06-20'), 'pending_review'],
      [at('pending_review', true, '2026-06-01', '2026-06-20'), 'changes_pending'],
      [at('approved', true, '2026-06-11', '2026-06-20'), 'scheduled'],
      [at('approved', true, '2026-06-01', '2026-06-20'), 'running'],
      [at('approved', true, '2026-06-01', '2026-06-10'), 'finished'],
      [at('paused', true, '2026-06-01', '2026-06-20'), 'paused'],
      [at('paused', true, '2026-06-01', '2026-06-10'), 'finished'],
      [at('rejected', true, '2026-06-01', '2026-06-20'), 'rejected'],
      [at('ended', true, '2026-06-01', '2026-06-20'), 'ended'],
    ]
    for (const [phase, expected] of cases) expect(phase).toBe(expected)
    expect(Object.fromEntries(cases.map(([p]) => [p, campaignActions(p)]))).toEqual({
      pending_review: ['edit', 'end'],
      changes_pending: ['edit', 'end'],
      scheduled: ['pause', 'edit', 'end'],
      running: ['pause', 'edit', 'end'],
      finished: ['edit'],
      paused: ['resume', 'edit', 'end'],
      rejected: ['edit', 'end'],
      ended: [],
    })
  })
})

describe('pausing, resuming and ending', () => {
  it('stops a paused campaign being chosen at once, shows it again on resume, and never after it ends', async () => {
    const id = await runningCampaign(staff, advertiser)
    const member = await createDoctor()
    expect(await shownTo(member)).toBe(id)

    expect(await pauseCampaign(advertiser.viewer, id)).toEqual({ status: 'paused' })
    expect(await shownTo(member)).toBeNull()
    expect(await resumeCampaign(advertiser.viewer, id)).toEqual({ status: 'approved' })
    expect(await shownTo(member)).toBe(id)

    expect(await endCampaign(advertiser.viewer, id)).toEqual({ status: 'ended' })
    expect(await shownTo(member)).toBeNull()
    // Still readable, with its report.
    expect(await getMyCampaign(advertiser.viewer, id)).toMatchObject({ id, status: 'ended', headline: 'A stent for small vessels' })
    expect((await getCampaignReport(advertiser.viewer, id)).days).toEqual([])
  })

  it('is enforced where campaigns are chosen, even on a node whose cache still lists the campaign', async () => {
    const id = await runningCampaign(staff, advertiser)
    const member = await createDoctor()
    expect(await shownTo(member)).toBe(id)
    // Another node pauses it: this node's cache is not told, the check in the member's query is.
    await sql()`update ad_campaigns set status = 'paused' where id = ${id}`
    expect(await shownTo(member)).toBeNull()
    await sql()`update ad_campaigns set status = 'approved', starts_at = now() + interval '2 days' where id = ${id}`
    expect(await shownTo(member)).toBeNull()
    await sql()`update ad_campaigns set starts_at = now() - interval '1 day' where id = ${id}`
    expect(await shownTo(member)).toBe(id)
  })

  it('refuses what the state does not allow, with a 409, changing nothing', async () => {
    const member = await createDoctor()
    // Waiting for review: nothing to pause or resume.
    const { id: pending } = await createCampaign(advertiser.viewer, campaignFields(), 'ad-test.webp')
    const pendingBefore = await campaignRow(pending)
    await expectAdRefusal(pauseCampaign(advertiser.viewer, pending), 409, /Only an approved campaign/)
    await expectAdRefusal(resumeCampaign(advertiser.viewer, pending), 409, /Only a paused campaign/)
    expect(await campaignRow(pending)).toEqual(pendingBefore)

    // Running: not paused, so not resumed.
    const running = await runningCampaign(staff, advertiser)
    await expectAdRefusal(resumeCampaign(advertiser.viewer, running), 409, /Only a paused campaign/)
    expect((await campaignRow(running)).status).toBe('approved')

    // Ended: final.
    await endCampaign(advertiser.viewer, running)
    const endedBefore = await campaignRow(running)
    await expectAdRefusal(resumeCampaign(advertiser.viewer, running), 409, /has ended/)
    await expectAdRefusal(pauseCampaign(advertiser.viewer, running), 409, /has ended/)
    await expectAdRefusal(endCampaign(advertiser.viewer, running), 409, /has ended/)
    await expectAdRefusal(editCampaign(advertiser.viewer, running, campaignFields({ headline: 'Back again' }), null), 409, /has ended/)
    expect(await campaignRow(running)).toEqual(endedBefore)
    expect(await shownTo(member)).toBeNull()

    // Past its last day: nothing to pause or end.
    const past = await runningCampaign(staff, advertiser, {
      startsOn: new Date(Date.now() - 10 * DAY_MS).toISOString().slice(0, 10),
      endsOn: new Date(Date.now() - 3 * DAY_MS).toISOString().slice(0, 10),
    })
    await expectAdRefusal(pauseCampaign(advertiser.viewer, past), 409, /Only an approved campaign that has not finished/)
    await expectAdRefusal(endCampaign(advertiser.viewer, past), 409, /already over/)
    expect((await campaignRow(past)).status).toBe('approved')
  })

  it('tells another advertiser the campaign does not exist, and changes nothing', async () => {
    const id = await runningCampaign(staff, advertiser)
    const rival = await approvedAdvertiser(staff, 'Rival Pharma')
    const before = await campaignRow(id)
    await expectAdRefusal(pauseCampaign(rival.viewer, id), 404, /could not find that campaign/)
    await expectAdRefusal(endCampaign(rival.viewer, id), 404, /could not find that campaign/)
    await expectAdRefusal(editCampaign(rival.viewer, id, campaignFields({ headline: 'Rival words' }), null), 404, /could not find that campaign/)
    await pauseCampaign(advertiser.viewer, id)
    await expectAdRefusal(resumeCampaign(rival.viewer, id), 404, /could not find that campaign/)
    expect(await campaignRow(id)).toEqual({ ...before, status: 'paused' })
    // A member who is no advertiser at all is refused before anything is looked up.
    await expectAdRefusal(resumeCampaign(viewerOf(await createDoctor()), id), 403, /Register your organisation/)
  })
})

describe('editing', () => {
  it('sends a change of what doctors see back to review, and shows nothing until staff approve it', async () => {
    const id = await runningCampaign(staff, advertiser)
    const member = await createDoctor()
    expect(await shownTo(member)).toBe(id)

    const edited = await editCampaign(advertiser.viewer, id, await editOf(advertiser, id, { headline: 'Now for large vessels too' }), null)
    expect(edited).toEqual({ status: 'pending_review', sentForReview: true, replacedImage: null })
    const stored = await getMyCampaign(advertiser.viewer, id)
    expect(campaignPhase(stored)).toBe('changes_pending')
    // The approved version does not keep running with the new words.
    expect(await shownTo(member)).toBeNull()
    expect((await listAdsReviewQueue(staff)).pendingCampaigns.map((c) => [c.id, c.headline])).toContainEqual([id, 'Now for large vessels too'])

    await reviewCampaign(staff, id, 'approve', null)
    const ad = await selectAd(viewerOf(member), { kind: 'home' }, { record: false })
    expect(ad).toMatchObject({ campaignId: id, headline: 'Now for large vessels too' })
  })

  it('does not approve words the reviewer never read: an edit made while staff were reviewing asks them to read it again', async () => {
    const { id } = await createCampaign(advertiser.viewer, campaignFields({ headline: 'First words' }), 'ad-test.webp')
    const read = (await listAdsReviewQueue(staff)).pendingCampaigns.find((c) => c.id === id)!
    // The advertiser changes the words after the reviewer opened the queue.
    await editCampaign(advertiser.viewer, id, await editOf(advertiser, id, { headline: 'Cures everything' }), null)
    await expectAdRefusal(reviewCampaign(staff, id, 'approve', null, read.version), 409, /changed this campaign after you opened it/)
    expect((await campaignRow(id)).status).toBe('pending_review')
    // A name-only change does not alter what is reviewed, so the fingerprint still matches.
    const fresh = (await listAdsReviewQueue(staff)).pendingCampaigns.find((c) => c.id === id)!
    expect(fresh.version).not.toBe(read.version)
    await editCampaign(advertiser.viewer, id, await editOf(advertiser, id, { name: 'Renamed only' }), null)
    await reviewCampaign(staff, id, 'approve', null, fresh.version)
    expect(await getMyCampaign(advertiser.viewer, id)).toMatchObject({ status: 'approved', headline: 'Cures everything' })
  })

  it('sends a change of who sees it, or of the image, back to review too', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner, { name: 'Cardiology Grand Rounds' })
    const id = await runningCampaign(staff, advertiser)
    const targeted = await editCampaign(advertiser.viewer, id, await editOf(advertiser, id, { targetClubSlugs: club.slug }), null)
    expect(targeted.sentForReview).toBe(true)
    expect(await getMyCampaign(advertiser.viewer, id)).toMatchObject({ status: 'pending_review', targetClubIds: [club.id], targetClubSlugs: [club.slug] })
    await reviewCampaign(staff, id, 'approve', null)

    const reimaged = await editCampaign(advertiser.viewer, id, await editOf(advertiser, id, {}), 'ad-new.webp')
    expect(reimaged).toEqual({ status: 'pending_review', sentForReview: true, replacedImage: 'ad-test.webp' })
    expect((await campaignRow(id)).image_path).toBe('ad-new.webp')
  })

  it('changes the name, dates and daily cap at once, keeping the campaign running or paused', async () => {
    const id = await runningCampaign(staff, advertiser)
    const member = await createDoctor()
    const lastDay = new Date(Date.now() + 20 * DAY_MS).toISOString().slice(0, 10)
    const saved = await editCampaign(advertiser.viewer, id, await editOf(advertiser, id, { name: 'Stent launch, phase 2', dailyCap: '50', endsOn: lastDay }), null)
    expect(saved).toEqual({ status: 'approved', sentForReview: false, replacedImage: null })
    expect(await getMyCampaign(advertiser.viewer, id)).toMatchObject({ name: 'Stent launch, phase 2', dailyCap: 50, status: 'approved' })
    expect(await shownTo(member)).toBe(id)
    // A paused campaign stays paused; the same topics typed in another order are the same targeting.
    expect((await editCampaign(advertiser.viewer, id, await editOf(advertiser, id, { targetTopics: 'ECG, stents' }), null)).sentForReview).toBe(true)
    await reviewCampaign(staff, id, 'approve', null)
    await pauseCampaign(advertiser.viewer, id)
    const reordered = await editCampaign(advertiser.viewer, id, await editOf(advertiser, id, { targetTopics: 'stents,ECG', name: 'Renamed' }), null)
    expect(reordered).toEqual({ status: 'paused', sentForReview: false, replacedImage: null })
    expect(await shownTo(member)).toBeNull()
  })

  it('sends a campaign staff did not approve back to them when it is edited, dropping their old note', async () => {
    const { id } = await createCampaign(advertiser.viewer, campaignFields(), 'ad-test.webp')
    await reviewCampaign(staff, id, 'reject', 'The claim needs a reference.')
    expect(campaignPhase(await getMyCampaign(advertiser.viewer, id))).toBe('rejected')
    await editCampaign(advertiser.viewer, id, await editOf(advertiser, id, { body: 'Two-year outcomes (Lancet 2025).' }), null)
    expect(await getMyCampaign(advertiser.viewer, id)).toMatchObject({ status: 'pending_review', reviewNote: null, body: 'Two-year outcomes (Lancet 2025).' })
  })

  it('checks an edit as it checks a new campaign: the same 4xx, nothing changed', async () => {
    const id = await runningCampaign(staff, advertiser)
    const before = await campaignRow(id)
    const base = await editOf(advertiser, id, {})
    await expectAdRefusal(editCampaign(advertiser.viewer, id, { ...base, sponsorName: undefined }, null), 400, /sponsored by/)
    await expectAdRefusal(editCampaign(advertiser.viewer, id, { ...base, landingUrl: 'http://acme.example' }, null), 400, /https/)
    await expectAdRefusal(editCampaign(advertiser.viewer, id, { ...base, audienceAge: 'under_18' }, null), 422, /under 18/)
    await expectAdRefusal(editCampaign(advertiser.viewer, id, { ...base, interestConsent: 'ignore' }, null), 422, /personalised ads/)
    await expectAdRefusal(editCampaign(advertiser.viewer, id, { ...base, targetClubSlugs: 'no-such-club' }, null), 400, /No public club/)
    await expectAdRefusal(editCampaign(advertiser.viewer, id, { ...base, endsOn: '2020-01-01' }, null), 400, /end date/)
    expect(await campaignRow(id)).toEqual(before)
  })
})
