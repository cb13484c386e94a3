import { randomUUID } from 'node:crypto'
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createQuiz, type LiveQuizState } from '../../db/quizzes'
import { createDoctor, createTalk, createTestClub, viewerOf } from '../support/factories'
import { startRealtimeServer, type LiveClient, type RealtimeServer } from '../support/live-server'
import { signIn } from '../support/routes'

// Every client event of the default and `/live` namespaces (quiz events included), sent bad
// payloads by the host of a live talk with a quiz running: each gets an `{ ok: false, error }`
// ack a person can read, nothing reaches Postgres it cannot take, and the server stays up.

let server: RealtimeServer
const errors: unknown[][] = []

beforeAll(async () => {
  server = await startRealtimeServer()
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args))
})

afterAll(async () => {
  vi.restoreAllMocks()
  await server.close()
})

const idFields = ['talkId', 'userId', 'commentId', 'questionId', 'quizId', 'clubId'] as const
const textFields = ['body', 'clientId', 'policyVersion', 'recordingConsent', 'kind', 'status'] as const
const huge = 'x'.repeat(12 * 1024)

/** Bad payloads by name, for a talk the sender is in; those marked `mustRefuse` are refused by every event. */
function badPayloads(talkId: string): { name: string; args: unknown[]; mustRefuse: boolean }[] {
  const everyField = (value: unknown) => Object.fromEntries([...idFields, ...textFields].map((f) => [f, value]))
  const deep: Record<string, unknown> = {}
  let cursor = deep
  for (let i = 0; i < 40; i++) cursor = cursor.next = {} as Record<string, unknown>
  return [
    { name: 'nothing', args: [], mustRefuse: true },
    { name: 'null', args: [null], mustRefuse: true },
    { name: 'a number', args: [42], mustRefuse: true },
    { name: 'a string', args: ['talk'], mustRefuse: true },
    { name: 'an array', args: [[talkId]], mustRefuse: true },
    { name: 'a huge string', args: [huge], mustRefuse: true },
    {
      name: 'huge fields',
      args: [{ ...everyField(huge), talkId }],
      mustRefuse: true,
    },
    { name: 'nested objects', args: [everyField(deep)], mustRefuse: true },
    {
      name: 'nested objects beside the talk',
      args: [{ ...everyField(deep), optionIds: [deep], talkId }],
      mustRefuse: false,
    },
    {
      name: 'numbers for every field',
      args: [everyField(7)],
      mustRefuse: true,
    },
    {
      name: 'a NUL byte in every field',
      args: [{ ...everyField('a\u0000b'), optionIds: ['\u0000'], talkId }],
      mustRefuse: true,
    },
    {
      name: 'a NUL byte in the talk id',
      args: [{ talkId: `${talkId.slice(0, 35)}\u0000` }],
      mustRefuse: true,
    },
    {
      name: 'a NUL byte in a key',
      args: [{ talkId, 'body\u0000': 'hi' }],
      mustRefuse: true,
    },
    {
      name: 'a NUL byte in a nested text',
      args: [
        {
          talkId,
          optionIds: [randomUUID()],
          body: 'ok',
          rating: 1,
          extra: { note: 'x\u0000' },
        },
      ],
      mustRefuse: true,
    },
    {
      name: 'wrong ids',
      args: [
        {
          ...Object.fromEntries(idFields.map((f) => [f, randomUUID()])),
          body: 'A fair question',
          kind: 'clap',
          status: 'open',
          up: true,
          accept: true,
          policyVersion: 'v1',
          recorded: true,
        },
      ],
      mustRefuse: true,
    },
    {
      name: 'wrong ids in the talk',
      args: [
        {
          ...Object.fromEntries(idFields.map((f) => [f, randomUUID()])),
          talkId,
          body: 'A fair question',
          optionIds: [randomUUID()],
          kind: 'clap',
          status: 'hidden',
          up: true,
        },
      ],
      mustRefuse: false,
    },
    {
      name: 'ids that are not ids',
      args: [
        {
          ...Object.fromEntries(idFields.map((f) => [f, 'not-an-id'])),
          talkId,
        },
      ],
      mustRefuse: false,
    },
    {
      name: 'extra arguments',
      args: [{ talkId, body: 'Extra', kind: 'clap' }, 'extra', 3, { more: true }],
      mustRefuse: false,
    },
  ]
}

function emitWithAck(socket: ClientSocket, event: string, args: unknown[]) {
  return socket.timeout(5000).emitWithAck(event, ...args) as Promise<{
    ok: boolean
    error?: string
  }>
}

function connectDefault(cookie: string): Promise<ClientSocket> {
  const socket = connectClient(server.baseUrl, {
    transports: ['websocket'],
    extraHeaders: { cookie, origin: server.origin },
    reconnection: false,
    forceNew: true,
  })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', reject)
  })
}

