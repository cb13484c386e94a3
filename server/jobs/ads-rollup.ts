import { flushAdEvents, rollUpAds } from '../../db/ads/index'

/** Job 'ads.rollup': writes what is buffered, then rolls completed days up and prunes old events. */
export async function runAdsRollup(now: Date) {
  await flushAdEvents()
  return rollUpAds(now)
}
