import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { UNSAFE_flatRoutes as flatRoutes } from '@remix-run/dev'
import { describe, expect, it } from 'vitest'
import { remixOptions } from '../../remix.config.js'

// The server loads these CommonJS builds (docs/decisions/013-route-tables-built-once.md);
// a plain `import` here could resolve to the browser's ES module copy instead.
const require = createRequire(import.meta.url)
type RouteObject = { id: string; path?: string; index?: boolean; caseSensitive?: boolean; children?: RouteObject[] }
type RouteMatch = { route: RouteObject; params: Record<string, string | undefined> }
const router = require('@remix-run/router') as {
  matchRoutes: (routes: RouteObject[], pathname: string) => RouteMatch[] | null
}

const root = path.resolve(import.meta.dirname, '../..')

/** The app's route tree, nested as the Remix server nests it. */
function appRoutes(): RouteObject[] {
  const manifest = flatRoutes(path.join(root, remixOptions.appDirectory ?? 'app'), remixOptions.ignoredRouteFiles)
  const all = [{ id: 'root', path: '' }, ...Object.values(manifest)]
  const tree = (parentId: string | undefined): RouteObject[] =>
    all
      .filter((r) => ('parentId' in r ? r.parentId : undefined) === parentId)
      .map((r) => {
        const children = tree(r.id)
        return { id: r.id, path: r.path, index: 'index' in r ? r.index : undefined, ...(children.length ? { children } : {}) }
      })
  return tree(undefined)
}

const leaf = (matches: RouteMatch[] | null) => (matches ? { id: matches.at(-1)!.route.id, params: matches.at(-1)!.params } : null)

const expected: Array<[string, string, Record<string, string>?]> = [
  ['/', 'routes/_index'],
  ['/u/asha-rao', 'routes/u.$handle', { handle: 'asha-rao' }],
  ['/u/asha-rao/followers', 'routes/u.$handle.followers', { handle: 'asha-rao' }],
  ['/c/cardiology', 'routes/c.$slug._index', { slug: 'cardiology' }],
  ['/c/cardiology/admin', 'routes/c.$slug.admin._index', { slug: 'cardiology' }],
  ['/c/cardiology/admin/members', 'routes/c.$slug.admin.members', { slug: 'cardiology' }],
  ['/c/cardiology/admin/invites', 'routes/c.$slug.admin.invites', { slug: 'cardiology' }],
  ['/c/cardiology/talks/new', 'routes/c.$slug.talks.new', { slug: 'cardiology' }],
  ['/clubs', 'routes/clubs._index'],
  ['/clubs/new', 'routes/clubs.new'],
  ['/t/42', 'routes/t.$id', { id: '42' }],
  ['/t/42.ics', 'routes/t.$id[.ics]', { id: '42' }],
  ['/t/42/live', 'routes/t.$id_.live', { id: '42' }],
  ['/q/7', 'routes/q.$id', { id: '7' }],
  ['/learning', 'routes/learning._index'],
  ['/learning.csv', 'routes/learning[.csv]'],
  ['/learning/42/certificate.pdf', 'routes/learning.$talkId.certificate[.pdf]', { talkId: '42' }],
  ['/certificates/ABCD2345', 'routes/certificates.$id', { id: 'ABCD2345' }],
  ['/t/42/certificates', 'routes/t.$id_.certificates', { id: '42' }],
  ['/verify', 'routes/verify'],
  ['/q/7.csv', 'routes/q.$id[.csv]', { id: '7' }],
  ['/staff/privacy', 'routes/staff.privacy._index'],
  ['/staff/privacy/requests/9', 'routes/staff.privacy.requests.$id', { id: '9' }],
  ['/staff/privacy/incidents', 'routes/staff.privacy.incidents._index'],
  ['/staff/privacy/incidents/new', 'routes/staff.privacy.incidents.new'],
  ['/staff/privacy/incidents/9', 'routes/staff.privacy.incidents.$id', { id: '9' }],
  ['/privacy/acknowledge', 'routes/privacy_.acknowledge'],
  ['/settings/profile', 'routes/settings.profile'],
  ['/SETTINGS/Profile/', 'routes/settings.profile'],
  ['/no/such/page', 'routes/$', { '*': 'no/such/page' }],
]

describe('route matching on the server', () => {
  it('runs with the route-table patches from patches/ applied at install', () => {
    const marker = (pkg: string, text: string) => expect(readFileSync(require.resolve(pkg), 'utf8')).toContain(text)
    marker('@remix-run/router', 'function rankedBranches(routes)')
    marker('react-router-dom/server', 'function staticDataRoutesFor(routes)')
    expect(readFileSync(path.join(path.dirname(require.resolve('@remix-run/react')), 'server.js'), 'utf8')).toContain(
      'function serverRoutesFor(manifest',
    )
  })

  it('sends every address to the route meant for it, however often and in whatever order it is asked', () => {
    const routes = appRoutes()
    for (let pass = 0; pass < 3; pass++) {
      const order = pass === 1 ? [...expected].reverse() : expected
      for (const [pathname, id, params = {}] of order) {
        expect(leaf(router.matchRoutes(routes, pathname)), pathname).toEqual({ id, params: expect.objectContaining(params) })
      }
    }
  })

  it('gives the same matches from the kept route table as from a table built afresh', () => {
    const routes = appRoutes()
    for (const [pathname] of expected) {
      const kept = router.matchRoutes(routes, pathname)
      const fresh = router.matchRoutes(appRoutes(), pathname)
      expect(kept?.map((m) => [m.route.id, m.params]), pathname).toEqual(fresh?.map((m) => [m.route.id, m.params]))
    }
  })
})
