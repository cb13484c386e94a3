import { randomUUID } from 'node:crypto'
import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import { activeUserSql } from '../access/people'
import { isAppScope, mayAuthoriseApp, type AppScope } from '../access/apps'
import { db, type Database, type Transaction } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { appAuthorisations, appDataReads, apps, appTesters, clubMembers, clubs, oauthRecords, profiles, users } from '../schema/index'
import type { Viewer } from '../viewer'
import type { AppListing } from './registry'

// Apps as a member sees them: the consent screen, connected apps, revoking, what apps read.

export type ConsentApp = AppListing & { developer: { handle: string; name: string } }

/** The app behind a client id, as the consent screen shows it; null when unknown. */
export async function findAppForConsent(clientId: string): Promise<ConsentApp | null> {
  const [row] = await db
    .select({
      id: apps.id,
      clientId: apps.clientId,
      name: apps.name,
      description: apps.description,
      homepageUrl: apps.homepageUrl,
      privacyUrl: apps.privacyUrl,
      logoUrl: apps.logoUrl,
      status: apps.status,
      developerId: apps.developerId,
      developer: { handle: profiles.handle, name: profiles.name },
    })
    .from(apps)
    .innerJoin(profiles, eq(profiles.userId, apps.developerId))
    .where(eq(apps.clientId, clientId))
  return row ?? null
}

/** Whether the member may authorise this app now (development apps: developer and testers only). */
export async function mayAuthorise(userId: string, clientId: string): Promise<boolean> {
  const [app] = await db.select({ id: apps.id, status: apps.status, developerId: apps.developerId }).from(apps).where(eq(apps.clientId, clientId))
  if (!app) return false
  const testers = await db.select({ userId: appTesters.userId }).from(appTesters).where(eq(appTesters.appId, app.id))
  return mayAuthoriseApp(
    userId,
    app,
    testers.map((t) => t.userId),
  )
}

/** The member's private clubs, which they may choose to share with an app that reads clubs. */
export async function listMyPrivateClubs(viewer: Viewer) {
  if (!viewer) return []
  return db
    .select({ id: clubs.id, name: clubs.name, slug: clubs.slug })
    .from(clubMembers)
    .innerJoin(clubs, eq(clubs.id, clubMembers.clubId))
    .where(and(eq(clubMembers.userId, viewer.userId), eq(clubs.visibility, 'private')))
    .orderBy(clubs.name)
}

/**
 * Records what the member allowed (replacing an earlier choice for the same app). Only the
 * member's own private clubs can be shared; any other id is dropped.
 */
export async function recordAuthorisation(viewer: Viewer, clientId: string, input: { scopes: string[]; sharedClubIds: string[]; grantId: string }) {
  if (!viewer) throw new PublicError('Sign in first.', 401)
  const scopes = input.scopes.filter(isAppScope)
  const [app] = await db.select({ id: apps.id }).from(apps).where(eq(apps.clientId, clientId))
  if (!app) throw new PublicError('We could not find that app.', 404)
  const mine = new Set((await listMyPrivateClubs(viewer)).map((c) => c.id))
  const sharedClubIds = scopes.includes('clubs:read') ? input.sharedClubIds.filter((id) => mine.has(id)) : []
  await db
    .insert(appAuthorisations)
    .values({ appId: app.id, userId: viewer.userId, scopes, sharedClubIds, grantId: input.grantId })
    .onConflictDoUpdate({
      target: [appAuthorisations.appId, appAuthorisations.userId],
      set: { scopes, sharedClubIds, grantId: input.grantId, authorisedAt: new Date() },
    })
}

export type ConnectedApp = {
  appId: string
  name: string
  homepageUrl: string
  developer: string
  scopes: AppScope[]
  sharedClubs: string[]
  authorisedAt: Date
  lastUsedAt: Date | null
  /** Approximately where the app called from when it was last used (only with a GeoIP database). */
  lastUsedPlace: string | null
}

export async function listConnectedApps(viewer: Viewer): Promise<ConnectedApp[]> {
  if (!viewer) return []
  const rows = await db
    .select({
      appId: apps.id,
      name: apps.name,
      homepageUrl: apps.homepageUrl,
      developer: profiles.name,
      scopes: appAuthorisations.scopes,
      sharedClubIds: appAuthorisations.sharedClubIds,
      authorisedAt: appAuthorisations.authorisedAt,
      lastUsedAt: appAuthorisations.lastUsedAt,
      lastUsedPlace: appAuthorisations.lastUsedPlace,
    })
    .from(appAuthorisations)
    .innerJoin(apps, eq(apps.id, appAuthorisations.appId))
    .innerJoin(profiles, eq(profiles.userId, apps.developerId))
    .where(eq(appAuthorisations.userId, viewer.userId))
    .orderBy(desc(appAuthorisations.authorisedAt))
  const clubIds = [...new Set(rows.flatMap((r) => r.sharedClubIds))]
  const names = new Map(
    clubIds.length ? (await db.select({ id: clubs.id, name: clubs.name }).from(clubs).where(inArray(clubs.id, clubIds))).map((c) => [c.id, c.name]) : [],
  )
  return rows.map(({ sharedClubIds, scopes, ...r }) => ({
    ...r,
    scopes: scopes.filter(isAppScope),
    sharedClubs: sharedClubIds.flatMap((id) => names.get(id) ?? []),
  }))
}

/**
 * What the member's log says when they revoke an app: a row of app_data_reads, so that it sits
 * beside the app's reads in "Who accessed your data", in the export, and goes with erasure.
 */
