import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { activeUserSql, can, isModerator, refuse as liveRefuse, requireLive, requireModerator, visibleClubCondition, type ClubRole } from './access/index'
import { db } from './client'
import { PublicError } from './errors'
import { isId } from './ids'
import { clearStage, iso, loadAccess, loadStage, missingConsentSql, type Q, type StageSnapshot, type TalkRoleName } from './live'
import { photoUrl } from './profiles'
import { RECORDING_POLICY_VERSION } from './recording-policy'
import {
  clubMembers,
  clubs,
  liveKitWebhookEvents,
  profiles,
  recordingConsents,
  recordings,
  stageEvents,
  talkAttendance,
  talks,
} from './schema/index'
import type { Viewer } from './viewer'

/*
 * Recording consent, recordings and who may watch them (docs/live-contract.md). The consent
 * gate for going on stage is in db/live.ts `respondToStageInvite`; the publish right every
 * LiveKit token and permission update is cut from is `mediaAccess` here. Consent rows are
 * append-only: a withdrawal is a row too, and a person's standing is their latest row.
 */

export type MediaRole = 'audience' | 'speaker' | 'host'
export type RecordingStatus = 'starting' | 'active' | 'ending' | 'complete' | 'failed'
export type RecordingShare = 'private' | 'attendees' | 'members' | 'public'
export const recordingShares: readonly RecordingShare[] = ['private', 'attendees', 'members', 'public']

/** What everyone in the room is told about the recording (`recording:update`). */
export type RecordingUpdate = { talkId: string; recorded: boolean; active: boolean; startedAt: string | null }

export type TalkRecording = {
  id: string
  status: RecordingStatus
  startedAt: string | null
  endedAt: string | null
  durationSeconds: number | null
  share: RecordingShare
  playbackUrl: string | null
  chapters: { at: number; title: string }[]
  speakers: { userId: string; name: string; segments: { from: number; to: number }[] }[]
  canManage: boolean
}

const refuse = {
  notRecorded: () => new PublicError('This talk is not recorded.', 409),
  running: () => new PublicError('Stop the recording first.', 409),
  noRecording: () => new PublicError('We could not find that recording.', 404),
  notManager: () => new PublicError('Only the talk’s host and the club’s admins can change its recordings.', 403),
}

