import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { collectExport } from '../../db/data-rights/index'
import {
  endTalk,
  enterTalk,
  getRoomState,
  inviteToStage,
  leaveStage,
  moveToAudience,
  openTalk,
  removeFromTalk,
  respondToStageInvite,
} from '../../db/live'
import { CONSENT_REQUIRED_MESSAGE, RECORDING_POLICY_TEXT, RECORDING_POLICY_VERSION } from '../../db/recording-policy'
import {
  applyEgressReport,
  beginRecording,
  deleteRecording,
  endRunningRecording,
  recordingStarted,
  giveRecordingConsent,
  listTalkRecordings,
  mediaAccess,
  recordingFileFor,
  setTalkRecorded,
  shareRecording,
  timelineOf,
  withdrawRecordingConsent,
} from '../../db/recordings'
import { scheduleTalk, updateTalk, type ScheduleInput } from '../../db/talks'
import { anonymous } from '../../db/viewer'
import { addClubMember, addTalkRole, createDoctor, createTalk, createTestClub, viewerOf as as, type TestDoctor } from '../support/factories'

const HOUR = 60 * 60 * 1000

let owner: TestDoctor
let admin: TestDoctor
let member: TestDoctor
let attendee: TestDoctor
let outsider: TestDoctor

beforeAll(async () => {
  owner = await createDoctor({ name: 'Dr Owner' })
  admin = await createDoctor({ name: 'Dr Admin' })
  member = await createDoctor({ name: 'Dr Member' })
  attendee = await createDoctor({ name: 'Dr Attendee' })
  outsider = await createDoctor({ name: 'Dr Outsider' })
})

async function clubWithPeople(visibility: 'public' | 'private' = 'public') {
  const club = await createTestClub(owner, { visibility })
  await addClubMember(club, admin, 'admin')
  await addClubMember(club, member)
  return club
}

/** A live recorded talk hosted by the owner, with `people` in the room. */
async function liveRecordedTalk(people: TestDoctor[] = []) {
  const club = await clubWithPeople()
  const talk = await createTalk({ clubId: club.id, hostId: owner.id, startsAt: new Date() })
  await rawSql()`update talks set recorded = true where id = ${talk.id}`
  await openTalk(as(owner), talk.id)
  for (const person of [owner, ...people]) await enterTalk(as(person), talk.id, randomUUID())
  return { club, talkId: talk.id }
}

async function consentCount(talkId: string) {
  const [{ n }] = await rawSql()<{ n: number }[]>`select count(*)::int as n from recording_consents where talk_id = ${talkId}`
  return n
}

