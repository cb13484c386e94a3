import { expect } from 'vitest'
import type { RoomState } from '../../db/live'
import { createDoctor, createTalk, createTestClub, type TestDoctor } from './factories'
import type { LiveClient, RealtimeServer } from './live-server'
import { signIn } from './routes'

/** A doctor's socket on the realtime test server, with the doctor it belongs to. */
export type Person = LiveClient & { doctor: TestDoctor }

/**
 * The steps live-room tests take again and again, on one realtime test server: sign a doctor in
 * and connect, join a talk, read the state a join returns, and open a talk with its host in the room.
 */
export function liveRoomSteps(server: () => RealtimeServer) {
  async function connectAs(doctor: TestDoctor): Promise<Person> {
    const auth = await signIn(doctor.id)
    return Object.assign(await server().connect(auth.cookie), { doctor })
  }

  async function joinAs(doctor: TestDoctor, talkId: string): Promise<Person> {
    const person = await connectAs(doctor)
    expect(await person.send('talk:join', { talkId })).toMatchObject({ ok: true })
    return person
  }

  /** A new socket's join: the batch that reads one comment tail for everyone joining. */
  async function joinedState(doctor: TestDoctor, talkId: string) {
    const person = await connectAs(doctor)
    return (await person.ok<{ state: RoomState }>('talk:join', { talkId })).state
  }

  /** A live talk in a public club, its host in the room. */
  async function liveTalk() {
    const hostDoctor = await createDoctor({ name: 'Dr Host' })
    const club = await createTestClub(hostDoctor)
    const talk = await createTalk({ clubId: club.id, hostId: hostDoctor.id, startsAt: new Date() })
    const host = await joinAs(hostDoctor, talk.id)
    expect(await host.send('talk:open', { talkId: talk.id })).toEqual({ ok: true, status: 'live' })
    return { talkId: talk.id, host, hostDoctor, club }
  }

  return { connectAs, joinAs, joinedState, liveTalk }
}