/** "Dr A", "Dr A and Dr B", "Dr A, Dr B and Dr C". */
function listNames(names: string[]) {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

// ---------------------------------------------------------------- media access (the consent gate for LiveKit)

export type MediaAccess = {
  talkId: string
  userId: string
  name: string
  photoUrl: string | null
  role: MediaRole
  /** May publish microphone, camera and screen: host/co-host or on stage, and consent when the talk is recorded. */
  canPublish: boolean
  status: 'scheduled' | 'live' | 'ended'
}

function mediaOf(talkId: string, userId: string, a: { role: TalkRoleName; stage: string | null; recorded: boolean; consented: boolean }) {
  const consentOk = !a.recorded || a.consented
  const moderator = isModerator(a.role)
  const onStage = a.stage === 'on_stage'
  const role: MediaRole = moderator ? 'host' : onStage && consentOk ? 'speaker' : 'audience'
  return { talkId, userId, role, canPublish: (moderator || onStage) && consentOk }
}

/**
 * The viewer's role and publish right in the talk's LiveKit room, read from the database each
 * time (token, reconnect, permission update), so no path gives a publish grant the rules do not.
 */
export async function mediaAccess(viewer: Viewer, talkId: string): Promise<MediaAccess> {
  const [rights, [person]] = await Promise.all([
    mediaRights(viewer, talkId),
    db.execute<{ name: string; photoPath: string | null }>(sql`
      select name, photo_path as "photoPath" from ${profiles} where user_id = ${viewer!.userId}`),
  ])
  return { ...rights, name: person?.name ?? '', photoUrl: photoUrl(person?.photoPath ?? null) }
}

/** Role and publish right only: what permission updates need (a token also shows name and photo). */
type MediaRights = Omit<MediaAccess, 'name' | 'photoUrl'>

async function mediaRights(viewer: Viewer, talkId: string): Promise<MediaRights> {
  const access = await loadAccess(db, viewer, talkId)
  if (access.status === 'ended') throw liveRefuse.ended()
  return { ...mediaOf(access.id, viewer!.userId, access), status: access.status }
}

/**
 * The same for someone the server acts on (a LiveKit participant in a webhook, a person whose
 * stage place a host changed): null when they may not be in the talk at all.
 */
export async function participantMediaAccess(talkId: string, userId: string): Promise<MediaRights | null> {
  if (!isId(userId)) return null
  try {
    return await mediaRights({ userId, role: 'member' }, talkId)
  } catch (error) {
    if (error instanceof PublicError) return null
    throw error
  }
}

// ---------------------------------------------------------------- the recording as the room sees it

export async function recordingUpdate(talkId: string): Promise<RecordingUpdate & { missingConsent: string[] }> {
  const [row] = await db.execute<{ recorded: boolean; startedAt: string | null; active: boolean; missingConsent: string[] }>(sql`
    select t.recorded,
      exists (select 1 from ${recordings} r where r.talk_id = t.id and r.status in ('starting', 'active')) as active,
      (select r.started_at from ${recordings} r where r.talk_id = t.id and r.status in ('starting', 'active') limit 1) as "startedAt",
      ${missingConsentSql(sql`t.id`, sql`t.recorded`)} as "missingConsent"
    from ${talks} t where t.id = ${talkId}`)
  if (!row) throw new PublicError('We could not find that talk.', 404)
  return { talkId, recorded: row.recorded, active: row.active, startedAt: row.startedAt ? iso(row.startedAt) : null, missingConsent: row.missingConsent }
}

/** Marks a talk as recorded or not, from the room. Refused while a recording runs. */
/** Returns who is on stage now: their publishing right may have changed with it. */
export async function setTalkRecorded(viewer: Viewer, talkId: string, recorded: boolean): Promise<{ onStage: string[] }> {
  if (typeof recorded !== 'boolean') throw new PublicError('Say whether the talk is recorded.', 400)
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    if (access.status === 'ended') throw liveRefuse.ended()
    const [running] = await tx.execute(sql`select 1 from ${recordings} where talk_id = ${access.id} and status in ('starting', 'active')`)
    if (running) throw refuse.running()
    await tx.execute(sql`update ${talks} set recorded = ${recorded} where id = ${access.id}`)
    const { stage } = await loadStage(tx, access.id)
    return { onStage: stage.map((person) => person.userId) }
  })
}

/**
 * Agrees to be recorded in this talk, to policy `policyVersion` (which must be the current one).
 * For people on stage, invited to it, and the talk's hosts. Agreeing twice writes one row.
 */
export async function giveRecordingConsent(viewer: Viewer, talkId: string, policyVersion: string): Promise<{ consented: true }> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'share')
    if (access.status === 'ended') throw liveRefuse.ended()
    if (!access.recorded) throw refuse.notRecorded()
    if (policyVersion !== RECORDING_POLICY_VERSION) throw liveRefuse.policyChanged()
    if (!isModerator(access.role) && access.stage !== 'on_stage' && access.stage !== 'invited') {
      throw new PublicError('Only people on stage, or invited to it, are asked to agree to be recorded.', 403)
    }
    if (!access.consented) {
      await tx.execute(sql`
        insert into ${recordingConsents} (talk_id, user_id, kind, policy_version)
        values (${access.id}, ${viewer!.userId}, 'given', ${RECORDING_POLICY_VERSION})`)
    }
    return { consented: true as const }
  })
}

/**
 * Withdraws consent: a 'withdrawn' row, and off the stage in the same transaction (the host,
 * who stays on stage, keeps their place but can no longer publish). The caller turns publishing
 * off in LiveKit at once.
 */
