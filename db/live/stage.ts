import { sql } from 'drizzle-orm'
import { blockedBetweenSql, isModerator, refuse, requireLive, requireModerator, talkEntrySql, talkRemovedSql, talkRoleSql, type TalkRoleName } from '../access/index'
import { db } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { CONSENT_REQUIRED_MESSAGE, RECORDING_POLICY_VERSION } from '../recording-policy'
import { clubs, profiles, recordingConsents, stageEvents, talkAttendance, talkStage, talks } from '../schema/index'
import type { Viewer } from '../viewer'
import { loadAccess, type Q } from './access'
import { snapshotOf, stageRowsSelect, type StageRow } from './rows'
import type { StageSnapshot } from './types'

/*
 * The stage: hands raised in the order the database saw them, invitations, recording consent on
 * the way up, and the stage log that gives recordings their chapters. Stage state lives in
 * Postgres, so a restart loses nothing.
 */

export async function loadStage(q: Q, talkId: string): Promise<StageSnapshot> {
  const rows = await q.execute<StageRow>(sql`select * from (${stageRowsSelect(sql`${talkId}`)}) x order by x.ord`)
  return snapshotOf(talkId, [...rows])
}

/** A stage update fit for everyone in the room: the queue and pending invitations are for hosts only. */
export function redactForAudience(snapshot: StageSnapshot): StageSnapshot {
  return { ...snapshot, hands: [], invited: [] }
}

// ---------------------------------------------------------------- the stage log (chapters and speaker timelines of recordings)

/** Notes that someone came on stage. */
export async function logJoinedStage(q: Q, talkId: string, userId: string) {
  await q.execute(sql`insert into ${stageEvents} (talk_id, user_id, kind) values (${talkId}, ${userId}, 'joined_stage')`)
}

/**
 * Deletes the stage rows of talk `talkId` (or only `userId`'s: on stage, invited or hand up) and
 * notes that those who were on stage left it. One statement.
 */
export async function clearStage(q: Q, talkId: string, userId?: string) {
  await q.execute(sql`
    with cleared as (
      delete from ${talkStage}
      where talk_id = ${talkId} ${userId === undefined ? sql`` : sql`and user_id = ${userId}`}
      returning talk_id, user_id, status)
    insert into ${stageEvents} (talk_id, user_id, kind)
    select talk_id, user_id, 'left_stage' from cleared where status = 'on_stage'`)
}

// ---------------------------------------------------------------- hands and the stage

type Target = {
  known: boolean
  present: boolean
  removed: boolean
  mayEnter: boolean
  stage: StageRow['status'] | null
  role: TalkRoleName
  /** Whether the target and `actorId` (when given) have a block between them, either way. */
  blocked: boolean
}

/**
 * Someone a host acts on, as seen from talk `talkId`: whether they exist, are in the room, may
 * enter it, their place and role, and whether they have a block with `actorId`.
 */
export async function loadTarget(q: Q, talkId: string, userId: string, actorId?: string): Promise<Target> {
  if (!isId(userId)) return { known: false, present: false, removed: false, mayEnter: false, stage: null, role: 'audience', blocked: false }
  const target = { userId, role: 'member' } as const
  const uid = sql`${userId}`
  const [row] = await q.execute<Target>(sql`
    select exists (select 1 from ${profiles} p where p.user_id = ${uid}) as known,
      ${actorId === undefined ? sql`false` : blockedBetweenSql(actorId, uid)} as blocked,
      exists (select 1 from ${talkAttendance} att where att.talk_id = t.id and att.user_id = ${uid} and att.left_at is null) as present,
      ${talkRemovedSql(target, sql`t.id`)} as removed,
      ${talkEntrySql(target, sql`t.id`)} as "mayEnter",
      (select s.status from ${talkStage} s where s.talk_id = t.id and s.user_id = ${uid}) as stage,
      ${talkRoleSql(uid)} as role
    from ${talks} t join ${clubs} on ${clubs}.id = t.club_id
    where t.id = ${talkId}`)
  return row
}

/** Raises the viewer's hand; the queue is ordered by the database clock. Raising twice keeps the first place. */
export async function raiseHand(viewer: Viewer, talkId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'share')
    requireLive(access)
    if (isModerator(access.role)) throw new PublicError('Hosts invite themselves to the stage instead of raising a hand.', 409)
    if (access.stage === 'on_stage') throw new PublicError('You are on stage already.', 409)
    if (access.stage === 'invited') throw new PublicError('You have an invitation to the stage waiting. Accept or decline it.', 409)
    if (access.stage === null) {
      await tx.execute(sql`
        insert into ${talkStage} (talk_id, user_id, status, raised_at, updated_at)
        values (${access.id}, ${viewer!.userId}, 'raised', clock_timestamp(), clock_timestamp())
        on conflict (talk_id, user_id) do nothing`)
    }
    return loadStage(tx, access.id)
  })
}

