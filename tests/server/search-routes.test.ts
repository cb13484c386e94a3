import { randomUUID } from 'node:crypto'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as suggestRoute from '../../app/routes/api.search-suggest'
import * as searchRoute from '../../app/routes/search'
import { db } from '../../db/client'
import { talks } from '../../db/schema/index'
import { useSearchEngine } from '../../server/search/index'
import { createPostgresEngine } from '../../server/search/postgres-engine'
import type { SearchEngine } from '../../server/search/types'
import { addClubMember, createDoctor, createTestClub, setDiscoverable } from '../support/factories'
import { callLoader, signIn, type SignedIn } from '../support/routes'
import { allowConsoleError } from '../support/setup-db'

/*
 * The search page and the suggestions behind the header's search bar, called
 * as the server calls them. The leak cells extend the leak matrix
 * (tests/server/leak-matrix.test.ts) to search: results, counts, suggestions and
 * highlights, for a visitor, a stranger and a member.
 */

const tag = Math.random().toString(36).slice(2, 7)
const SECRET = {
  city: `Leakvale${tag}`,
  interest: `leakinterest${tag}`,
  clubName: `Leakcheck Hush Circle ${tag}`,
  talk: `Leakcheck hush talk ${tag}`,
}

let stranger: SignedIn
let member: SignedIn

beforeAll(async () => {
  await createDoctor({
    name: `Priya Hushwell ${tag}`,
    profile: { handle: `priya-hushwell-${tag}`, speciality: 'Cardiology', city: SECRET.city, interests: [SECRET.interest], visibility: 'private' },
  })
  const optedOut = await createDoctor({ name: `Otto Leakcheck ${tag}`, profile: { handle: `otto-leakcheck-${tag}`, speciality: 'Cardiology', visibility: 'public' } })
  await setDiscoverable(optedOut.id, false)
  const [s, m, owner] = await Promise.all([createDoctor(), createDoctor(), createDoctor()])
  const club = await createTestClub(owner, { name: SECRET.clubName, specialities: ['Cardiology'], visibility: 'private' })
  await addClubMember(club, m)
  await db.insert(talks).values({
    id: randomUUID(),
    clubId: club.id,
    hostId: owner.id,
    title: SECRET.talk,
    startsAt: new Date(Date.now() + 86_400_000),
  })
  stranger = await signIn(s.id)
  member = await signIn(m.id)
})

afterEach(() => useSearchEngine(null))

const text = (data: unknown) => JSON.stringify(data).toLowerCase()
/** The secrets in an answer; a member may see their club's. */
const leaked = (data: unknown, options: { member?: boolean } = {}) =>
  [SECRET.city, SECRET.interest, 'Otto Leakcheck', ...(options.member ? [] : [SECRET.clubName, SECRET.talk])].filter((s) =>
    text(data).includes(s.toLowerCase()),
  )

async function page(query: Record<string, string>, auth: SignedIn | null = stranger) {
  return callLoader(searchRoute, { url: `/search?${new URLSearchParams(query)}`, auth })
}
async function suggest(q: string, auth: SignedIn | null = stranger) {
  return callLoader(suggestRoute, { url: `/api/search-suggest?${new URLSearchParams({ q })}`, auth })
}

