import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { removeMember } from '../../db/clubs'
import {
  askQuestion,
  askToMute,
  attendanceReport,
  canEnterTalk,
  closeOpenAttendance,
  countAudience,
  deleteComment,
  endTalk,
  enterTalk,
  getRoomState,
  inviteToStage,
  leaveStage,
  leaveTalk,
  lowerHand,
  markQuestion,
  moveToAudience,
  openTalk,
  pinComment,
  postComment,
  promoteToCohost,
  raiseHand,
  recordReactions,
  redactForAudience,
  removeFromTalk,
  respondToStageInvite,
  voteQuestion,
} from '../../db/live'
import { anonymous } from '../../db/viewer'
import {
  addClubMember,
  addTalkRole,
  countLiveRows,
  createDoctor,
  createTalk,
  createTestClub,
  viewerOf,
  type TestClub,
  type TestDoctor,
} from '../support/factories'

const as = viewerOf
const HOSTS_ONLY = 'Only the talk’s hosts can do that.'
const ENDED = 'This talk has ended.'
const MISSING = '00000000-0000-0000-0000-000000000000'

let host: TestDoctor
let cohost: TestDoctor
let speaker: TestDoctor
let clubAdmin: TestDoctor
let clubModerator: TestDoctor
let member: TestDoctor
let stranger: TestDoctor
let club: TestClub
let privateClub: TestClub

let socketCounter = 0
const socket = () => `socket-${++socketCounter}`

beforeAll(async () => {
  host = await createDoctor({ name: 'Dr Host' })
  cohost = await createDoctor({ name: 'Dr Cohost' })
  speaker = await createDoctor({ name: 'Dr Speaker' })
  clubAdmin = await createDoctor({ name: 'Dr Admin' })
  clubModerator = await createDoctor({ name: 'Dr Moderator' })
  member = await createDoctor({ name: 'Dr Member' })
  stranger = await createDoctor({ name: 'Dr Stranger' })
  club = await createTestClub(host, { name: 'Live Cardiology' })
  privateClub = await createTestClub(host, { name: 'Closed Cardiology', visibility: 'private' })
  for (const c of [club, privateClub]) {
    await addClubMember(c, cohost)
    await addClubMember(c, speaker)
    await addClubMember(c, member)
    await addClubMember(c, clubAdmin, 'admin')
    await addClubMember(c, clubModerator, 'moderator')
  }
})

/** A talk in the public club (or another), with a co-host and a speaker, opened unless asked not to. */
async function newTalk(options: { club?: TestClub; open?: boolean } = {}) {
  const { id } = await createTalk({ clubId: (options.club ?? club).id, hostId: host.id })
  await addTalkRole(id, cohost, 'cohost')
  await addTalkRole(id, speaker, 'speaker')
  if (options.open !== false) await openTalk(as(host), id)
  return id
}

/** Doctors in the room, each on their own socket. */
async function enterAll(talkId: string, ...doctors: TestDoctor[]) {
  for (const d of doctors) await enterTalk(as(d), talkId, socket())
}

const ids = (people: { userId: string }[]) => people.map((p) => p.userId)

async function stageRow(talkId: string, userId: string) {
  const rows = await rawSql()<{ status: string }[]>`select status from talk_stage where talk_id = ${talkId} and user_id = ${userId}`
  return rows[0]?.status ?? null
}

