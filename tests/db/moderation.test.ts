import { describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { collectExport, listAccessesToMyData } from '../../db/data-rights/index'
import { askQuestion, getRoomState, postComment } from '../../db/live'
import {
  appealAction,
  chosenReasons,
  decideAppeal,
  decideItem,
  getModerationItem,
  listActionsOnMe,
  listModerationQueue,
  listMyReports,
  reportItem,
} from '../../db/moderation/index'
import { validateSessionId } from '../../server/auth'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf, type TestDoctor } from '../support/factories'
import { signIn } from '../support/routes'

const DAY = 24 * 60 * 60 * 1000

async function staffModerator() {
  const doctor = await createDoctor({ name: 'Staff Moderator' })
  await rawSql()`update users set role = 'staff' where id = ${doctor.id}`
  await rawSql()`insert into staff_duties (user_id, duty) values (${doctor.id}, 'moderator')`
  return { doctor, viewer: viewerOf(doctor, 'staff') }
}

/** A live talk in a public club whose owner hosts it, and a comment by `author`. */
async function liveComment(body = 'Saw a patient today, Mr A. Jones of 4 Hill Road') {
  const owner = await createDoctor({ name: 'Club Owner' })
  const club = await createTestClub(owner)
  const talk = await createTalk({ clubId: club.id, hostId: owner.id, status: 'live', startsAt: new Date() })
  const author = await createDoctor({ name: 'Comment Author' })
  const comment = await postComment(viewerOf(author), talk.id, { body })
  return { owner, club, talkId: talk.id, author, comment }
}

const notices = async (doctor: TestDoctor, kind: string) =>
  rawSql()<{ title: string; body: string; link: string | null }[]>`select title, body, link from notifications where user_id = ${doctor.id} and kind = ${kind} order by created_at`

const counts = async () => {
  const [row] = await rawSql()<{ reports: number; holds: number; actions: number; appeals: number; notices: number }[]>`
    select (select count(*)::int from moderation_reports) as reports, (select count(*)::int from moderation_holds) as holds,
      (select count(*)::int from moderation_actions) as actions, (select count(*)::int from moderation_appeals) as appeals,
      (select count(*)::int from notifications where kind in ('moderation_action', 'report_outcome')) as notices`
  return row
}

