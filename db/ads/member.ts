import { and, eq, sql } from 'drizzle-orm'
import { requireSignedIn } from '../access/people'
import { db } from '../client'
import { PublicError } from '../errors'
import { adCampaigns, adHiddenAdvertisers, advertisers, privacySettings, profiles, users } from '../schema/index'
import type { Viewer } from '../viewer'
import { recordAdEvent } from './events'
import { regionOf } from './selection'

// What a member does with an ad: follow it (a counted click) or hide its advertiser.

const PLACEMENTS = new Set(['home', 'club'])

/**
 * Counts a click and gives the landing page to send the member to. A campaign that is not
 * approved is not found. Visitors are sent on without being counted.
 */
export async function followAd(viewer: Viewer, campaignId: string, from: string, now = new Date()) {
  const [campaign] = await db
    .select({ landingUrl: adCampaigns.landingUrl, sponsorName: adCampaigns.sponsorName })
    .from(adCampaigns)
    .innerJoin(advertisers, and(eq(advertisers.id, adCampaigns.advertiserId), eq(advertisers.status, 'approved')))
    .where(and(eq(adCampaigns.id, campaignId), eq(adCampaigns.status, 'approved')))
  if (!campaign) throw new PublicError('That ad is no longer running.', 404)
  if (viewer) {
    const [me] = await db
      .select({
        adult: sql<boolean>`(${users.dateOfBirth} <= (current_date - interval '18 years')::date)`,
        speciality: profiles.speciality,
        timeZone: users.timeZone,
        objected: privacySettings.objectAnalytics,
      })
      .from(users)
      .leftJoin(profiles, eq(profiles.userId, users.id))
      .leftJoin(privacySettings, eq(privacySettings.userId, users.id))
      .where(eq(users.id, viewer.userId))
    // Under-18s are never shown ads, so never counted as clicking one.
    if (me?.adult) {
      recordAdEvent({
        campaignId,
        userId: viewer.userId,
        anonymous: me.objected === true,
        kind: 'click',
        placement: PLACEMENTS.has(from) ? from : 'other',
        sponsorName: campaign.sponsorName,
        speciality: me.speciality,
        region: regionOf(me.timeZone),
        at: now,
      })
    }
  }
  return campaign.landingUrl
}

/** "Hide this advertiser": none of its ads are shown to this member again. */
export async function hideAdvertiser(viewer: Viewer, advertiserId: string) {
  requireSignedIn(viewer)
  const [advertiser] = await db.select({ id: advertisers.id, name: advertisers.name }).from(advertisers).where(eq(advertisers.id, advertiserId))
  if (!advertiser) throw new PublicError('We could not find that advertiser.', 404, 'advertiserId')
  await db.insert(adHiddenAdvertisers).values({ userId: viewer.userId, advertiserId }).onConflictDoNothing()
  return { name: advertiser.name }
}
