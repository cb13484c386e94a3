import { createHash, randomBytes } from 'node:crypto'
import { inArray, sql } from 'drizzle-orm'
import { db } from '../client'
import { adCapCounters, adDaySalts, adEvents } from '../schema/index'

/*
 * Impressions and clicks, written in batches off the request path: a page adds to an in-memory
 * buffer and returns; the buffer is written every FLUSH_MS (or when it fills) in one statement.
 * A member who objected to analytics is written without their id: only a token from the day's
 * salt, which the roll-up deletes once the day is over.
 */

export type AdEventInput = {
  campaignId: string
  userId: string
  /** The member objected to analytics: keep no per-person history. */
  anonymous: boolean
  kind: 'impression' | 'click'
  placement: string
  sponsorName: string
  speciality: string | null
  region: string
  at: Date
}

const FLUSH_MS = 1000
const MAX_BUFFER = 500

let buffer: AdEventInput[] = []
let timer: NodeJS.Timeout | null = null
let flushing: Promise<void> = Promise.resolve()

export const utcDay = (at: Date) => at.toISOString().slice(0, 10)

export function recordAdEvent(event: AdEventInput) {
  buffer.push(event)
  if (buffer.length >= MAX_BUFFER) void flushAdEvents().catch(() => {})
  else if (!timer) {
    timer = setTimeout(() => {
      timer = null
      void flushAdEvents().catch(() => {})
    }, FLUSH_MS)
    timer.unref()
  }
}

async function saltsFor(days: string[]) {
  // The first writer of a day creates its salt; everyone then reads the same one.
  await db
    .insert(adDaySalts)
    .values(days.map((day) => ({ day, salt: randomBytes(24).toString('base64') })))
    .onConflictDoNothing()
  const rows = await db.select().from(adDaySalts).where(inArray(adDaySalts.day, days))
  return new Map(rows.map((r) => [r.day, r.salt]))
}

/** Writes what is buffered. Awaited by tests and at shutdown; pages never wait for it. */
export async function flushAdEvents(): Promise<void> {
  const run = flushing.then(async () => {
    if (timer) {
      clearTimeout(timer)
      timer = null
    }
    const batch = buffer
    buffer = []
    if (!batch.length) return
    const days = [...new Set(batch.map((e) => utcDay(e.at)))]
    const salts = await saltsFor(days)
    const rows = batch.map((e) => {
      const day = utcDay(e.at)
      return {
        campaignId: e.campaignId,
        userId: e.anonymous ? null : e.userId,
        dayToken: createHash('sha256').update(`${salts.get(day)}:${e.userId}`).digest('base64url').slice(0, 22),
        kind: e.kind,
        placement: e.placement,
        sponsorName: e.sponsorName,
        speciality: e.speciality,
        region: e.region,
        day,
        createdAt: e.at,
      }
    })
    const shown = new Map<string, { campaignId: string; day: string; impressions: number }>()
    for (const r of rows) {
      if (r.kind !== 'impression') continue
      const key = `${r.campaignId}|${r.day}`
      const entry = shown.get(key) ?? { campaignId: r.campaignId, day: r.day, impressions: 0 }
      entry.impressions++
      shown.set(key, entry)
    }
    await db.transaction(async (tx) => {
      // A campaign deleted meanwhile: its events are dropped rather than failing the batch.
      await tx.execute(sql`
        insert into ${adEvents} (campaign_id, user_id, day_token, kind, placement, sponsor_name, speciality, region, day, created_at)
        select e.campaign_id, e.user_id, e.day_token, e.kind::ad_event_kind, e.placement, e.sponsor_name, e.speciality, e.region, e.day::date, e.created_at::timestamptz
        from json_to_recordset(${JSON.stringify(rows.map((r) => ({ ...r, campaign_id: r.campaignId, user_id: r.userId, day_token: r.dayToken, sponsor_name: r.sponsorName, created_at: r.createdAt.toISOString() })))}::json)
          as e(campaign_id text, user_id text, day_token text, kind text, placement text, sponsor_name text, speciality text, region text, day text, created_at text)
        where exists (select 1 from ad_campaigns c where c.id = e.campaign_id)
          and (e.user_id is null or exists (select 1 from users u where u.id = e.user_id))`)
      if (shown.size) {
        await tx.execute(sql`
          insert into ${adCapCounters} (campaign_id, day, impressions)
          select s.campaign_id, s.day::date, s.impressions
          from json_to_recordset(${JSON.stringify([...shown.values()].map((v) => ({ campaign_id: v.campaignId, day: v.day, impressions: v.impressions })))}::json)
            as s(campaign_id text, day text, impressions int)
          where exists (select 1 from ad_campaigns c where c.id = s.campaign_id)
          on conflict (campaign_id, day) do update set impressions = ${adCapCounters}.impressions + excluded.impressions`)
      }
    })
  })
  flushing = run.catch(() => {})
  return run
}
