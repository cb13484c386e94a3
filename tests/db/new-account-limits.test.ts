import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { inviteToClub } from '../../db/clubs'
import { followUser } from '../../db/follows'
import { postComment } from '../../db/live/comments'
import { askQuestion } from '../../db/live/questions'
import { inHowLong } from '../../db/moderation/limits'
import { createDoctor, createTalk, createTestClub, viewerOf, type TestClub, type TestDoctor } from '../support/factories'

const as = viewerOf
const HOUR_MS = 60 * 60 * 1000

let host: TestDoctor
let club: TestClub
let talkId: string

beforeAll(async () => {
  host = await createDoctor({ name: 'Dr Limits Host' })
  club = await createTestClub(host, { name: 'Limits Club' })
  ;({ id: talkId } = await createTalk({ clubId: club.id, hostId: host.id, status: 'live' }))
})

const newDoctor = () => createDoctor({ newAccount: true })

async function verify(doctor: TestDoctor) {
  await rawSql()`insert into doctor_verifications (id, user_id, status, council, registration_year, number_cipher, number_masked, method, decided_at, verified_at)
    values (${randomUUID()}, ${doctor.id}, 'verified', 'nmc', 2010, 'c2VhbGVk', '•••• 5678', 'document', now(), now())`
}

async function rowsBy(table: 'talk_comments' | 'talk_questions', userId: string) {
  const [row] = await rawSql().unsafe<{ n: number }[]>(`select count(*)::int as n from ${table} where user_id = $1`, [userId])
  return row.n
}

async function comment(doctor: TestDoctor, body = 'Thank you for the talk') {
  return postComment(as(doctor), talkId, { body })
}

describe('new accounts', () => {
  it('may post 3 comments a minute; the 4th is refused with 429 saying why and when, and is not written', async () => {
    const doctor = await newDoctor()
    for (let i = 0; i < 3; i++) await comment(doctor)
    const refusal = await comment(doctor).catch((e: unknown) => e)
    expect(refusal).toMatchObject({ name: 'PublicError', status: 429 })
    expect((refusal as Error).message).toMatch(
      /^New accounts can post 3 comments a minute for their first 3 days\. You can post again in ([1-9]|[1-5][0-9]|60) seconds?\.$/,
    )
    expect(await rowsBy('talk_comments', doctor.id)).toBe(3)
  })

  it('may post 20 comments a day, and are told when the oldest of them leaves the day', async () => {
    const doctor = await newDoctor()
    await rawSql()`insert into talk_comments (id, talk_id, user_id, body, created_at)
      select gen_random_uuid()::text, ${talkId}, ${doctor.id}, 'earlier', now() - interval '2 hours' from generate_series(1, 20)`
    await expect(comment(doctor)).rejects.toMatchObject({
      status: 429,
      message: 'New accounts can post 20 comments a day for their first 3 days. You can post again in 22 hours.',
    })
    expect(await rowsBy('talk_comments', doctor.id)).toBe(20)
  })

  it('are told the limit ends with their first 3 days, when that comes first', async () => {
    const doctor = await newDoctor()
    await rawSql()`update users set created_at = now() - interval '3 days' + interval '30 minutes' where id = ${doctor.id}`
    await rawSql()`insert into talk_comments (id, talk_id, user_id, body, created_at)
      select gen_random_uuid()::text, ${talkId}, ${doctor.id}, 'earlier', now() - interval '2 hours' from generate_series(1, 20)`
    await expect(comment(doctor)).rejects.toMatchObject({ status: 429, message: expect.stringMatching(/You can post again in (29|30) minutes\.$/) })
  })

  it('may ask 2 questions a minute', async () => {
    const doctor = await newDoctor()
    await askQuestion(as(doctor), talkId, { body: 'What dose do you start with?' })
    await askQuestion(as(doctor), talkId, { body: 'And in renal failure?' })
    await expect(askQuestion(as(doctor), talkId, { body: 'And in children?' })).rejects.toMatchObject({
      status: 429,
      message: expect.stringMatching(/^New accounts can ask 2 questions a minute for their first 3 days\. You can ask again in \d+ seconds?\.$/),
    })
    expect(await rowsBy('talk_questions', doctor.id)).toBe(2)
  })

  it('may follow 20 doctors a day', async () => {
    const doctor = await newDoctor()
    const people: TestDoctor[] = []
    for (let i = 0; i < 21; i++) people.push(await createDoctor({ profile: { visibility: 'public' } }))
    for (const person of people.slice(0, 20)) await followUser(as(doctor), person.handle)
    await expect(followUser(as(doctor), people[20].handle)).rejects.toMatchObject({
      status: 429,
      message: expect.stringMatching(/^New accounts can follow 20 doctors a day for their first 3 days\. You can follow again in 24 hours\.$/),
    })
    const [row] = await rawSql()<{ n: number }[]>`select count(*)::int as n from follows where follower_id = ${doctor.id}`
    expect(row.n).toBe(20)
  })

  it('may send 10 club invitations a day', async () => {
    const doctor = await newDoctor()
    const ownClub = await createTestClub(doctor)
    const invitee = await createDoctor()
    await rawSql()`insert into club_invitations (id, club_id, user_id, invited_by, status, created_at)
      select gen_random_uuid()::text, ${ownClub.id}, ${invitee.id}, ${doctor.id}, 'revoked', now() - interval '1 hour' from generate_series(1, 10)`
    await expect(inviteToClub(as(doctor), ownClub.slug, invitee.handle)).rejects.toMatchObject({
      status: 429,
      message: 'New accounts can send 10 club invitations a day for their first 3 days. You can invite again in 23 hours.',
    })
    const [row] = await rawSql()<{ n: number }[]>`select count(*)::int as n from club_invitations where invited_by = ${doctor.id}`
    expect(row.n).toBe(10)
  })

  it('are not limited once verified as doctors', async () => {
    const doctor = await newDoctor()
    await verify(doctor)
    for (let i = 0; i < 5; i++) await comment(doctor)
    for (let i = 0; i < 3; i++) await askQuestion(as(doctor), talkId, { body: `Question ${i}` })
    expect(await rowsBy('talk_comments', doctor.id)).toBe(5)
  })

  it('are limited again when the verification has lapsed', async () => {
    const doctor = await newDoctor()
    await verify(doctor)
    await rawSql()`update doctor_verifications set reverify_due_at = now() - interval '100 days' where user_id = ${doctor.id}`
    for (let i = 0; i < 3; i++) await comment(doctor)
    await expect(comment(doctor)).rejects.toMatchObject({ status: 429 })
  })
})

