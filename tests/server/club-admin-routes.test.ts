import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { changeMemberRole, createClub, joinClub } from '../../db/clubs'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor, viewerOf, type TestDoctor } from '../support/factories'
import { signInOverHttp } from '../support/http-client'

/*
 * The club admin over plain HTTP, as a browser without JavaScript uses it: `/c/<slug>/admin`
 * leads to the first section, the section navigation marks the page it is on, each section's
 * form answers a mistake with 400 and the sentence beside its field, a success with a redirect
 * and a notice, and a form posted to the admin's old address reaches its section.
 */

const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`
const doctor = (name: string) => createDoctor({ name, profile: { handle: `${name.toLowerCase().replace(/[^a-z]+/g, '-')}-${tag}` } })

let server: AppServer
let owner: TestDoctor
let admin: TestDoctor
let member: TestDoctor
let outsider: TestDoctor
let slug: string
let clubId: string
const cookies: Record<'owner' | 'admin' | 'member', string> = { owner: '', admin: '', member: '' }

beforeAll(async () => {
  server = await startAppServer()
  await closeDatabase()
  await openDatabase({ url: server.databaseUrl, runMigrations: false, maxConnections: 5 })
  ;[owner, admin, member, outsider] = await Promise.all([
    doctor('Dr Olga Adminroute Owner'),
    doctor('Dr Amir Adminroute Admin'),
    doctor('Dr Mina Adminroute Member'),
    doctor('Dr Otto Adminroute Outsider'),
  ])
  slug = `adminroute-${tag}`.slice(0, 40)
  const club = await createClub(viewerOf(owner), { name: 'Adminroute Renal Round', slug, description: '', specialities: [], visibility: 'public' })
  clubId = club.id
  for (const person of [admin, member]) await joinClub(viewerOf(person), slug)
  await changeMemberRole(viewerOf(owner), slug, admin.handle, 'admin')
  ;[cookies.owner, cookies.admin, cookies.member] = await Promise.all(
    [owner, admin, member].map((d) => signInOverHttp(server.baseUrl, d.email, d.password)),
  )
}, 240_000)

afterAll(async () => {
  await closeDatabase()
  await server?.stop()
}, 60_000)

async function get(path: string, cookie: string) {
  const res = await fetch(new URL(path, server.baseUrl), { headers: { cookie }, redirect: 'manual' })
  return { status: res.status, location: res.headers.get('location'), text: await res.text() }
}

async function post(path: string, cookie: string, fields: Record<string, string>) {
  const res = await fetch(new URL(path, server.baseUrl), {
    method: 'POST',
    headers: { cookie, origin: server.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  })
  return { status: res.status, location: res.headers.get('location'), text: await res.text() }
}

/** The section links of the admin navigation, and which one says it is the current page. */
function sectionNav(html: string) {
  const nav = /<nav aria-label="Admin sections"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? ''
  const links = [...nav.matchAll(/<a ([^>]*)>([^<]*)<\/a>/g)].map(([, attrs, label]) => ({
    label,
    href: /href="([^"]*)"/.exec(attrs)?.[1],
    current: /aria-current="page"/.test(attrs),
  }))
  return { links, current: links.filter((l) => l.current).map((l) => l.label) }
}

describe('the club admin, section by section', () => {
  it('leads /c/<slug>/admin to the first section, and keeps it from anyone but the club’s admins', async () => {
    const first = await get(`/c/${slug}/admin`, cookies.admin)
    expect(first.status).toBe(302)
    expect(first.location).toBe(`/c/${slug}/admin/members`)
    for (const section of ['', '/members', '/invites', '/settings', '/audit']) {
      expect((await get(`/c/${slug}/admin${section}`, cookies.member)).status, section).toBe(403)
    }
  })

  it('lists the sections a role opens and marks the current one', async () => {
    for (const [section, label] of [
      ['members', 'Members'],
      ['invites', 'Invitations'],
      ['settings', 'Club settings'],
      ['audit', 'Audit log'],
    ] as const) {
      const page = await get(`/c/${slug}/admin/${section}`, cookies.owner)
      expect(page.status, section).toBe(200)
      const nav = sectionNav(page.text)
      expect(nav.links.map((l) => l.href)).toEqual(['members', 'invites', 'settings', 'audit'].map((s) => `/c/${slug}/admin/${s}`))
      expect(nav.current, section).toEqual([label])
    }
    // An admin may not hand the club over: the settings section has no transfer form for them.
    const asAdmin = await get(`/c/${slug}/admin/settings`, cookies.admin)
    expect(asAdmin.text).toContain('Save club details')
    expect(asAdmin.text).not.toContain('Transfer ownership')
  })

  it('shows a mistake beside its field with 400, and keeps what was typed', async () => {
    const invite = await post(`/c/${slug}/admin/invites`, cookies.admin, { intent: 'invite', handle: 'Not A Handle!' })
    expect(invite.status).toBe(400)
    expect(invite.text).toMatch(/<input[^>]*aria-invalid="true"[^>]*aria-describedby="([^"]*-handle-error)"[^>]*value="Not A Handle!"/)
    const errorId = /aria-describedby="([^"]*-handle-error)"/.exec(invite.text)![1]
    expect(invite.text).toContain(`id="${errorId}"`)
    expect(invite.text).toMatch(new RegExp(`id="${errorId}"[^>]*role="alert"[^>]*><ul[^>]*><li>A handle has only letters, digits and hyphens, such as asha-rao.</li>`))

    const link = await post(`/c/${slug}/admin/invites`, cookies.admin, { intent: 'create-link', expiresInDays: '400', maxUses: '' })
    expect(link.status).toBe(400)
    expect(link.text).toContain('Enter a whole number of days from 1 to 365, or leave it empty.')

    const transfer = await post(`/c/${slug}/admin/settings`, cookies.owner, { intent: 'transfer', handle: admin.handle })
    expect(transfer.status).toBe(400)
    expect(transfer.text).toContain('Tick the box to confirm you are handing the club over.')
    const [club] = await rawSql()<{ owner_id: string }[]>`select owner_id from clubs where id = ${clubId}`
    expect(club.owner_id).toBe(owner.id)
  })

  it('answers a refusal from the data layer with its status and sentence, and an unknown form with 400', async () => {
    const unknown = await post(`/c/${slug}/admin/invites`, cookies.admin, { intent: 'invite', handle: `nobody-${tag}` })
    expect(unknown.status).toBe(404)
    expect(unknown.text).toContain('No doctor on Rounds has that handle.')
    for (const section of ['members', 'invites', 'settings']) {
      const res = await post(`/c/${slug}/admin/${section}`, cookies.admin, { intent: 'drop-tables' })
      expect(res.status, section).toBe(400)
      expect(res.text, section).toContain('Rounds does not know that action. Reload the page and try again.')
    }
  })

  it('redirects a success back to its section with a notice', async () => {
    const sent = await post(`/c/${slug}/admin/invites`, cookies.admin, { intent: 'invite', handle: outsider.handle })
    expect(sent.status).toBe(302)
    const location = new URL(sent.location!, server.baseUrl)
    expect(location.pathname).toBe(`/c/${slug}/admin/invites`)
    const page = await get(location.pathname + location.search, cookies.admin)
    expect(page.text).toContain(`Invitation sent to @${outsider.handle}. They will see it on their Clubs page.`)
    expect(page.text).toContain(`data-testid="pending-invitation-row" data-handle="${outsider.handle}"`)
  })

  it('sends a form posted to the old address on to its section, keeping the method, and refuses an unknown one there', async () => {
    for (const [intent, section] of [
      ['ban', 'members'],
      ['create-link', 'invites'],
      ['transfer', 'settings'],
      ['edit-club', 'settings'],
    ] as const) {
      const res = await post(`/c/${slug}/admin`, cookies.owner, { intent, handle: member.handle })
      expect(res.status, intent).toBe(307)
      expect(res.location, intent).toBe(`/c/${slug}/admin/${section}`)
    }
    const unknown = await post(`/c/${slug}/admin`, cookies.owner, { intent: 'drop-tables' })
    expect(unknown.status).toBe(400)
    expect(unknown.text).toContain('Rounds does not know that action. Reload the page and try again.')
    const [{ n }] = await rawSql()<{ n: number }[]>`select count(*)::int as n from club_bans where club_id = ${clubId}`
    expect(n).toBe(0)
  })

  it('saves the club’s details from a multipart form and follows a new address; a part too large is 413 beside its field', async () => {
    const send = (fields: Record<string, string>) => {
      const form = new FormData()
      for (const [name, value] of Object.entries(fields)) form.append(name, value)
      return fetch(new URL(`/c/${slug}/admin/settings`, server.baseUrl), {
        method: 'POST',
        headers: { cookie: cookies.admin, origin: server.baseUrl },
        body: form,
        redirect: 'manual',
      })
    }
    const details = { intent: 'edit-club', name: 'Adminroute Renal Round', slug, description: 'Dialysis cases.', visibility: 'public' }
    const tooLong = await send({ ...details, description: 'x'.repeat(200 * 1024) })
    expect(tooLong.status).toBe(413)
    expect(await tooLong.text()).toMatch(/id="[^"]*-description-error"[^>]*role="alert"[^>]*><ul[^>]*><li>That is far more text than a club description can hold.<\/li>/)

    const moved = `${slug}-moved`.slice(0, 40)
    const saved = await send({ ...details, slug: moved })
    expect(saved.status).toBe(302)
    const location = new URL(saved.headers.get('location')!, server.baseUrl)
    expect(location.pathname).toBe(`/c/${moved}/admin/settings`)
    const page = await get(location.pathname + location.search, cookies.admin)
    expect(page.text).toContain('Club details saved.')
    const [club] = await rawSql()<{ slug: string; description: string }[]>`select slug, description from clubs where id = ${clubId}`
    expect(club).toEqual({ slug: moved, description: 'Dialysis cases.' })
    slug = moved
  })
})
