/**
 * The load generator of `npm run bench:live`, run as a child process (IPC) so the sockets do not
 * share a process with the bench's bookkeeping. Waits for a `config` message, then:
 *
 * 1. The host (real server only) joins and opens the talk.
 * 2. `audience` clients connect to `${url}/live` (websocket only, session cookie, Origin) in
 *    batches and join with `talk:join`; `senders` more clients join the same way. Progress goes
 *    to the parent.
 * 3. The senders post `comments` comments at `rate` per second, round-robin (each sender stays
 *    under the per-person limit of 5 per 10 s). Body: `bench <seq> <sentAtEpochMs>`. Every
 *    audience client records when each `comment:new` arrives: latency = arrival − send time
 *    (same machine clock). `window-start` / `window-end` tell the parent when to sample CPU.
 * 4. With `reconnect`: every audience client's connection is dropped at once
 *    (`socket.io.engine.close()`, which the manager treats as a lost connection and reconnects;
 *    the server keeps the session for recovery). The senders keep posting `outageComments`
 *    during the outage. A client that comes back with `socket.recovered` must have every comment
 *    (no gap by seq), after a sync as the app's client makes it (`syncAfterRecovery`: retried,
 *    then `talk:join`); one that does not recover sends `talk:join` again and must find the
 *    comments it missed in `state.comments`. Failed acks are counted per error message.
 */
import { io as connect, type Socket } from 'socket.io-client'
import { ACK_TIMEOUT_MS, RESYNC_JITTER_MS, syncAfterRecovery } from '../../app/live/use-live-room'

export type ClientsConfig = {
  url: string
  origin: string
  talkId: string
  label: string
  audienceCookies: string[]
  senderCookies: string[]
  hostCookie: string | null
  comments: number
  rate: number
  batchSize: number
  batchGapMs: number
  reconnect: boolean
  outageComments: number
  /** Share of the audience that reconnects without recovery (disconnect + connect, like a reload), to exercise the resync path. */
  freshFraction: number
  /** Stop after the audience has joined (the join storm alone): no senders, comments or reconnect. */
  joinOnly?: boolean
}

export type PhaseResult = {
  label: string
  connected: number
  joined: number
  connectFailures: number
  joinFailures: number
  firstError: string | null
  rampMs: number
  heldAtEnd: number
  sent: number
  sendErrors: number
  firstSendError: string | null
  expected: number
  delivered: number
  p50: number
  p95: number
  p99: number
  max: number
  windowMs: number
  deliveriesPerSec: number
  sendWindowMs: number
}

export type ReconnectResult = {
  dropped: number
  reconnected: number
  notReconnected: number
  recovered: number
  recoveredViaSync: number
  recoveredComplete: number
  recoveredMissing: number
  /** Clients recovered with gaps, and the seqs missed (seq → how many recovered clients missed it). */
  recoveredWithGaps: number
  missingBySeq: Record<number, number>
  fresh: number
  resyncedMissingBySeq: Record<number, number>
  /** Of the comments recovered clients missed: acked by the server before / after that client's `connect` event. */
  missedAckedBeforeConnect: number
  missedAckedAfterConnect: number
  /** Recovered clients that synced again after a failed sync, and those that fell back to `talk:join`. */
  syncRetried: number
  syncFellBackToJoin: number
  /** Time from sending a sync after recovery to its ok ack. */
  syncAckMs: { p50: number; p95: number; max: number }
  /** Clients left without the room's state: every sync and the fallback join failed, or a fresh join failed. */
  unsynced: number
  resynced: number
  /** Failed acks of the sync after recovery and of `talk:join` after a fresh reconnect (ok:false, or no answer: 10 s for the sync, as in the app; 20 s for a fresh join). */
  resyncFailures: number
  /** The first of those failures, and how many of each (`sync: <error>` / `join: <error>`). */
  firstResyncError: string | null
  resyncErrors: Record<string, number>
  resyncedComplete: number
  resyncedMissing: number
  outageSent: number
  outageSendErrors: number
  reconnectMs: number
}

export type ClientMessage =
  | { type: 'progress'; label: string; connected: number; joined: number; target: number }
  | { type: 'window-start' }
  | { type: 'window-end' }
  | { type: 'phase'; result: PhaseResult }
  | { type: 'reconnect'; result: ReconnectResult }
  | { type: 'fatal'; error: string }

type Ack = { ok: boolean; error?: string; state?: { comments?: { body: string }[] } }
type Client = { socket: Socket; joined: boolean; seen: Uint8Array; connectAt?: number }