describe('the consent policy', () => {
  it('is one versioned text the dialog shows', () => {
    expect(RECORDING_POLICY_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(RECORDING_POLICY_TEXT).toMatch(/withdraw your consent at any time/)
  })
})

describe('scheduling a recorded talk', () => {
  const input = (overrides: Partial<ScheduleInput> = {}): ScheduleInput => ({
    type: 'talk',
    title: 'Recorded grand round',
    description: '',
    startsAt: new Date(Date.now() + 24 * HOUR),
    durationMinutes: 60,
    cohostHandles: [],
    speakerHandles: [],
    ...overrides,
  })
  const recordedOf = async (id: string) => (await rawSql()<{ recorded: boolean }[]>`select recorded from talks where id = ${id}`)[0].recorded

  it('stores the flag, keeps it when an update leaves it out, and refuses a non-boolean', async () => {
    const club = await clubWithPeople()
    const { id } = await scheduleTalk(as(owner), club.slug, input({ recorded: true }))
    expect(await recordedOf(id)).toBe(true)
    await updateTalk(as(owner), id, input({ title: 'Recorded grand round, moved' }))
    expect(await recordedOf(id)).toBe(true)
    await updateTalk(as(owner), id, input({ recorded: false }))
    expect(await recordedOf(id)).toBe(false)
    const { id: plain } = await scheduleTalk(as(owner), club.slug, input())
    expect(await recordedOf(plain)).toBe(false)
    await expect(scheduleTalk(as(owner), club.slug, input({ recorded: 'on' as unknown as boolean }))).rejects.toThrow('Say whether the talk is recorded.')
  })
})

describe('consent and the stage', () => {
  it('writes the consent row and the stage move together, or neither', async () => {
    const { talkId } = await liveRecordedTalk([member])
    await inviteToStage(as(owner), talkId, member.id)
    await expect(respondToStageInvite(as(member), talkId, true)).rejects.toThrow(CONSENT_REQUIRED_MESSAGE)
    expect(await consentCount(talkId)).toBe(0)
    expect((await getRoomState(as(member), talkId)).me).toMatchObject({ onStage: false, hand: 'invited' })

    const stage = await respondToStageInvite(as(member), talkId, true, RECORDING_POLICY_VERSION)
    expect(stage.stage.map((p) => p.userId)).toEqual([owner.id, member.id])
    const [row] = await rawSql()<{ kind: string; policy_version: string; created_at: Date }[]>`
      select kind::text, policy_version, created_at from recording_consents where talk_id = ${talkId} and user_id = ${member.id}`
    expect(row).toMatchObject({ kind: 'given', policy_version: RECORDING_POLICY_VERSION })
    expect((await getRoomState(as(member), talkId)).recording).toMatchObject({ consented: true, recorded: true })
    expect(await mediaAccess(as(member), talkId)).toMatchObject({ role: 'speaker', canPublish: true })

    // Host view: who on stage still has to agree.
    expect((await getRoomState(as(owner), talkId)).recording.missingConsent).toEqual(['Dr Owner'])
    await giveRecordingConsent(as(owner), talkId, RECORDING_POLICY_VERSION)
    await giveRecordingConsent(as(owner), talkId, RECORDING_POLICY_VERSION)
    expect(await consentCount(talkId)).toBe(2)
    expect((await getRoomState(as(owner), talkId)).recording.missingConsent).toEqual([])
  })

  it('a withdrawal is a row of its own; the speaker leaves the stage and loses publishing', async () => {
    const { talkId } = await liveRecordedTalk([member])
    await inviteToStage(as(owner), talkId, member.id)
    await respondToStageInvite(as(member), talkId, true, RECORDING_POLICY_VERSION)
    const { stage, leftStage } = await withdrawRecordingConsent(as(member), talkId)
    expect(leftStage).toBe(true)
    expect(stage.stage.map((p) => p.userId)).toEqual([owner.id])
    const rows = await rawSql()<{ kind: string }[]>`select kind::text from recording_consents where talk_id = ${talkId} and user_id = ${member.id} order by id`
    expect(rows.map((r) => r.kind)).toEqual(['given', 'withdrawn'])
    expect(await mediaAccess(as(member), talkId)).toMatchObject({ role: 'audience', canPublish: false })
    // Invited again, the old consent no longer counts.
    await inviteToStage(as(owner), talkId, member.id)
    await expect(respondToStageInvite(as(member), talkId, true)).rejects.toThrow(CONSENT_REQUIRED_MESSAGE)
  })

  it('the host keeps the stage on withdrawal but cannot publish; a co-host off stage publishes only with consent', async () => {
    const { talkId } = await liveRecordedTalk([admin])
    await giveRecordingConsent(as(owner), talkId, RECORDING_POLICY_VERSION)
    expect(await mediaAccess(as(owner), talkId)).toMatchObject({ role: 'host', canPublish: true })
    const { leftStage } = await withdrawRecordingConsent(as(owner), talkId)
    expect(leftStage).toBe(false)
    expect((await getRoomState(as(owner), talkId)).me.onStage).toBe(true)
    expect(await mediaAccess(as(owner), talkId)).toMatchObject({ role: 'host', canPublish: false })
    // The club admin moderates talks, so counts as a co-host.
    expect(await mediaAccess(as(admin), talkId)).toMatchObject({ role: 'host', canPublish: false })
    await giveRecordingConsent(as(admin), talkId, RECORDING_POLICY_VERSION)
    expect(await mediaAccess(as(admin), talkId)).toMatchObject({ role: 'host', canPublish: true })
  })

  it('refuses consent to an old policy version, and to people the talk does not ask', async () => {
    const { talkId } = await liveRecordedTalk([member])
    await expect(giveRecordingConsent(as(owner), talkId, '2020-01-01')).rejects.toThrow('The recording policy has changed. Read it again and accept.')
    await expect(giveRecordingConsent(as(member), talkId, RECORDING_POLICY_VERSION)).rejects.toThrow(/Only people on stage/)
    await expect(giveRecordingConsent(as(outsider), talkId, RECORDING_POLICY_VERSION)).rejects.toThrow(/Only people on stage/)
    expect(await consentCount(talkId)).toBe(0)
  })

  it('without a recorded flag nobody is asked, and speakers publish as before', async () => {
    const club = await clubWithPeople()
    const talk = await createTalk({ clubId: club.id, hostId: owner.id, startsAt: new Date() })
    await openTalk(as(owner), talk.id)
    await addTalkRole(talk.id, member, 'speaker')
    await enterTalk(as(member), talk.id, randomUUID())
    await inviteToStage(as(owner), talk.id, member.id)
    await respondToStageInvite(as(member), talk.id, true)
    expect(await mediaAccess(as(member), talk.id)).toMatchObject({ role: 'speaker', canPublish: true })
    expect((await getRoomState(as(member), talk.id)).recording).toEqual({
      recorded: false,
      active: false,
      startedAt: null,
      policyVersion: RECORDING_POLICY_VERSION,
      consented: false,
      missingConsent: [],
    })
    await expect(giveRecordingConsent(as(member), talk.id, RECORDING_POLICY_VERSION)).rejects.toThrow('This talk is not recorded.')
    // Marking it recorded later takes publishing away until they agree.
    await setTalkRecorded(as(owner), talk.id, true)
    expect(await mediaAccess(as(member), talk.id)).toMatchObject({ role: 'audience', canPublish: false })
    await expect(setTalkRecorded(as(member), talk.id, false)).rejects.toThrow('Only the talk’s hosts can do that.')
  })
})

describe('starting a recording', () => {
  const options = { mediaConfigured: true, storage: 'local' as const, fileFor: (t: string, r: string) => `${t}/${r}.ogg` }

  it('is refused while anyone on stage has not agreed, and writes nothing', async () => {
    const { talkId } = await liveRecordedTalk([member, attendee])
    await rawSql()`insert into talk_stage (talk_id, user_id, status) values (${talkId}, ${member.id}, 'on_stage'), (${talkId}, ${attendee.id}, 'on_stage')`
    await expect(beginRecording(as(owner), talkId, options)).rejects.toThrow(
      'Recording cannot start: Dr Owner, Dr Attendee and Dr Member have not agreed to be recorded.',
    )
    await giveRecordingConsent(as(owner), talkId, RECORDING_POLICY_VERSION)
    await giveRecordingConsent(as(member), talkId, RECORDING_POLICY_VERSION)
    await expect(beginRecording(as(owner), talkId, options)).rejects.toThrow('Recording cannot start: Dr Attendee has not agreed to be recorded.')
    const [{ n }] = await rawSql()<{ n: number }[]>`select count(*)::int as n from recordings where talk_id = ${talkId}`
    expect(n).toBe(0)
    await giveRecordingConsent(as(attendee), talkId, RECORDING_POLICY_VERSION)
    await expect(beginRecording(as(member), talkId, options)).rejects.toThrow('Only the talk’s hosts can do that.')
    await expect(beginRecording(as(owner), talkId, { ...options, mediaConfigured: false })).rejects.toThrow(
      'Recording needs live audio and video, which are not set up on this server.',
    )
    const started = await beginRecording(as(owner), talkId, options)
    expect(started.filePath).toBe(`${talkId}/${started.id}.ogg`)
    await expect(beginRecording(as(owner), talkId, options)).rejects.toThrow('A recording is running already.')
    expect(await recordingStarted(started.id, 'EG_first')).toBe(true)
  })

  it('a recording stopped while its egress was starting is not revived by the late start', async () => {
    const { talkId } = await liveRecordedTalk()
    await giveRecordingConsent(as(owner), talkId, RECORDING_POLICY_VERSION)
    const started = await beginRecording(as(owner), talkId, options)
    expect(await endRunningRecording(talkId)).toEqual({ id: started.id, egressId: null })
    expect(await recordingStarted(started.id, 'EG_late')).toBe(false)
    const [row] = await rawSql()<{ status: string }[]>`select status::text from recordings where id = ${started.id}`
    expect(row.status).toBe('failed')
  })
})

describe('recordings after the talk', () => {
  /** An ended talk with a complete recording from t0 to t0+10 min and a stage log around it. */
  async function endedTalkWithRecording(share: 'private' | 'attendees' | 'members' | 'public', visibility: 'public' | 'private' = 'public') {
    const club = await clubWithPeople(visibility)
    const talk = await createTalk({ clubId: club.id, hostId: owner.id, status: 'ended', startsAt: new Date(Date.now() - HOUR) })
    const t0 = new Date(Date.now() - 30 * 60 * 1000)
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60 * 1000).toISOString()
    await rawSql()`insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at, left_at)
      values (${randomUUID()}, ${talk.id}, ${attendee.id}, 's1', ${at(-5)}, ${at(12)})`
    await rawSql()`insert into stage_events (talk_id, user_id, kind, at) values
      (${talk.id}, ${owner.id}, 'joined_stage', ${at(-5)}),
      (${talk.id}, ${member.id}, 'joined_stage', ${at(2)}),
      (${talk.id}, ${member.id}, 'left_stage', ${at(6)}),
      (${talk.id}, ${owner.id}, 'left_stage', ${at(15)})`
    const id = randomUUID()
    await rawSql()`insert into recordings (id, talk_id, started_by, status, share, storage, file_path, egress_id, started_at, ended_at, duration_seconds)
      values (${id}, ${talk.id}, ${owner.id}, 'complete', ${share}, 'local', ${`${talk.id}/${id}.ogg`}, ${`EG_${id.slice(0, 8)}`}, ${t0.toISOString()}, ${at(10)}, 600)`
    return { talkId: talk.id, recordingId: id, club }
  }

  it('has chapters and a speaker timeline cut from the stage log', async () => {
    const { talkId } = await endedTalkWithRecording('public')
    const [recording] = await listTalkRecordings(as(owner), talkId)
    expect(recording).toMatchObject({ status: 'complete', durationSeconds: 600, share: 'public', canManage: true })
    expect(recording.playbackUrl).toBe(`/recordings/${recording.id}/file`)
    expect(recording.chapters).toEqual([
      { at: 0, title: 'On stage: Dr Owner' },
      { at: 120, title: 'Dr Member joins the stage' },
      { at: 360, title: 'Dr Member leaves the stage' },
    ])
    expect(recording.speakers).toEqual([
      { userId: owner.id, name: 'Dr Owner', segments: [{ from: 0, to: 600 }] },
      { userId: member.id, name: 'Dr Member', segments: [{ from: 120, to: 360 }] },
    ])
  })

  it('shows each recording only to those it is shared with', async () => {
    const seen = async (viewer: TestDoctor | null, talkId: string) => (await listTalkRecordings(viewer ? as(viewer) : anonymous, talkId)).length
    const cases = [
      { share: 'private', owner: 1, admin: 1, member: 0, attendee: 0, outsider: 0, anonymous: 0 },
      { share: 'attendees', owner: 1, admin: 1, member: 0, attendee: 1, outsider: 0, anonymous: 0 },
      { share: 'members', owner: 1, admin: 1, member: 1, attendee: 0, outsider: 0, anonymous: 0 },
      { share: 'public', owner: 1, admin: 1, member: 1, attendee: 1, outsider: 1, anonymous: 1 },
    ] as const
    for (const expected of cases) {
      const { talkId } = await endedTalkWithRecording(expected.share)
      expect({
        share: expected.share,
        owner: await seen(owner, talkId),
        admin: await seen(admin, talkId),
        member: await seen(member, talkId),
        attendee: await seen(attendee, talkId),
        outsider: await seen(outsider, talkId),
        anonymous: await seen(null, talkId),
      }).toEqual(expected)
    }
    // A public recording of a private club's talk is still only for those who may see the talk.
    const { talkId } = await endedTalkWithRecording('public', 'private')
    expect(await seen(outsider, talkId)).toBe(0)
    expect(await seen(member, talkId)).toBe(1)
  })

  it('managers share and delete; others are refused; a deleted recording is never listed nor served', async () => {
    const { talkId, recordingId, club } = await endedTalkWithRecording('private')
    await expect(shareRecording(as(member), recordingId, 'public')).rejects.toThrow('Only the talk’s host and the club’s admins can change its recordings.')
    // A club moderator moderates live talks but does not schedule them, so does not manage their recordings.
    const moderator = await createDoctor({ name: 'Dr Moderator' })
    await addClubMember(club, moderator, 'moderator')
    await expect(shareRecording(as(moderator), recordingId, 'public')).rejects.toThrow('Only the talk’s host and the club’s admins can change its recordings.')
    expect(await listTalkRecordings(as(moderator), talkId)).toEqual([])
    await expect(shareRecording(as(owner), recordingId, 'everyone' as never)).rejects.toThrow(/Choose who may watch/)
    expect(await shareRecording(as(admin), recordingId, 'members')).toEqual({ id: recordingId, share: 'members' })
    expect(await recordingFileFor(as(member), recordingId)).toEqual({ path: `${talkId}/${recordingId}.ogg`, storage: 'local', contentType: 'audio/ogg' })
    await expect(recordingFileFor(as(outsider), recordingId)).rejects.toThrow('We could not find that recording.')
    await expect(recordingFileFor(as(attendee), recordingId)).rejects.toThrow('We could not find that recording.')

    await expect(deleteRecording(as(member), recordingId)).rejects.toThrow('Only the talk’s host and the club’s admins can change its recordings.')
    const deleted = await deleteRecording(as(owner), recordingId)
    expect(deleted).toMatchObject({ id: recordingId, file: { storage: 'local', path: `${talkId}/${recordingId}.ogg` }, wasRunning: false })
    const [row] = await rawSql()<{ deleted: boolean; file_path: string | null; file_location: string | null }[]>`
      select deleted_at is not null as deleted, file_path, file_location from recordings where id = ${recordingId}`
    expect(row).toEqual({ deleted: true, file_path: null, file_location: null })
    expect(await listTalkRecordings(as(owner), talkId)).toEqual([])
    await expect(recordingFileFor(as(owner), recordingId)).rejects.toThrow('We could not find that recording.')
    await expect(deleteRecording(as(owner), recordingId)).rejects.toThrow('We could not find that recording.')
  })

  it('an unfinished recording is listed only to managers, without a file', async () => {
    const { talkId, recordingId } = await endedTalkWithRecording('public')
    await rawSql()`update recordings set status = 'ending' where id = ${recordingId}`
    expect(await listTalkRecordings(as(member), talkId)).toEqual([])
    expect((await listTalkRecordings(as(owner), talkId))[0]).toMatchObject({ status: 'ending', playbackUrl: null })
    await expect(recordingFileFor(as(owner), recordingId)).rejects.toThrow('This recording is not ready yet.')
  })
})

