import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as clubRoute from '../../app/routes/c.$slug._index'
import * as robotsRoute from '../../app/routes/robots[.]txt'
import * as sitemapRoute from '../../app/routes/sitemap[.]xml'
import * as talkRoute from '../../app/routes/t.$id'
import * as profileRoute from '../../app/routes/u.$handle'
import { isPrivatePath } from '../../app/utils/robots'
import { rawSql } from '../../db/client'
import { listSitemapPaths } from '../../db/sitemap'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor, createTalk, createTestClub } from '../support/factories'
import { httpClient, signInOverHttp } from '../support/http-client'
import { callLoader, signIn } from '../support/routes'

type MetaRoute = { meta?: unknown; loader?: (args: never) => unknown }

/** Runs a route's loader as the viewer, then its meta function on the data: does it say noindex? */
async function saysNoindex(route: MetaRoute, url: string, params: Record<string, string>, auth: Awaited<ReturnType<typeof signIn>> | null) {
  const result = await callLoader(route as never, { url, params, auth })
  expect(result.status, url).toBe(200)
  const meta = route.meta as (args: unknown) => Record<string, string>[]
  const tags = meta({ data: result.data, params, location: {}, matches: [] })
  return tags.some((t) => t.name === 'robots' && t.content === 'noindex')
}

const NOINDEX = /<meta name="robots" content="noindex"\/?>/

async function optedOutOfSearch() {
  const doctor = await createDoctor({ profile: { visibility: 'public' } })
  await rawSql()`update profiles set discoverable = false where user_id = ${doctor.id}`
  return doctor
}

describe('which paths are never public', () => {
  it.each([
    '/settings',
    '/settings/sessions',
    '/staff/privacy',
    '/dev/mailbox',
    '/api/search-suggest',
    '/login',
    '/signup',
    '/verify',
    '/search',
    '/clubs/new',
    '/join/abc',
    '/q/123',
    '/c/cardiology/admin',
    '/c/cardiology/admin/settings',
    '/c/cardiology/members',
    '/t/123/live',
    '/u/asha-rao/followers',
  ])('%s is private', (path) => {
    expect(isPrivatePath(path)).toBe(true)
  })

  it.each(['/', '/clubs', '/c/cardiology', '/t/123', '/u/asha-rao', '/privacy', '/u/settings', '/c/members'])('%s is not', (path) => {
    expect(isPrivatePath(path)).toBe(false)
  })
})

describe('robots.txt', () => {
  it('disallows the private parts and points to the sitemap', async () => {
    const result = await callLoader(robotsRoute, { url: '/robots.txt' })
    expect(result.status).toBe(200)
    expect(result.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = result.data as string
    for (const path of ['/settings', '/staff', '/api', '/dev', '/login', '/c/*/members', '/u/*/followers']) {
      expect(text).toContain(`\nDisallow: ${path}\n`)
    }
    expect(text).toMatch(/^User-agent: \*$/m)
    expect(text).toMatch(/^Sitemap: http:\/\/localhost:3000\/sitemap\.xml$/m)
    expect(text).not.toMatch(/^Disallow: \/$/m)
  })
})

describe('sitemap.xml', () => {
  it('lists public clubs, their talks and searchable public profiles, and nothing private or gone', async () => {
    const listed = await createDoctor({ profile: { visibility: 'public' } })
    const privatePerson = await createDoctor({ profile: { visibility: 'private' } })
    const optedOut = await optedOutOfSearch()
    const deactivated = await createDoctor({ profile: { visibility: 'public' } })
    await rawSql()`update users set deactivated_at = now() where id = ${deactivated.id}`
    const unverified = await createDoctor({ profile: { visibility: 'public' }, verified: false })
    const publicClub = await createTestClub(listed)
    const privateClub = await createTestClub(listed, { visibility: 'private' })
    const publicTalk = await createTalk({ clubId: publicClub.id, hostId: listed.id })
    const privateTalk = await createTalk({ clubId: privateClub.id, hostId: listed.id })
    const goneHostsTalk = await createTalk({ clubId: publicClub.id, hostId: deactivated.id })

    const result = await callLoader(sitemapRoute, { url: '/sitemap.xml' })

    expect(result.status).toBe(200)
    expect(result.headers.get('content-type')).toMatch(/^application\/xml/)
    const xml = result.data as string
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/)
    const locs = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1])
    const base = 'http://localhost:3000'
    expect(locs).toContain(`${base}/c/${publicClub.slug}`)
    expect(locs).toContain(`${base}/t/${publicTalk.id}`)
    expect(locs).toContain(`${base}/u/${listed.handle}`)
    for (const hidden of [
      `/c/${privateClub.slug}`,
      `/t/${privateTalk.id}`,
      `/t/${goneHostsTalk.id}`,
      `/u/${privatePerson.handle}`,
      `/u/${optedOut.handle}`,
      `/u/${deactivated.handle}`,
      `/u/${unverified.handle}`,
    ]) {
      expect(locs).not.toContain(`${base}${hidden}`)
      expect(xml).not.toContain(hidden)
    }
    expect(new Set(locs).size).toBe(locs.length)
  })

  it('keeps to the size limit it is given', async () => {
    const doctor = await createDoctor()
    await createTestClub(doctor)
    await createTestClub(doctor)
    expect(await listSitemapPaths(1)).toHaveLength(1)
  })
})

