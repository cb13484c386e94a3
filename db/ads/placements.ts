import { and, eq, inArray } from 'drizzle-orm'
import { db } from '../client'
import { clubs, talkCertificateSettings } from '../schema/index'
import type { AdPlacement } from './eligibility'

/**
 * The place a club page offers: its name and specialities, the titles of the talks it lists
 * (for topic targeting), and whether any of them issues certificates — then no ad at all.
 */
export async function clubAdPlacement(clubId: string, listedTalks: { id: string; title: string }[]): Promise<AdPlacement> {
  // Unknown place, or the facts cannot be read: a place that carries no ad.
  return readClubPlacement(clubId, listedTalks).catch((): AdPlacement => ({ kind: 'live' }))
}

async function readClubPlacement(clubId: string, listedTalks: { id: string; title: string }[]): Promise<AdPlacement> {
  const ids = listedTalks.map((t) => t.id)
  const [[club], certified] = await Promise.all([
    db.select({ name: clubs.name, specialities: clubs.specialities }).from(clubs).where(eq(clubs.id, clubId)),
    ids.length
      ? db
          .select({ talkId: talkCertificateSettings.talkId })
          .from(talkCertificateSettings)
          .where(and(inArray(talkCertificateSettings.talkId, ids), eq(talkCertificateSettings.enabled, true)))
          .limit(1)
      : Promise.resolve([]),
  ])
  if (!club) return { kind: 'live' }
  return {
    kind: 'club',
    clubId,
    clubName: club.name,
    specialities: club.specialities,
    talkTitles: listedTalks.map((t) => t.title),
    besideCertificateTalk: certified.length > 0,
  }
}
