import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { changeMemberRole, createClub, followClub, inviteToClub, joinClub } from '../../db/clubs'
import { closeDatabase, openDatabase } from '../../db/client'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor, createTalk, viewerOf, type TestDoctor } from '../support/factories'
import { httpClient, signInOverHttp, type HttpPage } from '../support/http-client'

/*
 * Someone invited to a private club who has not joined yet sees what the invitation is about —
 * the club's name, description, cover, member count and the invitation itself — and none of its
 * people: not its owner, admins or members, in the HTML or in any club route's loader data.
 */

const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`
const SECRET = {
  clubName: 'Inviteecheck Night Registrars',
  description: 'Inviteecheck description handover of the sickest patients',
  talk: 'Inviteecheck talk the deteriorating patient at 3 am',
}

const doctor = (name: string, visibility: 'public' | 'private' = 'public') =>
  createDoctor({ name, profile: { handle: `${name.toLowerCase().replace(/[^a-z]+/g, '-')}-${tag}`, visibility } })

let server: AppServer
let owner: TestDoctor
let admin: TestDoctor
let member: TestDoctor
let invitee: TestDoctor
let slug: string
let clubId: string

/** Every club route, as HTML and as its own loader's data (`?_data=`). */
const clubPages = () => {
  const c = `/c/${slug}`
  return {
    club: [c],
    layoutData: [c, 'routes/c.$slug'],
    indexData: [c, 'routes/c.$slug._index'],
    members: [`${c}/members`],
    membersLayoutData: [`${c}/members`, 'routes/c.$slug'],
    membersData: [`${c}/members`, 'routes/c.$slug.members'],
    followers: [`${c}/followers`],
    followersData: [`${c}/followers`, 'routes/c.$slug.followers'],
    admin: [`${c}/admin`],
    adminData: [`${c}/admin`, 'routes/c.$slug.admin'],
    adminMembers: [`${c}/admin/members`],
    adminMembersData: [`${c}/admin/members`, 'routes/c.$slug.admin.members'],
    adminInvites: [`${c}/admin/invites`],
    adminInvitesData: [`${c}/admin/invites`, 'routes/c.$slug.admin.invites'],
    adminSettings: [`${c}/admin/settings`],
    adminSettingsData: [`${c}/admin/settings`, 'routes/c.$slug.admin.settings'],
    adminAudit: [`${c}/admin/audit`],
    adminAuditData: [`${c}/admin/audit`, 'routes/c.$slug.admin.audit'],
    newTalk: [`${c}/talks/new`],
    newTalkData: [`${c}/talks/new`, 'routes/c.$slug.talks.new'],
    newQuiz: [`${c}/quizzes/new`],
    newQuizData: [`${c}/quizzes/new`, 'routes/c.$slug.quizzes.new'],
  } satisfies Record<string, [string] | [string, string]>
}
type PageKey = keyof ReturnType<typeof clubPages>

async function look(who: TestDoctor): Promise<Record<PageKey, HttpPage>> {
  const http = httpClient(server.baseUrl, await signInOverHttp(server.baseUrl, who.email, who.password))
  const wanted = Object.entries(clubPages()) as [PageKey, [string] | [string, string]][]
  const pages = await Promise.all(wanted.map(([, [path, routeId]]) => (routeId ? http.loaderData(path, routeId) : http.get(path))))
  return Object.fromEntries(wanted.map(([key], i) => [key, pages[i]])) as Record<PageKey, HttpPage>
}

let asInvitee: Record<PageKey, HttpPage>
let asMember: Record<PageKey, HttpPage>

beforeAll(async () => {
  server = await startAppServer()
  // As in the leak matrix: the fixture has to live in the server's database.
  await closeDatabase()
  await openDatabase({ url: server.databaseUrl, runMigrations: false, maxConnections: 5 })
  ;[owner, admin, member, invitee] = await Promise.all([
    doctor('Dr Orla Inviteecheck Owner'),
    doctor('Dr Arun Inviteecheck Admin'),
    doctor('Dr Maya Inviteecheck Member'),
    doctor('Dr Ivo Inviteecheck Invitee'),
  ])
  slug = `inviteecheck-${tag}`.slice(0, 40)
  const club = await createClub(viewerOf(owner), {
    name: SECRET.clubName,
    slug,
    description: SECRET.description,
    specialities: ['Anaesthetics'],
    visibility: 'private',
  })
  clubId = club.id
  for (const person of [admin, member]) {
    await inviteToClub(viewerOf(owner), slug, person.handle)
    await joinClub(viewerOf(person), slug)
    await followClub(viewerOf(person), slug)
  }
  await changeMemberRole(viewerOf(owner), slug, admin.handle, 'admin')
  await createTalk({ clubId: club.id, hostId: owner.id, title: SECRET.talk })
  await inviteToClub(viewerOf(admin), slug, invitee.handle)
  ;[asInvitee, asMember] = await Promise.all([look(invitee), look(member)])
}, 240_000)

afterAll(async () => {
  await closeDatabase()
  await server?.stop()
}, 60_000)

const people = () => [owner, admin, member].flatMap((d) => [d.name, d.handle, d.id])

function json<T>(page: HttpPage): T {
  expect(page.headers.get('content-type'), page.text.slice(0, 200)).toContain('application/json')
  return JSON.parse(page.text) as T
}

type LayoutData = { page: { club: Record<string, unknown>; invited: boolean; role: string | null } }

describe('an invited non-member of a private club', () => {
  it('sees the club, its member count and the invitation', () => {
    expect(asInvitee.club.status).toBe(200)
    for (const text of [SECRET.clubName, SECRET.description, 'You are invited to join this club.', '3 members']) {
      expect(asInvitee.club.text).toContain(text)
    }
    const { page } = json<LayoutData>(asInvitee.layoutData)
    expect(page).toMatchObject({ invited: true, role: null, club: { name: SECRET.clubName, memberCount: 3, ownerHandle: null } })
    expect(json<{ seesInside: boolean; members: unknown }>(asInvitee.indexData)).toMatchObject({ seesInside: false, members: null })
  })

  it.each(Object.keys(clubPages()) as PageKey[])('finds no one of its people in %s', (key) => {
    const page = asInvitee[key]
    // The club's own pages answer; its people pages and its admin pages refuse, the way they do for any non-member.
    expect([200, 403, 404], `${key}: ${page.status}`).toContain(page.status)
    for (const secret of [...people(), SECRET.talk]) expect(page.text, `${key} (${page.status}) leaks "${secret}"`).not.toContain(secret)
  })

  it('answers the people pages as for anyone outside the club, and the admin pages as for any non-admin', () => {
    for (const key of ['members', 'membersData', 'followers', 'followersData'] as const) expect(asInvitee[key].status, key).toBe(404)
    const adminPages = ['admin', 'adminData', 'adminMembers', 'adminMembersData', 'adminInvites', 'adminInvitesData'] as const
    const moreAdminPages = ['adminSettings', 'adminSettingsData', 'adminAudit', 'adminAuditData'] as const
    for (const key of [...adminPages, ...moreAdminPages, 'newTalk', 'newTalkData'] as const) expect(asInvitee[key].status, key).toBe(403)
  })
})

describe('a member of the same club', () => {
  it('sees its people, owner included: the fixture holds what the invitee must not see', () => {
    const { page } = json<LayoutData>(asMember.layoutData)
    expect(page.club.ownerHandle).toBe(owner.handle)
    for (const name of [owner.name, admin.name]) expect(asMember.members.text).toContain(name)
    expect(asMember.club.text).toContain(SECRET.talk)
    expect(clubId).toMatch(/^[0-9a-f-]{36}$/)
  })
})