export async function lowerHand(viewer: Viewer, talkId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'share')
    requireLive(access)
    await tx.execute(sql`delete from ${talkStage} where talk_id = ${access.id} and user_id = ${viewer!.userId} and status = 'raised'`)
    return loadStage(tx, access.id)
  })
}

/**
 * Invites someone in the room to the stage; their raised hand (if any) becomes the invitation.
 * Someone with a block with the inviting host, either way, is refused as if they were not in the
 * room: the host does not learn who blocked whom, and another host may still invite them.
 */
export async function inviteToStage(viewer: Viewer, talkId: string, userId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    requireLive(access)
    const target = await loadTarget(tx, access.id, userId, viewer!.userId)
    if (!target.known) throw refuse.noPerson()
    if (target.stage === 'on_stage') throw new PublicError('They are on stage already.', 409)
    const notInRoom = () => new PublicError('That person is not in the room right now.', 409)
    if (target.blocked) throw notInRoom()
    if (target.stage === 'invited') return loadStage(tx, access.id)
    if (!target.present || target.removed) throw notInRoom()
    await tx.execute(sql`
      insert into ${talkStage} (talk_id, user_id, status, invited_by) values (${access.id}, ${userId}, 'invited', ${viewer!.userId})
      on conflict (talk_id, user_id) do update set status = 'invited', raised_at = null, invited_by = excluded.invited_by, updated_at = now()`)
    return loadStage(tx, access.id)
  })
}

/**
 * Accepts or declines an invitation to the stage. On a recorded talk, accepting needs a valid
 * consent already or `recordingConsent` equal to the current policy version: then the consent row
 * and the move are written together; without it nothing changes.
 */
export async function respondToStageInvite(
  viewer: Viewer,
  talkId: string,
  accept: boolean,
  recordingConsent?: string | null,
): Promise<StageSnapshot> {
  if (typeof accept !== 'boolean') throw new PublicError('Say whether you accept the invitation.', 400)
  return db.transaction(async (tx) => {
    // 'share' holds the talk row: its recorded flag cannot change between the consent check and the move.
    const access = await loadAccess(tx, viewer, talkId, 'share')
    requireLive(access)
    if (access.stage !== 'invited') throw new PublicError('You have no invitation to the stage waiting.', 409)
    const uid = viewer!.userId
    if (!accept) {
      await tx.execute(sql`delete from ${talkStage} where talk_id = ${access.id} and user_id = ${uid}`)
      return loadStage(tx, access.id)
    }
    if (access.recorded && !access.consented) {
      if (recordingConsent === undefined || recordingConsent === null || recordingConsent === '') {
        throw new PublicError(CONSENT_REQUIRED_MESSAGE, 403)
      }
      if (recordingConsent !== RECORDING_POLICY_VERSION) {
        throw refuse.policyChanged()
      }
      await tx.execute(sql`
        insert into ${recordingConsents} (talk_id, user_id, kind, policy_version)
        values (${access.id}, ${uid}, 'given', ${RECORDING_POLICY_VERSION})`)
    }
    await tx.execute(sql`update ${talkStage} set status = 'on_stage', updated_at = now() where talk_id = ${access.id} and user_id = ${uid}`)
    await logJoinedStage(tx, access.id, uid)
    return loadStage(tx, access.id)
  })
}

export async function leaveStage(viewer: Viewer, talkId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'share')
    requireLive(access)
    if (access.role === 'host') throw new PublicError('The host stays on stage until the talk ends.', 403)
    if (access.stage !== 'on_stage') throw new PublicError('You are not on stage.', 409)
    await clearStage(tx, access.id, viewer!.userId)
    return loadStage(tx, access.id)
  })
}

/** Sends someone on stage, invited or with a hand up back to the audience. Never the host. */
export async function moveToAudience(viewer: Viewer, talkId: string, userId: string): Promise<StageSnapshot> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    requireLive(access)
    const target = await loadTarget(tx, access.id, userId)
    if (!target.known) throw refuse.noPerson()
    if (target.role === 'host') throw new PublicError('The host cannot be moved off the stage.', 403)
    if (target.stage === null) throw new PublicError('They are in the audience already.', 409)
    await clearStage(tx, access.id, userId)
    return loadStage(tx, access.id)
  })
}

/** Checks a host may ask this person to mute; the socket layer delivers the request. Writes nothing. */
export async function askToMute(viewer: Viewer, talkId: string, userId: string): Promise<{ userId: string }> {
  const access = await loadAccess(db, viewer, talkId)
  requireModerator(access)
  requireLive(access)
  const target = await loadTarget(db, access.id, userId)
  if (!target.known) throw refuse.noPerson()
  if (target.stage !== 'on_stage') throw new PublicError('They are not on stage.', 409)
  return { userId }
}
