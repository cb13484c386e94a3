import { and, eq, lt, sql } from 'drizzle-orm'
import { db } from '../client'
import { adCapCounters, adDailyStats, adDaySalts, adEvents, adRollups } from '../schema/index'
import { utcDay } from './events'

/*
 * The roll-up (job 'ads.rollup', hourly): each completed day (UTC) is turned once into daily
 * totals per campaign — overall, by speciality and by coarse region — and its salt is deleted,
 * so the day tokens of members who objected to analytics can no longer be tied to anyone.
 * Per-person events are then kept RAW_EVENT_DAYS (for the member's own export) and deleted.
 */

/** How long per-person ad events are kept after their day; aggregates are kept. */
export const RAW_EVENT_DAYS = 7
/** A day is rolled up this long after it ends, so a batch still in flight at midnight is in. */
export const ROLLUP_GRACE_MS = 10 * 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000

export async function rollUpAds(now = new Date()) {
  const lastComplete = utcDay(new Date(now.getTime() - ROLLUP_GRACE_MS - DAY_MS))
  const days = await db.execute<{ day: string }>(sql`
    select distinct e.day::text as day from ${adEvents} e
    where e.day <= ${lastComplete}::date and not exists (select 1 from ${adRollups} r where r.day = e.day)
    order by 1`)
  let rolled = 0
  for (const { day } of days) {
    await db.transaction(async (tx) => {
      // One roll-up of a day at a time, across nodes.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'ads-rollup:' + day}))`)
      const [done] = await tx.select({ day: adRollups.day }).from(adRollups).where(eq(adRollups.day, day))
      if (done) return
      for (const [dimension, value, groupValue] of [
        ['all', sql`''::text`, sql``],
        ['speciality', sql`coalesce(e.speciality, 'Not stated')`, sql`, 4`],
        ['region', sql`coalesce(e.region, 'Unknown')`, sql`, 4`],
      ] as const) {
        await tx.execute(sql`
          insert into ${adDailyStats} (campaign_id, day, dimension, value, reach, impressions, clicks)
          select e.campaign_id, e.day, ${dimension}::text, ${value},
            count(distinct e.day_token) filter (where e.kind = 'impression')::int,
            count(*) filter (where e.kind = 'impression')::int,
            count(*) filter (where e.kind = 'click')::int
          from ${adEvents} e
          where e.day = ${day}::date
          group by 1, 2${groupValue}
          on conflict do nothing`)
      }
      await tx.insert(adRollups).values({ day })
      await tx.delete(adDaySalts).where(eq(adDaySalts.day, day))
      rolled++
    })
  }
  const keepFrom = utcDay(new Date(now.getTime() - RAW_EVENT_DAYS * DAY_MS))
  // Only days already rolled up lose their events.
  const pruned = await db
    .delete(adEvents)
    .where(and(lt(adEvents.day, keepFrom), sql`exists (select 1 from ${adRollups} r where r.day = ${adEvents.day})`))
    .returning({ id: adEvents.id })
  await db.delete(adCapCounters).where(lt(adCapCounters.day, utcDay(new Date(now.getTime() - 2 * DAY_MS))))
  await db.delete(adDaySalts).where(lt(adDaySalts.day, lastComplete))
  return { rolledDays: rolled, prunedEvents: pruned.length }
}