export async function withdrawRecordingConsent(viewer: Viewer, talkId: string): Promise<{ stage: StageSnapshot; leftStage: boolean }> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'share')
    if (!access.consented) throw new PublicError('You have not agreed to be recorded in this talk.', 409)
    const uid = viewer!.userId
    await tx.execute(sql`
      insert into ${recordingConsents} (talk_id, user_id, kind, policy_version)
      values (${access.id}, ${uid}, 'withdrawn', ${RECORDING_POLICY_VERSION})`)
    const leaves = access.role !== 'host' && (access.stage === 'on_stage' || access.stage === 'invited')
    if (leaves) {
      await clearStage(tx, access.id, uid)
    }
    return { stage: await loadStage(tx, access.id), leftStage: leaves && access.stage === 'on_stage' }
  })
}

// ---------------------------------------------------------------- starting and stopping (the LiveKit calls are the caller's)

export type RecordingStorage = 's3' | 'local'

/**
 * Checks a recording may start and writes its row ('starting'). Refused unless the talk is live
 * and recorded, nothing runs already, everyone on stage has agreed, and media is set up.
 */
export async function beginRecording(
  viewer: Viewer,
  talkId: string,
  options: { mediaConfigured: boolean; storage: RecordingStorage; fileFor: (talkId: string, recordingId: string) => string },
): Promise<{ id: string; talkId: string; filePath: string }> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    requireLive(access)
    if (!access.recorded) throw new PublicError('Mark the talk as recorded first, so people know before they speak.', 409)
    const [state] = await tx.execute<{ running: boolean; missing: string[] }>(sql`
      select exists (select 1 from ${recordings} where talk_id = ${access.id} and status in ('starting', 'active')) as running,
        ${missingConsentSql(sql`${access.id}::text`)} as missing`)
    if (state.running) throw new PublicError('A recording is running already.', 409)
    if (state.missing.length > 0) {
      const verb = state.missing.length === 1 ? 'has' : 'have'
      throw new PublicError(`Recording cannot start: ${listNames(state.missing)} ${verb} not agreed to be recorded.`, 409)
    }
    if (!options.mediaConfigured) throw new PublicError('Recording needs live audio and video, which are not set up on this server.', 409)
    const id = randomUUID()
    const filePath = options.fileFor(access.id, id)
    await tx.execute(sql`
      insert into ${recordings} (id, talk_id, started_by, status, storage, file_path)
      values (${id}, ${access.id}, ${viewer!.userId}, 'starting', ${options.storage}, ${filePath})`)
    return { id, talkId: access.id, filePath }
  })
}

/**
 * The egress start call returned: the recording runs. False when it was stopped meanwhile (the
 * talk ended, the recording was deleted): the caller stops the egress it just started.
 */
export async function recordingStarted(recordingId: string, egressId: string): Promise<boolean> {
  const rows = await db.execute(sql`
    update ${recordings} set egress_id = ${egressId}, started_at = coalesce(started_at, now()),
      status = case when status = 'starting' then 'active'::recording_status else status end
    where id = ${recordingId}
    returning status in ('starting', 'active') as running`)
  return (rows[0] as { running?: boolean } | undefined)?.running === true
}

/** The egress start call failed: the row says so, and the talk may try again. */
export async function recordingFailedToStart(recordingId: string, error: string): Promise<void> {
  await db.execute(sql`
    update ${recordings} set status = 'failed', error = ${error.slice(0, 500)}, ended_at = now()
    where id = ${recordingId} and status in ('starting', 'active')`)
}

/** Marks the running recording 'ending' and returns its egress id for the stop call. Host or co-host. */
export async function stopRecording(viewer: Viewer, talkId: string): Promise<{ id: string; egressId: string | null }> {
  return db.transaction(async (tx) => {
    const access = await loadAccess(tx, viewer, talkId, 'update')
    requireModerator(access)
    const stopped = await endRunning(tx, access.id)
    if (!stopped) throw new PublicError('No recording is running.', 409)
    return stopped
  })
}

/** For the end of a talk: the running recording, if any, is marked 'ending' (its egress id comes back to stop it). */
export async function endRunningRecording(talkId: string) {
  if (!isId(talkId)) return null
  return endRunning(db, talkId)
}

