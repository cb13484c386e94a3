import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClub, inviteToClub, joinClub } from '../../db/clubs'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { eraseAccount, placeLegalHold, requestErasure } from '../../db/data-rights/index'
import { deactivateAccount } from '../../db/privacy/index'
import { answerQuestion, createQuiz, getQuizPage } from '../../db/quizzes'
import { startAppServer, type AppServer } from '../support/app-server'
import { addTalkRole, createDoctor, createTalk, viewerOf, type TestDoctor } from '../support/factories'
import { httpClient, signInOverHttp, type HttpPage } from '../support/http-client'

/*
 * A deactivated account does not exist for anyone else, and an erased one for no one: not as a
 * talk's co-host or host, not on a quiz leaderboard or in its CSV, not in the club admin's lists,
 * and the club ban form answers for their handle exactly as for a handle no one has. Leaderboards
 * also follow profile privacy: a private person is their basic card, and no one is an internal id.
 * Everything is read through the real server, as a signed-in doctor's browser would.
 */

const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`
const DAY = 24 * 60 * 60 * 1000
const SECRET = {
  privateBio: 'Goneproof bio runs the Thursday lupus clinic',
  privateCity: 'Goneprooftown',
  hiddenHostTalk: 'Goneproof talk by a host who stepped away',
}

const doctor = (name: string, visibility: 'public' | 'private' = 'public', extra: { bio?: string; city?: string } = {}) =>
  createDoctor({
    name,
    profile: { handle: `${name.toLowerCase().replace(/[^a-z]+/g, '-')}-${tag}`, speciality: 'Rheumatology', visibility, ...extra },
  })

let server: AppServer
let owner: TestDoctor
let viewer: TestDoctor
/** Deactivated: a co-host, a quiz's top scorer, a club member. */
let gone: TestDoctor
/** Deactivated host of a talk of their own. */
let goneHost: TestDoctor
/** Erased under a legal hold, so their answers stay with their id. */
let erased: TestDoctor
/** A private profile on the leaderboard. */
let quiet: TestDoctor
let slug: string
let talkId: string
let hiddenHostTalkId: string
let quizId: string

type Pages = Record<string, HttpPage>
let asViewer: Pages
let asOwner: Pages

beforeAll(async () => {
  server = await startAppServer()
  // As in the leak matrix: the fixture has to live in the server's database.
  await closeDatabase()
  await openDatabase({ url: server.databaseUrl, runMigrations: false, maxConnections: 5 })
  const staff = await doctor('Dr Sita Goneproof Staff')
  await rawSql()`update users set role = 'staff' where id = ${staff.id}`
  ;[owner, viewer, gone, goneHost, erased, quiet] = await Promise.all([
    doctor('Dr Omar Goneproof Owner'),
    doctor('Dr Vera Goneproof Viewer'),
    doctor('Dr Dana Goneproof Deactivated'),
    doctor('Dr Hugo Goneproof Hiddenhost'),
    doctor('Dr Ezra Goneproof Erased'),
    doctor('Dr Pia Goneproof Private', 'private', { bio: SECRET.privateBio, city: SECRET.privateCity }),
  ])
  slug = `goneproof-${tag}`.slice(0, 40)
  const club = await createClub(viewerOf(owner), { name: 'Goneproof Rheumatology Round', slug, description: '', specialities: ['Rheumatology'], visibility: 'public' })
  for (const person of [viewer, gone, goneHost, erased, quiet]) {
    await inviteToClub(viewerOf(owner), slug, person.handle)
    await joinClub(viewerOf(person), slug)
  }
  const talk = await createTalk({ clubId: club.id, hostId: owner.id, title: 'Goneproof talk with a co-host' })
  talkId = talk.id
  await addTalkRole(talkId, gone, 'cohost')
  await addTalkRole(talkId, quiet, 'speaker')
  hiddenHostTalkId = (await createTalk({ clubId: club.id, hostId: goneHost.id, title: SECRET.hiddenHostTalk })).id

  quizId = (
    await createQuiz(viewerOf(owner), slug, {
      kind: 'quiz',
      title: 'Goneproof weekly challenge',
      deadline: new Date(Date.now() + DAY).toISOString(),
      questions: [{ kind: 'single', prompt: 'First-line for giant cell arteritis?', timeLimitSeconds: 20, points: 1000, options: [{ label: 'Steroids', correct: true }, { label: 'Wait and see' }] }],
    })
  ).id
  const [question] = (await getQuizPage(viewerOf(owner), quizId)).questions
  const [right, wrong] = question.options
  for (const person of [gone, erased, quiet]) await answerQuestion(viewerOf(person), question.id, { optionIds: [right.id] })
  await answerQuestion(viewerOf(viewer), question.id, { optionIds: [wrong.id] })

  await deactivateAccount(gone.id, 'no-session-kept')
  await deactivateAccount(goneHost.id, 'no-session-kept')
  const asked = new Date()
  const { id: erasure } = await requestErasure(viewerOf(erased), asked)
  await placeLegalHold(viewerOf(staff, 'staff'), erased.handle, 'Complaint to the medical council, case 7')
  expect(await eraseAccount(erasure, { now: new Date(asked.getTime() + 8 * DAY) })).not.toBeNull()

  const read = async (who: TestDoctor, paths: Record<string, [string] | [string, string]>) => {
    const http = httpClient(server.baseUrl, await signInOverHttp(server.baseUrl, who.email, who.password))
    const entries = Object.entries(paths)
    const pages = await Promise.all(entries.map(([, [path, routeId]]) => (routeId ? http.loaderData(path, routeId) : http.get(path))))
    return Object.fromEntries(entries.map(([key], i) => [key, pages[i]]))
  }
  ;[asViewer, asOwner] = await Promise.all([
    read(viewer, {
      talk: [`/t/${talkId}`],
      talkData: [`/t/${talkId}`, 'routes/t.$id'],
      hiddenHostTalk: [`/t/${hiddenHostTalkId}`],
      hiddenHostTalkData: [`/t/${hiddenHostTalkId}`, 'routes/t.$id'],
      hiddenHostCalendar: [`/t/${hiddenHostTalkId}.ics`],
      club: [`/c/${slug}`],
      clubData: [`/c/${slug}`, 'routes/c.$slug._index'],
      quiz: [`/q/${quizId}`],
      quizData: [`/q/${quizId}`, 'routes/q.$id'],
    }),
    read(owner, {
      csv: [`/q/${quizId}.csv`],
      quizData: [`/q/${quizId}`, 'routes/q.$id'],
      adminMembersData: [`/c/${slug}/admin/members`, 'routes/c.$slug.admin.members'],
      adminInvitesData: [`/c/${slug}/admin/invites`, 'routes/c.$slug.admin.invites'],
      adminAuditData: [`/c/${slug}/admin/audit`, 'routes/c.$slug.admin.audit'],
      talkData: [`/t/${talkId}`, 'routes/t.$id'],
    }),
  ])
}, 240_000)

afterAll(async () => {
  await closeDatabase()
  await server?.stop()
}, 60_000)

const traces = (d: TestDoctor) => [d.name, d.handle, d.id]

function expectAbsent(pages: Pages, keys: string[], secrets: string[]) {
  for (const key of keys) {
    for (const secret of secrets) expect(pages[key].text, `${key} (${pages[key].status}) shows "${secret}"`).not.toContain(secret)
  }
}

function json<T>(page: HttpPage): T {
  expect(page.headers.get('content-type'), page.text.slice(0, 200)).toContain('application/json')
  return JSON.parse(page.text) as T
}

describe('a talk page', () => {
  it('lists the host and the active speakers, and not a co-host who deactivated', () => {
    for (const pages of [asViewer, asOwner]) {
      const data = json<{ roles: { handle: string; role: string }[] }>(pages.talkData)
      expect(data.roles).toEqual([
        { handle: owner.handle, name: owner.name, role: 'host' },
        { handle: quiet.handle, name: quiet.name, role: 'speaker' },
      ])
    }
    expect(asViewer.talk.status).toBe(200)
    expect(asViewer.talk.text).toContain(owner.name)
    expectAbsent(asViewer, ['talk', 'talkData'], traces(gone))
    expectAbsent(asOwner, ['talkData'], traces(gone))
  })

  it('of a host who deactivated is not found, and their talk leaves the club page', () => {
    for (const key of ['hiddenHostTalk', 'hiddenHostTalkData', 'hiddenHostCalendar']) expect(asViewer[key].status, key).toBe(404)
    expect(asViewer.club.status).toBe(200)
    expectAbsent(asViewer, ['hiddenHostTalk', 'hiddenHostTalkData', 'hiddenHostCalendar', 'club', 'clubData'], [...traces(goneHost), SECRET.hiddenHostTalk])
  })
})

type Entry = Record<string, unknown>
type Board = { top: Entry[]; me: Entry | null; participants: number }

describe('a quiz leaderboard', () => {
  it('ranks only active people, each as a basic card, with no internal ids', () => {
    const { leaderboard } = json<{ leaderboard: Board }>(asViewer.quizData)
    expect(leaderboard.participants).toBe(2)
    expect(leaderboard.top.map((e) => [e.handle, e.rank])).toEqual([
      [quiet.handle, 1],
      [viewer.handle, 2],
    ])
    expect(leaderboard.me).toMatchObject({ handle: viewer.handle, rank: 2, points: 0 })
    // The private person is shown as their card: name, photo, speciality — and their score.
    expect(Object.keys(leaderboard.top[0]).sort()).toEqual(['correct', 'handle', 'name', 'photoUrl', 'points', 'rank', 'speciality'])
    expect(leaderboard.top[0]).toMatchObject({ name: quiet.name, speciality: 'Rheumatology', points: 1000 })
  })

  it('shows no trace of the deactivated or erased person, nor anyone’s id or private details', () => {
    for (const [pages, keys] of [
      [asViewer, ['quiz', 'quizData']],
      [asOwner, ['quizData']],
    ] as const) {
      expectAbsent(pages, [...keys], [
        ...traces(gone),
        ...traces(erased),
        ...[owner, viewer, quiet].map((d) => d.id),
        SECRET.privateBio,
        SECRET.privateCity,
        'userId',
      ])
    }
  })
})

describe('the quiz CSV for its creator', () => {
  it('keeps every answer but names only active people', () => {
    const csv = asOwner.csv
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const lines = csv.text.trim().split('\r\n')
    expect(lines).toHaveLength(1 + 4)
    expect(csv.text).toContain(quiet.name)
    expect(csv.text).toContain(viewer.name)
    expectAbsent(asOwner, ['csv'], [...traces(gone), ...traces(erased)])
    expect(lines.filter((l) => l.includes('(account no longer on Rounds)'))).toHaveLength(2)
  })
})

describe('the club admin page', () => {
  it('lists no deactivated or erased person among members, bans, invitations or the audit log', () => {
    const adminPages = ['adminMembersData', 'adminInvitesData', 'adminAuditData']
    for (const key of adminPages) expect(asOwner[key].status, key).toBe(200)
    expect(asOwner.adminMembersData.text).toContain(viewer.handle)
    expect(asOwner.adminAuditData.text).toContain(viewer.handle)
    expectAbsent(asOwner, adminPages, [...traces(gone), ...traces(goneHost), ...traces(erased)])
  })

  it('answers the ban and remove forms for a deactivated handle exactly as for an unknown one, changing nothing', async () => {
    const cookie = await signInOverHttp(server.baseUrl, owner.email, owner.password)
    const post = async (intent: string, handle: string) => {
      const res = await fetch(`${server.baseUrl}/c/${slug}/admin/members?_data=${encodeURIComponent('routes/c.$slug.admin.members')}`, {
        method: 'POST',
        headers: { cookie, origin: server.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ intent, handle }),
        redirect: 'manual',
      })
      // Less the form's own values sent back (the handle it was sent).
      const { initialValue: _initialValue, ...body } = (await res.json()) as Record<string, unknown>
      return { status: res.status, body }
    }
    const bansBefore = await rawSql()<{ n: number }[]>`select count(*)::int as n from club_bans`
    for (const intent of ['ban', 'remove']) {
      const unknown = await post(intent, `nobody-${tag}`)
      expect(unknown.status).toBe(404)
      expect(unknown.body).toMatchObject({ status: 'error', error: { '': ['No doctor on Rounds has that handle.'] } })
      for (const hidden of [gone, goneHost]) expect(await post(intent, hidden.handle), `${intent} @${hidden.handle}`).toEqual(unknown)
    }
    const bansAfter = await rawSql()<{ n: number }[]>`select count(*)::int as n from club_bans`
    expect(bansAfter[0].n).toBe(bansBefore[0].n)
    const [stillMember] = await rawSql()<{ n: number }[]>`select count(*)::int as n from club_members where user_id = ${gone.id}`
    expect(stillMember.n).toBe(1)
  })
})
