import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  changeMemberRole,
  createInviteLink,
  createClub,
  followClub,
  inviteToClub,
  joinClub,
  removeMember,
  revokeInviteLink,
} from '../../db/clubs'
import { closeDatabase, openDatabase } from '../../db/client'
import { blockPerson } from '../../db/blocks'
import { followUser, respondToFollowRequest } from '../../db/follows'
import { setRsvp } from '../../db/talks'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor, createTalk, viewerOf, type ProfileFields, type TestDoctor } from '../support/factories'
import { enterClubRoom, httpClient, signInOverHttp, type HttpPage, type RoomEntry } from '../support/http-client'

/*
 * The leak matrix: every kind of viewer against every place a private profile or
 * a private club could show, through the real server (HTML and loader JSON, and
 * the socket), so a rule kept in db/ but bypassed by a route still fails here.
 *
 * A deny cell checks the status and that none of the distinctive strings of the
 * hidden thing appear anywhere in the answer; an allow cell checks they do, so
 * the deny checks cannot pass on a fixture that silently failed to build.
 */

// ---------------------------------------------------------------- the matrix

const VIEWERS = [
  'anonymous',
  'stranger',
  'pendingFollower',
  'approvedFollower',
  'clubMember',
  'validLinkHolder',
  'revokedLinkHolder',
  'clubAdmin',
  'removedMember',
  'bannedMember',
  'blocked',
  'blocker',
] as const
type ViewerKey = (typeof VIEWERS)[number]

const RESOURCES = [
  'basicCard', // /u/P: name, photo, speciality
  'fullProfile', // /u/P: bio, city, interests (the registration number: its owner only, so never here)
  'followers', // /u/P/followers
  'following', // /u/P/following
  'inOthersList', // P in /u/Q/followers, Q public
  'clubPage', // /c/C and its loaders
  'clubMembers', // /c/C/members
  'clubTalk', // /t/<a talk in C>
  'listing', // C in /clubs and on /
  'feed', // C's talks on / (feed, or the landing page for visitors)
  'recommended', // C among recommended clubs
  'shareTags', // og:/twitter: tags of /u/P and /c/C: allow would mean they describe them
  'inviteValid', // /join/<active link>: what the holder sees before joining
  'inviteRevoked', // /join/<revoked link>
  'socketRoom', // club:enter C over Socket.io
] as const
type ResourceKey = (typeof RESOURCES)[number]

/** allow: shown in full. deny: nothing of it. partial: the list is shown, people with private profiles left out. */
type Cell = 'allow' | 'deny' | 'partial'
// One cell per resource, in RESOURCES order; a row with a cell missing or extra does not compile.
type CellsFor<T extends readonly unknown[]> = { -readonly [K in keyof T]: Cell }
type Row = CellsFor<typeof RESOURCES>

const row = (...cells: Row) => Object.fromEntries(RESOURCES.map((r, i) => [r, cells[i]])) as Record<ResourceKey, Cell>

