import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { requireClubPermission, requireSignedIn } from '../access/index'
import { db } from '../client'
import { PublicError, isUniqueViolation } from '../errors'
import { clubMembers, clubs } from '../schema/index'
import type { Viewer } from '../viewer'
import { recordAccessChange } from '../access-changes'
import { recordWatchedWordHit, screenText } from '../moderation/watched-words'
import { enqueueSearchUpdate } from '../search'
import type { ClubVisibility } from './summaries'
import { audit } from './audit'

// A club's own details: creating a club and editing its name, address, description and visibility.

const RESERVED_SLUGS = new Set(['new', 'admin', 'join', 'settings', 'api', 'edit', 'members', 'followers'])

export type ClubInput = {
  name: string
  slug: string
  description: string
  specialities: string[]
  visibility: ClubVisibility
}

export async function createClub(viewer: Viewer, input: ClubInput, coverPath: string | null = null) {
  requireSignedIn(viewer)
  if (RESERVED_SLUGS.has(input.slug.toLowerCase())) throw new PublicError('That address is reserved. Choose another.', 409, 'slug')
  // A watched word in the description: blocked before anything is written, or held or flagged once saved.
  const hit = await screenText([input.description], 'description')
  const id = randomUUID()
  let held: boolean
  try {
    held = await db.transaction(async (tx) => {
      await tx.insert(clubs).values({ id, ...input, coverPath, ownerId: viewer.userId })
      await tx.insert(clubMembers).values({ clubId: id, userId: viewer.userId, role: 'owner' })
      await audit(tx, { clubId: id, actorId: viewer.userId, action: 'club.created', details: { visibility: input.visibility } })
      await enqueueSearchUpdate(tx, { kind: 'club', id })
      const pageText = { next: input.description, shownMeanwhile: '' }
      return (await recordWatchedWordHit(tx, hit, { kind: 'club', id, authorId: viewer.userId, clubId: id, talkId: null, pageText })).held
    })
  } catch (error) {
    if (isUniqueViolation(error, 'clubs_slug_key')) throw new PublicError('Another club already uses that address.', 409, 'slug')
    throw error
  }
  return held ? { id, slug: input.slug, held: true as const } : { id, slug: input.slug }
}

export async function updateClub(viewer: Viewer, slug: string, input: ClubInput, cover?: { coverPath: string | null }) {
  if (RESERVED_SLUGS.has(input.slug.toLowerCase())) throw new PublicError('That address is reserved. Choose another.', 409, 'slug')
  const hit = await screenText([input.description], 'description')
  try {
    return await db.transaction(async (tx) => {
      const access = await requireClubPermission(viewer, slug, 'edit:club', tx)
      await tx
        .update(clubs)
        .set({ ...input, ...(cover ?? {}) })
        .where(eq(clubs.id, access.club.id))
      await enqueueSearchUpdate(tx, { kind: 'club', id: access.club.id })
      // Turned private: whoever is no longer a member leaves its live rooms.
      if (input.visibility !== access.club.visibility) await recordAccessChange(tx, { kind: 'club', clubId: access.club.id })
      await audit(tx, {
        clubId: access.club.id,
        actorId: viewer!.userId,
        action: 'club.updated',
        details: { visibility: input.visibility, slug: input.slug },
      })
      // Held back from all but its owner, who answers for the club's page (as for a report of it).
      const { held } = await recordWatchedWordHit(tx, hit, {
        kind: 'club',
        id: access.club.id,
        authorId: access.club.ownerId,
        clubId: access.club.id,
        talkId: null,
        pageText: { next: input.description, shownMeanwhile: access.club.description },
      })
      const replaced = cover && access.club.coverPath !== cover.coverPath ? access.club.coverPath : null
      return held ? { slug: input.slug, replacedCover: replaced, held: true as const } : { slug: input.slug, replacedCover: replaced }
    })
  } catch (error) {
    if (isUniqueViolation(error, 'clubs_slug_key')) throw new PublicError('Another club already uses that address.', 409, 'slug')
    throw error
  }
}