describe('canEnterTalk and enterTalk', () => {
  it('lets any signed-in doctor into a public club’s talk, once per socket', async () => {
    const talkId = await newTalk()
    const visitor = await createDoctor()
    expect(await canEnterTalk(as(visitor), talkId)).toBe(true)
    const s = socket()
    const state = await enterTalk(as(visitor), talkId, s)
    expect(state.talk).toMatchObject({ id: talkId, status: 'live', hostId: host.id, club: { slug: club.slug, visibility: 'public' } })
    expect(state.me).toEqual({ userId: visitor.id, role: 'audience', onStage: false, hand: null, handPosition: null })
    expect(state.audienceCount).toBe(1)
    await enterTalk(as(visitor), talkId, s)
    expect(await countLiveRows('talk_attendance', talkId)).toBe(1)
    // A second tab is a second stay but the same person.
    const again = await enterTalk(as(visitor), talkId, socket())
    expect(await countLiveRows('talk_attendance', talkId)).toBe(2)
    expect(again.audienceCount).toBe(1)
    expect(await countAudience(talkId)).toBe(1)
  })

  it('refuses a private club’s talk to non-members as if it did not exist, and writes nothing', async () => {
    const talkId = await newTalk({ club: privateClub })
    expect(await canEnterTalk(as(stranger), talkId)).toBe(false)
    const before = await countLiveRows('talk_attendance')
    await expect(enterTalk(as(stranger), talkId, socket())).rejects.toMatchObject({ name: 'PublicError', status: 404 })
    await expect(getRoomState(as(stranger), talkId)).rejects.toMatchObject({ status: 404 })
    await expect(postComment(as(stranger), talkId, { body: 'hello' })).rejects.toMatchObject({ status: 404 })
    await expect(askQuestion(as(stranger), talkId, { body: 'hello?' })).rejects.toMatchObject({ status: 404 })
    await expect(raiseHand(as(stranger), talkId)).rejects.toMatchObject({ status: 404 })
    expect(await countLiveRows('talk_attendance')).toBe(before)
    expect(await countLiveRows('talk_comments', talkId)).toBe(0)
    expect(await countLiveRows('talk_questions', talkId)).toBe(0)
    expect(await canEnterTalk(as(member), talkId)).toBe(true)
    expect((await enterTalk(as(member), talkId, socket())).me.role).toBe('audience')
  })

  it('refuses a doctor banned from the club, even from a public club’s talk', async () => {
    const talkId = await newTalk()
    const banned = await createDoctor()
    await addClubMember(club, banned)
    await enterTalk(as(banned), talkId, socket())
    await removeMember(as(host), club.slug, banned.handle, { ban: true })
    expect(await canEnterTalk(as(banned), talkId)).toBe(false)
    const before = await countLiveRows('talk_attendance', talkId)
    await expect(enterTalk(as(banned), talkId, socket())).rejects.toMatchObject({ name: 'PublicError', status: 403 })
    await expect(postComment(as(banned), talkId, { body: 'still here?' })).rejects.toMatchObject({ status: 403 })
    expect(await countLiveRows('talk_attendance', talkId)).toBe(before)
    expect(await countLiveRows('talk_comments', talkId)).toBe(0)
  })

  it('answers 401 to a signed-out viewer and 404 to ids that are wrong or unknown', async () => {
    const talkId = await newTalk()
    expect(await canEnterTalk(anonymous, talkId)).toBe(false)
    await expect(enterTalk(anonymous, talkId, socket())).rejects.toMatchObject({ status: 401 })
    await expect(getRoomState(anonymous, talkId)).rejects.toMatchObject({ status: 401 })
    for (const id of [MISSING, 'not-a-talk', '', "'; drop table talks; --"]) {
      expect(await canEnterTalk(as(member), id)).toBe(false)
      await expect(enterTalk(as(member), id, socket())).rejects.toMatchObject({ status: 404, message: 'We could not find that talk.' })
      await expect(postComment(as(member), id, { body: 'hi' })).rejects.toMatchObject({ status: 404 })
    }
    await expect(enterTalk(as(member), talkId, '')).rejects.toMatchObject({ status: 400 })
    await expect(enterTalk(as(member), talkId, 'x'.repeat(101))).rejects.toMatchObject({ status: 400 })
  })

  it('gives each person their role: host, co-host (scheduled or club moderator), speaker, audience', async () => {
    const talkId = await newTalk()
    const roles = await Promise.all(
      [host, cohost, clubAdmin, clubModerator, speaker, member, stranger].map(async (d) => (await enterTalk(as(d), talkId, socket())).me.role),
    )
    expect(roles).toEqual(['host', 'cohost', 'cohost', 'cohost', 'speaker', 'audience', 'audience'])
  })

  it('lets people into a scheduled talk’s lobby, and into an ended talk read-only', async () => {
    const scheduled = await newTalk({ open: false })
    const lobby = await enterTalk(as(member), scheduled, socket())
    expect(lobby.talk.status).toBe('scheduled')
    expect(lobby.stage).toEqual([])
    expect(await countLiveRows('talk_attendance', scheduled)).toBe(1)

    const talkId = await newTalk()
    await enterAll(talkId, member)
    await postComment(as(member), talkId, { body: 'Great talk' })
    await askQuestion(as(member), talkId, { body: 'What about beta blockers?' })
    await endTalk(as(host), talkId)
    const attendanceBefore = await countLiveRows('talk_attendance', talkId)
    const state = await enterTalk(as(stranger), talkId, socket())
    expect(state.talk.status).toBe('ended')
    expect(state.comments.map((c) => c.body)).toEqual(['Great talk'])
    expect(state.questions.map((q) => q.body)).toEqual(['What about beta blockers?'])
    expect(state.audienceCount).toBe(0)
    expect(await countLiveRows('talk_attendance', talkId)).toBe(attendanceBefore)
    for (const action of [
      () => raiseHand(as(stranger), talkId),
      () => postComment(as(stranger), talkId, { body: 'late' }),
      () => askQuestion(as(stranger), talkId, { body: 'late?' }),
    ]) {
      await expect(action()).rejects.toMatchObject({ status: 409, message: ENDED })
    }
  })
})

describe('leaveTalk, countAudience and closeOpenAttendance', () => {
  it('counts distinct people with an open stay, and closes only the leaving socket', async () => {
    const talkId = await newTalk()
    const [a, b] = [socket(), socket()]
    await enterTalk(as(member), talkId, a)
    await enterTalk(as(member), talkId, b)
    await enterTalk(as(stranger), talkId, socket())
    expect(await countAudience(talkId)).toBe(2)
    expect(await leaveTalk(as(member), talkId, a)).toEqual({ audienceCount: 2 })
    expect(await leaveTalk(as(member), talkId, b)).toEqual({ audienceCount: 1 })
    // Someone else's socket id closes nothing.
    expect(await leaveTalk(as(host), talkId, a)).toEqual({ audienceCount: 1 })
    expect(await countAudience(talkId)).toBe(1)
    expect(await countAudience('nope')).toBe(0)
  })

  it('closes rows a stopped server left open, and a restart restores the room exactly', async () => {
    const talkId = await newTalk()
    await enterAll(talkId, host, cohost, speaker, member, stranger)
    await raiseHand(as(member), talkId)
    await raiseHand(as(stranger), talkId)
    await inviteToStage(as(host), talkId, speaker.id)
    await respondToStageInvite(as(speaker), talkId, true)
    const c1 = await postComment(as(member), talkId, { body: 'First' })
    await postComment(as(stranger), talkId, { body: 'Second' })
    await pinComment(as(host), talkId, c1.id)
    await askQuestion(as(member), talkId, { body: 'Dose?' })
    await recordReactions(talkId, { clap: 3 })
    const before = await getRoomState(as(host), talkId)
    expect(before.audienceCount).toBe(5)

    const closed = await closeOpenAttendance(new Date(Date.now() + 1000))
    expect(closed).toBeGreaterThanOrEqual(5)
    expect(await countAudience(talkId)).toBe(0)

    const after = await getRoomState(as(host), talkId)
    expect(after).toEqual({ ...before, audienceCount: 0 })
    expect(ids(after.stage)).toEqual([host.id, speaker.id])
    expect(ids(after.hands)).toEqual([member.id, stranger.id])
    // Rejoining after the restart opens a fresh stay.
    expect((await enterTalk(as(member), talkId, socket())).audienceCount).toBe(1)
  })
})

