import { describe, expect, it } from 'vitest'
import * as itemRoute from '../../app/routes/moderation.items.$kind.$id'
import { rawSql } from '../../db/client'
import { eraseAccount, requestErasure } from '../../db/data-rights/index'
import { askQuestion, getRoomState, postComment } from '../../db/live'
import { decideItem, getModerationItem, listModerationQueue, reportItem } from '../../db/moderation/index'
import { processSearchOutbox, searchDoctors } from '../../db/search'
import { findEverywhere } from '../support/data-rights'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'
import { waitFor } from '../support/faults'
import { callLoader, signIn } from '../support/routes'

const DAY = 24 * 60 * 60 * 1000
const page = { limit: 50, offset: 0, cap: 1000 }

async function staffModerator() {
  const doctor = await createDoctor({ name: 'Staff Moderator' })
  await rawSql()`update users set role = 'staff' where id = ${doctor.id}`
  await rawSql()`insert into staff_duties (user_id, duty) values (${doctor.id}, 'moderator')`
  return { doctor, viewer: viewerOf(doctor, 'staff') }
}

/** A live talk in a public club, with an author who spoke in it and a member who listened. */
async function liveTalk(tag: string) {
  const owner = await createDoctor({ name: `Club Owner ${tag}` })
  const club = await createTestClub(owner)
  const talk = await createTalk({ clubId: club.id, hostId: owner.id, status: 'live', startsAt: new Date() })
  const author = await createDoctor({ name: `Dr Quorvant ${tag}`, profile: { bio: `Bio word zelphir${tag} and more` } })
  const member = await createDoctor({ name: `Club Member ${tag}` })
  await addClubMember(club, member)
  await addClubMember(club, author)
  return { owner, club, talkId: talk.id, author, member }
}

async function eraseNow(author: TestDoctor) {
  const asked = new Date()
  const { id } = await requestErasure(viewerOf(author), asked)
  const result = await eraseAccount(id, { now: new Date(asked.getTime() + 8 * DAY) })
  expect(result).not.toBeNull()
  return { requestId: id, result: result! }
}

const requestOf = async (id: string) => {
  const [row] = await rawSql()<{ status: string; user_id: string | null }[]>`select status, user_id from data_requests where id = ${id}`
  return row
}
const eventsOf = async (id: string) =>
  rawSql()<{ action: string; note: string | null }[]>`select action, note from data_request_events where request_id = ${id} order by created_at, action`
const keptRows = async (requestId: string) =>
  rawSql()<{ item_kind: string; item_id: string; text: string }[]>`select item_kind, item_id, text from moderation_kept_items where erasure_request_id = ${requestId} order by item_kind`

