import { and, asc, desc, eq } from 'drizzle-orm'
import { db } from './client'
import { clubs, profiles, talks, users } from './schema/index'
import { activeUserSql, indexableProfileSql } from './access/index'

/** The most addresses one sitemap file may hold (sitemaps.org). */
export const SITEMAP_MAX_URLS = 50_000

/**
 * The pages search engines may list, as paths: public clubs, the talks of public clubs (whose
 * hosts are active), and indexable profiles. Private clubs and their talks, private profiles,
 * profiles opted out of search, and deactivated or erased people never appear.
 */
export async function listSitemapPaths(limit = SITEMAP_MAX_URLS): Promise<string[]> {
  const clubRows = await db
    .select({ slug: clubs.slug })
    .from(clubs)
    .where(eq(clubs.visibility, 'public'))
    .orderBy(asc(clubs.slug))
    .limit(limit)
  const talkRows = await db
    .select({ id: talks.id })
    .from(talks)
    .innerJoin(clubs, eq(clubs.id, talks.clubId))
    .where(and(eq(clubs.visibility, 'public'), activeUserSql(talks.hostId)))
    .orderBy(desc(talks.startsAt), asc(talks.id))
    .limit(Math.max(0, limit - clubRows.length))
  const profileRows = await db
    .select({ handle: profiles.handle })
    .from(profiles)
    .innerJoin(users, eq(users.id, profiles.userId))
    .where(indexableProfileSql)
    .orderBy(asc(profiles.handle))
    .limit(Math.max(0, limit - clubRows.length - talkRows.length))
  return [
    ...clubRows.map((c) => `/c/${encodeURIComponent(c.slug)}`),
    ...talkRows.map((t) => `/t/${encodeURIComponent(t.id)}`),
    ...profileRows.map((p) => `/u/${encodeURIComponent(p.handle)}`),
  ]
}
