import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as notificationsRoute from '../../app/routes/notifications'
import * as settingsRoute from '../../app/routes/settings.notifications'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { inviteToClub } from '../../db/clubs'
import { followUser } from '../../db/follows'
import { loadNotificationBell } from '../../app/utils/notification-bell.server'
import { startAppServer, type AppServer } from '../support/app-server'
import { createDoctor, createTestClub, viewerOf, type TestDoctor } from '../support/factories'
import { signInOverHttp } from '../support/http-client'
import { callAction, callLoader, signIn } from '../support/routes'

type Page = { items: { id: string; title: string; read: boolean }[]; next: string | null; unread: number }
type Answer = { ok: boolean; message: string }

async function followedBy(target: TestDoctor, names: string[]) {
  for (const name of names) await followUser(viewerOf(await createDoctor({ name })), target.handle)
}

describe('/notifications, through its loader and action', () => {
  it('sends a visitor to sign in', async () => {
    expect(await callLoader(notificationsRoute, { url: '/notifications' })).toMatchObject({
      status: 302,
      location: '/login?redirectTo=%2Fnotifications',
    })
    expect(await callAction(notificationsRoute, { url: '/notifications', form: { intent: 'read-all' } })).toMatchObject({ status: 302 })
  })

  it('lists the doctor’s notices with the unread count, and marks one, then all, as read', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    await followedBy(doctor, ['Dr Page Follower', 'Dr Second'])

    const page = (await callLoader(notificationsRoute, { url: '/notifications', auth })).data as Page
    expect(page.unread).toBe(1)
    expect(page.items.map((n) => n.title)).toEqual(['Dr Page Follower and Dr Second followed you'])
    expect(await loadNotificationBell(viewerOf(doctor))).toEqual({ unread: 1 })

    const marked = await callAction(notificationsRoute, { url: '/notifications', form: { intent: 'read', id: page.items[0].id }, auth })
    expect(marked).toMatchObject({ status: 200, data: { ok: true } })
    const after = (await callLoader(notificationsRoute, { url: '/notifications', auth })).data as Page
    expect(after).toMatchObject({ unread: 0, items: [{ read: true }] })

    await followedBy(doctor, ['Dr Late One'])
    const all = await callAction(notificationsRoute, { url: '/notifications', form: { intent: 'read-all' }, auth })
    expect(all.data as Answer).toEqual({ ok: true, message: 'Marked 1 notification as read.' })
    expect(await loadNotificationBell(viewerOf(doctor))).toEqual({ unread: 0 })
  })

  it('refuses someone else’s notice, an unknown one and a malformed form with a 4xx, changing nothing', async () => {
    const tom = await createDoctor()
    const asha = await createDoctor()
    await followedBy(tom, ['Dr For Tom'])
    const [tomsNotice] = ((await callLoader(notificationsRoute, { url: '/notifications', auth: await signIn(tom.id) })).data as Page).items
    const auth = await signIn(asha.id)
    const before = await rawSql()`select id, read_at from notifications where user_id = ${tom.id}`
    const cases: [Record<string, string>, number][] = [
      [{ intent: 'read', id: tomsNotice.id }, 404],
      [{ intent: 'open', id: tomsNotice.id }, 404],
      [{ intent: 'read', id: '3f1c2a4e-0000-4000-8000-000000000000' }, 404],
      [{ intent: 'read', id: 'x'.repeat(500) }, 400],
      [{ intent: 'read' }, 400],
      [{ intent: 'delete-everything' }, 400],
    ]
    for (const [form, status] of cases) {
      const res = await callAction(notificationsRoute, { url: '/notifications', form, auth })
      expect(res.status, JSON.stringify(form)).toBe(status)
      expect((res.data as Answer).ok).toBe(false)
    }
    expect(await rawSql()`select id, read_at from notifications where user_id = ${tom.id}`).toEqual(before)
    expect(await callLoader(notificationsRoute, { url: '/notifications?before=nonsense', auth })).toMatchObject({ status: 400, thrown: true })
  })

  it('opens a notice: marks it read and goes where it leads', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    const follower = await createDoctor({ name: 'Dr Opened' })
    await followUser(viewerOf(follower), doctor.handle)
    const [notice] = ((await callLoader(notificationsRoute, { url: '/notifications', auth })).data as Page).items
    const opened = await callAction(notificationsRoute, { url: '/notifications', form: { intent: 'open', id: notice.id }, auth })
    expect(opened).toMatchObject({ status: 302, location: `/u/${follower.handle}` })
    expect(((await callLoader(notificationsRoute, { url: '/notifications', auth })).data as Page).unread).toBe(0)
  })

  it('pages with an "older" link', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    // Invitations are never grouped: one notice each.
    for (let i = 0; i < 23; i++) {
      const owner = await createDoctor()
      await inviteToClub(viewerOf(owner), (await createTestClub(owner)).slug, doctor.handle)
    }
    const first = (await callLoader(notificationsRoute, { url: '/notifications', auth })).data as Page
    expect(first.items).toHaveLength(20)
    expect(first.unread).toBe(23)
    const second = (await callLoader(notificationsRoute, { url: `/notifications?before=${encodeURIComponent(first.next!)}`, auth })).data as Page
    expect(second.items).toHaveLength(3)
    expect(second.next).toBeNull()
    expect(new Set([...first.items, ...second.items].map((n) => n.id)).size).toBe(23)
  })
})