describe('accounts older than 3 days', () => {
  it('are not limited by the new-account rules', async () => {
    const doctor = await createDoctor()
    for (let i = 0; i < 5; i++) await comment(doctor)
    for (let i = 0; i < 3; i++) await askQuestion(as(doctor), talkId, { body: `Question ${i}` })
    expect(await rowsBy('talk_comments', doctor.id)).toBe(5)
    expect(await rowsBy('talk_questions', doctor.id)).toBe(3)
  })
})

describe('a moderator’s posting limit', () => {
  it('refuses comments, questions, follows and invitations with 403 and the date, writing nothing, until it ends', async () => {
    const doctor = await createDoctor()
    const other = await createDoctor({ profile: { visibility: 'public' } })
    const ownClub = await createTestClub(doctor)
    await rawSql()`update users set time_zone = 'Asia/Kolkata' where id = ${doctor.id}`
    await rawSql()`insert into account_restrictions (user_id, posting_limited_until) values (${doctor.id}, '2099-05-01T12:00:00Z')`
    const message = 'A moderator has limited your posting until Friday, 1 May 2099 at 17:30 GMT+5:30.'
    await expect(comment(doctor)).rejects.toMatchObject({ status: 403, message })
    await expect(askQuestion(as(doctor), talkId, { body: 'Can I ask?' })).rejects.toMatchObject({ status: 403, message })
    await expect(followUser(as(doctor), other.handle)).rejects.toMatchObject({ status: 403, message })
    await expect(inviteToClub(as(doctor), ownClub.slug, other.handle)).rejects.toMatchObject({ status: 403, message })
    expect(await rowsBy('talk_comments', doctor.id)).toBe(0)
    expect(await rowsBy('talk_questions', doctor.id)).toBe(0)
    const [row] = await rawSql()<{ follows: number; invitations: number }[]>`
      select (select count(*)::int from follows where follower_id = ${doctor.id}) as follows,
        (select count(*)::int from club_invitations where invited_by = ${doctor.id}) as invitations`
    expect(row).toEqual({ follows: 0, invitations: 0 })

    await rawSql()`update account_restrictions set posting_limited_until = now() - interval '1 minute' where user_id = ${doctor.id}`
    await comment(doctor)
    expect(await rowsBy('talk_comments', doctor.id)).toBe(1)
  })
})

describe('inHowLong', () => {
  it('says seconds, minutes or hours, rounding up', () => {
    expect(inHowLong(400)).toBe('in 1 second')
    expect(inHowLong(42_000)).toBe('in 42 seconds')
    expect(inHowLong(61_000)).toBe('in 61 seconds')
    expect(inHowLong(91_000)).toBe('in 2 minutes')
    expect(inHowLong(30 * 60_000)).toBe('in 30 minutes')
    expect(inHowLong(22 * HOUR_MS)).toBe('in 22 hours')
  })
})