describe('openTalk and endTalk', () => {
  it('lets only hosts open, puts the host on stage, and is safe to repeat', async () => {
    const talkId = await newTalk({ open: false })
    for (const d of [member, speaker, stranger]) {
      await expect(openTalk(as(d), talkId)).rejects.toMatchObject({ name: 'PublicError', status: 403, message: HOSTS_ONLY })
    }
    expect(await countLiveRows('talk_stage', talkId)).toBe(0)
    expect(await openTalk(as(cohost), talkId)).toEqual({ status: 'live' })
    expect(await openTalk(as(host), talkId)).toEqual({ status: 'live' })
    const state = await getRoomState(as(member), talkId)
    expect(state.stage).toEqual([expect.objectContaining({ userId: host.id, role: 'host', handle: host.handle })])
    const [row] = await rawSql()<{ opened: boolean }[]>`select opened_at is not null as opened from talks where id = ${talkId}`
    expect(row.opened).toBe(true)
  })

  it('ends a live talk: stage and hands cleared, attendance closed, no way back', async () => {
    const talkId = await newTalk()
    await enterAll(talkId, host, member, stranger)
    await raiseHand(as(member), talkId)
    await expect(endTalk(as(member), talkId)).rejects.toMatchObject({ status: 403, message: HOSTS_ONLY })
    expect(await countLiveRows('talk_stage', talkId)).toBe(2)
    // A club moderator counts as a co-host.
    expect(await endTalk(as(clubModerator), talkId)).toEqual({ status: 'ended' })
    expect(await endTalk(as(host), talkId)).toEqual({ status: 'ended' })
    expect(await countLiveRows('talk_stage', talkId)).toBe(0)
    expect(await countAudience(talkId)).toBe(0)
    await expect(openTalk(as(host), talkId)).rejects.toMatchObject({ status: 409, message: ENDED })
    const state = await getRoomState(as(member), talkId)
    expect(state).toMatchObject({ stage: [], handCount: 0, talk: { status: 'ended' } })
  })

  it('does not end a talk that never started', async () => {
    const talkId = await newTalk({ open: false })
    await expect(endTalk(as(host), talkId)).rejects.toMatchObject({ status: 409 })
    expect((await getRoomState(as(host), talkId)).talk.status).toBe('scheduled')
  })
})

describe('hands', () => {
  it('queues hands by the time they were raised, keeps a place on a second raise, and shows the queue only to hosts', async () => {
    const talkId = await newTalk()
    const [a, b, c] = [await createDoctor(), await createDoctor(), await createDoctor()]
    await enterAll(talkId, a, b, c)
    await raiseHand(as(b), talkId)
    await raiseHand(as(a), talkId)
    const snapshot = await raiseHand(as(c), talkId)
    expect(ids(snapshot.hands)).toEqual([b.id, a.id, c.id])
    expect(snapshot.handCount).toBe(3)
    await raiseHand(as(b), talkId)
    expect(ids((await getRoomState(as(host), talkId)).hands)).toEqual([b.id, a.id, c.id])

    const asA = await getRoomState(as(a), talkId)
    expect(asA.hands).toEqual([])
    expect(asA.invited).toEqual([])
    expect(asA.handCount).toBe(3)
    expect(asA.me).toMatchObject({ hand: 'raised', handPosition: 2 })
    expect(redactForAudience(snapshot)).toEqual({ ...snapshot, hands: [], invited: [] })

    const lowered = await lowerHand(as(b), talkId)
    expect(ids(lowered.hands)).toEqual([a.id, c.id])
    await lowerHand(as(b), talkId)
    expect((await getRoomState(as(c), talkId)).me.handPosition).toBe(2)
  })

  it('needs a live talk, and hosts do not raise hands', async () => {
    const scheduled = await newTalk({ open: false })
    await expect(raiseHand(as(member), scheduled)).rejects.toMatchObject({ status: 409, message: 'This talk has not started yet.' })
    const talkId = await newTalk()
    await expect(raiseHand(as(host), talkId)).rejects.toMatchObject({ status: 409 })
    await expect(raiseHand(as(cohost), talkId)).rejects.toMatchObject({ status: 409 })
    expect(await countLiveRows('talk_stage', scheduled)).toBe(0)
    expect(await countLiveRows('talk_stage', talkId)).toBe(1)
  })
})