// Aligned by hand so each column reads top to bottom.
const MATRIX: Record<ViewerKey, Record<ResourceKey, Cell>> = {
  //                     basicCard fullProfile followers following inOthersList clubPage clubMembers clubTalk listing  feed     recommended shareTags inviteValid inviteRevoked socketRoom
  anonymous:         row('allow',  'deny',     'deny',   'deny',   'deny',      'deny',  'deny',     'deny',  'deny',  'deny',  'deny',     'deny',   'allow',    'deny',       'deny'),
  stranger:          row('allow',  'deny',     'deny',   'deny',   'partial',   'deny',  'deny',     'deny',  'deny',  'deny',  'deny',     'deny',   'allow',    'deny',       'deny'),
  pendingFollower:   row('allow',  'deny',     'deny',   'deny',   'partial',   'deny',  'deny',     'deny',  'deny',  'deny',  'deny',     'deny',   'allow',    'deny',       'deny'),
  approvedFollower:  row('allow',  'allow',    'allow',  'allow',  'allow',     'deny',  'deny',     'deny',  'deny',  'deny',  'deny',     'deny',   'allow',    'deny',       'deny'),
  clubMember:        row('allow',  'deny',     'deny',   'deny',   'partial',   'allow', 'partial',  'allow', 'allow', 'allow', 'deny',     'deny',   'allow',    'allow',      'allow'),
  validLinkHolder:   row('allow',  'deny',     'deny',   'deny',   'partial',   'deny',  'deny',     'deny',  'deny',  'deny',  'deny',     'deny',   'allow',    'deny',       'deny'),
  revokedLinkHolder: row('allow',  'deny',     'deny',   'deny',   'partial',   'deny',  'deny',     'deny',  'deny',  'deny',  'deny',     'deny',   'allow',    'deny',       'deny'),
  clubAdmin:         row('allow',  'deny',     'deny',   'deny',   'partial',   'allow', 'allow',    'allow', 'allow', 'allow', 'deny',     'deny',   'allow',    'allow',      'allow'),
  removedMember:     row('allow',  'deny',     'deny',   'deny',   'partial',   'deny',  'deny',     'deny',  'deny',  'deny',  'deny',     'deny',   'allow',    'deny',       'deny'),
  bannedMember:      row('allow',  'deny',     'deny',   'deny',   'partial',   'deny',  'deny',     'deny',  'deny',  'deny',  'deny',     'deny',   'deny',     'deny',       'deny'),
  blocked:           row('deny',   'deny',     'deny',   'deny',   'deny',      'deny',  'deny',     'deny',  'deny',  'deny',  'deny',     'deny',   'allow',    'deny',       'deny'),
  blocker:           row('deny',   'deny',     'deny',   'deny',   'deny',      'deny',  'deny',     'deny',  'deny',  'deny',  'deny',     'deny',   'allow',    'deny',       'deny'),
}
// Notes on the less obvious cells:
//  - inviteValid is "this viewer opens the active link": the token is the permission, so anyone
//    holding it sees the preview (members see it as "already a member"), except a banned member.
//  - inviteRevoked: a member reopening an old link is sent on to their club; everyone else gets 410,
//    except a banned member, who gets 403 on either link ("removed you from this club"), no details.
//  - A link holder sees C only through /join/<token>: /c/C stays 404 until they join.
//  - A removed member (not banned) may rejoin with a valid link, so the preview is theirs to see.
//  - blocked (P blocked them, after they asked to follow) and blocker (they blocked P, having been
//    an approved follower): P does not exist for them, as a deactivated account for a stranger —
//    the profile and its lists are 404, and P is neither named nor counted in Q's followers.

// ---------------------------------------------------------------- the fixture

