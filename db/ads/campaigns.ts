import { createHash, randomUUID } from 'node:crypto'
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm'
import { advertiserOf, requireAdsReviewer, requireApprovedAdvertiser, requireOwnCampaign } from '../access/ads'
import { requireSignedIn } from '../access/people'
import { db, type Transaction } from '../client'
import { PublicError } from '../errors'
import { adCampaigns, advertiserMembers, advertisers, clubs } from '../schema/index'
import type { Viewer } from '../viewer'
import { AdvertiserInput, CampaignInput, type CampaignFields } from './campaign-input'
import { campaignActions, campaignPhase, changedReviewedFields, refusalOf, reviewedVersion, type CampaignAction, type CampaignStatus } from './campaign-state'
import { forgetRunningCampaigns } from './selection'

// Advertisers and their campaigns: registration, staff review, and the advertiser's own view.

export async function getMyAdvertiser(viewer: Viewer) {
  requireSignedIn(viewer)
  return advertiserOf(viewer)
}

export async function registerAdvertiser(viewer: Viewer, input: unknown) {
  requireSignedIn(viewer)
  const parsed = AdvertiserInput.safeParse(input)
  if (!parsed.success) throw new PublicError(parsed.error.issues[0].message, 400, String(parsed.error.issues[0].path[0] ?? ''))
  return db.transaction(async (tx) => {
    if (await advertiserOf(viewer, tx)) throw new PublicError('Your account already acts for an advertiser.', 409)
    const id = randomUUID()
    await tx.insert(advertisers).values({ id, name: parsed.data.name, website: parsed.data.website, createdBy: viewer.userId })
    await tx.insert(advertiserMembers).values({ advertiserId: id, userId: viewer.userId })
    return { id }
  })
}

/** Parses campaign fields; a 4xx with the first problem, written for the advertiser. */
export function parseCampaignFields(input: unknown): CampaignFields {
  const parsed = CampaignInput.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const forbidden = issue.path[0] === 'audienceAge' || issue.path[0] === 'interestConsent'
    throw new PublicError(issue.message, forbidden ? 422 : 400, String(issue.path[0] ?? ''))
  }
  return parsed.data
}

const DAY_MS = 24 * 60 * 60 * 1000

/** The columns a campaign's form fills; clubs are named by address and stored by id. */
async function campaignValues(tx: Transaction, fields: CampaignFields) {
  let clubIds: string[] = []
  if (fields.targetClubSlugs.length) {
    // Only public clubs may be targeted: a private club is not a context an advertiser may know.
    const found = await tx
      .select({ id: clubs.id, slug: clubs.slug })
      .from(clubs)
      .where(and(inArray(sql`lower(${clubs.slug})`, fields.targetClubSlugs.map((s) => s.toLowerCase())), eq(clubs.visibility, 'public')))
    const missing = fields.targetClubSlugs.filter((s) => !found.some((f) => f.slug.toLowerCase() === s.toLowerCase()))
    if (missing.length) throw new PublicError(`No public club has the address “${missing[0]}”.`, 400, 'targetClubSlugs')
    clubIds = found.map((f) => f.id)
  }
  return {
    name: fields.name,
    headline: fields.headline,
    body: fields.body,
    imageAlt: fields.imageAlt,
    landingUrl: fields.landingUrl,
    sponsorName: fields.sponsorName,
    startsAt: new Date(`${fields.startsOn}T00:00:00Z`),
    // Stored as the moment after the last day ends (UTC).
    endsAt: new Date(new Date(`${fields.endsOn}T00:00:00Z`).getTime() + DAY_MS),
    dailyCap: fields.dailyCap,
    targetClubIds: clubIds,
    targetPageSpecialities: fields.targetPageSpecialities,
    targetTopics: fields.targetTopics,
    audienceSpecialities: fields.audienceSpecialities,
    targetInterests: fields.targetInterests.map((i) => i.toLowerCase()),
    verifiedOnly: fields.verifiedOnly,
    prescriptionDrug: fields.prescriptionDrug,
  }
}

/**
 * Creates a campaign waiting for staff review. `imagePath` is an image already checked and
 * stored; the caller deletes it if this refuses.
 */
export async function createCampaign(viewer: Viewer, input: unknown, imagePath: string) {
  const fields = parseCampaignFields(input)
  return db.transaction(async (tx) => {
    const advertiser = await requireApprovedAdvertiser(viewer, tx)
    const id = randomUUID()
    await tx.insert(adCampaigns).values({ id, advertiserId: advertiser.id, ...(await campaignValues(tx, fields)), imagePath, createdBy: viewer!.userId })
    return { id }
  })
}