describe('reporting', () => {
  it('takes every reason a person may give, once per reporter, and keeps the item up unless it identifies a patient', async () => {
    const { comment, author } = await liveComment('An ordinary comment')
    for (const reason of chosenReasons.filter((r) => r !== 'patient_information')) {
      const reporter = await createDoctor()
      const result = await reportItem(viewerOf(reporter), { kind: 'comment', id: comment.id, reason, details: reason === 'other' ? 'Off topic for this talk.' : undefined })
      expect(result).toMatchObject({ held: false, item: { kind: 'comment', id: comment.id } })
    }
    const [row] = await rawSql()`select count(*)::int as n, count(distinct reason)::int as reasons from moderation_reports where item_id = ${comment.id}`
    expect(row).toEqual({ n: chosenReasons.length - 1, reasons: chosenReasons.length - 1 })
    expect(await rawSql()`select 1 from moderation_holds where item_id = ${comment.id}`).toHaveLength(0)
    expect(await notices(author, 'moderation_action')).toEqual([])
  })

  it('a patient-information report hides the comment at once, logs an automatic hide and tells the author how to appeal', async () => {
    const { comment, author, talkId } = await liveComment()
    const reporter = await createDoctor()
    const bystander = await createDoctor()
    const result = await reportItem(viewerOf(reporter), { kind: 'comment', id: comment.id, reason: 'patient_information' })
    expect(result.held).toBe(true)
    const [hold] = await rawSql()`select state, author_id from moderation_holds where item_kind = 'comment' and item_id = ${comment.id}`
    expect(hold).toEqual({ state: 'hidden', author_id: author.id })
    const [action] = await rawSql()`select action, actor_id, appeal_by > now() + interval '29 days' as appealable from moderation_actions where item_id = ${comment.id}`
    expect(action).toEqual({ action: 'hide', actor_id: null, appealable: true })
    const [notice] = await notices(author, 'moderation_action')
    expect(notice.title).toBe('Your comment is hidden while a moderator reviews it')
    expect(notice.body).toMatch(/identify a patient.*appeal in Settings → Moderation within 30 days/)
    expect(notice.link).toBe('/settings/moderation')
    // Gone from the room for everyone but its author.
    expect((await getRoomState(viewerOf(bystander), talkId)).comments.map((c) => c.id)).not.toContain(comment.id)
    expect((await getRoomState(viewerOf(author), talkId)).comments.map((c) => c.id)).toContain(comment.id)
    // A held item cannot be reported by someone it is held from.
    await expect(reportItem(viewerOf(bystander), { kind: 'comment', id: comment.id, reason: 'spam' })).rejects.toMatchObject({ status: 404 })
  })

  it('refuses bad input, one’s own item, a repeat and what the reporter cannot see, writing nothing', async () => {
    const { comment, author } = await liveComment()
    const reporter = await createDoctor()
    await reportItem(viewerOf(reporter), { kind: 'comment', id: comment.id, reason: 'spam' })
    const before = await counts()
    const privateOwner = await createDoctor()
    const privateClub = await createTestClub(privateOwner, { visibility: 'private' })
    const privateTalk = await createTalk({ clubId: privateClub.id, hostId: privateOwner.id })
    const blocker = await createDoctor()
    await rawSql()`insert into person_relations (user_id, other_id, kind) values (${blocker.id}, ${author.id}, 'block')`
    const cases: [unknown, number][] = [
      [{ kind: 'comment', id: comment.id, reason: 'spam' }, 409],
      [{ kind: 'comment', id: comment.id, reason: 'other' }, 400],
      [{ kind: 'comment', id: comment.id, reason: 'other', details: '   ' }, 400],
      [{ kind: 'comment', id: comment.id, reason: 'harassment', details: 'x'.repeat(1001) }, 400],
      [{ kind: 'comment', id: comment.id, reason: 'watched_word' }, 400],
      [{ kind: 'comment', id: comment.id }, 400],
      [{ kind: 'post', id: comment.id, reason: 'spam' }, 400],
      [{ kind: 'comment', id: 'not-an-id', reason: 'spam' }, 404],
      [{ kind: 'comment', id: '00000000-0000-4000-8000-000000000000', reason: 'spam' }, 404],
      [{ kind: 'talk', id: privateTalk.id, reason: 'spam' }, 404],
      [{ kind: 'club', id: privateClub.id, reason: 'spam' }, 404],
    ]
    for (const [input, status] of cases) {
      await expect(reportItem(viewerOf(reporter), input as never), JSON.stringify(input)).rejects.toMatchObject({ name: 'PublicError', status })
    }
    await expect(reportItem(viewerOf(author), { kind: 'comment', id: comment.id, reason: 'spam' })).rejects.toMatchObject({ status: 403 })
    await expect(reportItem(viewerOf(author), { kind: 'person', id: author.id, reason: 'spam' })).rejects.toMatchObject({ status: 403 })
    await expect(reportItem(viewerOf(blocker), { kind: 'comment', id: comment.id, reason: 'spam' })).rejects.toMatchObject({ status: 404 })
    await expect(reportItem(viewerOf(blocker), { kind: 'person', id: author.id, reason: 'spam' })).rejects.toMatchObject({ status: 404 })
    await expect(reportItem(null, { kind: 'person', id: author.id, reason: 'spam' })).rejects.toMatchObject({ status: 401 })
    expect(await counts()).toEqual(before)
  })

  it('reports people, talks, clubs and quizzes the reporter can see; a patient-information report of a page does not hide it', async () => {
    const { owner, club, talkId } = await liveComment()
    const reporter = await createDoctor()
    const quizId = crypto.randomUUID()
    await rawSql()`insert into quizzes (id, club_id, talk_id, author_id, title, kind, status) values (${quizId}, ${club.id}, ${talkId}, ${owner.id}, 'Quiz', 'quiz', 'open')`
    for (const [kind, id] of [
      ['person', owner.id],
      ['talk', talkId],
      ['club', club.id],
      ['quiz', quizId],
    ] as const) {
      const result = await reportItem(viewerOf(reporter), { kind, id, reason: 'patient_information' })
      expect(result.held).toBe(false)
    }
    const rows = await rawSql()`select item_kind, author_id, club_id from moderation_reports where reporter_id = ${reporter.id} order by item_kind`
    expect(rows).toEqual([
      { item_kind: 'person', author_id: owner.id, club_id: null },
      { item_kind: 'talk', author_id: owner.id, club_id: club.id },
      { item_kind: 'club', author_id: owner.id, club_id: club.id },
      { item_kind: 'quiz', author_id: owner.id, club_id: club.id },
    ])
    expect(await rawSql()`select 1 from moderation_holds where author_id = ${owner.id}`).toHaveLength(0)
  })
})