describe('the stage', () => {
  it('invites someone in the room (their hand leaves the queue), who accepts or declines', async () => {
    const talkId = await newTalk()
    await enterAll(talkId, host, member, stranger, speaker)
    await raiseHand(as(member), talkId)
    await raiseHand(as(stranger), talkId)

    await expect(inviteToStage(as(speaker), talkId, member.id)).rejects.toMatchObject({ status: 403, message: HOSTS_ONLY })
    const invited = await inviteToStage(as(cohost), talkId, member.id)
    expect(ids(invited.hands)).toEqual([stranger.id])
    expect(invited.invited).toEqual([member.id])
    expect((await getRoomState(as(member), talkId)).me).toMatchObject({ hand: 'invited', handPosition: null })
    await expect(raiseHand(as(member), talkId)).rejects.toMatchObject({ status: 409 })

    const accepted = await respondToStageInvite(as(member), talkId, true)
    expect(accepted.stage.map((p) => [p.userId, p.role])).toEqual([
      [host.id, 'host'],
      [member.id, 'audience'],
    ])
    expect(accepted.invited).toEqual([])
    expect((await getRoomState(as(member), talkId)).me.onStage).toBe(true)

    await inviteToStage(as(host), talkId, speaker.id)
    const declined = await respondToStageInvite(as(speaker), talkId, false)
    expect(ids(declined.stage)).toEqual([host.id, member.id])
    expect(await stageRow(talkId, speaker.id)).toBeNull()
    await expect(respondToStageInvite(as(speaker), talkId, true)).rejects.toMatchObject({ status: 409 })
  })

  it('refuses to invite someone not in the room, unknown or already on stage', async () => {
    const talkId = await newTalk()
    await enterAll(talkId, host)
    await expect(inviteToStage(as(host), talkId, member.id)).rejects.toMatchObject({ status: 409 })
    await expect(inviteToStage(as(host), talkId, MISSING)).rejects.toMatchObject({ status: 404 })
    await expect(inviteToStage(as(host), talkId, 'bogus')).rejects.toMatchObject({ status: 404 })
    await expect(inviteToStage(as(host), talkId, host.id)).rejects.toMatchObject({ status: 409 })
    expect(await countLiveRows('talk_stage', talkId)).toBe(1)
  })

  it('lets people leave the stage, but not the host; hosts move people to the audience, never the host', async () => {
    const talkId = await newTalk()
    await enterAll(talkId, host, cohost, member, stranger)
    for (const d of [member, stranger]) {
      await inviteToStage(as(host), talkId, d.id)
      await respondToStageInvite(as(d), talkId, true)
    }
    await expect(leaveStage(as(host), talkId)).rejects.toMatchObject({ status: 403 })
    expect(ids((await leaveStage(as(stranger), talkId)).stage)).toEqual([host.id, member.id])
    await expect(leaveStage(as(stranger), talkId)).rejects.toMatchObject({ status: 409 })

    await expect(moveToAudience(as(stranger), talkId, member.id)).rejects.toMatchObject({ status: 403, message: HOSTS_ONLY })
    await expect(moveToAudience(as(cohost), talkId, host.id)).rejects.toMatchObject({ status: 403 })
    await expect(moveToAudience(as(host), talkId, host.id)).rejects.toMatchObject({ status: 403 })
    expect(ids((await moveToAudience(as(cohost), talkId, member.id)).stage)).toEqual([host.id])
    await expect(moveToAudience(as(cohost), talkId, member.id)).rejects.toMatchObject({ status: 409 })
    expect(await stageRow(talkId, host.id)).toBe('on_stage')
  })

  it('asks someone on stage to mute, writing nothing', async () => {
    const talkId = await newTalk()
    await enterAll(talkId, host, member, stranger)
    await inviteToStage(as(host), talkId, member.id)
    await respondToStageInvite(as(member), talkId, true)
    expect(await askToMute(as(cohost), talkId, member.id)).toEqual({ userId: member.id })
    await expect(askToMute(as(stranger), talkId, member.id)).rejects.toMatchObject({ status: 403, message: HOSTS_ONLY })
    await expect(askToMute(as(host), talkId, stranger.id)).rejects.toMatchObject({ status: 409 })
  })

  it('lets only the host promote a co-host, who may then invite to the stage', async () => {
    const talkId = await newTalk()
    const helper = await createDoctor()
    await enterAll(talkId, host, helper, member)
    await expect(promoteToCohost(as(cohost), talkId, helper.id)).rejects.toMatchObject({ status: 403 })
    await expect(promoteToCohost(as(member), talkId, helper.id)).rejects.toMatchObject({ status: 403, message: HOSTS_ONLY })
    await expect(inviteToStage(as(helper), talkId, member.id)).rejects.toMatchObject({ status: 403 })
    await promoteToCohost(as(host), talkId, helper.id)
    await promoteToCohost(as(host), talkId, helper.id)
    expect((await getRoomState(as(helper), talkId)).me.role).toBe('cohost')
    expect((await inviteToStage(as(helper), talkId, member.id)).invited).toEqual([member.id])
    await expect(promoteToCohost(as(host), talkId, MISSING)).rejects.toMatchObject({ status: 404 })
    const privateTalk = await newTalk({ club: privateClub })
    await expect(promoteToCohost(as(host), privateTalk, stranger.id)).rejects.toMatchObject({ status: 409 })
    expect(await countLiveRows('talk_roles', privateTalk)).toBe(2)
  })
})

