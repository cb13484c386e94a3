import { beforeAll, describe, expect, it } from 'vitest'
import * as profileRoute from '../../app/routes/u.$handle'
import { rawSql } from '../../db/client'
import { eraseAccount, listUserColumns, placeLegalHold, requestErasure, unruledColumns, type UserColumn } from '../../db/data-rights/index'
import { listFollowers } from '../../db/follows'
import { listDevMail } from '../../db/mailbox'
import { decideItem } from '../../db/moderation/index'
import { columnKey, userColumns } from '../../db/retention'
import { processSearchOutbox } from '../../db/search'
import { validateSessionId } from '../../server/auth'
import { runDueJobs } from '../../server/jobs/index'
import { buildWorld, countReferences, findEverywhere, seeders, type World } from '../support/data-rights'
import { createDoctor, viewerOf } from '../support/factories'
import { callLoader, signIn, type SignedIn } from '../support/routes'

const DAY = 24 * 60 * 60 * 1000
const NAME_TAG = 'Zyxwquv'

let columns: UserColumn[]

beforeAll(async () => {
  // Columns named like a person reference that hold none are declared in db/retention.ts.
  columns = (await listUserColumns()).filter((c) => userColumns[columnKey(c.table, c.column)]?.erase !== 'not-a-person')
})

async function makeWorld(tag: string) {
  const subject = await createDoctor({ name: `Dr ${NAME_TAG} Erasable ${tag}` })
  return buildWorld({
    subject,
    admin: await createDoctor({ name: `Dr Admin ${tag}` }),
    friend: await createDoctor({ name: `Dr Friend ${tag}` }),
    otherOwner: await createDoctor({ name: `Dr Other ${tag}` }),
    staff: await createDoctor({ name: `Dr Staff ${tag}` }),
  })
}

/** Asks for erasure, lets the grace period pass, and runs the jobs as the server would. */
async function eraseAfterGrace(world: World, sessions: SignedIn[]) {
  const asked = new Date()
  const { id } = await requestErasure(viewerOf(world.subject), asked)
  // Another export request and staff view, so the request and access tables hold rows too.
  await rawSql()`insert into data_request_events (id, request_id, actor_id, action) values (gen_random_uuid()::text, ${id}, ${world.subject.id}, 'note')`
  const later = new Date(asked.getTime() + 7 * DAY + 60_000)
  // During the grace period only notices go out (the "erasure scheduled" mail and push); the erasure waits.
  const early = await runDueJobs({ now: () => new Date(asked.getTime() + DAY) })
  expect(early.failed).toBe(0)
  const [waiting] = await rawSql()<{ attempts: number }[]>`select attempts from jobs where singleton_key = ${'erasure:' + id}`
  expect(waiting, 'the erasure does not run during the grace period').toMatchObject({ attempts: 0 })
  for (const s of sessions) expect(await validateSessionId(s.sessionId)).not.toBeNull()
  const run = await runDueJobs({ now: () => later })
  expect(run).toMatchObject({ failed: 0 })
  expect(run.ran).toBeGreaterThan(0)
  // The search worker (Meilisearch) takes its outbox rows; with Postgres search the row is the index.
  await processSearchOutbox(async () => {})
  return id
}