describe('erasing an author whose content is under an open report', () => {
  it('keeps what an open report names, for moderators only, until a decision deletes it and completes the erasure', async () => {
    const { owner, club, talkId, author, member } = await liveTalk('a')
    const staff = await staffModerator()
    const reporter = await createDoctor({ name: 'Reporter A' })
    const second = await createDoctor({ name: 'Reporter B' })
    const stranger = await createDoctor({ name: 'Stranger A' })
    const comment = await postComment(viewerOf(author), talkId, { body: 'Kept comment quintrel about the ward' })
    const question = await askQuestion(viewerOf(author), talkId, { body: 'Kept question vorbeline for the host?' })
    const decided = await postComment(viewerOf(author), talkId, { body: 'Decided comment mardrake' })
    const plain = await postComment(viewerOf(author), talkId, { body: 'Unreported comment' })
    await reportItem(viewerOf(reporter), { kind: 'comment', id: comment.id, reason: 'misinformation' })
    await reportItem(viewerOf(second), { kind: 'comment', id: comment.id, reason: 'spam' })
    await reportItem(viewerOf(reporter), { kind: 'question', id: question.id, reason: 'harassment' })
    await reportItem(viewerOf(reporter), { kind: 'person', id: author.id, reason: 'impersonation' })
    await reportItem(viewerOf(reporter), { kind: 'comment', id: decided.id, reason: 'spam' })
    await decideItem(staff.viewer, 'comment', decided.id, { action: 'dismiss', reason: 'Not spam.' })
    const nameWord = { tsquery: 'quorvant:*' }
    expect((await searchDoctors(viewerOf(stranger), nameWord, {}, page)).rows.map((r) => r.handle)).toContain(author.handle)

    const { requestId, result } = await eraseNow(author)

    // Three items wait (comment, question, profile); the one whose report was decided went at once.
    expect(result.keptForReports).toBe(3)
    const kept = await keptRows(requestId)
    expect(kept.map((k) => k.item_kind).sort()).toEqual(['comment', 'person', 'question'])
    expect(kept.find((k) => k.item_kind === 'comment')).toMatchObject({ item_id: comment.id, text: 'Kept comment quintrel about the ward' })
    expect(kept.find((k) => k.item_kind === 'person')?.text).toBe('Bio word zelphira and more')
    expect(await rawSql()`select id from talk_comments where id in ${rawSql()([comment.id, decided.id, plain.id])}`).toHaveLength(0)
    expect(await rawSql()`select id from talk_questions where id = ${question.id}`).toHaveLength(0)
    // The search worker (Meilisearch) takes its outbox rows; with Postgres search the row is the index.
    await processSearchOutbox(async () => {})
    // Nothing left anywhere says whose it was: not the id, the name or the handle.
    for (const needle of [author.id, 'Quorvant', author.handle, author.email]) {
      expect(await findEverywhere(needle, { skipTables: ['dev_mailbox'] }), needle).toEqual({})
    }
    // The words are only in the kept copy, which no page reads but the moderation queue.
    expect(await findEverywhere('quintrel')).toEqual({ 'moderation_kept_items.text': 1 })
    expect(await findEverywhere('mardrake')).toEqual({})

    // The request says why it is not complete yet; the receipt says what waits.
    expect(await requestOf(requestId)).toEqual({ status: 'in_progress', user_id: null })
    const events = await eventsOf(requestId)
    expect(events).toContainEqual({ action: 'kept_for_open_reports', note: '3 items kept until a moderator decides on open reports about them.' })
    expect(events.map((e) => e.action)).not.toContain('completed')
    const [receipt] = await rawSql()<{ content: { keptForReports: number; kept: { table: string; what: string }[] } }[]>`
      select content from erasure_receipts where request_id = ${requestId}`
    expect(receipt.content.keptForReports).toBe(3)
    const keptLine = receipt.content.kept.find((k) => k.table === 'moderation_kept_items')
    expect(keptLine?.what).toMatch(/^3 items kept until a moderator decides on open reports about them\./)

    // Hidden from a stranger, a club member and search.
    for (const viewer of [stranger, member, owner]) {
      const room = await getRoomState(viewerOf(viewer), talkId)
      expect(room.comments.map((c) => c.id)).not.toContain(comment.id)
      expect(room.questions.map((q) => q.id)).not.toContain(question.id)
    }
    expect((await searchDoctors(viewerOf(stranger), nameWord, {}, page)).rows).toEqual([])
    expect((await searchDoctors(viewerOf(member), { tsquery: 'quintrel:*' }, {}, page)).rows).toEqual([])

    // A moderator reads it in the queue, its author shown as an erased account; a club moderator too.
    const queue = await listModerationQueue(staff.viewer)
    const entry = queue.entries.find((e) => e.kind === 'comment' && e.id === comment.id)
    expect(entry).toMatchObject({ reports: 2, item: { text: 'Kept comment quintrel about the ward', author: null, authorErased: true, link: null } })
    expect(entry?.item?.title).toMatch(/^Comment in “/)
    expect(entry?.item?.club?.id).toBe(club.id)
    const clubQueue = await listModerationQueue(viewerOf(owner))
    expect(clubQueue.entries.map((e) => e.id)).toContain(comment.id)
    const personEntry = queue.entries.find((e) => e.kind === 'person' && e.item?.authorErased)
    expect(personEntry?.item).toMatchObject({ text: 'Bio word zelphira and more', title: 'Profile of an erased account', author: null })
    const pageOf = await getModerationItem(staff.viewer, 'comment', comment.id)
    expect(pageOf).toMatchObject({ authorId: null, item: { authorErased: true }, may: { suspend: false, banFromClub: false } })
    const session = await signIn(staff.doctor.id)
    const loaded = await callLoader(itemRoute, { url: `/moderation/items/comment/${comment.id}`, params: { kind: 'comment', id: comment.id }, auth: session })
    expect(loaded.status).toBe(200)
    expect(JSON.stringify(loaded.data)).toContain('quintrel')
    expect(JSON.stringify(loaded.data)).not.toContain('Quorvant')

    // There is no one to warn; deciding the item itself is what is left.
    await expect(decideItem(staff.viewer, 'comment', comment.id, { action: 'warn', reason: 'No.' })).rejects.toMatchObject({ status: 409 })
    expect(await keptRows(requestId)).toHaveLength(3)

    // Removing the comment deletes the copy with the decision; the erasure still waits for the rest.
    await decideItem(staff.viewer, 'comment', comment.id, { action: 'remove', reason: 'Misleading dosage advice.' })
    expect((await keptRows(requestId)).map((k) => k.item_kind).sort()).toEqual(['person', 'question'])
    expect(await rawSql()`select 1 from moderation_holds where item_id = ${comment.id}`).toHaveLength(0)
    expect(await rawSql()`select status from moderation_reports where item_id = ${comment.id}`).toEqual([{ status: 'actioned' }, { status: 'actioned' }])
    expect(await rawSql()`select title from notifications where user_id = ${second.id} and kind = 'report_outcome'`).toHaveLength(1)
    expect(await findEverywhere('quintrel')).toEqual({})
    expect((await listModerationQueue(staff.viewer)).entries.map((e) => e.id)).not.toContain(comment.id)
    expect((await requestOf(requestId)).status).toBe('in_progress')

    // A dismissal releases the item just the same; the last one completes the erasure.
    await decideItem(staff.viewer, 'question', question.id, { action: 'dismiss', reason: 'A fair question.' })
    expect((await requestOf(requestId)).status).toBe('in_progress')
    const personId = kept.find((k) => k.item_kind === 'person')!.item_id
    expect(personId).not.toBe(author.id)
    await decideItem(staff.viewer, 'person', personId, { action: 'dismiss', reason: 'The account is closed.' })
    expect(await keptRows(requestId)).toEqual([])
    expect(await rawSql()`select 1 from moderation_kept_items where item_id in ${rawSql()([comment.id, question.id, personId])}`).toHaveLength(0)
    expect(await requestOf(requestId)).toEqual({ status: 'completed', user_id: null })
    const done = await eventsOf(requestId)
    expect(done.filter((e) => e.action === 'completed')).toHaveLength(1)
    expect(done.find((e) => e.action === 'completed')?.note).toMatch(/erasure is complete/)
    const [completed] = await rawSql()`select completed_at is not null as done from data_requests where id = ${requestId}`
    expect(completed.done).toBe(true)
  })

  it('erases at once, and completes, when every report about the author was already decided', async () => {
    const { talkId, author } = await liveTalk('b')
    const staff = await staffModerator()
    const reporter = await createDoctor()
    const comment = await postComment(viewerOf(author), talkId, { body: 'Comment jostrevin once reported' })
    await reportItem(viewerOf(reporter), { kind: 'comment', id: comment.id, reason: 'patient_information' })
    await decideItem(staff.viewer, 'comment', comment.id, { action: 'remove', reason: 'Names a patient.' })

    const { requestId, result } = await eraseNow(author)

    expect(result.keptForReports).toBe(0)
    expect(await keptRows(requestId)).toEqual([])
    expect(await findEverywhere('jostrevin')).toEqual({})
    expect(await rawSql()`select 1 from moderation_reports where item_id = ${comment.id}`).toHaveLength(0)
    expect(await requestOf(requestId)).toEqual({ status: 'completed', user_id: null })
    expect((await eventsOf(requestId)).map((e) => e.action)).not.toContain('kept_for_open_reports')
    const [receipt] = await rawSql()<{ content: { kept: { table: string }[] } }[]>`select content from erasure_receipts where request_id = ${requestId}`
    expect(receipt.content.kept.map((k) => k.table)).not.toContain('moderation_kept_items')
  })

  it('leaves a reported talk handed over to its club up, its report open and decidable, without keeping a copy', async () => {
    const owner = await createDoctor({ name: 'Owner C' })
    const club = await createTestClub(owner)
    const host = await createDoctor({ name: 'Host C' })
    await addClubMember(club, host, 'admin')
    const talk = await createTalk({ clubId: club.id, hostId: host.id })
    const reporter = await createDoctor()
    await reportItem(viewerOf(reporter), { kind: 'talk', id: talk.id, reason: 'undisclosed_promotion' })

    const { requestId, result } = await eraseNow(host)

    expect(result.keptForReports).toBe(0)
    expect((await requestOf(requestId)).status).toBe('completed')
    const [report] = await rawSql()`select status, author_id from moderation_reports where item_id = ${talk.id}`
    expect(report).toEqual({ status: 'open', author_id: null })
    const staff = await staffModerator()
    const entry = (await listModerationQueue(staff.viewer)).entries.find((e) => e.id === talk.id)
    expect(entry?.item).toMatchObject({ authorErased: false, author: { userId: owner.id } })
  })
})