const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`

// Distinctive strings: plain words, so HTML escaping cannot hide a leak from `toContain`.
const SECRET = {
  bio: 'Leakcheck bio runs the Wednesday vitiligo clinic',
  city: 'Leakchecktown',
  interest: 'leakcheck-phototherapy',
  registrationNumber: 'REG-LEAKCHECK-4417',
  clubName: 'Leakcheck Quiet Circle',
  clubDescription: 'Leakcheck description morbidity review for the night team',
  upcomingTalk: 'Leakcheck upcoming talk the missed ectopic',
  pastTalk: 'Leakcheck past talk a difficult airway at night',
}

const GENERIC_SHARE = new Set(['Rounds', 'Clubs, live talks, case discussions and quizzes for doctors.', 'website', 'summary'])

type Fixture = {
  P: TestDoctor
  Q: TestDoctor
  /** Approved followers that are not viewers: OF of P, QF of Q. Both public. */
  OF: TestDoctor
  QF: TestDoctor
  owner: TestDoctor
  /** A second member with a private profile, followed by no viewer. */
  quietMember: TestDoctor
  club: { id: string; slug: string }
  talks: { upcoming: string; past: string }
  tokens: { valid: string; revoked: string }
  viewers: Record<Exclude<ViewerKey, 'anonymous'>, TestDoctor>
}

const doctor = (name: string, visibility: 'public' | 'private', extra: ProfileFields = {}) =>
  createDoctor({
    name,
    profile: { handle: `${name.toLowerCase().replace(/[^a-z]+/g, '-')}-${tag}`, speciality: 'Dermatology', visibility, ...extra },
  })

async function buildFixture(): Promise<Fixture> {
  const [P, Q, OF, QF, owner, quietMember] = await Promise.all([
    doctor('Dr Petra Leakcheck Private', 'private', {
      bio: SECRET.bio,
      city: SECRET.city,
      interests: [SECRET.interest],
      registrationNumber: SECRET.registrationNumber,
    }),
    doctor('Dr Quentin Leakcheck Public', 'public'),
    doctor('Dr Olive Leakcheck Follower', 'public'),
    doctor('Dr Quinn Leakcheck Fan', 'public'),
    doctor('Dr Oscar Leakcheck Owner', 'public'),
    doctor('Dr Mira Leakcheck Quiet', 'private'),
  ])
  const names: Record<Exclude<ViewerKey, 'anonymous'>, [string, 'public' | 'private']> = {
    stranger: ['Dr Sam Leakcheck Stranger', 'public'],
    pendingFollower: ['Dr Penny Leakcheck Pending', 'public'],
    approvedFollower: ['Dr Abel Leakcheck Approved', 'private'],
    clubMember: ['Dr Mona Leakcheck Member', 'private'],
    validLinkHolder: ['Dr Lina Leakcheck Holder', 'public'],
    revokedLinkHolder: ['Dr Rory Leakcheck Revoked', 'public'],
    clubAdmin: ['Dr Ada Leakcheck Admin', 'public'],
    removedMember: ['Dr Remy Leakcheck Removed', 'public'],
    bannedMember: ['Dr Bea Leakcheck Banned', 'public'],
    blocked: ['Dr Blake Leakcheck Blocked', 'public'],
    blocker: ['Dr Bram Leakcheck Blocker', 'public'],
  }
  const made = await Promise.all(Object.values(names).map(([name, visibility]) => doctor(name, visibility)))
  const viewers = Object.fromEntries(Object.keys(names).map((key, i) => [key, made[i]])) as Fixture['viewers']
  const v = viewers

  // P's followers: two approved (one a viewer), one pending. P follows Q; Q has a public fan too.
  await followUser(viewerOf(v.approvedFollower), P.handle)
  await followUser(viewerOf(OF), P.handle)
  await followUser(viewerOf(v.pendingFollower), P.handle)
  await respondToFollowRequest(viewerOf(P), v.approvedFollower.handle, true)
  await respondToFollowRequest(viewerOf(P), OF.handle, true)
  await followUser(viewerOf(P), Q.handle)
  await followUser(viewerOf(QF), Q.handle)
  // A stranger following the host must still not get the private club's talks in their feed.
  await followUser(viewerOf(v.stranger), owner.handle)
  // Blocks, each way, over follows they end: a request to P, and an approved follow of P.
  await followUser(viewerOf(v.blocked), P.handle)
  await blockPerson(viewerOf(P), v.blocked.handle)
  await followUser(viewerOf(v.blocker), P.handle)
  await respondToFollowRequest(viewerOf(P), v.blocker.handle, true)
  await blockPerson(viewerOf(v.blocker), P.handle)

  // C, private, in the viewers' own speciality so it would top their recommendations if it leaked.
  const slug = `leakcheck-circle-${tag}`.slice(0, 40)
  const club = await createClub(viewerOf(owner), {
    name: SECRET.clubName,
    slug,
    description: SECRET.clubDescription,
    specialities: ['Dermatology'],
    visibility: 'private',
  })
  for (const member of [v.clubAdmin, v.clubMember, quietMember, v.removedMember, v.bannedMember]) {
    await inviteToClub(viewerOf(owner), slug, member.handle)
    await joinClub(viewerOf(member), slug)
  }
  await changeMemberRole(viewerOf(owner), slug, v.clubAdmin.handle, 'admin')
  // Following survives removal (only a ban drops it): the feed must still keep C's talks from them.
  await followClub(viewerOf(v.removedMember), slug)
  await removeMember(viewerOf(owner), slug, v.removedMember.handle, { ban: false })
  await removeMember(viewerOf(owner), slug, v.bannedMember.handle, { ban: true })

  const upcoming = await createTalk({ clubId: club.id, hostId: owner.id, title: SECRET.upcomingTalk })
  const past = await createTalk({
    clubId: club.id,
    hostId: owner.id,
    title: SECRET.pastTalk,
    status: 'ended',
    startsAt: new Date(Date.now() - 2 * 24 * 60 * 60 * 1000),
  })
  // People going make a talk trend: it must trend only for those who may see it.
  await setRsvp(viewerOf(v.clubMember), upcoming.id, true)
  await setRsvp(viewerOf(v.clubAdmin), upcoming.id, true)

  const valid = await createInviteLink(viewerOf(owner), slug, { expiresAt: null, maxUses: null })
  const revoked = await createInviteLink(viewerOf(owner), slug, { expiresAt: null, maxUses: null })
  await revokeInviteLink(viewerOf(owner), slug, revoked.id)

  return {
    P,
    Q,
    OF,
    QF,
    owner,
    quietMember,
    club: { id: club.id, slug },
    talks: { upcoming: upcoming.id, past: past.id },
    tokens: { valid: valid.token, revoked: revoked.token },
    viewers,
  }
}

// ---------------------------------------------------------------- what each viewer gets back

/** Every page and loader the matrix reads: [path, route id for `?_data=`, or none for the HTML]. */
function pagesOf(f: Fixture) {
  const c = `/c/${f.club.slug}`
  return {
    profile: [`/u/${f.P.handle}`],
    profileData: [`/u/${f.P.handle}`, 'routes/u.$handle'],
    followers: [`/u/${f.P.handle}/followers`],
    followersData: [`/u/${f.P.handle}/followers`, 'routes/u.$handle.followers'],
    following: [`/u/${f.P.handle}/following`],
    followingData: [`/u/${f.P.handle}/following`, 'routes/u.$handle.following'],
    qFollowers: [`/u/${f.Q.handle}/followers`],
    qFollowersData: [`/u/${f.Q.handle}/followers`, 'routes/u.$handle.followers'],
    club: [c],
    clubLayoutData: [c, 'routes/c.$slug'],
    clubIndexData: [c, 'routes/c.$slug._index'],
    members: [`${c}/members`],
    membersData: [`${c}/members`, 'routes/c.$slug.members'],
    clubFollowers: [`${c}/followers`],
    clubFollowersData: [`${c}/followers`, 'routes/c.$slug.followers'],
    clubAdminPage: [`${c}/admin/invites`],
    clubAdminIndex: [`${c}/admin`],
    talk: [`/t/${f.talks.upcoming}`],
    talkData: [`/t/${f.talks.upcoming}`, 'routes/t.$id'],
    pastTalk: [`/t/${f.talks.past}`],
    talkCalendar: [`/t/${f.talks.upcoming}.ics`],
    clubs: ['/clubs'],
    clubsData: ['/clubs', 'routes/clubs._index'],
    home: ['/'],
    homeData: ['/', 'routes/_index'],
    joinValid: [`/join/${f.tokens.valid}`],
    joinValidData: [`/join/${f.tokens.valid}`, 'routes/join.$token'],
    joinRevoked: [`/join/${f.tokens.revoked}`],
    joinRevokedData: [`/join/${f.tokens.revoked}`, 'routes/join.$token'],
  } satisfies Record<string, [string] | [string, string]>
}
type PageKey = keyof ReturnType<typeof pagesOf>

type Seen = {
  /** The viewer's own name and handle: the header shows them on every page they load. */
  self: TestDoctor | null
  pages: Record<PageKey, HttpPage>
  room: RoomEntry
}

let server: AppServer
let f: Fixture
const seen = {} as Record<ViewerKey, Seen>

/** Signs the viewer in and enters the club's socket room. */
async function enter(viewer: ViewerKey) {
  const self = viewer === 'anonymous' ? null : f.viewers[viewer]
  const cookie = self ? await signInOverHttp(server.baseUrl, self.email, self.password) : null
  return { self, cookie, room: await enterClubRoom(server.baseUrl, cookie, f.club.id) }
}

async function look({ self, cookie, room }: Awaited<ReturnType<typeof enter>>): Promise<Seen> {
  const http = httpClient(server.baseUrl, cookie)
  const wanted = Object.entries(pagesOf(f)) as [PageKey, [string] | [string, string]][]
  const pages = await Promise.all(wanted.map(([, [path, routeId]]) => (routeId ? http.loaderData(path, routeId) : http.get(path))))
  return { self, room, pages: Object.fromEntries(wanted.map(([key], i) => [key, pages[i]])) as Seen['pages'] }
}

beforeAll(async () => {
  server = await startAppServer()
  // The unit harness (tests/support/setup-db.ts) opened this file's own database; the fixture
  // has to live in the server's. db/client.ts holds one connection per process, so close the
  // harness's and open the server's: the data-layer functions and factories then write there.
  // The harness's afterAll closes whatever is open and drops its own (now idle) database.
  await closeDatabase()
  await openDatabase({ url: server.databaseUrl, runMigrations: false, maxConnections: 5 })
  f = await buildFixture()
  // Every socket room is entered before any page loads: behind some 300 page loads at once, a
  // handshake could outlast its timeout on a busy machine and read as a refusal.
  const entered = await Promise.all(VIEWERS.map(enter))
  const results = await Promise.all(entered.map(look))
  VIEWERS.forEach((viewer, i) => (seen[viewer] = results[i]))
}, 240_000)

afterAll(async () => {
  await closeDatabase()
  await server?.stop()
}, 60_000)

// ---------------------------------------------------------------- checks

function json<T = Record<string, unknown>>(page: HttpPage): T {
  expect(page.headers.get('content-type'), `a JSON answer, not: ${page.text.slice(0, 200)}`).toContain('application/json')
  return JSON.parse(page.text) as T
}

/** None of the strings anywhere in the answers; the viewer's own name is theirs to see in the header. */
function expectNone(s: Seen, pages: PageKey[], secrets: string[]) {
  const hidden = secrets.filter((x) => x !== s.self?.name && x !== s.self?.handle)
  for (const key of pages) {
    for (const secret of hidden) expect(s.pages[key].text, `${key} (${s.pages[key].status}) leaks "${secret}"`).not.toContain(secret)
  }
}

function expectAll(s: Seen, pages: PageKey[], shown: string[]) {
  for (const key of pages) {
    for (const x of shown) expect(s.pages[key].text, `${key} (${s.pages[key].status}) should show "${x}"`).toContain(x)
  }
}

function expectStatus(s: Seen, pages: PageKey[], status: number) {
  for (const key of pages) expect(s.pages[key].status, `${key}: ${s.pages[key].text.slice(0, 200)}`).toBe(status)
}

/** The `<meta>` tags and `<title>` of a document, as [name or property, content]. */
function metaTags(html: string): [string, string][] {
  const head = html.slice(0, html.indexOf('</head>'))
  const tags = [...head.matchAll(/<meta\s+([^>]*?)\/?>/g)].map((m) => {
    const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m[1])?.[1]
    return [attr('property') ?? attr('name') ?? '', attr('content') ?? ''] as [string, string]
  })
  const title = /<title>([^<]*)<\/title>/.exec(head)?.[1] ?? ''
  return [...tags.filter(([key]) => key !== ''), ['title', title]]
}

const clubSecrets = () => [SECRET.clubName, SECRET.clubDescription, SECRET.upcomingTalk, SECRET.pastTalk]
const clubPeople = () => [f.owner.name, f.viewers.clubAdmin.name, f.viewers.clubMember.name, f.quietMember.name]
const formerMembers = () => [f.viewers.removedMember.name, f.viewers.bannedMember.name]
const pSecrets = () => [SECRET.bio, SECRET.city, SECRET.interest, SECRET.registrationNumber, f.P.email]
/** A block either way: P does not exist for this viewer. */
const pGone = (s: Seen) => s.self === f.viewers.blocked || s.self === f.viewers.blocker

type Check = (s: Seen, cell: Cell) => void

const CHECKS: Record<ResourceKey, Check> = {
  basicCard(s, cell) {
    expect(cell === 'deny').toBe(pGone(s))
    if (cell === 'deny') {
      // Not found, as for a handle no one has: not even the basic card.
      expectStatus(s, ['profile', 'profileData'], 404)
      expectNone(s, ['profile', 'profileData'], [f.P.name, ...pSecrets()])
      return
    }
    expectStatus(s, ['profile', 'profileData'], 200)
    expectAll(s, ['profile', 'profileData'], [f.P.name, 'Dermatology'])
    const data = json<{ view: { kind: string; profile: { handle: string } } }>(s.pages.profileData)
    expect(data.view.profile.handle).toBe(f.P.handle)
  },

  fullProfile(s, cell) {
    // The registration number and email are the owner's alone, whoever else asks.
    expectNone(s, ['profile', 'profileData'], [SECRET.registrationNumber, f.P.email])
    if (pGone(s)) {
      expect(cell).toBe('deny')
      expectStatus(s, ['profile', 'profileData'], 404)
      expectNone(s, ['profile', 'profileData'], pSecrets())
      return
    }
    const data = json<{ view: { kind: string }; counts: unknown }>(s.pages.profileData)
    if (cell === 'allow') {
      expect(data.view.kind).toBe('full')
      expectAll(s, ['profile', 'profileData'], [SECRET.bio, SECRET.city, SECRET.interest])
    } else {
      expect(data.view.kind).toBe('card')
      expect(data.counts).toBeNull()
      expectNone(s, ['profile', 'profileData'], pSecrets())
    }
  },

  followers(s, cell) {
    const pages: PageKey[] = ['followers', 'followersData']
    // A pending request is never a follower, for anyone but P.
    expectNone(s, pages, [f.viewers.pendingFollower.name])
    if (cell === 'allow') {
      expectStatus(s, pages, 200)
      expectAll(s, pages, [f.OF.name])
    } else if (pGone(s)) {
      expectStatus(s, pages, 404)
      expectNone(s, pages, [f.OF.name, f.viewers.approvedFollower.name, f.P.name, ...pSecrets()])
    } else {
      expectStatus(s, pages, s.self ? 403 : 401)
      expect(json(s.pages.followersData)).toMatchObject({ list: null })
      expectNone(s, pages, [f.OF.name, f.viewers.approvedFollower.name, ...pSecrets()])
    }
  },

  following(s, cell) {
    const pages: PageKey[] = ['following', 'followingData']
    if (cell === 'allow') {
      expectStatus(s, pages, 200)
      expectAll(s, pages, [f.Q.name])
    } else if (pGone(s)) {
      expectStatus(s, pages, 404)
      expectNone(s, pages, [f.Q.name, f.Q.handle, f.P.name, ...pSecrets()])
    } else {
      expectStatus(s, pages, s.self ? 403 : 401)
      expect(json(s.pages.followingData)).toMatchObject({ list: null })
      expectNone(s, pages, [f.Q.name, f.Q.handle, ...pSecrets()])
    }
  },

  inOthersList(s, cell) {
    const pages: PageKey[] = ['qFollowers', 'qFollowersData']
    if (pGone(s)) {
      // Q's list opens, without P: not named, not counted among the hidden.
      expect(cell).toBe('deny')
      expectStatus(s, pages, 200)
      expectAll(s, pages, [f.QF.name])
      expectNone(s, pages, [f.P.name, f.P.handle])
      expect(json<{ list: { hiddenCount: number; total: number } }>(s.pages.qFollowersData).list).toMatchObject({ total: 1, hiddenCount: 0 })
      return
    }
    if (cell === 'deny') {
      // Visitors see no one's lists, public or not.
      expectStatus(s, pages, 401)
      expectNone(s, pages, [f.P.name, f.P.handle, f.QF.name])
      return
    }
    expectStatus(s, pages, 200)
    expectAll(s, pages, [f.QF.name])
    const { list } = json<{ list: { hiddenCount: number; total: number } }>(s.pages.qFollowersData)
    expect(list.total).toBe(2)
    if (cell === 'allow') {
      expectAll(s, pages, [f.P.name])
      expect(list.hiddenCount).toBe(0)
    } else {
      expectNone(s, pages, [f.P.name, f.P.handle])
      expect(list.hiddenCount).toBe(1)
    }
  },

  clubPage(s, cell) {
    const pages: PageKey[] = ['club', 'clubLayoutData', 'clubIndexData']
    if (cell === 'allow') {
      expectStatus(s, pages, 200)
      expectAll(s, ['club', 'clubIndexData'], [SECRET.clubName, SECRET.clubDescription, SECRET.upcomingTalk, SECRET.pastTalk])
      expect(json(s.pages.clubIndexData)).toMatchObject({ seesInside: true })
      expectNone(s, pages, formerMembers())
    } else {
      // 404, exactly as for a club that does not exist: not even "it exists but is private".
      expectStatus(s, pages, 404)
      expectNone(s, pages, [...clubSecrets(), ...clubPeople(), ...formerMembers(), f.club.id])
    }
    // The admin's invitations page holds the invite links: only the club's admins open it, or
    // the admin's own address, which leads an admin on to its first section.
    const admin = s.pages.clubAdminPage
    const adminPages: PageKey[] = ['clubAdminPage', 'clubAdminIndex']
    if (s.self === f.viewers.clubAdmin) {
      expect(admin.status).toBe(200)
      expect(admin.text).toContain(f.tokens.valid)
      expect(s.pages.clubAdminIndex.status).toBe(302)
      expect(s.pages.clubAdminIndex.headers.get('location')).toBe(`/c/${f.club.slug}/admin/members`)
    } else {
      for (const key of adminPages) expect(s.pages[key].status, key).toBe(!s.self ? 302 : cell === 'allow' ? 403 : 404)
      expectNone(s, adminPages, [f.tokens.valid, f.tokens.revoked, ...(cell === 'allow' ? [] : [...clubSecrets(), ...clubPeople()])])
    }
  },

  clubMembers(s, cell) {
    const pages: PageKey[] = ['members', 'membersData']
    const followers: PageKey[] = ['clubFollowers', 'clubFollowersData']
    if (cell === 'deny') {
      expectStatus(s, [...pages, ...followers], 404)
      expectNone(s, [...pages, ...followers], [...clubSecrets(), ...clubPeople(), ...formerMembers()])
      return
    }
    expectStatus(s, [...pages, ...followers], 200)
    expectNone(s, pages, formerMembers())
    const { list } = json<{ list: { people: { handle: string }[]; hiddenCount: number; total: number } }>(s.pages.membersData)
    const handles = list.people.map((p) => p.handle).sort()
    expect(list.total).toBe(4)
    if (cell === 'allow') {
      // Admins manage membership, so they see every member, private profiles included.
      expect(handles).toEqual([f.owner, f.viewers.clubAdmin, f.viewers.clubMember, f.quietMember].map((d) => d.handle).sort())
      expectAll(s, pages, clubPeople())
      expect(list.hiddenCount).toBe(0)
    } else {
      // A member sees public profiles and themselves; the other private member is a count.
      expect(handles).toEqual([f.owner, f.viewers.clubAdmin, s.self!].map((d) => d.handle).sort())
      expectNone(s, pages, [f.quietMember.name, f.quietMember.handle])
      expect(list.hiddenCount).toBe(1)
    }
  },

  clubTalk(s, cell) {
    const pages: PageKey[] = ['talk', 'talkData', 'pastTalk', 'talkCalendar']
    if (cell === 'allow') {
      expectStatus(s, pages, 200)
      expectAll(s, ['talk', 'talkData'], [SECRET.upcomingTalk])
      expectAll(s, ['pastTalk'], [SECRET.pastTalk])
      expectAll(s, ['talkCalendar'], ['BEGIN:VEVENT', SECRET.upcomingTalk])
    } else {
      expectStatus(s, pages, 404)
      expectNone(s, pages, [...clubSecrets(), f.club.slug, ...clubPeople()])
    }
  },

  listing(s, cell) {
    const clubs = json<{ mine: { id: string }[]; directory: { id: string }[] }>(s.pages.clubsData)
    // Never in the public directory, whoever looks.
    expect(clubs.directory.map((c) => c.id)).not.toContain(f.club.id)
    if (cell === 'allow') {
      expect(clubs.mine.map((c) => c.id)).toContain(f.club.id)
      expectAll(s, ['clubs', 'clubsData'], [SECRET.clubName, f.club.slug])
    } else {
      expect(clubs.mine.map((c) => c.id)).not.toContain(f.club.id)
      expectNone(s, ['clubs', 'clubsData', 'home', 'homeData'], [SECRET.clubName, SECRET.clubDescription, f.club.slug, f.club.id])
    }
  },

  feed(s, cell) {
    expectStatus(s, ['home', 'homeData'], 200)
    const data = json<{ kind: string; feed?: { upcoming: { id: string }[] } }>(s.pages.homeData)
    expect(data.kind).toBe(s.self ? 'feed' : 'landing')
    if (cell === 'allow') {
      expect(data.feed!.upcoming.map((t) => t.id)).toContain(f.talks.upcoming)
      expectAll(s, ['home', 'homeData'], [SECRET.upcomingTalk, SECRET.clubName])
    } else {
      expectNone(s, ['home', 'homeData'], [...clubSecrets(), f.club.slug, f.talks.upcoming, f.talks.past])
    }
  },

  recommended(s, cell) {
    expect(cell).toBe('deny')
    const data = json<{ kind: string; feed?: { recommendedClubs: { id: string }[] } }>(s.pages.homeData)
    if (!data.feed) {
      expect(data.kind).toBe('landing')
      expectNone(s, ['home', 'homeData'], [SECRET.clubName, f.club.slug])
      return
    }
    const ids = data.feed.recommendedClubs.map((c) => c.id)
    // The feature works (public clubs are suggested), and C is never among them.
    expect(ids.length).toBeGreaterThan(0)
    expect(ids).not.toContain(f.club.id)
    const section = /<section[^>]*data-testid="feed-recommended"[\s\S]*?<\/section>/.exec(s.pages.home.text)?.[0]
    expect(section, 'the recommended section').toBeDefined()
    expect(section).not.toContain(SECRET.clubName)
    expect(section).not.toContain(f.club.slug)
  },

  shareTags(s, cell) {
    expect(cell).toBe('deny')
    for (const key of ['profile', 'club'] as const) {
      const tags = metaTags(s.pages[key].text)
      for (const [name, content] of tags) {
        if (/^(og|twitter):/.test(name)) expect(GENERIC_SHARE, `${key}: ${name}="${content}"`).toContain(content)
        for (const secret of [...pSecrets(), f.P.name, ...clubSecrets()]) {
          expect(content, `${key}: <${name}> leaks "${secret}"`).not.toContain(secret)
        }
      }
      // A page that renders (200) for this viewer still describes nothing in its share tags.
      if (s.pages[key].status === 200) {
        expect(tags).toContainEqual(['og:title', 'Rounds'])
        expect(tags.some(([name]) => name === 'og:url')).toBe(false)
      }
    }
  },

  inviteValid(s, cell) {
    const pages: PageKey[] = ['joinValid', 'joinValidData']
    // Even a preview names no one: the holder sees a count, not the members.
    expectNone(s, pages, [...clubPeople(), ...formerMembers(), SECRET.upcomingTalk, SECRET.pastTalk])
    if (cell === 'allow') {
      expectStatus(s, pages, 200)
      expectAll(s, pages, [SECRET.clubName, SECRET.clubDescription])
      const { preview } = json<{ preview: { alreadyMember: boolean } }>(s.pages.joinValidData)
      expect(preview.alreadyMember).toBe(s.self === f.viewers.clubMember || s.self === f.viewers.clubAdmin)
      // Link previews (share tags) of an invite still say nothing about the club.
      for (const [name, content] of metaTags(s.pages.joinValid.text)) {
        expect(content, `<${name}>`).not.toContain(SECRET.clubName)
        expect(content, `<${name}>`).not.toContain(SECRET.clubDescription)
      }
    } else {
      expectStatus(s, pages, 403)
      expectNone(s, pages, clubSecrets())
      expectAll(s, pages, ['removed you from this club'])
    }
  },

  inviteRevoked(s, cell) {
    const pages: PageKey[] = ['joinRevoked', 'joinRevokedData']
    if (cell === 'allow') {
      expectStatus(s, pages, 200)
      expect(json(s.pages.joinRevokedData)).toMatchObject({ preview: { alreadyMember: true } })
      return
    }
    expectNone(s, pages, [...clubSecrets(), ...clubPeople(), f.club.slug])
    if (s.self === f.viewers.bannedMember) {
      expectStatus(s, pages, 403)
    } else {
      expectStatus(s, pages, 410)
      expectAll(s, pages, ['This invite link has been revoked. Ask the club’s admins for a new one.'])
    }
  },

  socketRoom(s, cell) {
    if (cell === 'allow') {
      expect(s.room).toEqual({ connected: true, ack: { ok: true } })
    } else if (!s.self) {
      expect(s.room).toEqual({ connected: false, error: 'Please sign in to join live rooms.' })
    } else {
      // The same answer as for a club that does not exist.
      expect(s.room).toEqual({ connected: true, ack: { ok: false, error: 'We could not find that club. It may be private.' } })
    }
  },
}

describe.each(VIEWERS)('leak matrix: %s', (viewer) => {
  it.each(RESOURCES.map((resource) => [resource, MATRIX[viewer][resource]] as const))('%s → %s', (resource, cell) => {
    CHECKS[resource](seen[viewer], cell)
  })
})
