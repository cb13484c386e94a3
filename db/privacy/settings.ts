import { eq } from 'drizzle-orm'
import { db } from '../client'
import type { InvitesFrom, ListsVisibility } from '../privacy-choices'
import { activityEvents, privacySettings, profiles } from '../schema/index'
import { enqueueSearchUpdate } from '../search'
import { clearInferredInterests, notFound, upsertSettings } from './writes'

// The privacy settings page: who sees the profile and lists, who may invite, and objections.

export type PrivacySettings = {
  profileVisibility: 'public' | 'private'
  discoverable: boolean
  listsVisibility: ListsVisibility
  invitesFrom: InvitesFrom
  objectPersonalisation: boolean
  objectAnalytics: boolean
}

export type PrivacySettingsUpdate = Omit<PrivacySettings, 'profileVisibility'>

export async function getPrivacySettings(userId: string): Promise<PrivacySettings> {
  const [row] = await db
    .select({ visibility: profiles.visibility, discoverable: profiles.discoverable, settings: privacySettings })
    .from(profiles)
    .leftJoin(privacySettings, eq(privacySettings.userId, profiles.userId))
    .where(eq(profiles.userId, userId))
  if (!row) throw notFound()
  return {
    profileVisibility: row.visibility,
    discoverable: row.discoverable,
    listsVisibility: row.settings?.listsVisibility ?? 'signed_in',
    invitesFrom: row.settings?.invitesFrom ?? 'anyone',
    objectPersonalisation: row.settings?.objectPersonalisation ?? false,
    objectAnalytics: row.settings?.objectAnalytics ?? false,
  }
}

/**
 * Saves the privacy settings in one transaction. An objection stops that
 * processing at once: objecting to personalisation removes the inferred ad
 * interests; objecting to analytics deletes the activity already recorded.
 */
export async function updatePrivacySettings(userId: string, update: PrivacySettingsUpdate) {
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select({ discoverable: profiles.discoverable })
      .from(profiles)
      .where(eq(profiles.userId, userId))
      .for('update')
    if (!before) throw notFound()
    if (before.discoverable !== update.discoverable) {
      await tx.update(profiles).set({ discoverable: update.discoverable, updatedAt: new Date() }).where(eq(profiles.userId, userId))
      await enqueueSearchUpdate(tx, { kind: 'profile', id: userId })
    }
    await upsertSettings(tx, userId, {
      listsVisibility: update.listsVisibility,
      invitesFrom: update.invitesFrom,
      objectPersonalisation: update.objectPersonalisation,
      objectAnalytics: update.objectAnalytics,
    })
    if (update.objectPersonalisation) await clearInferredInterests(tx, userId)
    if (update.objectAnalytics) await tx.delete(activityEvents).where(eq(activityEvents.userId, userId))
  })
}