describe('removeFromTalk', () => {
  it('takes someone off the stage and out of the room, and keeps them out', async () => {
    const talkId = await newTalk()
    const troll = await createDoctor()
    await enterAll(talkId, host, troll)
    await inviteToStage(as(host), talkId, troll.id)
    await respondToStageInvite(as(troll), talkId, true)
    const snapshot = await removeFromTalk(as(cohost), talkId, troll.id)
    expect(ids(snapshot.stage)).toEqual([host.id])
    expect(await countAudience(talkId)).toBe(1)
    expect(await canEnterTalk(as(troll), talkId)).toBe(false)
    const stays = await countLiveRows('talk_attendance', talkId)
    await expect(enterTalk(as(troll), talkId, socket())).rejects.toMatchObject({ status: 403 })
    await expect(postComment(as(troll), talkId, { body: 'let me back' })).rejects.toMatchObject({ status: 403 })
    await expect(raiseHand(as(troll), talkId)).rejects.toMatchObject({ status: 403 })
    expect(await countLiveRows('talk_attendance', talkId)).toBe(stays)
    expect(await countLiveRows('talk_comments', talkId)).toBe(0)
    // Removing twice is harmless.
    await removeFromTalk(as(host), talkId, troll.id)
    expect(await countLiveRows('talk_removals', talkId)).toBe(1)
    // After the talk ends the room stays closed to them.
    await endTalk(as(host), talkId)
    await expect(enterTalk(as(troll), talkId, socket())).rejects.toMatchObject({ status: 403 })
  })

  it('never removes the host; only the host removes a co-host; nobody removes themselves', async () => {
    const talkId = await newTalk()
    await expect(removeFromTalk(as(cohost), talkId, host.id)).rejects.toMatchObject({ status: 403 })
    await expect(removeFromTalk(as(clubAdmin), talkId, host.id)).rejects.toMatchObject({ status: 403 })
    await expect(removeFromTalk(as(cohost), talkId, clubModerator.id)).rejects.toMatchObject({ status: 403 })
    await expect(removeFromTalk(as(member), talkId, stranger.id)).rejects.toMatchObject({ status: 403, message: HOSTS_ONLY })
    await expect(removeFromTalk(as(cohost), talkId, cohost.id)).rejects.toMatchObject({ status: 400 })
    await expect(removeFromTalk(as(host), talkId, MISSING)).rejects.toMatchObject({ status: 404 })
    expect(await countLiveRows('talk_removals', talkId)).toBe(0)
    await removeFromTalk(as(host), talkId, cohost.id)
    await expect(openTalk(as(cohost), talkId)).rejects.toMatchObject({ status: 403 })
  })
})