describe('the catalogue of columns that point at people', () => {
  it('finds the known ones, from foreign keys and from names', () => {
    const keys = columns.map((c) => columnKey(c.table, c.column))
    expect(keys).toEqual(expect.arrayContaining(['users.id', 'follows.follower_id', 'follows.followee_id', 'clubs.owner_id', 'talk_comments.deleted_by']))
  })

  it('has an erasure rule for every column (add one in db/retention.ts for a new table)', () => {
    expect(unruledColumns(columns).map((c) => columnKey(c.table, c.column))).toEqual([])
  })

  it('has a seeder for every column, so the test below proves each rule (tests/support/data-rights.ts)', () => {
    expect(columns.map((c) => columnKey(c.table, c.column)).filter((key) => !seeders[key])).toEqual([])
  })

  it('finds no person in the copies kept for open reports, which are linked to no one', () => {
    expect(columns.filter((c) => c.table === 'moderation_kept_items')).toEqual([])
  })

  it('lists no rule for a column that no longer exists', () => {
    const keys = new Set(columns.map((c) => columnKey(c.table, c.column)))
    expect(Object.keys(userColumns).filter((key) => !keys.has(key))).toEqual([])
  })

  it('notices a new table, and erasure then refuses to run rather than leave data behind', async () => {
    const subject = await createDoctor()
    await rawSql()`create table scratch_notes (id text primary key, author_id text references users(id))`
    await rawSql()`insert into scratch_notes values ('n1', ${subject.id})`
    try {
      const found = unruledColumns(await listUserColumns()).map((c) => columnKey(c.table, c.column))
      expect(found).toEqual(['scratch_notes.author_id'])
      const asked = new Date()
      const { id } = await requestErasure(viewerOf(subject), asked)
      await expect(eraseAccount(id, { now: new Date(asked.getTime() + 8 * DAY) })).rejects.toThrow(/scratch_notes\.author_id .*no rule/)
      // Through the job: it fails, will retry, and the request's history says why.
      const run = await runDueJobs({ now: () => new Date(asked.getTime() + 8 * DAY), log: () => {} })
      // The erasure fails; the other job that ran is the "erasure scheduled" email, which goes.
      expect(run).toMatchObject({ ran: 2, failed: 1 })
      const events = await rawSql()`select action, note from data_request_events where request_id = ${id} order by created_at`
      expect(events.map((e) => e.action)).toEqual(['received', 'failed'])
      expect(events[1].note).toMatch(/scratch_notes\.author_id/)
      const [job] = await rawSql()`select attempts, failed_at, run_at > now() + interval '7 days' as later from jobs where singleton_key = ${'erasure:' + id}`
      expect(job).toMatchObject({ attempts: 1, failed_at: null, later: true })
      const [row] = await rawSql()`select (select count(*)::int from users where id = ${subject.id}) as users, (select count(*)::int from profiles where user_id = ${subject.id}) as profiles`
      expect(row).toEqual({ users: 1, profiles: 1 })
    } finally {
      await rawSql()`delete from jobs where queue = 'erasure.run'`
      await rawSql()`drop table scratch_notes`
    }
  })
})

