import { describe, expect, it } from 'vitest'
import { blockPerson, mutePerson } from '../../db/blocks'
import { rawSql } from '../../db/client'
import { askQuestion, deleteComment, endTalk, markQuestion, pinComment, postComment } from '../../db/live'
import { getTalkArchive } from '../../db/live/archive'
import { decideItem, reportItem } from '../../db/moderation/index'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'

/** A live talk with comments and questions from several people, ended by its host. */
async function endedTalk(visibility: 'public' | 'private' = 'public') {
  const host = await createDoctor({ name: 'Dr Host' })
  const club = await createTestClub(host, { visibility })
  const talk = await createTalk({ clubId: club.id, hostId: host.id, status: 'live', startsAt: new Date() })
  const people = {
    member: await createDoctor({ name: 'Dr Member' }),
    rude: await createDoctor({ name: 'Dr Rude' }),
    leaver: await createDoctor({ name: 'Dr Leaver' }),
    reader: await createDoctor({ name: 'Dr Reader' }),
  }
  for (const doctor of Object.values(people)) await addClubMember(club, doctor)
  const say = (doctor: TestDoctor, body: string) => postComment(viewerOf(doctor), talk.id, { body })
  const comments = {
    welcome: await say(host, 'Welcome, everyone.'),
    member: await say(people.member, 'Great case.'),
    rude: await say(people.rude, 'A comment from Dr Rude.'),
    leaver: await say(people.leaver, 'A comment from Dr Leaver.'),
    deleted: await say(people.member, 'Oops, wrong room.'),
    removed: await say(people.member, 'Mr A. Jones of 4 Hill Road, bed 3.'),
    held: await say(people.reader, 'My patient Mrs B. Smith, born 1950.'),
  }
  await pinComment(viewerOf(host), talk.id, comments.welcome.id)
  await deleteComment(viewerOf(people.member), talk.id, comments.deleted.id)
  // Removed by a moderator (the club's owner), and held back by a patient-information report.
  await reportItem(viewerOf(people.reader), { kind: 'comment', id: comments.removed.id, reason: 'patient_information' })
  await decideItem(viewerOf(host), 'comment', comments.removed.id, { action: 'remove', reason: 'Names a patient.' })
  await reportItem(viewerOf(people.member), { kind: 'comment', id: comments.held.id, reason: 'patient_information' })
  const ask = (doctor: TestDoctor, body: string) => askQuestion(viewerOf(doctor), talk.id, { body })
  const questions = {
    answered: await ask(people.member, 'What dose of amiodarone?'),
    fromRude: await ask(people.rude, 'Why not ablation?'),
    open: await ask(people.reader, 'Any trial data?'),
    hidden: await ask(people.leaver, 'Off topic'),
  }
  for (const q of [questions.answered, questions.fromRude]) await markQuestion(viewerOf(host), talk.id, q.id, 'answered')
  await markQuestion(viewerOf(host), talk.id, questions.hidden.id, 'hidden')
  await endTalk(viewerOf(host), talk.id)
  return { host, club, talk, people, comments, questions }
}

const bodies = (items: { body: string }[]) => items.map((i) => i.body)

describe('the archive of an ended talk', () => {
  it('keeps the pinned comment, the comments and the answered questions, without deleted, removed or held ones', async () => {
    const { people, talk, questions } = await endedTalk()
    const archive = await getTalkArchive(viewerOf(people.reader), talk.id)
    expect(archive).not.toBeNull()
    expect(archive!.pinned?.body).toBe('Welcome, everyone.')
    expect(bodies(archive!.comments)).toEqual(['Welcome, everyone.', 'Great case.', 'A comment from Dr Rude.', 'A comment from Dr Leaver.'])
    expect(archive!.answeredQuestions.map((q) => q.id).sort()).toEqual([questions.answered.id, questions.fromRude.id].sort())
    expect(archive!.moreComments).toBe(false)
    // The author of the held comment does not see it here either: the archive is the settled record.
    expect(bodies(archive!.comments)).not.toContain('My patient Mrs B. Smith, born 1950.')
    const forAuthor = await getTalkArchive(viewerOf(people.member), talk.id)
    expect(bodies(forAuthor!.comments)).not.toContain('Mr A. Jones of 4 Hill Road, bed 3.')
  })

  it('leaves out what a blocked person said, both ways, and what a muted one said to the muter', async () => {
    const { people, talk } = await endedTalk()
    await blockPerson(viewerOf(people.reader), await handleOf(people.rude))
    await mutePerson(viewerOf(people.member), await handleOf(people.leaver))
    const reader = await getTalkArchive(viewerOf(people.reader), talk.id)
    expect(bodies(reader!.comments)).not.toContain('A comment from Dr Rude.')
    expect(bodies(reader!.answeredQuestions)).toEqual(['What dose of amiodarone?'])
    const rude = await getTalkArchive(viewerOf(people.rude), talk.id)
    expect(bodies(rude!.comments)).toContain('A comment from Dr Rude.')
    expect(bodies(rude!.comments)).toHaveLength(4)
    const member = await getTalkArchive(viewerOf(people.member), talk.id)
    expect(bodies(member!.comments)).toEqual(['Welcome, everyone.', 'Great case.', 'A comment from Dr Rude.'])
  })

  it('leaves out deactivated and erased authors for everyone else, and keeps a deactivated author’s words for themselves', async () => {
    const { people, talk } = await endedTalk()
    await rawSql()`update users set deactivated_at = now() where id = ${people.leaver.id}`
    await rawSql()`delete from profiles where user_id = ${people.rude.id}`
    const reader = await getTalkArchive(viewerOf(people.reader), talk.id)
    expect(bodies(reader!.comments)).toEqual(['Welcome, everyone.', 'Great case.'])
    expect(bodies(reader!.answeredQuestions)).toEqual(['What dose of amiodarone?'])
    const leaver = await getTalkArchive(viewerOf(people.leaver), talk.id)
    expect(bodies(leaver!.comments)).toContain('A comment from Dr Leaver.')
  })

  it('is nothing to those who may not enter the talk, and nothing before it ends', async () => {
    const { people, talk, host, club } = await endedTalk('private')
    const outsider = await createDoctor()
    expect(await getTalkArchive(viewerOf(outsider), talk.id)).toBeNull()
    expect(await getTalkArchive(null, talk.id)).toBeNull()
    expect(await getTalkArchive(viewerOf(people.reader), 'not-an-id')).toBeNull()
    await rawSql()`insert into talk_removals (talk_id, user_id, removed_by) values (${talk.id}, ${people.reader.id}, ${host.id})`
    expect(await getTalkArchive(viewerOf(people.reader), talk.id)).toBeNull()
    await rawSql()`insert into club_bans (club_id, user_id, banned_by) values (${club.id}, ${people.member.id}, ${host.id})`
    expect(await getTalkArchive(viewerOf(people.member), talk.id)).toBeNull()
    expect(await getTalkArchive(viewerOf(host), talk.id)).not.toBeNull()

    const upcoming = await createTalk({ clubId: club.id, hostId: host.id })
    expect(await getTalkArchive(viewerOf(host), upcoming.id)).toBeNull()
  })
})

async function handleOf(doctor: TestDoctor) {
  const [row] = await rawSql()<{ handle: string }[]>`select handle from profiles where user_id = ${doctor.id}`
  return row.handle
}