describe('comments', () => {
  it('stores a trimmed comment once per clientId and returns the same comment on a retry', async () => {
    const talkId = await newTalk()
    const first = await postComment(as(member), talkId, { body: '  ST elevation in V1–V4  ', clientId: 'c-1' })
    expect(first).toMatchObject({
      talkId,
      body: 'ST elevation in V1–V4',
      pinned: false,
      author: { userId: member.id, handle: member.handle, name: member.name, photoUrl: null, verified: null },
    })
    expect(new Date(first.createdAt).toISOString()).toBe(first.createdAt)
    const retry = await postComment(as(member), talkId, { body: 'ST elevation in V1–V4', clientId: 'c-1' })
    expect(retry).toEqual(first)
    await Promise.all([1, 2, 3].map(() => postComment(as(member), talkId, { body: 'raced', clientId: 'c-2' })))
    expect(await countLiveRows('talk_comments', talkId)).toBe(2)
    // The same clientId from another person is their own comment.
    await postComment(as(stranger), talkId, { body: 'mine', clientId: 'c-1' })
    await postComment(as(stranger), talkId, { body: 'no id' })
    await postComment(as(stranger), talkId, { body: 'no id' })
    expect(await countLiveRows('talk_comments', talkId)).toBe(5)
  })

  it('refuses empty, too long, hidden-character and huge comments, writing nothing', async () => {
    const talkId = await newTalk()
    const before = await countLiveRows('talk_comments')
    for (const body of ['', '   \n ', 'x'.repeat(501), 'a'.repeat(100 * 1024), 'bad\u0000byte', 'flip \u202Etext', 42 as unknown as string]) {
      await expect(postComment(as(member), talkId, { body })).rejects.toMatchObject({ name: 'PublicError', status: 400 })
    }
    await expect(postComment(as(member), talkId, { body: 'ok', clientId: 'x'.repeat(101) })).rejects.toMatchObject({ status: 400 })
    await expect(postComment(anonymous, talkId, { body: 'ok' })).rejects.toMatchObject({ status: 401 })
    expect(await countLiveRows('talk_comments')).toBe(before)
    expect((await postComment(as(member), talkId, { body: 'y'.repeat(500) })).body).toHaveLength(500)
    expect((await postComment(as(member), talkId, { body: 'two\nlines' })).body).toBe('two\nlines')
  })

  it('needs a live talk', async () => {
    const talkId = await newTalk({ open: false })
    await expect(postComment(as(member), talkId, { body: 'early' })).rejects.toMatchObject({ status: 409 })
    expect(await countLiveRows('talk_comments', talkId)).toBe(0)
  })

  it('keeps the last 50 comments, oldest first, in the room state', async () => {
    const talkId = await newTalk()
    for (let i = 1; i <= 55; i++) await postComment(as(member), talkId, { body: `comment ${i}` })
    const state = await getRoomState(as(stranger), talkId)
    expect(state.comments).toHaveLength(50)
    expect(state.comments[0].body).toBe('comment 6')
    expect(state.comments.at(-1)!.body).toBe('comment 55')
  })

  it('soft-deletes for the author or a host, not for others', async () => {
    const talkId = await newTalk()
    const mine = await postComment(as(member), talkId, { body: 'mine' })
    const theirs = await postComment(as(stranger), talkId, { body: 'theirs' })
    await expect(deleteComment(as(stranger), talkId, mine.id)).rejects.toMatchObject({ status: 403 })
    await expect(deleteComment(as(member), talkId, MISSING)).rejects.toMatchObject({ status: 404 })
    await expect(deleteComment(as(member), talkId, 'junk')).rejects.toMatchObject({ status: 404 })
    const otherTalk = await newTalk()
    await expect(deleteComment(as(host), otherTalk, mine.id)).rejects.toMatchObject({ status: 404 })
    expect(await deleteComment(as(member), talkId, mine.id)).toEqual({ id: mine.id })
    expect(await deleteComment(as(member), talkId, mine.id)).toEqual({ id: mine.id })
    await deleteComment(as(cohost), talkId, theirs.id)
    expect((await getRoomState(as(member), talkId)).comments).toEqual([])
    expect(await countLiveRows('talk_comments', talkId)).toBe(2)
  })

  it('pins one comment at a time, for hosts only', async () => {
    const talkId = await newTalk()
    const a = await postComment(as(member), talkId, { body: 'A' })
    const b = await postComment(as(member), talkId, { body: 'B' })
    await expect(pinComment(as(member), talkId, a.id)).rejects.toMatchObject({ status: 403, message: HOSTS_ONLY })
    expect((await pinComment(as(host), talkId, a.id)).pinned).toMatchObject({ id: a.id, pinned: true })
    expect((await pinComment(as(cohost), talkId, b.id)).pinned).toMatchObject({ id: b.id, pinned: true })
    const state = await getRoomState(as(member), talkId)
    expect(state.pinned).toMatchObject({ id: b.id, body: 'B' })
    expect(state.comments.map((c) => [c.body, c.pinned])).toEqual([
      ['A', false],
      ['B', true],
    ])
    await Promise.all([pinComment(as(host), talkId, a.id), pinComment(as(cohost), talkId, b.id)])
    const [{ n }] = await rawSql()<{ n: number }[]>`select count(*)::int as n from talk_comments where talk_id = ${talkId} and pinned_at is not null`
    expect(n).toBe(1)
    expect(await pinComment(as(host), talkId, null)).toEqual({ pinned: null })
    expect((await getRoomState(as(member), talkId)).pinned).toBeNull()
    await pinComment(as(host), talkId, a.id)
    await deleteComment(as(member), talkId, a.id)
    expect((await getRoomState(as(member), talkId)).pinned).toBeNull()
    await expect(pinComment(as(host), talkId, a.id)).rejects.toMatchObject({ status: 404 })
    await expect(pinComment(as(host), talkId, MISSING)).rejects.toMatchObject({ status: 404 })
  })
})

describe('recordReactions', () => {
  it('adds batches to the totals of a live talk only, for the five kinds', async () => {
    const talkId = await newTalk()
    expect(await recordReactions(talkId, { clap: 3, heart: 1 })).toEqual({ clap: 3, heart: 1 })
    expect(await recordReactions(talkId, { clap: 2, thanks: 4, laugh: 0 })).toEqual({ clap: 5, heart: 1, thanks: 4 })
    expect(await recordReactions(talkId, {})).toEqual({ clap: 5, heart: 1, thanks: 4 })
    await expect(recordReactions(talkId, { clap: 1, boo: 1 })).rejects.toMatchObject({ status: 400 })
    await expect(recordReactions(talkId, { clap: -1 })).rejects.toMatchObject({ status: 400 })
    await expect(recordReactions(talkId, { clap: 1.5 })).rejects.toMatchObject({ status: 400 })
    expect((await getRoomState(as(member), talkId)).reactions).toEqual({ clap: 5, heart: 1, thanks: 4 })
    await endTalk(as(host), talkId)
    expect(await recordReactions(talkId, { clap: 10 })).toEqual({ clap: 5, heart: 1, thanks: 4 })
    const scheduled = await newTalk({ open: false })
    expect(await recordReactions(scheduled, { insight: 1 })).toEqual({})
    expect(await countLiveRows('talk_reaction_totals', scheduled)).toBe(0)
  })
})

