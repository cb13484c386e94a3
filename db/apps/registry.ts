import { randomUUID } from 'node:crypto'
import { and, asc, desc, eq, sql } from 'drizzle-orm'
import { managesApp, type AppStatus } from '../access/apps'
import { requireStaff } from '../access/staff'
import { db } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { appAuthorisations, apps, appTesters, oauthRecords, profiles } from '../schema/index'
import type { Viewer } from '../viewer'
import { clientSecretFor, newClientId, newSecretSalt } from './secrets'

// Apps as their developers and Rounds staff see them: registering, secrets, testers, review.

export const MAX_TESTERS = 10
export const MAX_REDIRECT_URIS = 5

export type AppInput = {
  name: string
  description: string
  homepageUrl: string
  privacyUrl: string
  logoUrl: string | null
  redirectUris: string[]
}

/** What a developer describes their app with, its ids and its review state: what every view of an app shows. */
export type AppListing = Omit<AppInput, 'redirectUris'> & { id: string; clientId: string; status: AppStatus }

export type DeveloperApp = AppListing & {
  redirectUris: string[]
  suspendedReason: string | null
  secretRotatedAt: Date
  createdAt: Date
  userCount: number
}

const userCountSql = sql<number>`(select count(*)::int from ${appAuthorisations} a where a.app_id = ${apps.id})`

const appColumns = {
  id: apps.id,
  clientId: apps.clientId,
  name: apps.name,
  description: apps.description,
  homepageUrl: apps.homepageUrl,
  privacyUrl: apps.privacyUrl,
  logoUrl: apps.logoUrl,
  redirectUris: apps.redirectUris,
  status: apps.status,
  suspendedReason: apps.suspendedReason,
  secretRotatedAt: apps.secretRotatedAt,
  createdAt: apps.createdAt,
  userCount: userCountSql,
}

/** A redirect URI an app may use: https anywhere, or http on this computer while developing. */
export function isAllowedRedirectUri(value: string): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  if (url.hash || url.username || url.password) return false
  if (url.protocol === 'https:') return true
  return url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]')
}

function checkInput(input: AppInput) {
  if (input.redirectUris.length === 0) throw new PublicError('Add at least one redirect URI.', 400, 'redirectUris')
  if (input.redirectUris.length > MAX_REDIRECT_URIS) throw new PublicError(`Use at most ${MAX_REDIRECT_URIS} redirect URIs.`, 400, 'redirectUris')
  const bad = input.redirectUris.find((uri) => !isAllowedRedirectUri(uri))
  if (bad) throw new PublicError(`Redirect URIs must start with https:// (or http://localhost while developing): ${bad.slice(0, 80)}`, 400, 'redirectUris')
}

/** Registers an app in development; its secret is returned this once. */
export async function registerApp(viewer: Viewer, input: AppInput, serverSecret: string) {
  if (!viewer) throw new PublicError('Sign in to register an app.', 401)
  checkInput(input)
  const id = randomUUID()
  const clientId = newClientId()
  const salt = newSecretSalt()
  await db.insert(apps).values({ id, clientId, developerId: viewer.userId, ...input, redirectUris: [...new Set(input.redirectUris)], secretSalt: salt })
  return { id, clientId, clientSecret: clientSecretFor(clientId, salt, serverSecret) }
}

export async function listMyApps(viewer: Viewer): Promise<DeveloperApp[]> {
  if (!viewer) return []
  return db.select(appColumns).from(apps).where(eq(apps.developerId, viewer.userId)).orderBy(desc(apps.createdAt))
}

async function ownApp(viewer: Viewer, appId: string) {
  if (!viewer || !isId(appId)) throw new PublicError('We could not find that app.', 404)
  const [row] = await db.select({ ...appColumns, developerId: apps.developerId }).from(apps).where(eq(apps.id, appId))
  if (!row || !managesApp(viewer, row)) throw new PublicError('We could not find that app.', 404)
  return row
}

export async function getMyApp(viewer: Viewer, appId: string) {
  const app = await ownApp(viewer, appId)
  const testers = await db
    .select({ handle: profiles.handle, name: profiles.name })
    .from(appTesters)
    .innerJoin(profiles, eq(profiles.userId, appTesters.userId))
    .where(eq(appTesters.appId, appId))
    .orderBy(asc(profiles.name))
  return { ...app, testers }
}