describe('egress reports', () => {
  it('move the status forward only, whatever order they arrive in', async () => {
    const club = await clubWithPeople()
    const talk = await createTalk({ clubId: club.id, hostId: owner.id, status: 'live' })
    const id = randomUUID()
    const egressId = `EG_${id.slice(0, 8)}`
    await rawSql()`insert into recordings (id, talk_id, status, storage, egress_id) values (${id}, ${talk.id}, 'starting', 'local', ${egressId})`
    const t = Date.now()
    expect(await applyEgressReport({ egressId, status: 'complete', at: new Date(t), durationSeconds: 42, fileLocation: '/out/x.ogg' })).toEqual({
      talkId: talk.id,
      recordingId: id,
    })
    expect(await applyEgressReport({ egressId, status: 'active', at: new Date(t - 1000) })).toBeNull()
    expect(await applyEgressReport({ egressId, status: 'complete', at: new Date(t + 1000), durationSeconds: 99 })).toBeNull()
    expect(await applyEgressReport({ egressId: 'EG_unknown', status: 'complete', at: new Date(t) })).toBeNull()
    const [row] = await rawSql()<{ status: string; duration_seconds: number }[]>`select status::text, duration_seconds from recordings where id = ${id}`
    expect(row).toEqual({ status: 'complete', duration_seconds: 42 })
  })
})