/** The events a namespace's sockets listen to, read from the server itself, so a new one is fuzzed too. */
function registeredEvents(namespace: string) {
  const [socket] = server.io.of(namespace).sockets.values()
  return socket.eventNames().filter((name): name is string => typeof name === 'string' && !['disconnect', 'disconnecting', 'error'].includes(name))
}

/** A live talk with a launched quiz whose first question is open, its host in the room. */
async function hostedTalk() {
  const hostDoctor = await createDoctor()
  const club = await createTestClub(hostDoctor)
  const talk = await createTalk({
    clubId: club.id,
    hostId: hostDoctor.id,
    startsAt: new Date(),
    status: 'live',
  })
  const questions = [
    {
      kind: 'single' as const,
      prompt: 'Q1',
      timeLimitSeconds: 60,
      options: [{ label: 'Right', correct: true }, { label: 'Wrong' }],
    },
  ]
  const { id: quizId } = await createQuiz(viewerOf(hostDoctor), club.slug, {
    kind: 'quiz',
    title: 'Fuzzed',
    talkId: talk.id,
    anonymous: false,
    questions,
  })
  const auth = await signIn(hostDoctor.id)
  const host: LiveClient = await server.connect(auth.cookie)
  await host.ok('talk:join', { talkId: talk.id })
  await host.ok('quiz:launch', { talkId: talk.id, quizId })
  await host.ok<{ state: LiveQuizState }>('quiz:next', {
    talkId: talk.id,
    quizId,
  })
  return { talkId: talk.id, clubId: club.id, host, cookie: auth.cookie }
}

function expectReadableRefusal(ack: { ok: boolean; error?: string }, where: string) {
  expect(ack, where).toMatchObject({ ok: false, error: expect.any(String) })
  expect(ack.error, where).not.toMatch(/something went wrong|error:|invalid byte|postgres|expected|required|\bat \w+ \(/i)
  expect(ack.error!.length, where).toBeLessThan(160)
}

describe('bad socket payloads', () => {
  it('every /live event (quiz events too) answers each bad payload with a readable refusal and the server stays up', async () => {
    const { talkId } = await hostedTalk()
    const events = registeredEvents('/live')
    expect(events).toEqual(
      expect.arrayContaining(['talk:join', 'comment:send', 'reaction:send', 'question:ask', 'quiz:answer', 'quiz:launch', 'stage:respond'])
    )
    let sent = 0
    for (const event of events) {
      // A fresh host per event: the rate limits then leave every payload to the event's own checks.
      const { host, talkId: own } = await hostedTalk()
      for (const { name, args, mustRefuse } of badPayloads(own)) {
        const ack = await emitWithAck(host.socket, event, args).catch((e: unknown) => {
          throw new Error(`${event} with ${name}: ${String(e)}`)
        })
        sent++
        const where = `${event} with ${name}: ${JSON.stringify(ack)}`
        expect(typeof ack?.ok, where).toBe('boolean')
        if (mustRefuse || !ack.ok) expectReadableRefusal(ack, where)
        // Without an ack function nothing comes back, and nothing breaks.
        host.socket.emit(event, ...args)
      }
      expect(host.socket.connected, event).toBe(true)
    }
    expect(sent).toBeGreaterThan(events.length * 10)
    // Still serving: a new socket joins and talks.
    const fresh = await hostedTalk()
    expect(
      await fresh.host.send('comment:send', {
        talkId: fresh.talkId,
        body: 'Still here',
      })
    ).toMatchObject({ ok: true })
    expect(await fresh.host.send('talk:sync', { talkId })).toEqual({
      ok: false,
      error: 'Join the talk first.',
    })
    expect(errors).toEqual([])
  }, 180_000)

  it('every default-namespace event answers each bad payload with a readable refusal', async () => {
    const { cookie, clubId } = await hostedTalk()
    const socket = await connectDefault(cookie)
    try {
      const events = registeredEvents('/')
      expect(events).toEqual(expect.arrayContaining(['club:enter', 'club:leave']))
      for (const event of events) {
        for (const { name, args } of badPayloads(clubId)) {
          const ack = await emitWithAck(socket, event, args).catch((e: unknown) => {
            throw new Error(`${event} with ${name}: ${String(e)}`)
          })
          const where = `${event} with ${name}: ${JSON.stringify(ack)}`
          expect(typeof ack?.ok, where).toBe('boolean')
          if (!ack.ok) expectReadableRefusal(ack, where)
          socket.emit(event, ...args)
        }
      }
      expectReadableRefusal(await emitWithAck(socket, 'club:enter', [{ clubId: 'a\u0000b' }]), 'club:enter with a NUL byte')
      expect(await emitWithAck(socket, 'club:enter', [{ clubId }])).toEqual({
        ok: true,
      })
      expect(socket.connected).toBe(true)
      expect(errors).toEqual([])
    } finally {
      socket.close()
    }
  }, 60_000)
})
