import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { followUser } from '../../db/follows'
import { markAllNotificationsRead } from '../../db/notifications'
import { attachRealtime, closeRealtime } from '../../server/realtime/index'
import { createDoctor, viewerOf, type TestDoctor } from '../support/factories'
import { signIn } from '../support/routes'

let httpServer: HttpServer
let port: number
const clients: ClientSocket[] = []

beforeAll(async () => {
  httpServer = createServer()
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve))
  port = (httpServer.address() as AddressInfo).port
  await attachRealtime(httpServer, { allowedHosts: () => [`localhost:${port}`] })
})

afterAll(async () => {
  for (const client of clients) client.close()
  await closeRealtime()
  await new Promise<void>((resolve) => httpServer.close(() => resolve()))
})

/** A page of the site open for the doctor: its socket, and the counts it is told. */
async function openPage(doctor: TestDoctor) {
  const auth = await signIn(doctor.id)
  const client = connectClient(`http://127.0.0.1:${port}`, {
    transports: ['websocket'],
    extraHeaders: { cookie: auth.cookie, origin: `http://localhost:${port}` },
    reconnection: false,
    forceNew: true,
    timeout: 5000,
  })
  clients.push(client)
  const counts: number[] = []
  client.on('notifications:unread', (payload: { unread: number }) => counts.push(payload.unread))
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve())
    client.once('connect_error', reject)
  })
  return counts
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 600))

describe('the bell on open pages', () => {
  it('is told the new count within a second on every page of the doctor, and no one else is', async () => {
    const doctor = await createDoctor({ name: 'Dr Bell Owner' })
    const bystander = await createDoctor({ name: 'Dr Bell Bystander' })
    const follower = await createDoctor({ name: 'Dr Bell Follower' })
    const [tab1, tab2, other] = await Promise.all([openPage(doctor), openPage(doctor), openPage(bystander)])

    const followedAt = Date.now()
    await followUser(viewerOf(follower), doctor.handle)
    await expect.poll(() => [tab1.at(-1), tab2.at(-1)], { timeout: 1_000, interval: 20 }).toEqual([1, 1])
    expect(Date.now() - followedAt).toBeLessThan(1_000)

    // Read on one device: the other page's bell goes back to zero as well.
    await markAllNotificationsRead(viewerOf(doctor))
    await expect.poll(() => [tab1.at(-1), tab2.at(-1)], { timeout: 1_000, interval: 20 }).toEqual([0, 0])

    await settle()
    expect(other).toEqual([])
  })

  it('counts a follow that joins an unread notice once', async () => {
    const doctor = await createDoctor({ name: 'Dr Bell Grouped' })
    const tab = await openPage(doctor)
    await followUser(viewerOf(await createDoctor({ name: 'Dr Bell First' })), doctor.handle)
    await expect.poll(() => tab.at(-1), { timeout: 1_000, interval: 20 }).toBe(1)
    await followUser(viewerOf(await createDoctor({ name: 'Dr Bell Second' })), doctor.handle)
    await settle()
    expect(tab.at(-1)).toBe(1)
  })
})