const campaignColumns = {
  id: adCampaigns.id,
  name: adCampaigns.name,
  headline: adCampaigns.headline,
  body: adCampaigns.body,
  imagePath: adCampaigns.imagePath,
  imageAlt: adCampaigns.imageAlt,
  landingUrl: adCampaigns.landingUrl,
  sponsorName: adCampaigns.sponsorName,
  startsAt: adCampaigns.startsAt,
  endsAt: adCampaigns.endsAt,
  dailyCap: adCampaigns.dailyCap,
  targetClubIds: adCampaigns.targetClubIds,
  targetPageSpecialities: adCampaigns.targetPageSpecialities,
  targetTopics: adCampaigns.targetTopics,
  audienceSpecialities: adCampaigns.audienceSpecialities,
  targetInterests: adCampaigns.targetInterests,
  verifiedOnly: adCampaigns.verifiedOnly,
  prescriptionDrug: adCampaigns.prescriptionDrug,
  status: adCampaigns.status,
  reviewNote: adCampaigns.reviewNote,
  reviewedAt: adCampaigns.reviewedAt,
  createdAt: adCampaigns.createdAt,
}

export async function listMyCampaigns(viewer: Viewer) {
  const advertiser = await requireApprovedAdvertiser(viewer)
  return db.select(campaignColumns).from(adCampaigns).where(eq(adCampaigns.advertiserId, advertiser.id)).orderBy(desc(adCampaigns.createdAt))
}

/** The advertiser's own campaign, with the addresses of the clubs it targets (as its form takes them). */
export async function getMyCampaign(viewer: Viewer, campaignId: string) {
  await requireOwnCampaign(viewer, campaignId)
  const [row] = await db.select(campaignColumns).from(adCampaigns).where(eq(adCampaigns.id, campaignId))
  const targeted = row.targetClubIds.length
    ? await db.select({ id: clubs.id, slug: clubs.slug }).from(clubs).where(inArray(clubs.id, row.targetClubIds))
    : []
  return { ...row, targetClubSlugs: row.targetClubIds.flatMap((id) => targeted.filter((c) => c.id === id).map((c) => c.slug)) }
}

/** Locks the advertiser's own campaign for a change; anyone else is told it does not exist. */
async function lockOwnCampaign(tx: Transaction, viewer: Viewer, campaignId: string) {
  await requireOwnCampaign(viewer, campaignId, tx)
  const [row] = await tx.select(campaignColumns).from(adCampaigns).where(eq(adCampaigns.id, campaignId)).for('update')
  return row
}

const NEXT_STATUS = { pause: 'paused', resume: 'approved', end: 'ended' } as const satisfies Record<Exclude<CampaignAction, 'edit'>, CampaignStatus>

async function moveCampaign(viewer: Viewer, campaignId: string, action: keyof typeof NEXT_STATUS, now: Date) {
  const status = await db.transaction(async (tx) => {
    const row = await lockOwnCampaign(tx, viewer, campaignId)
    const phase = campaignPhase(row, now)
    if (!campaignActions(phase).includes(action)) throw new PublicError(refusalOf(action, phase), 409)
    await tx.update(adCampaigns).set({ status: NEXT_STATUS[action] }).where(eq(adCampaigns.id, campaignId))
    return NEXT_STATUS[action]
  })
  // Selection re-reads the running campaigns on this node now, and every node checks the status
  // of what it picks (db/ads/selection.ts), so the change reaches every page at once.
  forgetRunningCampaigns()
  return { status }
}

/** Stops showing an approved campaign until its advertiser resumes it. */
export function pauseCampaign(viewer: Viewer, campaignId: string, now = new Date()) {
  return moveCampaign(viewer, campaignId, 'pause', now)
}

/** Shows a paused campaign again, as approved (nothing in it changed since). */
export function resumeCampaign(viewer: Viewer, campaignId: string, now = new Date()) {
  return moveCampaign(viewer, campaignId, 'resume', now)
}

/** Ends a campaign for good: never shown or changed again; it stays readable with its reports. */
export function endCampaign(viewer: Viewer, campaignId: string, now = new Date()) {
  return moveCampaign(viewer, campaignId, 'end', now)
}