describe('the moderation queue', () => {
  it('groups reports by item, counts them, puts patient information first, and includes system flags', async () => {
    const staff = await staffModerator()
    const first = await liveComment('Spam one')
    const second = await liveComment('Spam two, reported twice')
    const third = await liveComment('Identifies a patient')
    await reportItem(viewerOf(await createDoctor()), { kind: 'comment', id: first.comment.id, reason: 'spam' })
    await reportItem(viewerOf(await createDoctor()), { kind: 'comment', id: second.comment.id, reason: 'spam' })
    await reportItem(viewerOf(await createDoctor()), { kind: 'comment', id: second.comment.id, reason: 'harassment' })
    await reportItem(viewerOf(await createDoctor()), { kind: 'comment', id: third.comment.id, reason: 'patient_information' })
    // The watched-words list writes its flag straight in, with no reporter.
    await rawSql()`insert into moderation_reports (id, reporter_id, item_kind, item_id, author_id, club_id, reason)
      values (${crypto.randomUUID()}, null, 'comment', ${first.comment.id}, ${first.author.id}, ${first.club.id}, 'watched_word')`

    const { entries } = await listModerationQueue(staff.viewer, { limit: 200 })
    const mine = entries.filter((e) => [first, second, third].some((x) => x.comment.id === e.id))
    // Patient information first; then, as many reports each, the newest (the flag came last).
    expect(mine.map((e) => e.id)).toEqual([third.comment.id, first.comment.id, second.comment.id])
    const byId = new Map(mine.map((e) => [e.id, e]))
    expect(byId.get(second.comment.id)).toMatchObject({ reports: 2, hold: null, item: { text: 'Spam two, reported twice', author: { name: 'Comment Author' } } })
    expect(byId.get(second.comment.id)!.reasons.sort()).toEqual(['harassment', 'spam'])
    expect(byId.get(first.comment.id)).toMatchObject({ reports: 2, flaggedBySystem: true })
    expect(byId.get(third.comment.id)).toMatchObject({ reports: 1, hold: 'hidden', item: { club: { name: third.club.name } } })
  })

  it('a club’s moderators see and decide their club’s items only; everyone else is told there is no such page', async () => {
    const a = await liveComment('In club A')
    const b = await liveComment('In club B')
    const clubModerator = await createDoctor()
    await addClubMember(a.club, clubModerator, 'moderator')
    await reportItem(viewerOf(await createDoctor()), { kind: 'comment', id: a.comment.id, reason: 'spam' })
    await reportItem(viewerOf(await createDoctor()), { kind: 'comment', id: b.comment.id, reason: 'spam' })

    const { entries } = await listModerationQueue(viewerOf(clubModerator))
    expect(entries.map((e) => e.id)).toContain(a.comment.id)
    expect(entries.map((e) => e.id)).not.toContain(b.comment.id)
    await expect(getModerationItem(viewerOf(clubModerator), 'comment', b.comment.id)).rejects.toMatchObject({ status: 404 })
    const before = await counts()
    await expect(decideItem(viewerOf(clubModerator), 'comment', b.comment.id, { action: 'remove', reason: 'No.' })).rejects.toMatchObject({ status: 404 })
    // Suspending is for staff; a moderator (not admin) cannot ban.
    await expect(decideItem(viewerOf(clubModerator), 'comment', a.comment.id, { action: 'suspend', reason: 'No.' })).rejects.toMatchObject({ status: 403 })
    await expect(decideItem(viewerOf(clubModerator), 'comment', a.comment.id, { action: 'ban_from_club', reason: 'No.' })).rejects.toMatchObject({ status: 403 })
    expect(await counts()).toEqual(before)
    // A plain member, and a visitor, may moderate nothing.
    await expect(listModerationQueue(viewerOf(await createDoctor()))).rejects.toMatchObject({ status: 404 })
    await expect(listModerationQueue(null)).rejects.toMatchObject({ status: 404 })
    // Staff without the moderator duty neither.
    const plainStaff = await createDoctor()
    await rawSql()`update users set role = 'staff' where id = ${plainStaff.id}`
    await expect(listModerationQueue(viewerOf(plainStaff, 'staff'))).rejects.toMatchObject({ status: 404 })
  })
})

