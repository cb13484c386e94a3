import { and, eq } from 'drizzle-orm'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { advertiserMembers, advertisers, adCampaigns } from '../schema/index'
import type { Viewer } from '../viewer'
import { requireSignedIn } from './people'
import { hasStaffDuty, type StaffViewer } from './staff'

type Executor = Database | Transaction

/** Who reviews advertisers and campaigns: staff with the `ads_reviewer` duty. Others see no such page. */
export async function requireAdsReviewer(viewer: Viewer, executor: Executor = db): Promise<StaffViewer> {
  if (!(await hasStaffDuty(viewer, 'ads_reviewer', executor))) throw new PublicError('We could not find that page.', 404)
  return viewer as StaffViewer
}

/** The advertiser the viewer acts for, if any (one per account). */
export async function advertiserOf(viewer: Viewer, executor: Executor = db) {
  if (!viewer) return null
  const [row] = await executor
    .select({ id: advertisers.id, name: advertisers.name, website: advertisers.website, status: advertisers.status })
    .from(advertiserMembers)
    .innerJoin(advertisers, eq(advertisers.id, advertiserMembers.advertiserId))
    .where(eq(advertiserMembers.userId, viewer.userId))
    .limit(1)
  return row ?? null
}

/** The viewer acts for an advertiser staff approved; otherwise a 403 saying what to do. */
export async function requireApprovedAdvertiser(viewer: Viewer, executor: Executor = db) {
  requireSignedIn(viewer)
  const advertiser = await advertiserOf(viewer, executor)
  if (!advertiser) throw new PublicError('Register your organisation as an advertiser first.', 403)
  if (advertiser.status !== 'approved') throw new PublicError('Your organisation is waiting for approval by Rounds staff.', 403)
  return advertiser
}

/**
 * A campaign is read and reported only to the people of the advertiser that owns it. Anyone
 * else — another advertiser included — is told it does not exist.
 */
export async function requireOwnCampaign(viewer: Viewer, campaignId: string, executor: Executor = db) {
  const advertiser = await requireApprovedAdvertiser(viewer, executor)
  const [row] = await executor
    .select({ id: adCampaigns.id })
    .from(adCampaigns)
    .where(and(eq(adCampaigns.id, campaignId), eq(adCampaigns.advertiserId, advertiser.id)))
  if (!row) throw new PublicError('We could not find that campaign.', 404)
  return advertiser
}
