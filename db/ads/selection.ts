import { and, eq, gt, inArray, lte, ne, or, sql } from 'drizzle-orm'
import { verifiedDoctorSql } from '../access/verification'
import { db } from '../client'
import { photoUrl } from '../photos'
import { consentedSql } from '../privacy/cookies'
import {
  adCampaigns,
  adCapCounters,
  adHiddenAdvertisers,
  adInterests,
  advertisers,
  clubMembers,
  clubs,
  privacySettings,
  profiles,
  users,
} from '../schema/index'
import type { Viewer } from '../viewer'
import { adEligibility, placementAllowsAds, type AdPlacement, type AdReason, type AdTargeting, type AdViewerFacts } from './eligibility'
import { recordAdEvent, utcDay } from './events'

/*
 * Picks at most one ad for a member and a place. The running campaigns are read at most every
 * CACHE_MS per process; the member's facts are one query. Showing the ad records an impression
 * in the event buffer (db/ads/events.ts), off the request path.
 */

export type ShownAd = {
  campaignId: string
  advertiserId: string
  headline: string
  body: string
  imageUrl: string
  imageAlt: string
  sponsorName: string
  /** Goes through /ads/<id>/click, which counts the click and redirects. */
  clickUrl: string
  landingHost: string
  reasons: AdReason[]
}

type RunningCampaign = AdTargeting & {
  id: string
  headline: string
  body: string
  imagePath: string
  imageAlt: string
  sponsorName: string
  landingUrl: string
  dailyCap: number
}

const CACHE_MS = 15_000
let cache: { at: number; day: string; campaigns: RunningCampaign[]; shownToday: Map<string, number> } | null = null

/** Drops the cached campaigns (after a review), so the next page reads them again. */
export function forgetRunningCampaigns() {
  cache = null
}

async function runningCampaigns(now: Date) {
  const day = utcDay(now)
  if (cache && now.getTime() - cache.at < CACHE_MS && cache.day === day) return cache
  const rows = await db
    .select({
      id: adCampaigns.id,
      advertiserId: adCampaigns.advertiserId,
      headline: adCampaigns.headline,
      body: adCampaigns.body,
      imagePath: adCampaigns.imagePath,
      imageAlt: adCampaigns.imageAlt,
      sponsorName: adCampaigns.sponsorName,
      landingUrl: adCampaigns.landingUrl,
      dailyCap: adCampaigns.dailyCap,
      targetClubIds: adCampaigns.targetClubIds,
      targetPageSpecialities: adCampaigns.targetPageSpecialities,
      targetTopics: adCampaigns.targetTopics,
      audienceSpecialities: adCampaigns.audienceSpecialities,
      targetInterests: adCampaigns.targetInterests,
      verifiedOnly: adCampaigns.verifiedOnly,
      prescriptionDrug: adCampaigns.prescriptionDrug,
      shown: sql<number>`coalesce(${adCapCounters.impressions}, 0)`,
    })
    .from(adCampaigns)
    .innerJoin(advertisers, and(eq(advertisers.id, adCampaigns.advertiserId), eq(advertisers.status, 'approved')))
    .leftJoin(adCapCounters, and(eq(adCapCounters.campaignId, adCampaigns.id), eq(adCapCounters.day, day)))
    .where(and(eq(adCampaigns.status, 'approved'), lte(adCampaigns.startsAt, now), gt(adCampaigns.endsAt, now)))
  cache = {
    at: now.getTime(),
    day,
    campaigns: rows.map(({ shown: _shown, ...c }) => c),
    shownToday: new Map(rows.map((r) => [r.id, Number(r.shown)])),
  }
  return cache
}

/** Coarse region for breakdowns: the continent part of the member's time zone. */
export function regionOf(timeZone: string | null) {
  const part = timeZone?.split('/')[0]
  return part && ['Africa', 'America', 'Antarctica', 'Asia', 'Atlantic', 'Australia', 'Europe', 'Indian', 'Pacific'].includes(part) ? part : 'Unknown'
}

type MemberFacts = AdViewerFacts & { speciality: string | null; region: string; objectsToAnalytics: boolean }

/**
 * The member's facts, and which of the cached campaigns no longer run: the cache is per node, so
 * a campaign paused, ended or edited through another node (or moved out of its dates) is caught
 * here, in the same query, by its primary key.
 */