describe('decisions', () => {
  async function reported(reason: 'spam' | 'patient_information' = 'spam') {
    const setup = await liveComment()
    const reporters = [await createDoctor(), await createDoctor()]
    // The second first: once a report holds the item back, no one else can see it to report it.
    await reportItem(viewerOf(reporters[1]), { kind: 'comment', id: setup.comment.id, reason: 'spam' })
    await reportItem(viewerOf(reporters[0]), { kind: 'comment', id: setup.comment.id, reason })
    return { ...setup, reporters }
  }

  async function expectOutcome(x: Awaited<ReturnType<typeof reported>>, status: 'dismissed' | 'actioned', outcome: RegExp) {
    const rows = await rawSql()`select status, outcome, decided_at is not null as decided from moderation_reports where item_id = ${x.comment.id}`
    expect(rows).toHaveLength(2)
    for (const row of rows) expect(row).toMatchObject({ status, decided: true, outcome: expect.stringMatching(outcome) })
    for (const reporter of x.reporters) {
      const [notice] = await notices(reporter, 'report_outcome')
      expect(notice.body).toMatch(outcome)
      expect(notice.body).not.toContain('Club Owner')
      expect((await listMyReports(viewerOf(reporter)))[0]).toMatchObject({ status, outcome: expect.stringMatching(outcome) })
    }
  }

  it('every decision needs a reason and a valid action; a bad one writes nothing', async () => {
    const x = await reported()
    await reportItem(viewerOf(x.reporters[0]), { kind: 'talk', id: x.talkId, reason: 'spam' })
    const before = await counts()
    for (const input of [
      { action: 'remove', reason: '' },
      { action: 'remove' },
      { action: 'delete', reason: 'x' },
      { action: 'limit', reason: 'x' },
      { action: 'limit', reason: 'x', days: 0 },
      { action: 'limit', reason: 'x', days: 91 },
      { action: 'warn', reason: 'x'.repeat(501) },
    ]) {
      await expect(decideItem(viewerOf(x.owner), 'comment', x.comment.id, input), JSON.stringify(input)).rejects.toMatchObject({ status: 400 })
    }
    await expect(decideItem(viewerOf(x.owner), 'nothing', x.comment.id, { action: 'warn', reason: 'x' })).rejects.toMatchObject({ status: 404 })
    // A page is changed by its owner: the queue does not remove it.
    await expect(decideItem(viewerOf(x.owner), 'talk', x.talkId, { action: 'remove', reason: 'x' })).rejects.toMatchObject({ status: 409 })
    expect(await counts()).toEqual(before)
  })

  it('dismiss closes the reports and lifts a hold they caused; the author is told it is shown again', async () => {
    const x = await reported('patient_information')
    await decideItem(viewerOf(x.owner), 'comment', x.comment.id, { action: 'dismiss', reason: 'No patient is named.' })
    await expectOutcome(x, 'dismissed', /left it up/)
    expect(await rawSql()`select 1 from moderation_holds where item_id = ${x.comment.id}`).toHaveLength(0)
    const titles = (await notices(x.author, 'moderation_action')).map((n) => n.title)
    expect(titles).toEqual(['Your comment is hidden while a moderator reviews it', 'Your comment is shown again'])
    expect((await getRoomState(viewerOf(x.reporters[0]), x.talkId)).comments.map((c) => c.id)).toContain(x.comment.id)
  })

  it('restore lifts a hold', async () => {
    const x = await reported('patient_information')
    await decideItem(viewerOf(x.owner), 'comment', x.comment.id, { action: 'restore', reason: 'The name is the speaker’s own.' })
    await expectOutcome(x, 'dismissed', /restored it/)
    expect(await rawSql()`select 1 from moderation_holds where item_id = ${x.comment.id}`).toHaveLength(0)
  })

  it('remove holds it back for good, logs it with 30 days to appeal, and tells author and reporters', async () => {
    const x = await reported()
    await decideItem(viewerOf(x.owner), 'comment', x.comment.id, { action: 'remove', reason: 'Abusive.' })
    await expectOutcome(x, 'actioned', /removed it/)
    const [hold] = await rawSql()`select state from moderation_holds where item_id = ${x.comment.id}`
    expect(hold.state).toBe('removed')
    const [action] = await rawSql()`select action, actor_id, reason, appeal_by - created_at as window from moderation_actions where item_id = ${x.comment.id}`
    expect(action).toMatchObject({ action: 'remove', actor_id: x.owner.id, reason: 'Abusive.' })
    const [notice] = await notices(x.author, 'moderation_action')
    expect(notice).toMatchObject({ title: 'Your comment was removed', link: '/settings/moderation' })
    expect(notice.body).toMatch(/Abusive\..*appeal.*30 days/)
    expect((await getRoomState(viewerOf(x.reporters[0]), x.talkId)).comments.map((c) => c.id)).not.toContain(x.comment.id)
    // A later dismissal of new reports does not bring a removed item back.
    expect(await rawSql()`select 1 from moderation_reports where item_id = ${x.comment.id} and status = 'open'`).toHaveLength(0)
  })

  it('warn tells the author', async () => {
    const x = await reported()
    await decideItem(viewerOf(x.owner), 'comment', x.comment.id, { action: 'warn', reason: 'Keep it civil.' })
    await expectOutcome(x, 'actioned', /warned its author/)
    expect((await notices(x.author, 'moderation_action'))[0].title).toBe('A warning about your comment')
  })

  it('limit sets the posting limit for the days chosen', async () => {
    const x = await reported()
    const now = new Date()
    await decideItem(viewerOf(x.owner), 'comment', x.comment.id, { action: 'limit', reason: 'Cool off.', days: '7' }, now)
    await expectOutcome(x, 'actioned', /limited its author/)
    const [row] = await rawSql()`select posting_limited_until from account_restrictions where user_id = ${x.author.id}`
    expect(new Date(row.posting_limited_until).getTime()).toBe(now.getTime() + 7 * DAY)
    expect((await notices(x.author, 'moderation_action'))[0].title).toBe('You cannot post for a while')
  })

  it('suspend (staff) marks the account and ends its sessions', async () => {
    const x = await reported()
    const staff = await staffModerator()
    const session = await signIn(x.author.id)
    await decideItem(staff.viewer, 'comment', x.comment.id, { action: 'suspend', reason: 'Repeated abuse.' })
    await expectOutcome(x, 'actioned', /suspended/)
    const [row] = await rawSql()`select suspended from account_restrictions where user_id = ${x.author.id}`
    expect(row.suspended).toBe(true)
    expect(await validateSessionId(session.sessionId)).toBeNull()
  })

  it('ban from club goes through the club’s ban, by its owner', async () => {
    const x = await reported()
    await addClubMember(x.club, x.author, 'member')
    await decideItem(viewerOf(x.owner), 'comment', x.comment.id, { action: 'ban_from_club', reason: 'Spamming the club.' })
    await expectOutcome(x, 'actioned', /banned its author/)
    expect(await rawSql()`select 1 from club_bans where club_id = ${x.club.id} and user_id = ${x.author.id}`).toHaveLength(1)
    expect(await rawSql()`select 1 from club_members where club_id = ${x.club.id} and user_id = ${x.author.id}`).toHaveLength(0)
  })

  it('the log is append-only: a second decision adds a row and changes none', async () => {
    const x = await reported()
    await decideItem(viewerOf(x.owner), 'comment', x.comment.id, { action: 'warn', reason: 'First.' })
    const [first] = await rawSql()`select * from moderation_actions where item_id = ${x.comment.id}`
    await decideItem(viewerOf(x.owner), 'comment', x.comment.id, { action: 'remove', reason: 'Second.' })
    const rows = await rawSql()`select * from moderation_actions where item_id = ${x.comment.id} order by created_at`
    expect(rows).toHaveLength(2)
    expect(rows[0]).toEqual(first)
    const page = await getModerationItem(viewerOf(x.owner), 'comment', x.comment.id)
    expect(page.actions.map((a) => a.action)).toEqual(['remove', 'warn'])
    expect(page.authorHistory.length).toBeGreaterThanOrEqual(2)
  })

  it('opening a report is listed under the author’s “Who accessed my data”, naming the moderator', async () => {
    const x = await reported()
    await getModerationItem(viewerOf(x.owner), 'comment', x.comment.id)
    const accesses = await listAccessesToMyData(x.author.id)
    expect(accesses).toEqual([
      expect.objectContaining({ who: `${x.owner.name}, club moderator`, reason: 'Reviewed reports of your comment and your past moderation decisions' }),
    ])
    // The author's own export carries it too; nobody else's view of their own item is logged.
    expect(await listAccessesToMyData(x.owner.id)).toEqual([])
  })
})

