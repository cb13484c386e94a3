import { and, desc, eq, or, sql } from 'drizzle-orm'
import { activeUserSql, lockPersonPair, requireSignedIn } from './access/index'
import { db, type Transaction } from './client'
import { PublicError } from './errors'
import { forgetActorFor } from './notifications'
import { photoUrl } from './photos'
import { clubInvitations, follows, personRelations, profiles } from './schema/index'
import type { Viewer } from './viewer'

/*
 * Blocking and muting another member (trust and safety). The rules themselves are SQL in
 * db/access/people.ts, read wherever people are shown:
 *
 *  - a block hides each from the other, whoever made it: to each, the other is as a deactivated
 *    account (no profile, no place in a list, count, search result, suggestion or notice), and
 *    neither can follow or invite the other. Blocking also ends what already joined them: follows
 *    both ways (requests too), pending club invitations between them, and notices from one
 *    about the other. Unblocking restores visibility, not what the block ended;
 *  - a mute hides the muted person's live comments and questions from the muter only; it never
 *    turns a block into something weaker.
 *
 * Someone who has blocked the viewer answers as an unknown handle, so a block is never revealed
 * to the person blocked.
 */

export type RelationKind = 'block' | 'mute'

export type BlockedOrMutedPerson = {
  handle: string
  name: string
  photoUrl: string | null
  speciality: string | null
  kind: RelationKind
  since: Date
}

/** What a block or mute did: `changed` is false when it was already so. */
export type RelationChange = { changed: boolean }

const unknownHandle = () => new PublicError('No doctor on Rounds has that handle.', 404, 'handle')

/**
 * The other person by handle, inside the transaction, with the relations between the two read
 * after a lock on the pair, so two people blocking each other at once cannot both succeed.
 * Unknown, deactivated and erased accounts, and people who have blocked the viewer, are 404.
 */
async function lockPair(tx: Transaction, viewer: NonNullable<Viewer>, handle: string, verb: 'block' | 'unblock' | 'mute' | 'unmute') {
  const [person] = await tx
    .select({ userId: profiles.userId })
    .from(profiles)
    .where(and(sql`lower(${profiles.handle}) = lower(${handle})`, activeUserSql(profiles.userId)))
    .limit(1)
  if (!person) throw unknownHandle()
  if (person.userId === viewer.userId) throw new PublicError(`You cannot ${verb} yourself.`, 400, 'handle')
  await lockPersonPair(tx, viewer.userId, person.userId)
  const rows = await tx
    .select({ userId: personRelations.userId, kind: personRelations.kind })
    .from(personRelations)
    .where(
      or(
        and(eq(personRelations.userId, viewer.userId), eq(personRelations.otherId, person.userId)),
        and(eq(personRelations.userId, person.userId), eq(personRelations.otherId, viewer.userId)),
      ),
    )
  if (rows.some((r) => r.userId === person.userId && r.kind === 'block')) throw unknownHandle()
  const mine = rows.find((r) => r.userId === viewer.userId)?.kind ?? null
  return { otherId: person.userId, mine }
}

/**
 * Blocks a member, in one transaction: the relation becomes a block (a mute turns into one),
 * follows both ways and pending club invitations between the two end, and notices from one about
 * the other go. Blocking someone already blocked changes nothing and says so.
 */