describe('Settings → Notifications offers only the channels Rounds can deliver', () => {
  it('shows email and push (no phone number: no SMS or WhatsApp), and keeps what is stored for the others', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    await rawSql()`insert into communication_preferences (user_id, channel, kind, enabled) values
      (${doctor.id}, 'sms', 'engagement', true), (${doctor.id}, 'push', 'engagement', false)`
    expect((await callLoader(settingsRoute, { url: '/settings/notifications', auth })).data).toMatchObject({ channels: ['email', 'push'] })
    // The form as the page sends it: email and push boxes only.
    const res = await callAction(settingsRoute, { url: '/settings/notifications', form: { 'email-promotional': 'on', 'push-promotional': 'on' }, auth })
    expect(res.status).toBe(200)
    const rows = await rawSql()`select channel, kind, enabled from communication_preferences where user_id = ${doctor.id} order by channel::text, kind::text`
    expect(rows).toEqual([
      { channel: 'email', kind: 'engagement', enabled: false },
      { channel: 'email', kind: 'promotional', enabled: true },
      { channel: 'push', kind: 'engagement', enabled: false },
      { channel: 'push', kind: 'promotional', enabled: true },
      { channel: 'sms', kind: 'engagement', enabled: true },
      { channel: 'sms', kind: 'promotional', enabled: false },
      { channel: 'whatsapp', kind: 'engagement', enabled: false },
      { channel: 'whatsapp', kind: 'promotional', enabled: false },
    ])
  })
})

describe('/notifications on the real server, without JavaScript', () => {
  let server: AppServer
  let doctor: TestDoctor

  beforeAll(async () => {
    server = await startAppServer()
    // The fixture has to live in the server's database.
    await closeDatabase()
    await openDatabase({ url: server.databaseUrl, runMigrations: false, maxConnections: 5 })
    doctor = await createDoctor({ name: 'Dr Nojs Reader' })
    await followedBy(doctor, ['Dr Nojs Follower <b>bold</b>'])
  }, 240_000)

  afterAll(async () => {
    await closeDatabase()
    await server?.stop()
  })

  it('renders the notices as HTML and marks them read with plain form posts', async () => {
    const cookie = await signInOverHttp(server.baseUrl, doctor.email, doctor.password)
    const page = await fetch(`${server.baseUrl}/notifications`, { headers: { cookie } })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('1 unread notification.')
    // The header's bell counts it on every page.
    expect(html).toMatch(/aria-label="Notifications, 1 unread"[^>]*>[\s\S]*?data-testid="notification-count"[^>]*>1</)
    // Names are text, never markup.
    expect(html).toContain('Dr Nojs Follower &lt;b&gt;bold&lt;/b&gt; followed you')
    expect(html).toMatch(/<form method="post"[^>]*>/)
    expect(html).toContain('<meta name="robots" content="noindex"/>')

    const post = await fetch(`${server.baseUrl}/notifications`, {
      method: 'POST',
      body: new URLSearchParams({ intent: 'read-all' }),
      headers: { cookie, origin: server.baseUrl },
      redirect: 'manual',
    })
    expect(post.status).toBe(200)
    const answered = await post.text()
    expect(answered).toContain('Marked 1 notification as read.')
    expect(answered).toContain('You are all caught up.')
    const home = await (await fetch(`${server.baseUrl}/`, { headers: { cookie } })).text()
    expect(home).toContain('aria-label="Notifications"')
    expect(home).not.toContain('data-testid="notification-count"')

    const visitor = await fetch(`${server.baseUrl}/notifications`, { redirect: 'manual' })
    expect(visitor.status).toBe(302)
    expect(visitor.headers.get('location')).toBe('/login?redirectTo=%2Fnotifications')
  })
})
