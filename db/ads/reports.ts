import { asc, eq } from 'drizzle-orm'
import { requireOwnCampaign } from '../access/ads'
import { db } from '../client'
import { PublicError } from '../errors'
import { adDailyStats } from '../schema/index'
import type { Viewer } from '../viewer'

/*
 * What an advertiser may see: daily totals, each cell of at least REPORT_THRESHOLD distinct
 * members, rounded to ROUND_TO; and when a cell is held back, enough other cells of the same
 * table are held back with it that no subtraction from a shown total recovers fewer than
 * REPORT_THRESHOLD people (complementary suppression). Never a list of people.
 */

export const REPORT_THRESHOLD = 50
export const ROUND_TO = 10

export type RawCell = { key: string; reach: number; impressions: number; clicks: number }
export type ReportCell =
  | { key: string; suppressed: true }
  | { key: string; suppressed: false; reach: number; impressions: number; clicks: number; ctr: number; frequency: number }

const round = (n: number) => Math.round(n / ROUND_TO) * ROUND_TO

function shown(c: RawCell): ReportCell {
  const reach = round(c.reach)
  const impressions = round(c.impressions)
  const clicks = round(c.clicks)
  return {
    key: c.key,
    suppressed: false,
    reach,
    impressions,
    clicks,
    ctr: impressions ? Math.round((clicks / impressions) * 1000) / 10 : 0,
    frequency: reach ? Math.round((impressions / reach) * 10) / 10 : 0,
  }
}

/**
 * Cells of one table that partition its total (each member counted in one cell). Cells under
 * the threshold are held back; while the held-back cells together hold fewer than the threshold
 * (so total − shown would single them out), the smallest shown cell is held back too.
 */
export function suppressCells(cells: RawCell[], threshold = REPORT_THRESHOLD): ReportCell[] {
  const hidden = new Set(cells.filter((c) => c.reach < threshold).map((c) => c.key))
  let hiddenReach = cells.filter((c) => hidden.has(c.key)).reduce((n, c) => n + c.reach, 0)
  const candidates = cells.filter((c) => !hidden.has(c.key)).sort((a, b) => a.reach - b.reach)
  while (hiddenReach > 0 && hiddenReach < threshold && candidates.length) {
    const next = candidates.shift()!
    hidden.add(next.key)
    hiddenReach += next.reach
  }
  return cells.map((c) => (hidden.has(c.key) ? { key: c.key, suppressed: true } : shown(c)))
}

/** A total row: shown only when it reaches the threshold itself. */
export function suppressTotal(total: RawCell, threshold = REPORT_THRESHOLD): ReportCell {
  return total.reach >= threshold ? shown(total) : { key: total.key, suppressed: true }
}

export type CampaignReport = {
  threshold: number
  roundTo: number
  /** Completed days, oldest first. */
  days: ReportCell[]
  /** Every rolled-up day together (reach is members a day, summed). */
  total: ReportCell
  breakdown: { day: string; total: ReportCell; speciality: ReportCell[]; region: ReportCell[] } | null
}

export const BREAKDOWNS = ['speciality', 'region'] as const
export type Breakdown = (typeof BREAKDOWNS)[number]

async function statsOf(campaignId: string) {
  return db
    .select({ day: adDailyStats.day, dimension: adDailyStats.dimension, value: adDailyStats.value, reach: adDailyStats.reach, impressions: adDailyStats.impressions, clicks: adDailyStats.clicks })
    .from(adDailyStats)
    .where(eq(adDailyStats.campaignId, campaignId))
    .orderBy(asc(adDailyStats.day), asc(adDailyStats.value))
}

type Stat = Awaited<ReturnType<typeof statsOf>>[number]

function breakdownFor(stats: Stat[], day: string) {
  const ofDay = stats.filter((s) => s.day === day)
  const all = ofDay.find((s) => s.dimension === 'all')
  if (!all) return null
  const total = suppressTotal({ key: day, ...all })
  const table = (dimension: Breakdown) => {
    const cells = ofDay.filter((s) => s.dimension === dimension).map((s) => ({ key: s.value, reach: s.reach, impressions: s.impressions, clicks: s.clicks }))
    // Under a held-back total every cell is held back: the cells would add up to it.
    return total.suppressed ? cells.map((c) => ({ key: c.key, suppressed: true as const })) : suppressCells(cells)
  }
  return { day, total, speciality: table('speciality'), region: table('region') }
}

/** The advertiser's report of one of their campaigns; anyone else is told it does not exist. */
export async function getCampaignReport(viewer: Viewer, campaignId: string, options: { day?: string } = {}): Promise<CampaignReport> {
  await requireOwnCampaign(viewer, campaignId)
  const stats = await statsOf(campaignId)
  const dayRows = stats.filter((s) => s.dimension === 'all').map((s) => ({ key: s.day, reach: s.reach, impressions: s.impressions, clicks: s.clicks }))
  const sum = dayRows.reduce((t, d) => ({ key: 'total', reach: t.reach + d.reach, impressions: t.impressions + d.impressions, clicks: t.clicks + d.clicks }), {
    key: 'total',
    reach: 0,
    impressions: 0,
    clicks: 0,
  })
  const day = options.day ?? dayRows.at(-1)?.key
  if (options.day && !dayRows.some((d) => d.key === options.day)) throw new PublicError('There are no figures for that day yet.', 404, 'day')
  return {
    threshold: REPORT_THRESHOLD,
    roundTo: ROUND_TO,
    days: suppressCells(dayRows),
    total: suppressTotal(sum),
    breakdown: day ? breakdownFor(stats, day) : null,
  }
}

/** One cell of a breakdown; a cell held back is refused with a 403, never shown in part. */
export async function getReportCell(viewer: Viewer, campaignId: string, day: string, dimension: Breakdown, value: string) {
  const report = await getCampaignReport(viewer, campaignId, { day })
  const cell = report.breakdown?.[dimension].find((c) => c.key === value)
  if (!cell) throw new PublicError('There are no figures for that group on that day.', 404, 'value')
  if (cell.suppressed) {
    throw new PublicError(`Fewer than ${REPORT_THRESHOLD} doctors are in that group (or it would reveal one that is), so Rounds does not report it.`, 403, 'value')
  }
  return cell
}