async function endRunning(q: Q, talkId: string) {
  const [row] = await q.execute<{ id: string; egressId: string | null }>(sql`
    update ${recordings} set status = case when egress_id is null then 'failed'::recording_status else 'ending'::recording_status end,
      ended_at = coalesce(ended_at, now())
    where talk_id = ${talkId} and status in ('starting', 'active')
    returning id, egress_id as "egressId"`)
  return row ?? null
}

// ---------------------------------------------------------------- LiveKit webhooks

/**
 * Notes a webhook event by its id; false when it was seen before (LiveKit retries, and may
 * deliver one twice), so its handler does nothing the second time.
 */
export async function claimWebhookEvent(id: string, event: string, createdAt: Date | null): Promise<boolean> {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) return false
  const rows = await db.execute(sql`
    insert into ${liveKitWebhookEvents} (id, event, created_at) values (${id}, ${event}, ${createdAt?.toISOString() ?? null})
    on conflict (id) do nothing returning id`)
  return rows.length === 1
}

const statusRank: Record<RecordingStatus, number> = { starting: 0, active: 1, ending: 2, complete: 3, failed: 3 }

export type EgressReport = {
  egressId: string
  status: RecordingStatus
  at: Date
  startedAt?: Date | null
  endedAt?: Date | null
  fileLocation?: string | null
  durationSeconds?: number | null
  error?: string | null
}

/**
 * Applies what LiveKit says about an egress. The status only moves forward (starting → active →
 * ending → complete/failed) and an event older than the last one applied changes nothing, so
 * duplicates and late deliveries are harmless. Returns the talk when the row changed.
 */
export async function applyEgressReport(report: EgressReport): Promise<{ talkId: string; recordingId: string } | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx.execute<{ id: string; talkId: string; status: RecordingStatus; lastEventAt: string | null }>(sql`
      select id, talk_id as "talkId", status, last_event_at as "lastEventAt" from ${recordings}
      where egress_id = ${report.egressId} for update`)
    if (!row) return null
    if (statusRank[report.status] <= statusRank[row.status]) return null
    if (row.lastEventAt && Date.parse(iso(row.lastEventAt)) > report.at.getTime()) return null
    await tx.execute(sql`
      update ${recordings} set status = ${report.status}, last_event_at = ${report.at.toISOString()},
        started_at = coalesce(${report.startedAt?.toISOString() ?? null}::timestamptz, started_at),
        ended_at = coalesce(${report.endedAt?.toISOString() ?? null}::timestamptz, ended_at),
        file_location = coalesce(${report.fileLocation ?? null}, file_location),
        duration_seconds = coalesce(${report.durationSeconds ?? null}::int, duration_seconds),
        error = coalesce(${report.error?.slice(0, 500) ?? null}, error)
      where id = ${row.id}`)
    return { talkId: row.talkId, recordingId: row.id }
  })
}

// ---------------------------------------------------------------- recordings after the talk

type TalkAccess = { id: string; manager: boolean; member: boolean; attended: boolean }

async function talkForRecordings(viewer: Viewer, talkId: string): Promise<TalkAccess | null> {
  if (!isId(talkId)) return null
  const uid = viewer?.userId ?? null
  const [row] = await db.execute<{ id: string; hostId: string; visible: boolean; clubRole: ClubRole | null; attended: boolean }>(sql`
    select t.id, t.host_id as "hostId", ${visibleClubCondition(viewer)} as visible,
      (select m.role from ${clubMembers} m where m.club_id = t.club_id and m.user_id = ${uid}) as "clubRole",
      exists (select 1 from ${talkAttendance} att where att.talk_id = t.id and att.user_id = ${uid}) as attended
    from ${talks} t join ${clubs} on ${clubs}.id = t.club_id where t.id = ${talkId}`)
  if (!row || !row.visible) return null
  return {
    id: row.id,
    // Whoever may change the talk (db/talks.ts) manages its recordings: its host and the club roles that schedule talks.
    manager: row.hostId === uid || can(row.clubRole, 'schedule:talks'),
    member: row.clubRole !== null,
    attended: row.attended,
  }
}