export async function updateApp(viewer: Viewer, appId: string, input: AppInput) {
  await ownApp(viewer, appId)
  checkInput(input)
  await db.update(apps).set({ ...input, redirectUris: [...new Set(input.redirectUris)] }).where(eq(apps.id, appId))
}

/** A new secret; the old one stops working at once (tokens already issued keep working until they expire or are revoked). */
export async function rotateAppSecret(viewer: Viewer, appId: string, serverSecret: string) {
  const app = await ownApp(viewer, appId)
  const salt = newSecretSalt()
  await db.update(apps).set({ secretSalt: salt, secretRotatedAt: new Date() }).where(eq(apps.id, appId))
  return { clientId: app.clientId, clientSecret: clientSecretFor(app.clientId, salt, serverSecret) }
}

export async function addTester(viewer: Viewer, appId: string, handle: string) {
  await ownApp(viewer, appId)
  const clean = handle.trim().replace(/^@/, '').toLowerCase()
  const [person] = await db.select({ userId: profiles.userId }).from(profiles).where(sql`lower(${profiles.handle}) = ${clean}`)
  if (!person) throw new PublicError(`No doctor has the handle @${clean.slice(0, 40)}.`, 400, 'handle')
  await db.transaction(async (tx) => {
    // Serialises concurrent adds so the cap holds.
    await tx.execute(sql`select 1 from ${apps} where ${apps.id} = ${appId} for update`)
    const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(appTesters).where(eq(appTesters.appId, appId))
    if (n >= MAX_TESTERS) throw new PublicError(`An app in development can have at most ${MAX_TESTERS} testers.`, 409, 'handle')
    await tx.insert(appTesters).values({ appId, userId: person.userId }).onConflictDoNothing()
  })
}

export async function removeTester(viewer: Viewer, appId: string, handle: string) {
  await ownApp(viewer, appId)
  const [person] = await db.select({ userId: profiles.userId }).from(profiles).where(eq(profiles.handle, handle.replace(/^@/, '')))
  if (person) await db.delete(appTesters).where(and(eq(appTesters.appId, appId), eq(appTesters.userId, person.userId)))
}

/** The redirect URIs of an app that may be authorised now; null for an unknown or suspended app. */
export async function redirectUrisOf(clientId: string): Promise<string[] | null> {
  const [app] = await db.select({ redirectUris: apps.redirectUris, status: apps.status }).from(apps).where(eq(apps.clientId, clientId))
  return app && app.status !== 'suspended' ? app.redirectUris : null
}

// ---------------------------------------------------------------- staff review

export async function listAppsForReview(viewer: Viewer) {
  requireStaff(viewer)
  return db
    .select({ ...appColumns, developer: { handle: profiles.handle, name: profiles.name } })
    .from(apps)
    .innerJoin(profiles, eq(profiles.userId, apps.developerId))
    .orderBy(sql`case ${apps.status} when 'development' then 0 when 'suspended' then 1 else 2 end`, desc(apps.createdAt))
}

/**
 * Staff make an app public, suspend it, or lift a suspension (back to development). Suspending
 * deletes every code and token the app holds in the same transaction, so its next call fails.
 */
export async function reviewApp(viewer: Viewer, appId: string, decision: { status: AppStatus; reason?: string | null }) {
  requireStaff(viewer)
  if (!isId(appId)) throw new PublicError('We could not find that app.', 404)
  if (decision.status === 'suspended' && !decision.reason?.trim()) throw new PublicError('Say why the app is suspended.', 400, 'reason')
  await db.transaction(async (tx) => {
    const [app] = await tx.select({ clientId: apps.clientId }).from(apps).where(eq(apps.id, appId)).for('update')
    if (!app) throw new PublicError('We could not find that app.', 404)
    await tx
      .update(apps)
      .set({
        status: decision.status,
        suspendedReason: decision.status === 'suspended' ? decision.reason!.trim() : null,
        reviewedBy: viewer.userId,
        reviewedAt: new Date(),
      })
      .where(eq(apps.id, appId))
    if (decision.status === 'suspended') await tx.delete(oauthRecords).where(eq(oauthRecords.clientId, app.clientId))
  })
}