describe('appeals', () => {
  it('the author appeals once within 30 days; overturning a removal restores the item and tells them', async () => {
    const x = await liveComment()
    await reportItem(viewerOf(await createDoctor()), { kind: 'comment', id: x.comment.id, reason: 'spam' })
    await decideItem(viewerOf(x.owner), 'comment', x.comment.id, { action: 'remove', reason: 'Looks like spam.' })
    const [onMe] = await listActionsOnMe(viewerOf(x.author))
    expect(onMe).toMatchObject({ action: 'remove', mayAppeal: true, itemText: x.comment.body, appeal: null })

    await expect(appealAction(viewerOf(x.author), onMe.id, { body: '' })).rejects.toMatchObject({ status: 400 })
    await expect(appealAction(viewerOf(x.owner), onMe.id, { body: 'Not mine' })).rejects.toMatchObject({ status: 404 })
    const { id: appealId } = await appealAction(viewerOf(x.author), onMe.id, { body: 'It was a question about a textbook case.' })
    await expect(appealAction(viewerOf(x.author), onMe.id, { body: 'Again' })).rejects.toMatchObject({ status: 409 })
    expect((await listActionsOnMe(viewerOf(x.author)))[0]).toMatchObject({ mayAppeal: false, appeal: { status: 'open' } })

    // Another club's moderator cannot decide it.
    const stranger = await liveComment()
    await expect(decideAppeal(viewerOf(stranger.owner), appealId, { overturn: true, reason: 'x' })).rejects.toMatchObject({ status: 404 })
    await decideAppeal(viewerOf(x.owner), appealId, { overturn: true, reason: 'You are right, sorry.' })
    expect(await rawSql()`select 1 from moderation_holds where item_id = ${x.comment.id}`).toHaveLength(0)
    const titles = (await notices(x.author, 'moderation_action')).map((n) => n.title)
    expect(titles).toContain('Your appeal was accepted')
    expect((await listActionsOnMe(viewerOf(x.author)))[0]).toMatchObject({ appeal: { status: 'overturned' } })
    await expect(decideAppeal(viewerOf(x.owner), appealId, { overturn: false, reason: 'x' })).rejects.toMatchObject({ status: 409 })
  })

  it('refuses an appeal after 30 days, and upholding a limit keeps it', async () => {
    const x = await liveComment()
    await reportItem(viewerOf(await createDoctor()), { kind: 'comment', id: x.comment.id, reason: 'harassment' })
    const decidedAt = new Date(Date.now() - 31 * DAY)
    await decideItem(viewerOf(x.owner), 'comment', x.comment.id, { action: 'limit', reason: 'Rude.', days: 60 }, decidedAt)
    const [onMe] = await listActionsOnMe(viewerOf(x.author))
    expect(onMe.mayAppeal).toBe(false)
    await expect(appealAction(viewerOf(x.author), onMe.id, { body: 'Please' })).rejects.toMatchObject({ status: 410 })
    expect(await rawSql()`select 1 from moderation_appeals where action_id = ${onMe.id}`).toHaveLength(0)

    // Within the 30 days: appealed, then upheld.
    const y = await liveComment()
    await reportItem(viewerOf(await createDoctor()), { kind: 'comment', id: y.comment.id, reason: 'harassment' })
    await decideItem(viewerOf(y.owner), 'comment', y.comment.id, { action: 'limit', reason: 'Rude.', days: 3 })
    const [limit] = await listActionsOnMe(viewerOf(y.author))
    const { id } = await appealAction(viewerOf(y.author), limit.id, { body: 'I was quoting.' })
    await decideAppeal(viewerOf(y.owner), id, { overturn: false, reason: 'The words were yours.' })
    const [row] = await rawSql()`select posting_limited_until is not null as limited from account_restrictions where user_id = ${y.author.id}`
    expect(row.limited).toBe(true)
    expect((await notices(y.author, 'moderation_action')).map((n) => n.title)).toContain('Your appeal was turned down')
  })

  it('a question held by the fast lane can be appealed from the start', async () => {
    const owner = await createDoctor()
    const club = await createTestClub(owner)
    const talk = await createTalk({ clubId: club.id, hostId: owner.id })
    const author = await createDoctor()
    const question = await askQuestion(viewerOf(author), talk.id, { body: 'What about my patient Mrs B?' })
    await reportItem(viewerOf(await createDoctor()), { kind: 'question', id: question.id, reason: 'patient_information' })
    const [hide] = await listActionsOnMe(viewerOf(author))
    expect(hide).toMatchObject({ action: 'hide', mayAppeal: true, itemText: question.body })
    const { id } = await appealAction(viewerOf(author), hide.id, { body: 'Mrs B is a made-up case.' })
    await decideAppeal(viewerOf(owner), id, { overturn: true, reason: 'Fine.' })
    expect((await getRoomState(viewerOf(owner), talk.id)).questions.map((q) => q.id)).toContain(question.id)
  })
})