function maySee(talk: TalkAccess, share: RecordingShare) {
  if (talk.manager || share === 'public') return true
  if (share === 'members') return talk.member
  if (share === 'attendees') return talk.attended
  return false
}

type RecordingRow = {
  id: string
  status: RecordingStatus
  share: RecordingShare
  storage: RecordingStorage
  filePath: string | null
  contentType: string
  startedAt: string | null
  endedAt: string | null
  durationSeconds: number | null
}

type StageEventRow = { userId: string; name: string; kind: 'joined_stage' | 'left_stage'; at: string }

/** Chapters ("Dr A joins the stage") and who was on stage when, in seconds from the start. */
export function timelineOf(events: StageEventRow[], startedAt: number, endedAt: number) {
  const seconds = (at: number) => Math.max(0, Math.round((Math.min(Math.max(at, startedAt), endedAt) - startedAt) / 1000))
  const onStage = new Map<string, { name: string; since: number }>()
  const speakers = new Map<string, { userId: string; name: string; segments: { from: number; to: number }[] }>()
  const close = (userId: string, at: number) => {
    const open = onStage.get(userId)
    if (!open) return
    onStage.delete(userId)
    const from = seconds(open.since)
    const to = seconds(at)
    if (to <= from && at > startedAt) return
    const speaker = speakers.get(userId) ?? { userId, name: open.name, segments: [] }
    speaker.segments.push({ from, to })
    speakers.set(userId, speaker)
  }
  const chapters: { at: number; title: string }[] = []
  for (const event of events) {
    const at = Date.parse(iso(event.at))
    if (at > endedAt) break
    if (event.kind === 'joined_stage') {
      if (!onStage.has(event.userId)) onStage.set(event.userId, { name: event.name, since: at })
      if (at >= startedAt) chapters.push({ at: seconds(at), title: `${event.name} joins the stage` })
    } else {
      if (at >= startedAt && onStage.has(event.userId)) chapters.push({ at: seconds(at), title: `${event.name} leaves the stage` })
      close(event.userId, at)
    }
  }
  const atStart = [...onStage.values()].filter((p) => p.since <= startedAt).map((p) => p.name)
  if (atStart.length > 0 || chapters.length === 0) {
    chapters.unshift({ at: 0, title: atStart.length > 0 ? `On stage: ${listNames(atStart)}` : 'Start' })
  }
  for (const userId of [...onStage.keys()]) close(userId, endedAt)
  return {
    chapters,
    // In the order they first spoke.
    speakers: [...speakers.values()]
      .filter((s) => s.segments.some((seg) => seg.to > seg.from))
      .map((s) => ({ ...s, segments: s.segments.sort((x, y) => x.from - y.from) }))
      .sort((x, y) => x.segments[0].from - y.segments[0].from || x.name.localeCompare(y.name)),
  }
}

/** The talk's recordings the viewer may see, newest first; none deleted. Unfinished ones only for managers. */
export async function listTalkRecordings(viewer: Viewer, talkId: string): Promise<TalkRecording[]> {
  const talk = await talkForRecordings(viewer, talkId)
  if (!talk) return []
  const rows = await db.execute<RecordingRow>(sql`
    select id, status, share, storage, file_path as "filePath", content_type as "contentType", started_at as "startedAt",
      ended_at as "endedAt", duration_seconds as "durationSeconds"
    from ${recordings} where talk_id = ${talk.id} and deleted_at is null
    order by created_at desc, id`)
  const visible = [...rows].filter((r) => maySee(talk, r.share) && (talk.manager || r.status === 'complete'))
  if (visible.length === 0) return []
  const events = await db.execute<StageEventRow>(sql`
    select e.user_id as "userId", p.name, e.kind, e.at from ${stageEvents} e join ${profiles} p on p.user_id = e.user_id
    where e.talk_id = ${talk.id} and ${activeUserSql(sql`e.user_id`)} order by e.at, e.id`)
  const now = Date.now()
  return visible.map((r) => {
    const started = r.startedAt ? Date.parse(iso(r.startedAt)) : null
    // The file's own length (from egress) first: the timeline must fit what plays.
    const ended =
      started !== null && r.durationSeconds !== null ? started + r.durationSeconds * 1000 : r.endedAt ? Date.parse(iso(r.endedAt)) : now
    const timeline = started === null ? { chapters: [], speakers: [] } : timelineOf([...events], started, ended)
    return {
      id: r.id,
      status: r.status,
      startedAt: r.startedAt ? iso(r.startedAt) : null,
      endedAt: r.endedAt ? iso(r.endedAt) : null,
      durationSeconds: r.durationSeconds,
      share: r.share,
      playbackUrl: r.status === 'complete' && r.filePath ? `/recordings/${r.id}/file` : null,
      chapters: timeline.chapters,
      speakers: timeline.speakers,
      canManage: talk.manager,
    }
  })
}