describe('the profile page tells search engines whether to index it', () => {
  const metaOf = async (handle: string) => {
    const result = await callLoader(profileRoute, { url: `/u/${handle}`, params: { handle } })
    expect(result.status).toBe(200)
    const data = result.data as { indexable: boolean }
    const tags = profileRoute.meta({ data, params: { handle }, location: {} as never, matches: [] } as never) as Record<string, string>[]
    return { indexable: data.indexable, noindex: tags.some((t) => t.name === 'robots' && t.content === 'noindex') }
  }

  it('a public profile that allows search may be indexed; private and opted-out ones say noindex', async () => {
    const open = await createDoctor({ profile: { visibility: 'public' } })
    const closed = await createDoctor({ profile: { visibility: 'private' } })
    const optedOut = await optedOutOfSearch()

    expect(await metaOf(open.handle)).toEqual({ indexable: true, noindex: false })
    expect(await metaOf(closed.handle)).toEqual({ indexable: false, noindex: true })
    expect(await metaOf(optedOut.handle)).toEqual({ indexable: false, noindex: true })
  })
})

describe('club and talk pages tell search engines whether to index them', () => {
  it('a public club and its talk may be indexed; a private club and its talk say noindex, even to members', async () => {
    const owner = await createDoctor()
    const auth = await signIn(owner.id)
    const open = await createTestClub(owner)
    const closed = await createTestClub(owner, { visibility: 'private' })
    const openTalk = await createTalk({ clubId: open.id, hostId: owner.id })
    const closedTalk = await createTalk({ clubId: closed.id, hostId: owner.id })

    expect(await saysNoindex(clubRoute, `/c/${open.slug}`, { slug: open.slug }, null)).toBe(false)
    expect(await saysNoindex(clubRoute, `/c/${closed.slug}`, { slug: closed.slug }, auth)).toBe(true)
    expect(await saysNoindex(talkRoute, `/t/${openTalk.id}`, { id: openTalk.id }, null)).toBe(false)
    expect(await saysNoindex(talkRoute, `/t/${closedTalk.id}`, { id: closedTalk.id }, auth)).toBe(true)
  })
})

describe('over HTTP', () => {
  let app: AppServer
  beforeAll(async () => {
    app = await startAppServer()
  }, 240_000)
  afterAll(async () => {
    await app?.stop()
  })

  it('a private profile answers with noindex; a public one without', async () => {
    const visitor = httpClient(app.baseUrl, null)
    const closed = await visitor.get('/u/tom-becker')
    expect(closed.status).toBe(200)
    expect(closed.text).toMatch(NOINDEX)
    const open = await visitor.get('/u/asha-rao')
    expect(open.status).toBe(200)
    expect(open.text).not.toMatch(NOINDEX)
  })

  it('sign-in, sign-up and settings pages say noindex; the club list does not', async () => {
    const visitor = httpClient(app.baseUrl, null)
    for (const path of ['/login', '/signup', '/search']) {
      const page = await visitor.get(path)
      expect(page.status, path).toBe(200)
      expect(page.text, path).toMatch(NOINDEX)
    }
    const signedIn = httpClient(app.baseUrl, await signInOverHttp(app.baseUrl, 'asha.rao@demo.rounds.local', 'rounds-demo-2026'))
    for (const path of ['/settings/privacy', '/settings/sessions', '/u/tom-becker']) {
      const page = await signedIn.get(path)
      expect(page.status, path).toBe(200)
      expect(page.text, path).toMatch(NOINDEX)
    }
    const clubs = await visitor.get('/clubs')
    expect(clubs.status).toBe(200)
    expect(clubs.text).not.toMatch(NOINDEX)
  })

  it('serves robots.txt and a sitemap without private profiles', async () => {
    const visitor = httpClient(app.baseUrl, null)
    const robots = await visitor.get('/robots.txt')
    expect(robots.status).toBe(200)
    expect(robots.text).toContain('Disallow: /settings')
    expect(robots.text).toContain(`Sitemap: ${app.baseUrl}/sitemap.xml`)
    const sitemap = await visitor.get('/sitemap.xml')
    expect(sitemap.status).toBe(200)
    expect(sitemap.text).toContain(`<loc>${app.baseUrl}/u/asha-rao</loc>`)
    expect(sitemap.text).not.toContain('/u/tom-becker')
  })
})