describe('moderation in the data-rights export', () => {
  it('holds the reports the person made and the decisions about their content, never who reported them or who decided', async () => {
    const x = await liveComment()
    const reporter = await createDoctor()
    await reportItem(viewerOf(reporter), { kind: 'comment', id: x.comment.id, reason: 'harassment', details: 'Rude to the speaker.' })
    await decideItem(viewerOf(x.owner), 'comment', x.comment.id, { action: 'warn', reason: 'Be kind.' })

    const mine = await collectExport(reporter.id)
    const reports = JSON.parse(mine.sections.find((s) => s.table === 'moderation_reports')!.rowsJson) as Record<string, unknown>[]
    expect(reports).toEqual([expect.objectContaining({ item_id: x.comment.id, reason: 'harassment', details: 'Rude to the speaker.', status: 'actioned' })])
    expect(reports[0]).not.toHaveProperty('author_id')

    const theirs = await collectExport(x.author.id)
    const actions = JSON.parse(theirs.sections.find((s) => s.table === 'moderation_actions')!.rowsJson) as Record<string, unknown>[]
    expect(actions).toEqual([expect.objectContaining({ action: 'warn', reason: 'Be kind.' })])
    expect(actions[0]).not.toHaveProperty('actor_id')
    // Reports about them are left out: the section holds only reports they made.
    expect(theirs.sections.find((s) => s.table === 'moderation_reports')).toMatchObject({ matchedBy: ['reporter_id'], rowCount: 0 })
    expect(JSON.stringify(theirs)).not.toContain(reporter.id)
    expect(JSON.stringify(theirs)).not.toContain(x.owner.id)
  })
})
