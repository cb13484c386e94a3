import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LiveComment, RoomState } from '../../db/live'
import { createDoctor, createTalk, createTestClub, type TestDoctor } from '../support/factories'
import { startRealtimeServer, type LiveClient, type RealtimeServer } from '../support/live-server'
import { signIn } from '../support/routes'

// A socket joining a talk while comments keep coming must end up with every comment: in the
// room state its join answers with, or broadcast to it.

let server: RealtimeServer

beforeAll(async () => {
  server = await startRealtimeServer()
})

afterAll(async () => {
  await server.close()
})

async function connectAs(doctor: TestDoctor): Promise<LiveClient> {
  const auth = await signIn(doctor.id)
  return server.connect(auth.cookie)
}

describe('joining while comments are posted', () => {
  it('misses no comment committed while the join was under way (30 joins at 20 comments a second)', async () => {
    const hostDoctor = await createDoctor({ name: 'Dr Host' })
    const club = await createTestClub(hostDoctor)
    const talk = await createTalk({ clubId: club.id, hostId: hostDoctor.id, startsAt: new Date() })
    const host = await connectAs(hostDoctor)
    await host.ok('talk:join', { talkId: talk.id })
    await host.ok('talk:open', { talkId: talk.id })

    // Each person may send 5 comments in 10 s: enough posters to keep 20 a second going for 10 s.
    const posters = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const client = await connectAs(await createDoctor())
        await client.ok('talk:join', { talkId: talk.id })
        return client
      }),
    )
    const joiners = await Promise.all(Array.from({ length: 30 }, () => createDoctor().then(connectAs)))

    /** Each comment with the time its poster's ack came back (after its commit). */
    const posted: { id: string; ackedAt: number }[] = []
    let posting = true
    const poster = (async () => {
      let n = 0
      while (posting && n < posters.length * 5) {
        const client = posters[n % posters.length]
        n++
        void client.ok<{ comment: LiveComment }>('comment:send', { talkId: talk.id, body: `Comment ${n}` }).then(
          (ack) => posted.push({ id: ack.comment.id, ackedAt: performance.now() }),
          (error: unknown) => {
            throw error
          },
        )
        await sleep(50)
      }
    })()

    const missedPerJoin: number[] = []
    const joins: { client: LiveClient; sentAt: number; state: RoomState }[] = []
    for (const client of joiners) {
      // However slow the machine, each join starts only after a comment was committed during the
      // one before, so comments and joins interleave.
      const previous = joins.at(-1)
      while (previous && !posted.some((c) => c.ackedAt > previous.sentAt)) await sleep(5)
      await sleep(Math.random() * 60)
      const sentAt = performance.now()
      const ack = await client.ok<{ state: RoomState }>('talk:join', { talkId: talk.id })
      joins.push({ client, sentAt, state: ack.state })
    }
    posting = false
    await poster
    // Every comment acked so far has been broadcast too: let the last ones land.
    await sleep(300)

    for (const { client, sentAt, state } of joins) {
      const seen = new Set([...state.comments.map((c) => c.id), ...client.all<{ comment: LiveComment }>('comment:new').map((p) => p.comment.id)])
      // Committed after the join was sent: each is either in the state or broadcast to the socket.
      const due = posted.filter((c) => c.ackedAt > sentAt)
      missedPerJoin.push(due.filter((c) => !seen.has(c.id)).length)
    }
    const dueCounts = joins.map(({ sentAt }) => posted.filter((c) => c.ackedAt > sentAt).length)
    expect(dueCounts.slice(0, -1).every((n) => n > 0)).toBe(true)
    expect(missedPerJoin.filter((n) => n > 0)).toEqual([])
  }, 60_000)
})