/**
 * Changes a campaign. A change to anything doctors see or to who sees it — or any change to a
 * campaign staff did not approve — sends it back to staff review, and it is not shown until they
 * approve it: no one sees unreviewed words under an earlier approval. The name, dates and daily
 * cap alone change at once. `imagePath` is a new image already checked and stored (null keeps
 * the current one); the caller deletes it if this refuses, and deletes `replacedImage` after.
 */
export async function editCampaign(viewer: Viewer, campaignId: string, input: unknown, imagePath: string | null, now = new Date()) {
  const fields = parseCampaignFields(input)
  const result = await db.transaction(async (tx) => {
    const row = await lockOwnCampaign(tx, viewer, campaignId)
    const phase = campaignPhase(row, now)
    if (!campaignActions(phase).includes('edit')) throw new PublicError(refusalOf('edit', phase), 409)
    const values = { ...(await campaignValues(tx, fields)), imagePath: imagePath ?? row.imagePath }
    const changed = changedReviewedFields(row, values)
    const toReview = changed.length > 0 || row.status === 'rejected'
    const status: CampaignStatus = toReview ? 'pending_review' : row.status
    await tx
      .update(adCampaigns)
      .set({ ...values, status, ...(toReview ? { reviewNote: null } : {}) })
      .where(eq(adCampaigns.id, campaignId))
    return { status, sentForReview: toReview, replacedImage: imagePath && imagePath !== row.imagePath ? row.imagePath : null }
  })
  forgetRunningCampaigns()
  return result
}

/** Staff: advertisers waiting for approval, and campaigns waiting for review. */
export async function listAdsReviewQueue(viewer: Viewer) {
  await requireAdsReviewer(viewer)
  const [pendingAdvertisers, pendingCampaigns] = await Promise.all([
    db
      .select({ id: advertisers.id, name: advertisers.name, website: advertisers.website, createdAt: advertisers.createdAt })
      .from(advertisers)
      .where(eq(advertisers.status, 'pending'))
      .orderBy(asc(advertisers.createdAt)),
    db
      .select({ ...campaignColumns, advertiserName: advertisers.name })
      .from(adCampaigns)
      .innerJoin(advertisers, eq(advertisers.id, adCampaigns.advertiserId))
      .where(eq(adCampaigns.status, 'pending_review'))
      .orderBy(asc(adCampaigns.createdAt)),
  ])
  return { pendingAdvertisers, pendingCampaigns: pendingCampaigns.map((c) => ({ ...c, version: campaignVersion(c) })) }
}

export async function decideAdvertiser(viewer: Viewer, advertiserId: string, decision: 'approve' | 'reject') {
  const staff = await requireAdsReviewer(viewer)
  const rows = await db
    .update(advertisers)
    .set({ status: decision === 'approve' ? 'approved' : 'rejected', decidedBy: staff.userId, decidedAt: new Date() })
    .where(and(eq(advertisers.id, advertiserId), eq(advertisers.status, 'pending')))
    .returning({ id: advertisers.id })
  if (!rows.length) throw new PublicError('That advertiser is not waiting for a decision.', 409)
}

/** A short fingerprint of what staff review: the review form carries the one its reviewer read. */
function campaignVersion(content: Parameters<typeof reviewedVersion>[0]) {
  return createHash('sha256').update(reviewedVersion(content)).digest('base64url').slice(0, 22)
}

/**
 * Staff approve or reject a campaign waiting for review. `version` is the fingerprint of the
 * content the reviewer read (listAdsReviewQueue): if the advertiser changed the campaign since,
 * nothing is decided and the reviewer is asked to read the new version.
 */
export async function reviewCampaign(viewer: Viewer, campaignId: string, decision: 'approve' | 'reject', note: string | null, version?: string) {
  const staff = await requireAdsReviewer(viewer)
  if (decision === 'reject' && !note?.trim()) throw new PublicError('Say why the campaign cannot run.', 400, 'note')
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(adCampaigns).where(eq(adCampaigns.id, campaignId)).for('update')
    if (!row || row.status !== 'pending_review') throw new PublicError('That campaign is not waiting for review.', 409)
    if (version !== undefined && version !== campaignVersion(row)) {
      throw new PublicError('The advertiser changed this campaign after you opened it. Read the new version below, then decide.', 409)
    }
    await tx
      .update(adCampaigns)
      .set({ status: decision === 'approve' ? 'approved' : 'rejected', reviewNote: note?.trim() || null, reviewedBy: staff.userId, reviewedAt: new Date() })
      .where(eq(adCampaigns.id, campaignId))
  })
  forgetRunningCampaigns()
}