export const APP_REVOKED = 'revoked: you took back this app’s access'

/** Revokes one app: the authorisation and every code, token and grant it holds for the member, at once. */
export async function revokeApp(viewer: Viewer, appId: string, now = new Date()) {
  if (!viewer) throw new PublicError('Sign in first.', 401)
  if (!isId(appId)) throw new PublicError('We could not find that app.', 404)
  await db.transaction(async (tx) => {
    const [app] = await tx.select({ clientId: apps.clientId }).from(apps).where(eq(apps.id, appId))
    if (!app) throw new PublicError('We could not find that app.', 404)
    const ended = await tx
      .delete(appAuthorisations)
      .where(and(eq(appAuthorisations.appId, appId), eq(appAuthorisations.userId, viewer.userId)))
      .returning({ appId: appAuthorisations.appId })
    await tx.delete(oauthRecords).where(and(eq(oauthRecords.clientId, app.clientId), eq(oauthRecords.userId, viewer.userId)))
    if (ended.length) await tx.insert(appDataReads).values({ id: randomUUID(), appId, userId: viewer.userId, what: APP_REVOKED, readAt: now })
  })
}

/** Revokes every app the member authorised. */
export async function revokeAllApps(viewer: Viewer, now = new Date()) {
  if (!viewer) throw new PublicError('Sign in first.', 401)
  await db.transaction(async (tx) => {
    const ended = await tx.delete(appAuthorisations).where(eq(appAuthorisations.userId, viewer.userId)).returning({ appId: appAuthorisations.appId })
    await tx.delete(oauthRecords).where(sql`${oauthRecords.userId} = ${viewer.userId} and ${oauthRecords.clientId} is not null`)
    if (ended.length) {
      await tx.insert(appDataReads).values(ended.map((e) => ({ id: randomUUID(), appId: e.appId, userId: viewer.userId, what: APP_REVOKED, readAt: now })))
    }
  })
}

export type AppAccess = {
  app: string
  /** What the app read (the API call's description), or null for the member revoking it. */
  what: string | null
  /** The latest read in the group, or the revocation. */
  at: Date
  /** How many reads of this kind the app made that day (the member's day, in their time zone). */
  times: number
}

/**
 * What apps read of the member's data and when the member revoked them, newest first; an app's
 * reads of one kind are grouped per day (in the member's time zone) so the log stays readable.
 */
export async function appAccessesTo(executor: Database | Transaction, userId: string, limit = 200): Promise<AppAccess[]> {
  const rows = await executor.execute<{ app: string; what: string; at: Date | string; times: number }>(sql`
    with zone as (
      select coalesce((select z.name from pg_timezone_names z where z.name = u.time_zone limit 1), 'UTC') as name
      from ${users} u where u.id = ${userId}
    )
    select a.name as app, r.what, max(r.read_at) as at, count(*)::int as times
    from ${appDataReads} r
    join ${apps} a on a.id = r.app_id
    cross join zone
    where r.user_id = ${userId}
    group by a.id, a.name, r.what, (r.read_at at time zone zone.name)::date, case when r.what = ${APP_REVOKED} then r.id end
    order by at desc
    limit ${limit}`)
  return rows.map((r) => ({ app: r.app, what: r.what === APP_REVOKED ? null : r.what, at: new Date(r.at), times: r.times }))
}

/** The member's newest records of what apps read (grouped per day) and of revoking them. */
export async function listAppReads(viewer: Viewer, limit = 50) {
  if (!viewer) return []
  return appAccessesTo(db, viewer.userId, limit)
}

// ---------------------------------------------------------------- the API's view

export type ApiCaller = {
  app: { id: string; clientId: string; name: string }
  viewer: NonNullable<Viewer>
  scopes: string[]
  sharedClubIds: string[]
}

/**
 * Who an access token acts for, checked on every call: the app must not be suspended and the
 * member's authorisation must still exist (a revoke deletes it with the tokens). Marks the app used.
 */
/**
 * The member and app a live token acts for, or null when the app is suspended or the member gone;
 * marks the authorisation used now, from `place` (the caller's approximate place, or null: none known).
 */
export async function apiCaller(clientId: string, userId: string, tokenScopes: string[], use: { place?: string | null; now?: Date } = {}): Promise<ApiCaller | null> {
  const now = use.now ?? new Date()
  const [row] = await db
    .select({
      appId: apps.id,
      name: apps.name,
      status: apps.status,
      scopes: appAuthorisations.scopes,
      sharedClubIds: appAuthorisations.sharedClubIds,
      active: activeUserSql(appAuthorisations.userId),
    })
    .from(appAuthorisations)
    .innerJoin(apps, eq(apps.id, appAuthorisations.appId))
    .where(and(eq(apps.clientId, clientId), eq(appAuthorisations.userId, userId)))
  if (!row || row.status === 'suspended' || !row.active) return null
  await db
    .update(appAuthorisations)
    .set({ lastUsedAt: now, lastUsedPlace: use.place ?? null })
    .where(and(eq(appAuthorisations.appId, row.appId), eq(appAuthorisations.userId, userId)))
  // An app acts as a member, never as staff.
  return {
    app: { id: row.appId, clientId, name: row.name },
    viewer: { userId, role: 'member' },
    scopes: tokenScopes.filter((s) => row.scopes.includes(s)),
    sharedClubIds: row.sharedClubIds,
  }
}

export async function recordAppRead(caller: ApiCaller, what: string, now = new Date()) {
  await db.insert(appDataReads).values({ id: randomUUID(), appId: caller.app.id, userId: caller.viewer.userId, what, readAt: now })
}