describe('questions', () => {
  it('may be asked while scheduled or live, once per clientId, 1–300 characters; not after the end', async () => {
    const talkId = await newTalk({ open: false })
    const early = await askQuestion(as(member), talkId, { body: ' Is troponin enough? ', clientId: 'q-1' })
    expect(early).toMatchObject({ body: 'Is troponin enough?', status: 'open', votes: 0, votedByMe: false, author: { userId: member.id } })
    expect(await askQuestion(as(member), talkId, { body: 'Is troponin enough?', clientId: 'q-1' })).toEqual(early)
    const before = await countLiveRows('talk_questions')
    for (const body of ['', 'q'.repeat(301), 'z'.repeat(100 * 1024)]) {
      await expect(askQuestion(as(member), talkId, { body })).rejects.toMatchObject({ status: 400 })
    }
    expect(await countLiveRows('talk_questions')).toBe(before)
    await openTalk(as(host), talkId)
    await askQuestion(as(stranger), talkId, { body: 'q'.repeat(300) })
    await endTalk(as(host), talkId)
    await expect(askQuestion(as(member), talkId, { body: 'after' })).rejects.toMatchObject({ status: 409, message: ENDED })
    expect(await countLiveRows('talk_questions', talkId)).toBe(2)
  })

  it('counts one upvote per person, not on one’s own question, and orders by votes', async () => {
    const talkId = await newTalk()
    const q1 = await askQuestion(as(member), talkId, { body: 'First?' })
    const q2 = await askQuestion(as(stranger), talkId, { body: 'Second?' })
    await expect(voteQuestion(as(member), talkId, q1.id, true)).rejects.toMatchObject({ status: 403 })
    expect(await voteQuestion(as(member), talkId, q2.id, true)).toEqual({ id: q2.id, votes: 1 })
    expect(await voteQuestion(as(member), talkId, q2.id, true)).toEqual({ id: q2.id, votes: 1 })
    expect(await voteQuestion(as(host), talkId, q2.id, true)).toEqual({ id: q2.id, votes: 2 })
    expect(await countLiveRows('talk_question_votes', talkId)).toBe(2)
    const state = await getRoomState(as(member), talkId)
    expect(state.questions.map((q) => [q.body, q.votes, q.votedByMe])).toEqual([
      ['Second?', 2, true],
      ['First?', 0, false],
    ])
    expect(await voteQuestion(as(member), talkId, q2.id, false)).toEqual({ id: q2.id, votes: 1 })
    expect(await voteQuestion(as(member), talkId, q2.id, false)).toEqual({ id: q2.id, votes: 1 })
    await expect(voteQuestion(as(member), talkId, MISSING, true)).rejects.toMatchObject({ status: 404 })
    const other = await newTalk()
    await expect(voteQuestion(as(member), other, q2.id, true)).rejects.toMatchObject({ status: 404 })
    await expect(voteQuestion(as(member), talkId, q2.id, 'yes' as unknown as boolean)).rejects.toMatchObject({ status: 400 })
  })

  it('lets hosts mark questions; hidden ones are shown and votable only for hosts', async () => {
    const talkId = await newTalk()
    const q = await askQuestion(as(member), talkId, { body: 'Off topic?' })
    await expect(markQuestion(as(stranger), talkId, q.id, 'hidden')).rejects.toMatchObject({ status: 403, message: HOSTS_ONLY })
    await expect(markQuestion(as(host), talkId, q.id, 'spam' as 'hidden')).rejects.toMatchObject({ status: 400 })
    await expect(markQuestion(as(host), talkId, MISSING, 'hidden')).rejects.toMatchObject({ status: 404 })
    expect(await markQuestion(as(clubAdmin), talkId, q.id, 'hidden')).toMatchObject({ id: q.id, status: 'hidden', author: { userId: member.id } })
    expect((await getRoomState(as(stranger), talkId)).questions).toEqual([])
    expect((await getRoomState(as(member), talkId)).questions).toEqual([])
    expect((await getRoomState(as(cohost), talkId)).questions.map((x) => x.status)).toEqual(['hidden'])
    await expect(voteQuestion(as(stranger), talkId, q.id, true)).rejects.toMatchObject({ status: 404 })
    expect(await markQuestion(as(host), talkId, q.id, 'answered')).toMatchObject({ status: 'answered' })
    expect((await getRoomState(as(stranger), talkId)).questions.map((x) => x.status)).toEqual(['answered'])
  })
})

