import { sql } from 'drizzle-orm'
import { refuse, requireModerator, type TalkStatus } from '../access/index'
import { recordAccessChange } from '../access-changes'
import { db } from '../client'
import { PublicError } from '../errors'
import { enqueueLiveNow } from '../notifications/live-now'
import { talkAttendance, talkRemovals, talkRoles, talkStage, talks } from '../schema/index'
import type { Viewer } from '../viewer'
import { loadAccess } from './access'
import { clearStage, loadStage, loadTarget, logJoinedStage } from './stage'
import type { StageSnapshot } from './types'

/*
 * What the host does to the talk itself and to who is in it: open and end it, remove someone,
 * make someone a co-host. A removal or a new co-host is an access change (decision 015): the
 * sockets of the person concerned are re-checked.
 */

export async function openTalk(viewer: Viewer, talkId: string): Promise<{ status: TalkStatus }> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    if (access.status === 'ended') throw refuse.ended()
    if (access.status === 'live') return { status: 'live' as const }
    await tx.execute(sql`update ${talks} set status = 'live', opened_at = now() where id = ${access.id}`)
    // The host is on stage from the moment the room opens.
    await tx.execute(sql`
      insert into ${talkStage} (talk_id, user_id, status) values (${access.id}, ${access.hostId}, 'on_stage')
      on conflict (talk_id, user_id) do update set status = 'on_stage', raised_at = null, updated_at = now()`)
    await logJoinedStage(tx, access.id, access.hostId)
    // Those going hear it is live from a job (db/notifications/live-now.ts): opening does not wait for them.
    await enqueueLiveNow(tx, { talkId: access.id, openedBy: viewer!.userId })
    return { status: 'live' as const }
  })
}

/** Ends a live talk: the stage and hands are cleared and every open attendance row is closed. */
export async function endTalk(viewer: Viewer, talkId: string): Promise<{ status: TalkStatus }> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    if (access.status === 'scheduled') throw refuse.notStarted()
    if (access.status === 'ended') return { status: 'ended' as const }
    await tx.execute(sql`update ${talks} set status = 'ended', ended_at = now() where id = ${access.id}`)
    await clearStage(tx, access.id)
    await tx.execute(sql`update ${talkAttendance} set left_at = now() where talk_id = ${access.id} and left_at is null`)
    return { status: 'ended' as const }
  })
}

/**
 * Removes someone from the talk: off the stage, out of the room, and kept out by a removal row
 * (even after the talk ends). Never the host; only the host removes a co-host.
 */
export async function removeFromTalk(viewer: Viewer, talkId: string, userId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    if (access.status === 'ended') throw refuse.ended()
    const target = await loadTarget(tx, access.id, userId)
    if (!target.known) throw refuse.noPerson()
    if (userId === viewer!.userId) throw new PublicError('You cannot remove yourself. Leave the room instead.', 400)
    if (target.role === 'host') throw new PublicError('The host cannot be removed from the talk.', 403)
    if (target.role === 'cohost' && access.role !== 'host') throw new PublicError('Only the host can remove a co-host.', 403)
    await tx.execute(sql`
      insert into ${talkRemovals} (talk_id, user_id, removed_by) values (${access.id}, ${userId}, ${viewer!.userId})
      on conflict (talk_id, user_id) do nothing`)
    await clearStage(tx, access.id, userId)
    await tx.execute(sql`update ${talkAttendance} set left_at = now() where talk_id = ${access.id} and user_id = ${userId} and left_at is null`)
    await recordAccessChange(tx, { kind: 'talk', talkId: access.id, userId })
    return loadStage(tx, access.id)
  })
}

export async function promoteToCohost(viewer: Viewer, talkId: string, userId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    if (access.role !== 'host') {
      throw access.role === 'cohost' ? new PublicError('Only the host can make someone a co-host.', 403) : refuse.notHost()
    }
    if (access.status === 'ended') throw refuse.ended()
    const target = await loadTarget(tx, access.id, userId)
    if (!target.known) throw refuse.noPerson()
    if (target.role === 'host') throw new PublicError('You host this talk already.', 409)
    if (!target.mayEnter) throw new PublicError('That person cannot join this talk.', 409)
    await tx.execute(sql`
      insert into ${talkRoles} (talk_id, user_id, role) values (${access.id}, ${userId}, 'cohost')
      on conflict (talk_id, user_id) do update set role = 'cohost'`)
    await recordAccessChange(tx, { kind: 'talk', talkId: access.id, userId })
    return loadStage(tx, access.id)
  })
}