async function managedRecording(viewer: Viewer, recordingId: string) {
  if (!viewer) throw new PublicError('Sign in to manage recordings.', 401)
  if (!isId(recordingId)) throw refuse.noRecording()
  const [row] = await db.execute<{ talkId: string; deleted: boolean }>(sql`
    select talk_id as "talkId", deleted_at is not null as deleted from ${recordings} where id = ${recordingId}`)
  if (!row || row.deleted) throw refuse.noRecording()
  const talk = await talkForRecordings(viewer, row.talkId)
  if (!talk) throw refuse.noRecording()
  if (!talk.manager) throw refuse.notManager()
  return talk
}

/** Chooses who may watch a recording. The talk's host and the club's admins. */
export async function shareRecording(viewer: Viewer, recordingId: string, share: RecordingShare): Promise<{ id: string; share: RecordingShare }> {
  if (!recordingShares.includes(share)) throw new PublicError('Choose who may watch: attendees, club members, anyone, or only you.', 400)
  await managedRecording(viewer, recordingId)
  await db.execute(sql`update ${recordings} set share = ${share} where id = ${recordingId} and deleted_at is null`)
  return { id: recordingId, share }
}

/**
 * Deletes a recording: never listed again, and its file is forgotten. Returns the file
 * (storage and path) for the caller to remove from storage.
 */
export async function deleteRecording(
  viewer: Viewer,
  recordingId: string,
): Promise<{ id: string; file: { storage: RecordingStorage; path: string } | null; egressId: string | null; wasRunning: boolean }> {
  await managedRecording(viewer, recordingId)
  const [row] = await db.execute<{ storage: RecordingStorage; filePath: string | null; egressId: string | null; running: boolean }>(sql`
    with old as (select id, storage, file_path, egress_id, status from ${recordings} where id = ${recordingId} and deleted_at is null for update)
    update ${recordings} r set deleted_at = now(), file_path = null, file_location = null,
      status = case when old.status in ('starting', 'active', 'ending') then 'failed'::recording_status else r.status end
    from old where r.id = old.id
    returning old.storage, old.file_path as "filePath", old.egress_id as "egressId", old.status in ('starting', 'active') as running`)
  if (!row) throw refuse.noRecording()
  return {
    id: recordingId,
    file: row.filePath ? { storage: row.storage, path: row.filePath } : null,
    egressId: row.egressId,
    wasRunning: row.running,
  }
}

/** The stored file of a finished recording the viewer may watch, for GET /recordings/:id/file. */
export async function recordingFileFor(viewer: Viewer, recordingId: string): Promise<{ path: string; storage: RecordingStorage; contentType: string }> {
  if (!isId(recordingId)) throw refuse.noRecording()
  const [row] = await db.execute<RecordingRow & { talkId: string; deleted: boolean }>(sql`
    select talk_id as "talkId", status, share, storage, file_path as "filePath", content_type as "contentType",
      deleted_at is not null as deleted
    from ${recordings} where id = ${recordingId}`)
  if (!row || row.deleted) throw refuse.noRecording()
  const talk = await talkForRecordings(viewer, row.talkId)
  if (!talk || !maySee(talk, row.share)) throw refuse.noRecording()
  if (row.status !== 'complete' || !row.filePath) throw new PublicError('This recording is not ready yet.', 409)
  return { path: row.filePath, storage: row.storage, contentType: row.contentType }
}