describe('attendanceReport', () => {
  it('is for hosts, co-hosts and club admins only', async () => {
    const talkId = await newTalk()
    for (const d of [member, speaker, stranger]) {
      await expect(attendanceReport(as(d), talkId)).rejects.toMatchObject({ status: 403 })
    }
    for (const d of [host, cohost, clubAdmin, clubModerator]) {
      expect(await attendanceReport(as(d), talkId)).toMatchObject({ uniqueAttendees: 0 })
    }
    const privateTalk = await newTalk({ club: privateClub })
    await expect(attendanceReport(as(stranger), privateTalk)).rejects.toMatchObject({ status: 404 })
  })

  it('computes attendees, peak, average and each person’s stays on a known timeline', async () => {
    const talkId = await newTalk({ open: false })
    const [a, b, c, d, e] = await Promise.all([1, 2, 3, 4, 5].map((i) => createDoctor({ name: `Dr Attendee ${i}` })))
    const t0 = Date.parse('2030-01-01T10:00:00.000Z')
    const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString()
    await rawSql()`update talks set status = 'ended', opened_at = ${at(0)}, ended_at = ${at(60)} where id = ${talkId}`
    const stays: [TestDoctor, number, number | null][] = [
      [a, -10, 30], // before opening is not counted: 0–30
      [a, 20, 40], // a second connection overlapping the first: a attends 0–40, listed as one stay
      [b, 10, 50], // the same visit written twice (two connections of one page): one stay
      [b, 10, 50],
      [c, 30, null], // still open: runs to the end at 60
      [d, -20, -5], // left before the talk opened: not an attendee
      [e, 50, 70], // clipped at the end: 50–60, and joins as b leaves
    ]
    for (const [doctor, from, to] of stays) {
      await rawSql()`insert into talk_attendance (id, talk_id, user_id, socket_id, joined_at, left_at)
        values (${randomUUID()}, ${talkId}, ${doctor.id}, ${socket()}, ${at(from)}, ${to === null ? null : at(to)})`
    }
    await rawSql()`insert into talk_comments (id, talk_id, user_id, body) values (${randomUUID()}, ${talkId}, ${a.id}, 'x'), (${randomUUID()}, ${talkId}, ${b.id}, 'y')`
    await rawSql()`insert into talk_comments (id, talk_id, user_id, body, deleted_at) values (${randomUUID()}, ${talkId}, ${b.id}, 'z', now())`
    await rawSql()`insert into talk_questions (id, talk_id, user_id, body) values (${randomUUID()}, ${talkId}, ${c.id}, 'q')`

    const report = await attendanceReport(as(host), talkId)
    expect(report).toMatchObject({ uniqueAttendees: 4, peakConcurrent: 3, averageSeconds: 1800, comments: 2, questions: 1 })
    const byHandle = Object.fromEntries(report.people.map((p) => [p.handle, p]))
    expect(byHandle[d.handle]).toBeUndefined()
    expect(byHandle[a.handle]).toEqual({
      handle: a.handle,
      name: 'Dr Attendee 1',
      totalSeconds: 2400,
      stays: [{ joinedAt: at(0), leftAt: at(40) }],
    })
    expect(byHandle[b.handle]).toMatchObject({ totalSeconds: 2400, stays: [{ joinedAt: at(10), leftAt: at(50) }] })
    expect(byHandle[c.handle]).toMatchObject({ totalSeconds: 1800, stays: [{ joinedAt: at(30), leftAt: at(60) }] })
    expect(byHandle[e.handle]).toMatchObject({ totalSeconds: 600, stays: [{ joinedAt: at(50), leftAt: at(60) }] })
  })

  it('counts open stays of a live talk up to now', async () => {
    const talkId = await newTalk()
    await enterAll(talkId, member)
    await rawSql()`update talk_attendance set joined_at = now() - interval '90 seconds' where talk_id = ${talkId}`
    await rawSql()`update talks set opened_at = now() - interval '1 hour' where id = ${talkId}`
    const report = await attendanceReport(as(host), talkId)
    expect(report.uniqueAttendees).toBe(1)
    expect(report.peakConcurrent).toBe(1)
    expect(report.people[0].stays[0].leftAt).toBeNull()
    expect(report.people[0].totalSeconds).toBeGreaterThanOrEqual(90)
    expect(report.people[0].totalSeconds).toBeLessThan(100)
  })
})

describe('the verified-doctor badge in the room', () => {
  async function verify(doctor: TestDoctor, reverifyDueAt: Date) {
    await rawSql()`insert into doctor_verifications (id, user_id, status, council, registration_year, number_cipher, number_masked, verified_at, reverify_due_at)
      values (${randomUUID()}, ${doctor.id}, 'verified', 'nmc', 2011, 'x', '•••• 0000', now(), ${reverifyDueAt.toISOString()})`
  }

  it('shows on the stage, on comments and on questions of a verified doctor, and not of one past the grace', async () => {
    const doctor = await createDoctor({ name: 'Dr Badge' })
    const lapsed = await createDoctor({ name: 'Dr Lapsed' })
    await addClubMember(club, doctor)
    await addClubMember(club, lapsed)
    await verify(doctor, new Date(Date.now() + 365 * 24 * 3600 * 1000))
    await verify(lapsed, new Date(Date.now() - 100 * 24 * 3600 * 1000))
    const talkId = await newTalk()
    await enterAll(talkId, host, doctor, lapsed)
    const badge = { council: 'National Medical Commission', since: 2011 }
    expect((await postComment(as(doctor), talkId, { body: 'Verified view' })).author.verified).toEqual(badge)
    expect((await postComment(as(lapsed), talkId, { body: 'Lapsed view' })).author.verified).toBeNull()
    expect((await askQuestion(as(doctor), talkId, { body: 'A question from a verified doctor?' })).author.verified).toEqual(badge)
    await raiseHand(as(doctor), talkId)
    await inviteToStage(as(host), talkId, doctor.id)
    await respondToStageInvite(as(doctor), talkId, true)
    const state = await getRoomState(as(lapsed), talkId)
    expect(state.stage.find((p) => p.userId === doctor.id)?.verified).toEqual(badge)
    expect(state.stage.find((p) => p.userId === host.id)?.verified).toBeNull()
    const byBody = new Map(state.comments.map((c) => [c.body, c.author.verified]))
    expect(byBody.get('Verified view')).toEqual(badge)
    expect(byBody.get('Lapsed view')).toBeNull()
    expect(state.questions[0].author.verified).toEqual(badge)
    // Never the registration number, in any shape.
    expect(JSON.stringify(state)).not.toMatch(/0000|number/i)
  })
})