const clock = () => performance.timeOrigin + performance.now()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const post = (message: ClientMessage) => process.send?.(message)
const seqOf = (body: string) => Number(body.split(' ')[1])

function pct(sorted: Float64Array, p: number) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

function open(config: ClientsConfig, cookie: string, reconnection: boolean): Promise<Socket> {
  const socket = connect(`${config.url}/live`, {
    transports: ['websocket'],
    extraHeaders: { cookie, origin: config.origin },
    forceNew: true,
    reconnection,
    timeout: 20_000,
  })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (error) => {
      socket.close()
      reject(error)
    })
  })
}

async function emitAck(socket: Socket, event: string, payload: unknown, timeoutMs = 20_000): Promise<Ack> {
  try {
    return (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as Ack
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) }
  }
}

async function run(config: ClientsConfig) {
  const { talkId } = config
  const total = config.comments + (config.reconnect ? config.outageComments : 0)
  const latencies = new Float64Array(config.audienceCookies.length * config.comments)
  let delivered = 0
  let firstSendAt = 0
  let lastReceiveAt = 0
  let measuring = false
  let firstError: string | null = null
  const clients: Client[] = []
  const others: Socket[] = []

  // 1. The host opens the talk (the real server refuses comments until it is live).
  if (config.hostCookie) {
    const host = await open(config, config.hostCookie, false)
    others.push(host)
    const joined = await emitAck(host, 'talk:join', { talkId })
    if (!joined.ok) throw new Error(`The host could not join: ${joined.error}`)
    const opened = await emitAck(host, 'talk:open', { talkId })
    if (!opened.ok) throw new Error(`The host could not open the talk: ${opened.error}`)
  }

  // 2. Audience, in batches; then the senders.
  let connected = 0
  let joinedCount = 0
  let connectFailures = 0
  let joinFailures = 0
  const rampStart = performance.now()
  const target = config.audienceCookies.length
  const progress = setInterval(() => post({ type: 'progress', label: config.label, connected, joined: joinedCount, target }), 1000)
  const joinOne = async (cookie: string) => {
    let socket: Socket
    try {
      socket = await open(config, cookie, config.reconnect)
    } catch (error) {
      connectFailures++
      firstError ??= `connect: ${error instanceof Error ? error.message : String(error)}`
      return
    }
    connected++
    const client: Client = { socket, joined: false, seen: new Uint8Array(total) }
    clients.push(client)
    socket.on('comment:new', (payload: { comment: { body: string } }) => {
      const now = clock()
      const body = payload.comment.body
      const seq = seqOf(body)
      if (!(seq >= 0 && seq < total)) return
      client.seen[seq] = 1
      if (seq < config.comments && measuring) {
        const sentAt = Number(body.split(' ')[2])
        latencies[delivered++] = now - sentAt
        lastReceiveAt = now
      }
    })
    const ack = await emitAck(socket, 'talk:join', { talkId })
    if (ack.ok) {
      client.joined = true
      joinedCount++
    } else {
      joinFailures++
      firstError ??= `join: ${ack.error}`
    }
  }
  const pending: Promise<void>[] = []
  for (let i = 0; i < target; i += config.batchSize) {
    pending.push(...config.audienceCookies.slice(i, i + config.batchSize).map(joinOne))
    await sleep(config.batchGapMs)
  }
  await Promise.all(pending)
  const rampMs = performance.now() - rampStart
  if (config.joinOnly) {
    clearInterval(progress)
    const heldAtEnd = clients.filter((c) => c.socket.connected).length
    const none = { sent: 0, sendErrors: 0, firstSendError: null, expected: 0, delivered: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, windowMs: 0, deliveriesPerSec: 0, sendWindowMs: 0 }
    post({ type: 'phase', result: { label: config.label, connected, joined: joinedCount, connectFailures, joinFailures, firstError, rampMs, heldAtEnd, ...none } })
    for (const client of clients) client.socket.close()
    for (const socket of others) socket.close()
    return
  }
  const senders: Socket[] = []
  for (const cookie of config.senderCookies) {
    const socket = await open(config, cookie, false)
    others.push(socket)
    const ack = await emitAck(socket, 'talk:join', { talkId })
    if (!ack.ok) throw new Error(`A sender could not join: ${ack.error}`)
    senders.push(socket)
  }
  clearInterval(progress)
  post({ type: 'progress', label: config.label, connected, joined: joinedCount, target })
  await sleep(2000) // let the join wave (attendance writes, audience counts) settle

  // 3. Comments at a steady rate, round-robin over the senders.
  let sendErrors = 0
  let firstSendError: string | null = null
  /** When each comment's ack arrived (the server broadcasts right after acking). */
  const ackAt = new Float64Array(total)
  async function sendRange(from: number, to: number) {
    const acks: Promise<void>[] = []
    const start = performance.now()
    for (let seq = from; seq < to; seq++) {
      const due = start + ((seq - from) * 1000) / config.rate
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      const socket = senders[seq % senders.length]
      const sentAt = clock()
      if (firstSendAt === 0) firstSendAt = sentAt
      acks.push(
        emitAck(socket, 'comment:send', { talkId, body: `bench ${seq} ${sentAt.toFixed(3)}` }).then((ack) => {
          ackAt[seq] = performance.now()
          if (!ack.ok) {
            sendErrors++
            firstSendError ??= ack.error ?? 'refused'
          }
        }),
      )
    }
    await Promise.all(acks)
    return performance.now() - start
  }

  const joinedClients = clients.filter((c) => c.joined)
  const expected = joinedClients.length * config.comments
  measuring = true
  post({ type: 'window-start' })
  const sendWindowMs = await sendRange(0, config.comments)
  const sentOk = config.comments - sendErrors
  const expectedOk = joinedClients.length * sentOk
  const deadline = performance.now() + 30_000
  while (delivered < expectedOk && performance.now() < deadline) await sleep(50)
  post({ type: 'window-end' })
  measuring = false
  const windowMs = lastReceiveAt - firstSendAt
  const sorted = latencies.slice(0, delivered).sort()
  const phase: PhaseResult = {
    label: config.label,
    connected,
    joined: joinedCount,
    connectFailures,
    joinFailures,
    firstError,
    rampMs,
    heldAtEnd: clients.filter((c) => c.socket.connected).length,
    sent: sentOk,
    sendErrors,
    firstSendError,
    expected,
    delivered,
    p50: pct(sorted, 50),
    p95: pct(sorted, 95),
    p99: pct(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    windowMs,
    deliveriesPerSec: windowMs > 0 ? delivered / (windowMs / 1000) : 0,
    sendWindowMs,
  }
  post({ type: 'phase', result: phase })

  // 4. Drop every audience connection at once; comments keep coming during the outage.
  if (config.reconnect) {
    sendErrors = 0
    firstSendError = null
    let reconnected = 0
    let recovered = 0
    /** Comments a recovered client got from its sync rather than from replay. */
    let recoveredViaSync = 0
    let resynced = 0
    let resyncFailures = 0
    let firstResyncError: string | null = null
    const resyncErrors: Record<string, number> = {}
    const resyncFailed = (event: 'sync' | 'join', ack: Ack) => {
      const message = `${event}: ${ack.error ?? 'refused'}`
      resyncFailures++
      firstResyncError ??= message
      resyncErrors[message] = (resyncErrors[message] ?? 0) + 1
    }
    let syncRetried = 0
    let syncFellBackToJoin = 0
    let unsynced = 0
    const syncAckMs: number[] = []
    /** Marks the outage comments a state carries as seen; returns how many were new. */
    const takeComments = (client: Client, ack: Ack) => {
      let added = 0
      for (const c of ack.state?.comments ?? []) {
        const seq = seqOf(c.body)
        if (seq >= 0 && seq < total && !client.seen[seq]) {
          client.seen[seq] = 1
          added++
        }
      }
      return added
    }
    const resyncedSeen = new Map<Client, Uint8Array>()
    const back: Promise<void>[] = []
    const dropStart = performance.now()
    for (const client of joinedClients) {
      back.push(
        new Promise<void>((resolve) => {
          client.socket.once('connect', () => {
            client.connectAt = performance.now()
            reconnected++
            if (client.socket.recovered) {
              recovered++
              // As the app's client does (app/live/use-live-room.ts): a sync after recovery fills
              // what was broadcast while the server re-checked the session, retried, then a join.
              let attempts = 0
              let synced = false
              const wait = (ms: number) => sleep(ms).then(() => client.socket.connected)
              void wait(Math.random() * RESYNC_JITTER_MS)
                .then(() =>
                  syncAfterRecovery({
                    sync: async () => {
                      attempts++
                      const sentAt = performance.now()
                      const ack = await emitAck(client.socket, 'talk:sync', { talkId }, ACK_TIMEOUT_MS)
                      if (ack.ok) {
                        syncAckMs.push(performance.now() - sentAt)
                        recoveredViaSync += takeComments(client, ack)
                        synced = true
                        if (attempts > 1) syncRetried++
                      } else resyncFailed('sync', ack)
                      return ack
                    },
                    join: async () => {
                      syncFellBackToJoin++
                      const ack = await emitAck(client.socket, 'talk:join', { talkId }, ACK_TIMEOUT_MS)
                      if (ack.ok) {
                        recoveredViaSync += takeComments(client, ack)
                        synced = true
                      } else resyncFailed('join', ack)
                    },
                    wait,
                  }),
                )
                .then(() => {
                  if (!synced) unsynced++
                  resolve()
                })
              return
            }
            void emitAck(client.socket, 'talk:join', { talkId }).then((ack) => {
              if (ack.ok) {
                resynced++
                const fromState = new Uint8Array(total)
                for (const c of ack.state?.comments ?? []) {
                  const seq = seqOf(c.body)
                  if (seq >= 0 && seq < total) fromState[seq] = 1
                }
                resyncedSeen.set(client, fromState)
              } else {
                unsynced++
                resyncFailed('join', ack)
              }
              resolve()
            })
          })
        }),
      )
    }
    const fresh = Math.floor(joinedClients.length * config.freshFraction)
    joinedClients.forEach((client, i) => {
      if (i < fresh) {
        client.socket.disconnect()
        client.socket.connect()
      } else client.socket.io.engine.close()
    })
    await sendRange(config.comments, total)
    const outageSendErrors = sendErrors
    await Promise.race([Promise.all(back), sleep(90_000)])
    const reconnectMs = performance.now() - dropStart
    await sleep(3000) // replayed and late comments
    let recoveredComplete = 0
    let recoveredMissing = 0
    let resyncedComplete = 0
    let resyncedMissing = 0
    let recoveredWithGaps = 0
    const missingBySeq: Record<number, number> = {}
    const resyncedMissingBySeq: Record<number, number> = {}
    let missedAckedBeforeConnect = 0
    let missedAckedAfterConnect = 0
    for (const client of joinedClients) {
      if (!client.socket.connected) continue
      const fromState = resyncedSeen.get(client)
      if (client.socket.recovered) {
        let missing = 0
        for (let seq = 0; seq < total; seq++) {
          if (client.seen[seq]) continue
          missing++
          missingBySeq[seq] = (missingBySeq[seq] ?? 0) + 1
          if (ackAt[seq] <= (client.connectAt ?? Infinity)) missedAckedBeforeConnect++
          else missedAckedAfterConnect++
        }
        recoveredMissing += missing
        if (missing === 0) recoveredComplete++
        else recoveredWithGaps++
      } else if (fromState) {
        // A resync need only cover what was posted while away (the state's tail is 50 comments).
        let missing = 0
        for (let seq = config.comments; seq < total; seq++) {
          if (client.seen[seq] || fromState[seq]) continue
          missing++
          resyncedMissingBySeq[seq] = (resyncedMissingBySeq[seq] ?? 0) + 1
        }
        resyncedMissing += missing
        if (missing === 0) resyncedComplete++
      }
    }
    post({
      type: 'reconnect',
      result: {
        dropped: joinedClients.length,
        reconnected,
        notReconnected: joinedClients.length - reconnected,
        recovered,
        recoveredViaSync,
        recoveredComplete,
        recoveredMissing,
        recoveredWithGaps,
        missingBySeq,
        fresh,
        resyncedMissingBySeq,
        missedAckedBeforeConnect,
        missedAckedAfterConnect,
        syncRetried,
        syncFellBackToJoin,
        syncAckMs: (() => {
          const sorted = Float64Array.from(syncAckMs).sort()
          return { p50: pct(sorted, 50), p95: pct(sorted, 95), max: sorted.length ? sorted[sorted.length - 1] : NaN }
        })(),
        unsynced,
        resynced,
        resyncFailures,
        firstResyncError,
        resyncErrors,
        resyncedComplete,
        resyncedMissing,
        outageSent: config.outageComments - outageSendErrors,
        outageSendErrors,
        reconnectMs,
      },
    })
  }

  for (const client of clients) client.socket.close()
  for (const socket of others) socket.close()
}

process.once('message', (message: { type: 'config'; config: ClientsConfig }) => {
  run(message.config)
    .then(() => setTimeout(() => process.exit(0), 200))
    .catch((error: unknown) => {
      post({ type: 'fatal', error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
      setTimeout(() => process.exit(1), 200)
    })
})
process.on('disconnect', () => process.exit(0))