async function memberFacts(
  userId: string,
  consentId: string | null,
  targetedClubIds: string[],
  campaignIds: string[],
  now: Date,
): Promise<(MemberFacts & { stoppedCampaignIds: string[] }) | null> {
  const clubFilter = targetedClubIds.length ? inArray(clubMembers.clubId, targetedClubIds) : sql`false`
  const [row] = await db
    .select({
      adult: sql<boolean>`(${users.dateOfBirth} <= (current_date - interval '18 years')::date)`,
      verified: sql<boolean>`${verifiedDoctorSql(users.id, 'now')}`,
      speciality: profiles.speciality,
      timeZone: users.timeZone,
      personalisedAds: privacySettings.personalisedAds,
      objectPersonalisation: privacySettings.objectPersonalisation,
      objectAnalytics: privacySettings.objectAnalytics,
      targeting: consentedSql('targeting', { userId, consentId }),
      interests: sql<string[] | null>`(select array_agg(${adInterests.key} || chr(9) || ${adInterests.label}) from ${adInterests} where ${adInterests.userId} = ${userId} and ${adInterests.removedAt} is null)`,
      clubs: sql<string[] | null>`(select array_agg(${clubs.id} || chr(9) || ${clubs.name}) from ${clubMembers} join ${clubs} on ${clubs.id} = ${clubMembers.clubId} where ${clubMembers.userId} = ${userId} and ${clubFilter})`,
      hidden: sql<string[] | null>`(select array_agg(${adHiddenAdvertisers.advertiserId}) from ${adHiddenAdvertisers} where ${adHiddenAdvertisers.userId} = ${userId})`,
      stopped: sql<string[] | null>`(select array_agg(${adCampaigns.id}) from ${adCampaigns} where ${and(
        inArray(adCampaigns.id, campaignIds),
        or(ne(adCampaigns.status, 'approved'), gt(adCampaigns.startsAt, now), lte(adCampaigns.endsAt, now)),
      )})`,
    })
    .from(users)
    .leftJoin(profiles, eq(profiles.userId, users.id))
    .leftJoin(privacySettings, eq(privacySettings.userId, users.id))
    .where(and(eq(users.id, userId), sql`${users.deactivatedAt} is null`))
  if (!row) return null
  const split = (s: string) => {
    const i = s.indexOf('\t')
    return [s.slice(0, i), s.slice(i + 1)] as const
  }
  const personalised = row.adult && row.personalisedAds === true && row.targeting && row.objectPersonalisation !== true
  return {
    adult: row.adult,
    verified: row.verified,
    speciality: row.speciality,
    region: regionOf(row.timeZone),
    objectsToAnalytics: row.objectAnalytics === true,
    personalised,
    interests: personalised ? (row.interests ?? []).map((s) => split(s)).map(([key, label]) => ({ key, label })) : [],
    clubs: (row.clubs ?? []).map((s) => split(s)).map(([id, name]) => ({ id, name })),
    hiddenAdvertiserIds: row.hidden ?? [],
    stoppedCampaignIds: row.stopped ?? [],
  }
}

/** A switch for the whole site (ADS=off) and for a benchmark's baseline. */
export function adsEnabled() {
  return process.env.ADS !== 'off'
}

/**
 * The one ad for this member here, or null. Records the impression. Visitors, people under 18,
 * live rooms and talks with certificates get none.
 */
export async function selectAd(
  viewer: Viewer,
  placement: AdPlacement,
  options: { consentId?: string | null; now?: Date; record?: boolean; enabled?: boolean } = {},
): Promise<ShownAd | null> {
  if (!viewer || options.enabled === false || !adsEnabled() || !placementAllowsAds(placement)) return null
  try {
    return await chooseAd(viewer, placement, options)
  } catch (error) {
    // An ad is never worth a broken page: the page renders without one.
    warnOnce(error)
    return null
  }
}

let warned = false
function warnOnce(error: unknown) {
  if (warned) return
  warned = true
  console.warn('Ad selection failed; pages are shown without ads:', error instanceof Error ? error.message : error)
}

async function chooseAd(
  viewer: NonNullable<Viewer>,
  placement: AdPlacement,
  options: { consentId?: string | null; now?: Date; record?: boolean },
): Promise<ShownAd | null> {
  const now = options.now ?? new Date()
  const running = await runningCampaigns(now)
  const open = running.campaigns.filter((c) => (running.shownToday.get(c.id) ?? 0) < c.dailyCap)
  if (!open.length) return null
  const targetedClubs = [...new Set(open.flatMap((c) => c.targetClubIds))]
  const facts = await memberFacts(
    viewer.userId,
    options.consentId ?? null,
    targetedClubs,
    open.map((c) => c.id),
    now,
  )
  if (!facts) return null
  const stopped = new Set(facts.stoppedCampaignIds)
  const eligible = open.flatMap((c) => {
    if (stopped.has(c.id)) return []
    const decision = adEligibility(c, facts, placement)
    return decision.eligible ? [{ campaign: c, reasons: decision.reasons }] : []
  })
  if (!eligible.length) return null
  const { campaign, reasons } = eligible[Math.floor(Math.random() * eligible.length)]
  running.shownToday.set(campaign.id, (running.shownToday.get(campaign.id) ?? 0) + 1)
  const placementName = placement.kind
  if (options.record !== false) {
    recordAdEvent({
      campaignId: campaign.id,
      userId: viewer.userId,
      anonymous: facts.objectsToAnalytics,
      kind: 'impression',
      placement: placementName,
      sponsorName: campaign.sponsorName,
      speciality: facts.speciality,
      region: facts.region,
      at: now,
    })
  }
  return {
    campaignId: campaign.id,
    advertiserId: campaign.advertiserId,
    headline: campaign.headline,
    body: campaign.body,
    imageUrl: photoUrl(campaign.imagePath) ?? '',
    imageAlt: campaign.imageAlt,
    sponsorName: campaign.sponsorName,
    clickUrl: `/ads/${campaign.id}/click?from=${placementName}`,
    landingHost: new URL(campaign.landingUrl).hostname,
    reasons,
  }
}