describe('the stage log', () => {
  it('is written by the stage functions', async () => {
    const { talkId } = await liveRecordedTalk([member])
    await inviteToStage(as(owner), talkId, member.id)
    await respondToStageInvite(as(member), talkId, true, RECORDING_POLICY_VERSION)
    await leaveStage(as(member), talkId)
    const rows = await rawSql()<{ user_id: string; kind: string }[]>`
      select user_id, kind::text from stage_events where talk_id = ${talkId} order by id`
    expect(rows).toEqual([
      { user_id: owner.id, kind: 'joined_stage' },
      { user_id: member.id, kind: 'joined_stage' },
      { user_id: member.id, kind: 'left_stage' },
    ])
  })

  it('notes a left_stage for each person taken off the stage, and none for those only invited', async () => {
    const third = await createDoctor({ name: 'Dr Third' })
    const fourth = await createDoctor({ name: 'Dr Fourth' })
    const { talkId } = await liveRecordedTalk([member, attendee, third, fourth])
    const toStage = async (person: TestDoctor) => {
      await inviteToStage(as(owner), talkId, person.id)
      await respondToStageInvite(as(person), talkId, true, RECORDING_POLICY_VERSION)
    }
    const eventsSince = async (after: number) =>
      rawSql()<{ id: number; user_id: string; kind: string }[]>`
        select id::int, user_id, kind::text from stage_events where talk_id = ${talkId} and id > ${after} order by id`
    const lastId = async () => (await eventsSince(0)).at(-1)?.id ?? 0
    const left = (person: TestDoctor) => ({ user_id: person.id, kind: 'left_stage' })

    await toStage(member)
    let mark = await lastId()
    await moveToAudience(as(owner), talkId, member.id)
    expect((await eventsSince(mark)).map(({ user_id, kind }) => ({ user_id, kind }))).toEqual([left(member)])

    await inviteToStage(as(owner), talkId, attendee.id)
    mark = await lastId()
    await moveToAudience(as(owner), talkId, attendee.id)
    expect(await eventsSince(mark)).toEqual([])

    await toStage(attendee)
    mark = await lastId()
    await removeFromTalk(as(owner), talkId, attendee.id)
    expect((await eventsSince(mark)).map(({ user_id, kind }) => ({ user_id, kind }))).toEqual([left(attendee)])

    await toStage(third)
    mark = await lastId()
    await withdrawRecordingConsent(as(third), talkId)
    expect((await eventsSince(mark)).map(({ user_id, kind }) => ({ user_id, kind }))).toEqual([left(third)])

    await toStage(fourth)
    await inviteToStage(as(owner), talkId, member.id)
    mark = await lastId()
    await endTalk(as(owner), talkId)
    const atEnd = (await eventsSince(mark)).map(({ user_id, kind }) => ({ user_id, kind }))
    expect(atEnd).toHaveLength(2)
    expect(atEnd).toEqual(expect.arrayContaining([left(owner), left(fourth)]))
    const [{ n }] = await rawSql()<{ n: number }[]>`select count(*)::int as n from talk_stage where talk_id = ${talkId}`
    expect(n).toBe(0)
  })

  it('timelineOf clips to the recording and keeps someone on stage at the end', () => {
    const start = Date.parse('2026-01-01T10:00:00Z')
    const events = [
      { userId: 'a', name: 'Dr A', kind: 'joined_stage' as const, at: '2026-01-01T09:50:00Z' },
      { userId: 'b', name: 'Dr B', kind: 'joined_stage' as const, at: '2026-01-01T10:01:00Z' },
    ]
    expect(timelineOf(events, start, start + 120_000)).toEqual({
      chapters: [
        { at: 0, title: 'On stage: Dr A' },
        { at: 60, title: 'Dr B joins the stage' },
      ],
      speakers: [
        { userId: 'a', name: 'Dr A', segments: [{ from: 0, to: 120 }] },
        { userId: 'b', name: 'Dr B', segments: [{ from: 60, to: 120 }] },
      ],
    })
  })
})

describe('data rights', () => {
  it('the export holds a person’s consent rows with time and policy version', async () => {
    const { talkId } = await liveRecordedTalk([member])
    await inviteToStage(as(owner), talkId, member.id)
    await respondToStageInvite(as(member), talkId, true, RECORDING_POLICY_VERSION)
    await withdrawRecordingConsent(as(member), talkId)
    const data = await collectExport(member.id)
    const section = data.sections.find((s) => s.table === 'recording_consents')
    expect(section).toBeDefined()
    const rows = (JSON.parse(section!.rowsJson) as { talk_id: string; kind: string; policy_version: string; created_at: string }[]).filter(
      (r) => r.talk_id === talkId,
    )
    expect(rows.map((r) => [r.kind, r.policy_version])).toEqual([
      ['given', RECORDING_POLICY_VERSION],
      ['withdrawn', RECORDING_POLICY_VERSION],
    ])
    expect(rows.every((r) => typeof r.created_at === 'string')).toBe(true)
    expect(data.sections.find((s) => s.table === 'stage_events')?.rowCount).toBeGreaterThan(0)
  })
})