describe('search page', () => {
  it('shows groups with counts', async () => {
    const r = await page({ q: 'hushwell' })
    expect(r.status).toBe(200)
    const data = r.data as { ok: true; result: { groups: { doctors: { total: number; hits: { name: string; view: string }[] } } } }
    expect(data.result.groups.doctors.total).toBe(1)
    expect(data.result.groups.doctors.hits[0]).toMatchObject({ name: `Priya Hushwell ${tag}`, view: 'card' })
  })

  it('an empty search asks for words instead of listing everything', async () => {
    const r = await page({})
    expect(r.status).toBe(200)
    expect(r.data).toMatchObject({ ok: true, result: { blank: true, groups: {} } })
  })

  it('a city filter alone narrows to doctors and pages them', async () => {
    const r = await page({ city: 'Nowhere at all' })
    expect(r.data).toMatchObject({ ok: true, single: 'doctors', result: { groups: { doctors: { total: 0 } } } })
  })

  const refused: [string, Record<string, string>, RegExp][] = [
    ['a 10 kB query', { q: 'x'.repeat(10_000) }, /under 200 characters/],
    ['filter syntax as a speciality', { speciality: 'Cardiology" OR 1=1' }, /speciality from the list/],
    ['an unknown group', { in: 'users' }, /doctors, clubs or talks/],
    ['a page that is not a number', { q: 'card', page: 'abc' }, /Pages are numbered/],
    ['a page far out', { q: 'card', page: '99999' }, /beyond page 100/],
    ['an impossible date', { from: '2026-13-45' }, /real start date|YYYY-MM-DD/],
    ['dates the wrong way round', { from: '2026-03-02', to: '2026-03-01' }, /start date must come before/],
    ['an unknown talk type', { type: 'party' }, /talk type/],
  ]
  it.each(refused)('%s → 400 with a message', async (_label, query, message) => {
    const r = await page(query)
    expect(r.status).toBe(400)
    expect(r.data).toMatchObject({ ok: false, message: expect.stringMatching(message) })
  })

  const odd = ["' or 1=1 --", '%_\\', 'speciality = "x" OR 1=1', '🩺❤️', 'طبيب', 'car\u200Bdio', '\u202Eabc', '\u0000\u0001', '((((', 'a:* & !b']
  it.each(odd)('%j → a page, never a 500', async (q) => {
    for (const auth of [null, stranger]) {
      const r = await page({ q }, auth)
      expect(r.status).toBe(200)
      expect(leaked(r.data)).toEqual([])
    }
  })

  it('keeps answering when Meilisearch fails: Postgres stands in and the page says so', async () => {
    allowConsoleError()
    const postgres = createPostgresEngine()
    const broken: SearchEngine = { name: 'meilisearch', apply: async () => {}, search: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:7700')) }
    useSearchEngine(broken)
    const r = await page({ q: 'hushwell' })
    expect(r.status).toBe(200)
    expect(r.data).toMatchObject({ ok: true, result: { engine: 'postgres', degraded: true } })
    const direct = await postgres.search(null, { text: 'hushwell', tokens: ['hushwell'], groups: ['doctors'], filters: {}, page: 1, perPage: 5, sort: 'relevance', now: new Date() })
    expect(direct.groups.doctors!.total).toBe(1)
  })
})

describe('suggestions', () => {
  it('answer as-you-type with up to five per group', async () => {
    const r = await suggest('hush')
    expect(r.status).toBe(200)
    expect(r.headers.get('cache-control')).toBe('private, no-store')
    const data = r.data as { ok: true; groups: { doctors: { hits: { name: string; highlight: { name?: { text: string; match: boolean }[] } }[] } } }
    expect(data.groups.doctors.hits.map((h) => h.name)).toEqual([`Priya Hushwell ${tag}`])
    expect(data.groups.doctors.hits[0].highlight.name).toContainEqual({ text: 'Hush', match: true })
  })

  it('wait for two characters', async () => {
    expect((await suggest('h')).data).toMatchObject({ ok: true, groups: {} })
    expect((await suggest('')).data).toMatchObject({ ok: true, groups: {} })
  })

  it('refuse a 10 kB query with a message', async () => {
    const r = await suggest('y'.repeat(10_240))
    expect(r.status).toBe(400)
    expect(r.data).toMatchObject({ ok: false, error: expect.stringMatching(/under 200 characters/) })
  })

  it.each(["' or 1=1 --", '%_\\', 'visibility = "private"', '🩺 card', '\u200B\u200B'])('%j never fails', async (q) => {
    const r = await suggest(q)
    expect(r.status).toBe(200)
    expect(leaked(r.data)).toEqual([])
  })
})

describe('the leak matrix, for search', () => {
  // viewer × what they search for → may it be found?
  const cells: { what: string; q: string; group: string; visitor: boolean; stranger: boolean; member: boolean }[] = [
    { what: 'a private profile by its city', q: SECRET.city, group: 'doctors', visitor: false, stranger: false, member: false },
    { what: 'a private profile by an interest', q: SECRET.interest, group: 'doctors', visitor: false, stranger: false, member: false },
    { what: 'a doctor who opted out, by name', q: 'Otto Leakcheck', group: 'doctors', visitor: false, stranger: false, member: false },
    { what: 'a private club by name', q: SECRET.clubName, group: 'clubs', visitor: false, stranger: false, member: true },
    { what: 'a private club’s talk by title', q: SECRET.talk, group: 'talks', visitor: false, stranger: false, member: true },
  ]
  for (const cell of cells) {
    for (const who of ['visitor', 'stranger', 'member'] as const) {
      const allowed = cell[who]
      it(`${who}: ${cell.what} — ${allowed ? 'found' : 'nothing'}, in page, counts and suggestions`, async () => {
        const auth = who === 'visitor' ? null : who === 'stranger' ? stranger : member
        const [p, s] = await Promise.all([page({ q: cell.q }, auth), suggest(cell.q, auth)])
        expect(p.status).toBe(200)
        expect(s.status).toBe(200)
        const groups = (p.data as { result: { groups: Record<string, { total: number }> } }).result.groups
        const total = groups[cell.group].total
        const secret = cell.q.toLowerCase()
        if (allowed) {
          expect(total).toBeGreaterThan(0)
          expect(text(p.data)).toContain(secret)
          expect(text(s.data)).toContain(secret)
        } else {
          expect(total).toBe(0)
          // The query itself is echoed back (the form, `query`); nothing else may carry a secret.
          const pageRest = { ...(p.data as object), query: null, form: null }
          const suggestRest = { ...(s.data as object), query: null }
          expect(leaked(pageRest, { member: who === 'member' })).toEqual([])
          expect(leaked(suggestRest, { member: who === 'member' })).toEqual([])
          expect(text(pageRest)).not.toContain(secret)
          expect(text(suggestRest)).not.toContain(secret)
        }
      })
    }
  }

  it('a private profile found by name shows no hidden field, highlight included', async () => {
    for (const auth of [null, stranger, member]) {
      const r = await page({ q: 'Priya Hushwell' }, auth)
      const doctors = (r.data as { result: { groups: { doctors: { hits: Record<string, unknown>[] } } } }).result.groups.doctors
      expect(doctors.hits).toHaveLength(1)
      expect(doctors.hits[0]).toMatchObject({ view: 'card', city: null, interests: [] })
      expect(leaked(r.data, { member: auth === member })).toEqual([])
    }
  })
})