describe('erasing an account', () => {
  it('leaves nothing about the person outside the retention list, and keeps everyone else’s data', async () => {
    const world = await makeWorld('a')
    const { subject, admin, friend } = world
    const sessions = [await signIn(subject.id), await signIn(subject.id)]
    const friendSession = await signIn(friend.id)

    const before = await countReferences(columns, subject.id)
    const unseeded = Object.entries(before).filter(([, n]) => n === 0).map(([key]) => key)
    expect(unseeded, 'every column is seeded with a row about the subject').toEqual([])
    const friendFollowersBefore = (await listFollowers(viewerOf(friend), friend.handle))!
    expect(friendFollowersBefore.people.map((p) => p.handle)).toContain(subject.handle)
    const [othersBefore] = await rawSql()<{ comments: number; votes: number; members: number }[]>`
      select (select count(*)::int from talk_comments where user_id <> ${subject.id}) as comments,
             (select count(*)::int from talk_question_votes v join talk_questions q on q.id = v.question_id where q.user_id <> ${subject.id} and v.user_id <> ${subject.id}) as votes,
             (select count(*)::int from club_members where user_id <> ${subject.id}) as members`

    const requestId = await eraseAfterGrace(world, sessions)

    // Nothing points at the person any more.
    const after = await countReferences(columns, subject.id)
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([])
    // Nor does their email, their name or their id appear anywhere (their own inbox aside).
    for (const needle of [subject.email, NAME_TAG, subject.id, subject.handle]) {
      expect(await findEverywhere(needle, { skipTables: ['dev_mailbox'] }), needle).toEqual({})
    }
    // Their profile is gone and their sessions are dead.
    expect(await callLoader(profileRoute, { url: `/u/${subject.handle}`, params: { handle: subject.handle }, auth: friendSession })).toMatchObject({ status: 404 })
    for (const s of sessions) expect(await validateSessionId(s.sessionId)).toBeNull()

    // Other people's data stays; the subject left their lists.
    const friendFollowers = (await listFollowers(viewerOf(friend), friend.handle))!
    expect(friendFollowers.people.map((p) => p.handle)).not.toContain(subject.handle)
    expect(friendFollowers.total).toBe(friendFollowersBefore.total - 1)
    const [othersAfter] = await rawSql()<{ comments: number; votes: number; members: number }[]>`
      select (select count(*)::int from talk_comments) as comments,
             (select count(*)::int from talk_question_votes) as votes,
             (select count(*)::int from club_members) as members`
    expect(othersAfter).toEqual(othersBefore)
    const [friendComment] = await rawSql()`select body from talk_comments where id = ${world.friendCommentId}`
    expect(friendComment).toEqual({ body: 'Great talk' })

    // The club went to its longest-standing admin, and the talk and quiz with it; the lonely club closed.
    const [club] = await rawSql()`select owner_id from clubs where id = ${world.ownedClub.id}`
    expect(club.owner_id).toBe(admin.id)
    const [adminRole] = await rawSql()`select role from club_members where club_id = ${world.ownedClub.id} and user_id = ${admin.id}`
    expect(adminRole.role).toBe('owner')
    const [talk] = await rawSql()`select host_id from talks where id = ${world.hostedTalk}`
    expect(talk.host_id).toBe(admin.id)
    const audit = await rawSql()`select action, target_user_id, actor_id from club_audit_log where club_id = ${world.ownedClub.id} and details->>'reason' like 'previous_%' order by action`
    expect(audit.map((a) => a.action)).toEqual(['club.ownership_transferred', 'quiz.author_handed_over', 'talk.host_handed_over'])
    expect(await rawSql()`select id from clubs where id = ${world.lonelyClub.id}`).toHaveLength(0)

    // The request record stays without the person; the receipt lists counts and the retention list.
    // An open report named their profile: its text is kept, linked to no one, until a moderator
    // decides, and the erasure waits for that (db/moderation/kept.ts).
    const [request] = await rawSql()`select user_id, status, details from data_requests where id = ${requestId}`
    expect(request).toEqual({ user_id: null, status: 'in_progress', details: {} })
    const kept = await rawSql()<{ item_kind: string; item_id: string }[]>`select item_kind, item_id from moderation_kept_items where erasure_request_id = ${requestId}`
    expect(kept.map((k) => k.item_kind)).toEqual(['person'])
    const [openReport] = await rawSql()`select status, author_id from moderation_reports where item_kind = 'person' and item_id = ${kept[0].item_id}`
    expect(openReport).toEqual({ status: 'open', author_id: null })
    // The subject's other open request (a correction) can no longer be done: closed, and kept without them.
    const others = await rawSql()`select r.status from data_requests r where r.id <> ${requestId} and r.kind = 'correction' and r.user_id is null and r.received_at > now() - interval '1 hour'`
    expect(others.map((r) => r.status)).toContain('cancelled')
    const [receipt] = await rawSql()<{ content: { removed: Record<string, number>; kept: { table: string }[] } }[]>`
      select content from erasure_receipts where request_id = ${requestId}`
    expect(receipt.content.removed).toMatchObject({ users: 1, profiles: 1, sessions: 2, talk_comments: 1, follows: 2, clubs: 1 })
    expect(receipt.content.kept.map((k) => k.table)).toContain('data_requests')
    expect(receipt.content.kept.map((k) => k.table)).not.toContain('talk_comments')
    expect(receipt.content.kept.map((k) => k.table)).toContain('moderation_kept_items')

    // A moderator's decision on the report deletes the kept text and completes the erasure.
    await rawSql()`insert into staff_duties (user_id, duty) values (${world.staff.id}, 'moderator') on conflict do nothing`
    await decideItem(viewerOf(world.staff, 'staff'), 'person', kept[0].item_id, { action: 'dismiss', reason: 'The account is gone.' })
    expect(await rawSql()`select 1 from moderation_kept_items where erasure_request_id = ${requestId}`).toHaveLength(0)
    const [completed] = await rawSql()`select status from data_requests where id = ${requestId}`
    expect(completed.status).toBe('completed')
    expect(await findEverywhere(subject.id, { skipTables: ['dev_mailbox'] })).toEqual({})

    // The receipt went to the old address; the new owner was told.
    const [mail] = await listDevMail({ to: subject.email })
    expect(mail.subject).toBe('Your Rounds account has been erased')
    expect(mail.text).toMatch(/\/receipts\/[\w-]+\?expires=\d+&sig=/)
    expect(mail.text).toContain('- moderation_kept_items: 1 item kept until a moderator decides on open reports about it.')
    const [notice] = await rawSql()`select title from notifications where user_id = ${admin.id} and kind = 'club_handover'`
    expect(notice.title).toBe(`You now own ${world.ownedClub.name}`)
    const adminMail = await listDevMail({ to: admin.email })
    expect(adminMail.map((m) => m.subject)).toContain(`You now own ${world.ownedClub.name}`)
    // No job is left holding the address.
    expect(await rawSql()`select id from jobs where payload::text ilike ${'%' + subject.email + '%'}`).toHaveLength(0)
  })

  it('does nothing when cancelled during the grace period', async () => {
    const subject = await createDoctor()
    const session = await signIn(subject.id)
    const asked = new Date()
    const { id } = await requestErasure(viewerOf(subject), asked)
    const { cancelErasure } = await import('../../db/data-rights/index')
    await cancelErasure(viewerOf(subject), id)
    await runDueJobs({ now: () => new Date(asked.getTime() + 8 * DAY) })
    expect(await eraseAccount(id, { now: new Date(asked.getTime() + 8 * DAY) })).toBeNull()
    expect(await validateSessionId(session.sessionId)).not.toBeNull()
    const [row] = await rawSql()`select status from data_requests where id = ${id}`
    expect(row.status).toBe('cancelled')
  })

  it('under a legal hold keeps only the minimum: the anonymised account row and the held items', async () => {
    const world = await makeWorld('b')
    const { subject, staff } = world
    const sessions = [await signIn(subject.id)]
    await placeLegalHold(viewerOf(staff, 'staff'), subject.handle, 'Complaint to the medical council, case 42')

    await eraseAfterGrace(world, sessions)

    const after = await countReferences(columns, subject.id)
    const remaining = Object.entries(after).filter(([, n]) => n > 0).map(([key]) => key)
    const keptUnderHold = Object.entries(userColumns).filter(([, rule]) => rule.keptUnderHold).map(([key]) => key)
    expect(remaining.length).toBeGreaterThan(0)
    for (const key of remaining) expect(keptUnderHold, `${key} is kept only if the hold needs it`).toContain(key)
    expect(remaining).toEqual(expect.arrayContaining(['users.id', 'talk_comments.user_id', 'talk_questions.user_id', 'legal_holds.user_id']))
    const [user] = await rawSql()`select email, password_hash from users where id = ${subject.id}`
    expect(user.email).toMatch(/^erased-.*@erased\.invalid$/)
    expect(await findEverywhere(subject.email, { skipTables: ['dev_mailbox'] })).toEqual({})
    expect(await rawSql()`select 1 from profiles where user_id = ${subject.id}`).toHaveLength(0)
    for (const s of sessions) expect(await validateSessionId(s.sessionId)).toBeNull()
    const [mail] = await listDevMail({ to: subject.email })
    expect(mail.text).toMatch(/legal hold/)
  })
})
