/*
 * Advertising: campaigns, their review, choosing an ad, counting it, and aggregate reports.
 * docs/ads.md describes the rules; decision 032 the measurement.
 */
export { adEligibility, placementAllowsAds, type AdDecision, type AdPlacement, type AdReason, type AdTargeting, type AdViewerFacts } from './eligibility'
export {
  createCampaign,
  decideAdvertiser,
  editCampaign,
  endCampaign,
  getMyAdvertiser,
  getMyCampaign,
  listAdsReviewQueue,
  listMyCampaigns,
  parseCampaignFields,
  pauseCampaign,
  registerAdvertiser,
  resumeCampaign,
  reviewCampaign,
} from './campaigns'
export {
  CAMPAIGN_PHASE_LABEL,
  CAMPAIGN_PHASE_MEANING,
  campaignActions,
  campaignPhase,
  type CampaignAction,
  type CampaignPhase,
  type CampaignStatus,
} from './campaign-state'
export { adsEnabled, forgetRunningCampaigns, selectAd, type ShownAd } from './selection'
export { flushAdEvents } from './events'
export { RAW_EVENT_DAYS, rollUpAds } from './rollup'
export { BREAKDOWNS, REPORT_THRESHOLD, getCampaignReport, getReportCell, suppressCells, suppressTotal, type Breakdown, type CampaignReport, type ReportCell } from './reports'
export { followAd, hideAdvertiser } from './member'
export { clubAdPlacement } from './placements'