export async function blockPerson(viewer: Viewer, handle: string): Promise<RelationChange> {
  requireSignedIn(viewer, 'Sign in to block a doctor.')
  return db.transaction(async (tx) => {
    const { otherId, mine } = await lockPair(tx, viewer, handle, 'block')
    if (mine === 'block') return { changed: false }
    const now = new Date()
    await tx
      .insert(personRelations)
      .values({ userId: viewer.userId, otherId, kind: 'block', createdAt: now })
      .onConflictDoUpdate({ target: [personRelations.userId, personRelations.otherId], set: { kind: 'block', createdAt: now } })
    await tx
      .delete(follows)
      .where(
        or(
          and(eq(follows.followerId, viewer.userId), eq(follows.followeeId, otherId)),
          and(eq(follows.followerId, otherId), eq(follows.followeeId, viewer.userId)),
        ),
      )
    // Invitations one sent the other: those to the viewer are declined, those from them withdrawn.
    // No club audit entry: it would tell the club's admins about the block.
    await tx
      .update(clubInvitations)
      .set({ status: 'declined', respondedAt: now })
      .where(and(eq(clubInvitations.status, 'pending'), eq(clubInvitations.userId, viewer.userId), eq(clubInvitations.invitedBy, otherId)))
    await tx
      .update(clubInvitations)
      .set({ status: 'revoked', respondedAt: now })
      .where(and(eq(clubInvitations.status, 'pending'), eq(clubInvitations.userId, otherId), eq(clubInvitations.invitedBy, viewer.userId)))
    await forgetActorFor(tx, viewer.userId, otherId)
    await forgetActorFor(tx, otherId, viewer.userId)
    return { changed: true }
  })
}

/**
 * Lifts the viewer's block. The two see each other again; follows and invitations the block
 * ended stay ended. Someone not blocked changes nothing and says so.
 */
export async function unblockPerson(viewer: Viewer, handle: string): Promise<RelationChange> {
  requireSignedIn(viewer, 'Sign in to unblock a doctor.')
  return db.transaction(async (tx) => {
    const { otherId, mine } = await lockPair(tx, viewer, handle, 'unblock')
    if (mine !== 'block') return { changed: false }
    await tx.delete(personRelations).where(and(eq(personRelations.userId, viewer.userId), eq(personRelations.otherId, otherId)))
    return { changed: true }
  })
}

/** Mutes a member's live comments and questions for the viewer. A block stays a block. */
export async function mutePerson(viewer: Viewer, handle: string): Promise<RelationChange> {
  requireSignedIn(viewer, 'Sign in to mute a doctor.')
  return db.transaction(async (tx) => {
    const { otherId, mine } = await lockPair(tx, viewer, handle, 'mute')
    if (mine === 'block') throw new PublicError('You have blocked this doctor, which already hides everything they say.', 409, 'handle')
    if (mine === 'mute') return { changed: false }
    await tx.insert(personRelations).values({ userId: viewer.userId, otherId, kind: 'mute' })
    return { changed: true }
  })
}

/** Lifts the viewer's mute; a block is left as it is. */
export async function unmutePerson(viewer: Viewer, handle: string): Promise<RelationChange> {
  requireSignedIn(viewer, 'Sign in to unmute a doctor.')
  return db.transaction(async (tx) => {
    const { otherId, mine } = await lockPair(tx, viewer, handle, 'unmute')
    if (mine !== 'mute') return { changed: false }
    await tx.delete(personRelations).where(and(eq(personRelations.userId, viewer.userId), eq(personRelations.otherId, otherId)))
    return { changed: true }
  })
}

/**
 * The people the viewer has blocked or muted, newest first. Someone who has since deactivated
 * is left out (they exist for no one else) and comes back if they return.
 */
export async function listPeopleIBlockedOrMuted(viewer: Viewer): Promise<BlockedOrMutedPerson[]> {
  requireSignedIn(viewer, 'Sign in to see whom you blocked or muted.')
  const rows = await db
    .select({ profile: profiles, kind: personRelations.kind, since: personRelations.createdAt })
    .from(personRelations)
    .innerJoin(profiles, eq(profiles.userId, personRelations.otherId))
    .where(and(eq(personRelations.userId, viewer.userId), activeUserSql(personRelations.otherId)))
    .orderBy(desc(personRelations.createdAt), profiles.name)
  return rows.map((r) => ({
    handle: r.profile.handle,
    name: r.profile.name,
    photoUrl: photoUrl(r.profile.photoPath),
    speciality: r.profile.speciality,
    kind: r.kind,
    since: r.since,
  }))
}