describe('a moderator’s decision is all or nothing', () => {
  /**
   * Runs the decision while another connection holds a lock its last write needs, and ends the
   * decision's backend there, after it wrote the log entry, closed the reports and queued the
   * notices. Returns the tables it had written to when it was ended.
   */
  async function decisionEndedHalfWay(decide: () => Promise<unknown>) {
    const blocker = await rawSql().reserve()
    try {
      await blocker`begin`
      await blocker`lock table moderation_kept_items in exclusive mode`
      const [{ pid: blockerPid }] = await blocker<{ pid: number }[]>`select pg_backend_pid() as pid`
      const deciding = decide().then(
        () => null,
        (error: unknown) => error,
      )
      const pid = await waitFor(
        'the decision waits on the lock',
        async () => (await rawSql()<{ pid: number }[]>`select pid from pg_stat_activity where ${blockerPid}::int = any(pg_blocking_pids(pid))`)[0]?.pid,
        10_000,
        20,
      )
      const written = await rawSql()<{ table: string }[]>`
        select distinct c.relname::text as table from pg_locks l join pg_class c on c.oid = l.relation
        where l.pid = ${pid} and l.mode = 'RowExclusiveLock' and c.relkind = 'r' order by 1`
      await rawSql()`select pg_terminate_backend(${pid})`
      const error = await deciding
      expect(error, 'the decision failed with its connection').toBeInstanceOf(Error)
      return written.map((w) => w.table)
    } finally {
      await blocker`rollback`
      blocker.release()
    }
  }

  const stateOf = async (itemId: string, people: TestDoctor[]) => {
    const [row] = await rawSql()<Record<string, unknown>[]>`
      select (select array_agg(status::text order by id) from moderation_reports where item_id = ${itemId}) as reports,
        (select count(*)::int from moderation_actions where item_id = ${itemId}) as actions,
        (select state::text from moderation_holds where item_id = ${itemId}) as hold,
        (select text from moderation_kept_items where item_id = ${itemId}) as kept,
        (select count(*)::int from notifications where user_id in ${rawSql()(people.map((p) => p.id))} and kind in ('report_outcome', 'moderation_action')) as notices`
    return row
  }

  it('leaves an erased author’s kept item, its open reports and the erasure as they were when the decision’s backend is ended half-way', async () => {
    const { talkId, author } = await liveTalk('f')
    const staff = await staffModerator()
    const reporters = [await createDoctor(), await createDoctor()]
    const comment = await postComment(viewerOf(author), talkId, { body: 'Kept comment under a failing decision' })
    for (const r of reporters) await reportItem(viewerOf(r), { kind: 'comment', id: comment.id, reason: 'misinformation' })
    const { requestId } = await eraseNow(author)
    const before = await stateOf(comment.id, reporters)
    expect(before).toMatchObject({ reports: ['open', 'open'], actions: 0, hold: null, kept: 'Kept comment under a failing decision', notices: 0 })

    const written = await decisionEndedHalfWay(() => decideItem(staff.viewer, 'comment', comment.id, { action: 'remove', reason: 'Wrong advice.' }))

    // It had logged the removal, held the item, closed the reports and told the reporters…
    expect(written).toEqual(expect.arrayContaining(['moderation_actions', 'moderation_holds', 'moderation_reports', 'notifications']))
    // …and none of it was kept.
    expect(await stateOf(comment.id, reporters)).toEqual(before)
    expect(await requestOf(requestId)).toEqual({ status: 'in_progress', user_id: null })

    // The same decision made again goes through whole.
    await decideItem(staff.viewer, 'comment', comment.id, { action: 'remove', reason: 'Wrong advice.' })
    expect(await stateOf(comment.id, reporters)).toEqual({ reports: ['actioned', 'actioned'], actions: 1, hold: null, kept: null, notices: 2 })
    expect((await requestOf(requestId)).status).toBe('completed')
  })

  it('leaves a held comment held, with its reports open and its author untold, when the decision’s backend is ended half-way', async () => {
    const { talkId, author, member } = await liveTalk('g')
    const staff = await staffModerator()
    const reporter = await createDoctor()
    const comment = await postComment(viewerOf(author), talkId, { body: 'Mr B. Khan in bed 4 again' })
    await reportItem(viewerOf(reporter), { kind: 'comment', id: comment.id, reason: 'patient_information' })
    const people = [reporter, author]
    const before = await stateOf(comment.id, people)
    // The report's own hide is logged and its author told; the decision adds nothing to these.
    expect(before).toMatchObject({ reports: ['open'], actions: 1, hold: 'hidden', kept: null, notices: 1 })

    const written = await decisionEndedHalfWay(() => decideItem(staff.viewer, 'comment', comment.id, { action: 'dismiss', reason: 'No patient is named.' }))

    expect(written).toEqual(expect.arrayContaining(['moderation_actions', 'moderation_holds', 'moderation_reports', 'notifications']))
    expect(await stateOf(comment.id, people)).toEqual(before)
    expect((await getRoomState(viewerOf(member), talkId)).comments.map((c) => c.id)).not.toContain(comment.id)
  })
})
