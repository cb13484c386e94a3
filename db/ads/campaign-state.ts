import type { adCampaigns } from '../schema/ads'

/*
 * Where a campaign stands and what its advertiser may do with it. Browser-safe (no queries): the
 * campaign page shows only the buttons this allows, and the data layer refuses anything else.
 */

export type CampaignStatus = (typeof adCampaigns.$inferSelect)['status']

export type CampaignPhase =
  | 'pending_review'
  /** Reviewed before, edited since: not shown until staff approve the changes. */
  | 'changes_pending'
  /** Approved, first day still to come. */
  | 'scheduled'
  | 'running'
  | 'paused'
  /** Approved or paused, and its last day has passed. */
  | 'finished'
  | 'rejected'
  | 'ended'

export type CampaignAction = 'pause' | 'resume' | 'end' | 'edit'

type Dated = { status: CampaignStatus; reviewedAt: Date | string | null; startsAt: Date | string; endsAt: Date | string }

const time = (d: Date | string) => new Date(d).getTime()

export function campaignPhase(campaign: Dated, now: Date = new Date()): CampaignPhase {
  switch (campaign.status) {
    case 'ended':
    case 'rejected':
      return campaign.status
    case 'pending_review':
      return campaign.reviewedAt ? 'changes_pending' : 'pending_review'
    case 'paused':
      return time(campaign.endsAt) <= now.getTime() ? 'finished' : 'paused'
    case 'approved':
      if (time(campaign.endsAt) <= now.getTime()) return 'finished'
      return time(campaign.startsAt) > now.getTime() ? 'scheduled' : 'running'
  }
}

const ACTIONS: Record<CampaignPhase, CampaignAction[]> = {
  pending_review: ['edit', 'end'],
  changes_pending: ['edit', 'end'],
  scheduled: ['pause', 'edit', 'end'],
  running: ['pause', 'edit', 'end'],
  paused: ['resume', 'edit', 'end'],
  // Over by its dates: new dates (an edit) can run it again; ending it would change nothing shown.
  finished: ['edit'],
  // Editing a campaign staff did not approve is how it goes back to them.
  rejected: ['edit', 'end'],
  ended: [],
}

/** What the advertiser may do in this phase; every other action is refused. */
export function campaignActions(phase: CampaignPhase): CampaignAction[] {
  return ACTIONS[phase]
}

/** Why an action is refused in a phase, for the 409 the data layer answers. */
export function refusalOf(action: CampaignAction, phase: CampaignPhase): string {
  if (phase === 'ended') return 'This campaign has ended: it cannot run or change again.'
  switch (action) {
    case 'pause':
      return 'Only an approved campaign that has not finished can be paused.'
    case 'resume':
      return 'Only a paused campaign can be resumed.'
    case 'end':
      return 'This campaign’s last day has passed: it is already over.'
    case 'edit':
      return 'This campaign cannot be changed now.'
  }
}

export const CAMPAIGN_PHASE_LABEL: Record<CampaignPhase, string> = {
  pending_review: 'Waiting for review by Rounds staff',
  changes_pending: 'Changes waiting for review',
  scheduled: 'Approved: starts on its first day',
  running: 'Running',
  paused: 'Paused',
  finished: 'Finished',
  rejected: 'Not approved',
  ended: 'Ended',
}

/** One line under the label: what the phase means for doctors seeing the ad. */
export const CAMPAIGN_PHASE_MEANING: Record<CampaignPhase, string> = {
  pending_review: 'It is not shown to anyone yet. Once Rounds staff approve it, it runs on its dates.',
  changes_pending: 'It is not shown to anyone until Rounds staff approve your changes. Then it runs on its dates.',
  scheduled: 'It runs from its first day.',
  running: 'Doctors it is meant for see it now.',
  paused: 'It is not shown to anyone until you resume it.',
  finished: 'Its last day has passed, so it is not shown. Change its dates to run it again.',
  rejected: 'It is not shown. Edit it to send it to Rounds staff again.',
  ended: 'It is not shown again and cannot be changed. Its figures stay here.',
}

/**
 * What doctors see, and what decides who sees it. An edit that changes any of it goes back to
 * staff review; the name, dates and daily cap alone do not.
 */
const REVIEWED_FIELDS = [
  'headline',
  'body',
  'imagePath',
  'imageAlt',
  'landingUrl',
  'sponsorName',
  'targetClubIds',
  'targetPageSpecialities',
  'targetTopics',
  'audienceSpecialities',
  'targetInterests',
  'verifiedOnly',
  'prescriptionDrug',
] as const

export type ReviewedContent = Pick<typeof adCampaigns.$inferSelect, (typeof REVIEWED_FIELDS)[number]>

const same = (a: unknown, b: unknown) =>
  Array.isArray(a) && Array.isArray(b) ? [...a].sort().join('\u0000') === [...b].sort().join('\u0000') && a.length === b.length : a === b

/**
 * One string for the reviewed content as it is: staff approve the version they read, so a change
 * made while they were reading is not approved unseen (db/ads/campaigns.ts reviewCampaign).
 */
export function reviewedVersion(content: ReviewedContent): string {
  return JSON.stringify(REVIEWED_FIELDS.map((field) => (Array.isArray(content[field]) ? [...(content[field] as string[])].sort() : content[field])))
}

/** The reviewed fields an edit changes (a list in another order is the same list). */
export function changedReviewedFields(before: ReviewedContent, after: ReviewedContent) {
  return REVIEWED_FIELDS.filter((field) => !same(before[field], after[field]))
}
