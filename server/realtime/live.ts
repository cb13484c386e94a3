import { randomUUID } from 'node:crypto'
import type { Namespace, Socket } from 'socket.io'
import { z } from 'zod'
import { config } from '../config'
import {
  askQuestion,
  canEnterTalk,
  checkTalkEntry,
  askToMute,
  confirmNotRemoved,
  countAudience,
  deleteComment,
  endTalk,
  enterTalk,
  getRoomState,
  inviteToStage,
  leaveStage,
  leaveTalk,
  lowerHand,
  markQuestion,
  moveToAudience,
  openTalk,
  pinComment,
  postComment,
  promoteToCohost,
  raiseHand,
  reactionKinds,
  recordReactions,
  redactForAudience,
  removeFromTalk,
  respondToStageInvite,
  voteQuestion,
  type LiveComment,
  type LiveQuestion,
  type QuestionStatus,
  type RoomState,
  type StageSnapshot,
  type TalkRoleName,
  type TalkStatus,
} from '../../db/live'
import {
  beginRecording,
  endRunningRecording,
  giveRecordingConsent,
  mediaAccess,
  participantMediaAccess,
  recordingFailedToStart,
  recordingStarted,
  recordingUpdate,
  setTalkRecorded,
  stopRecording,
  withdrawRecordingConsent,
  type MediaRole,
  type RecordingUpdate,
} from '../../db/recordings'
import { PublicError } from '../../db/errors'
import type { LiveMedia } from '../livekit/media'
import { mintRoomToken } from '../livekit/tokens'
import { createCoalescer } from './coalesce'
import { registerQuizHandlers } from './quiz'
import { containsNul, nulRefusal, type Ack } from './events'
import { DATABASE_UNAVAILABLE, isConnectionError, isDatabaseDown } from '../../db/health'
import type { SocketData } from './index'
import type { LiveLimitName, LiveRateLimits } from './rate-limits'

// The `/live` namespace: the protocol is docs/live-room.md, the rules live in db/live.ts.
// Each handler validates → checks the socket is in the room → spends a rate-limit try →
// calls the data layer (which authorises) → acks → broadcasts.

/** A stage as one person sees it: the full queue for hosts and co-hosts, the count and their own place for others. */
export type StageUpdate = StageSnapshot & { handPosition: number | null }
export type SharedQuestion = Omit<LiveQuestion, 'votedByMe'>
/** A vote (`votes`), or a host's mark (`status`, and the question unless the audience is told it is hidden). */
export type QuestionUpdate = { talkId: string; id: string; votes?: number; status?: QuestionStatus; question?: SharedQuestion }

export type LiveServerEvents = {
  'room:state': (state: RoomState) => void
  'stage:update': (update: StageUpdate) => void
  'audience:count': (payload: { talkId: string; count: number }) => void
  'comment:new': (payload: { talkId: string; comment: LiveComment }) => void
  'comment:deleted': (payload: { talkId: string; id: string }) => void
  'comment:pinned': (payload: { talkId: string; pinned: LiveComment | null }) => void
  'question:new': (payload: { talkId: string; question: SharedQuestion }) => void
  'question:update': (payload: QuestionUpdate) => void
  reactions: (payload: { talkId: string; totals: Record<string, number> }) => void
  'talk:status': (payload: { talkId: string; status: TalkStatus }) => void
  'stage:invited': (payload: { talkId: string; by: string }) => void
  'stage:mute-requested': (payload: { talkId: string; by: string }) => void
  'talk:removed': (payload: { talkId: string; message: string }) => void
  'recording:update': (payload: RecordingUpdate & { missingConsent?: string[] }) => void
  'media:role': (payload: { talkId: string; role: MediaRole; canPublish: boolean }) => void
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- client events are validated by zod, not typed
type ClientEvents = Record<string, (...args: any[]) => void>
export type LiveNamespace = Namespace<ClientEvents, LiveServerEvents, Record<string, never>, SocketData>
type LiveSocket = Socket<ClientEvents, LiveServerEvents, Record<string, never>, SocketData>

export type LiveRoom = {
  /** Writes the reactions still held and waits for attendance writes; call after the sockets are closed. */
  close: () => Promise<void>
  /** Sends the talk's room `recording:update` (a LiveKit webhook changed the recording). */
  recordingChanged: (talkId: string) => Promise<void>
  /** A socket of this node, for an access change to move (server/realtime/access-changes.ts). */
  socketControl: (socketId: string) => LiveSocketControl | undefined
}

export type LiveSocketControl = {
  /** The talks whose rooms the socket is in. */
  talks: () => string[]
  /** Takes the socket out of the talk, closing its stay as talk:leave does, and tells it why. */
  remove: (talkId: string, message: string) => Promise<void>
  /** Puts the socket in or out of the talk's hosts' room and sends it the room as it may now see it. */
  setModerator: (talkId: string, moderator: boolean) => Promise<void>
}

/** Payloads larger than this are refused before they are parsed further (the engine drops ≥ 1 MB). */
export const MAX_PAYLOAD_CHARS = 10 * 1024
const REACTION_FLUSH_MS = 500
const AUDIENCE_COUNT_MS = 1000

const notUnderstood = 'That request was not understood.'
const tooLong = 'That is too long to send.'

// zod's own messages ("Required", "Expected object, received null") are not for people: name each case.
const payload = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { required_error: notUnderstood, invalid_type_error: notUnderstood })
const required = (message: string) => ({ required_error: message, invalid_type_error: message })
const talkId = z.string(required('Say which talk.')).uuid('We could not find that talk.')
// Ids are UUIDs throughout Rounds; anything else cannot name a thing that exists.
const id = (what: string) => z.string(required(`Say which ${what}.`)).uuid(`We could not find that ${what}.`)
// Lengths and content are the data layer's rules; this only keeps the wrong types and the huge out.
const text = (what: string) => ({
  body: z.string(required(`Write your ${what} first.`)).max(MAX_PAYLOAD_CHARS, tooLong),
  clientId: z.string({ invalid_type_error: 'That message id is not valid.' }).max(100, 'That message id is not valid.').nullish(),
})

const InTalk = payload({ talkId })
const ToPerson = payload({ talkId, userId: id('person') })
const StageAnswer = payload({
  talkId,
  accept: z.boolean(required('Say whether you accept.')),
  recordingConsent: z.string({ invalid_type_error: 'That consent is not valid.' }).max(100, 'That consent is not valid.').nullish(),
})
const Consent = payload({ talkId, policyVersion: z.string(required('Say which policy you agree to.')).max(100, 'That consent is not valid.') })
const Recorded = payload({ talkId, recorded: z.boolean(required('Say whether the talk is recorded.')) })
const NewComment = payload({ talkId, ...text('comment') })
const OneComment = payload({ talkId, commentId: id('comment') })
const PinnedComment = payload({ talkId, commentId: id('comment').nullable() })
const Reaction = payload({ talkId, kind: z.enum(reactionKinds, { errorMap: () => ({ message: 'Pick one of the reactions.' }) }) })
const NewQuestion = payload({ talkId, ...text('question') })
const QuestionVote = payload({ talkId, questionId: id('question'), up: z.boolean(required('Say whether you are voting for it.')) })
const QuestionMark = payload({
  talkId,
  questionId: id('question'),
  status: z.enum(['open', 'answered', 'hidden'], { errorMap: () => ({ message: 'Mark it open, answered or hidden.' }) }),
})

const talkRoom = (talk: string) => `talk:${talk}`
const hostsRoom = (talk: string) => `talk:${talk}:hosts`
/** One person's sockets in one talk, whichever node they are on. */
const personRoom = (talk: string, userId: string) => `talk:${talk}:user:${userId}`
const isHostRole = (role: TalkRoleName) => role === 'host' || role === 'cohost'
const TALK_ROOM = /^talk:([0-9a-f-]{36})$/i

const isPublicError = (error: unknown): error is Error => error instanceof Error && error.name === 'PublicError'

function payloadSize(value: unknown) {
  try {
    return JSON.stringify(value)?.length ?? 0
  } catch {
    return Infinity
  }
}

function handPosition(snapshot: StageSnapshot, userId: string) {
  const index = snapshot.hands.findIndex((hand) => hand.userId === userId)
  return index === -1 ? null : index + 1
}

/**
 * Whether a dropped socket may have its rooms back, with the events it missed: only while it
 * may still enter every talk it was in. Someone removed while away starts afresh and is refused.
 */
export async function mayRestoreLiveRooms(data: SocketData, rooms: string[]) {
  const viewer = { userId: data.userId, role: data.role }
  const talks = rooms.flatMap((room) => TALK_ROOM.exec(room)?.[1] ?? [])
  const allowed = await Promise.all(talks.map((talk) => canEnterTalk(viewer, talk)))
  return allowed.every(Boolean)
}

type Outcome = { ack: Ack<Record<string, unknown>>; broadcast?: () => unknown }
const refuse = (error: string): Outcome => ({ ack: { ok: false, error } })
/** The ack for a handled event, and what to send the room once it has gone. */
const done = (fields: Record<string, unknown>, broadcast?: () => unknown): Outcome => ({ ack: { ok: true, ...fields }, broadcast })

const mediaOff = 'Live audio and video are not set up on this server.'

export function attachLiveRoom(nsp: LiveNamespace, options: { limits: LiveRateLimits; media: LiveMedia }): LiveRoom {
  const { limits, media } = options
  let closing = false
  /** Writes started by disconnects and broadcasts, awaited on close. */
  const inFlight = new Set<Promise<unknown>>()
  /** Talks known to have ended (an end never reverts), so reactions are refused without a query. */
  const endedTalks = new Set<string>()
  /** This node's sockets, for access changes. */
  const controls = new Map<string, LiveSocketControl>()

  function track(work: unknown) {
    const promise = Promise.resolve(work).catch(logUnexpected)
    inFlight.add(promise)
    void promise.finally(() => inFlight.delete(promise))
  }

  function logUnexpected(error: unknown) {
    if (!isPublicError(error)) console.error('[live]', error)
  }

  // Reactions are counted in memory and written and broadcast at most twice a second per talk.
  const reactions = createCoalescer<Record<string, number>>({
    intervalMs: REACTION_FLUSH_MS,
    merge: (pending, next) => {
      const sum = { ...pending }
      for (const [kind, count] of Object.entries(next)) sum[kind] = (sum[kind] ?? 0) + count
      return sum
    },
    flush: async (talk, counts) => {
      const totals = await recordReactions(talk, counts)
      if (!closing) nsp.to(talkRoom(talk)).emit('reactions', { talkId: talk, totals })
    },
    onError: (error, talk) => {
      if (isPublicError(error)) endedTalks.add(talk)
      else logUnexpected(error)
    },
  })

  // The audience count follows joins and leaves, at most once a second per talk.
  const audience = createCoalescer<true>({
    intervalMs: AUDIENCE_COUNT_MS,
    merge: () => true,
    flush: async (talk) => {
      if (closing) return
      const count = await countAudience(talk)
      nsp.to(talkRoom(talk)).emit('audience:count', { talkId: talk, count })
    },
    onError: logUnexpected,
  })

  /** Sends each person in the room the stage as they may see it. */
  function broadcastStage(snapshot: StageSnapshot) {
    const talk = snapshot.talkId
    nsp.to(hostsRoom(talk)).emit('stage:update', { ...snapshot, handPosition: null })
    const redacted = redactForAudience(snapshot)
    const queued = snapshot.hands.map((hand) => hand.userId)
    nsp
      .to(talkRoom(talk))
      .except([hostsRoom(talk), ...queued.map((userId) => personRoom(talk, userId))])
      .emit('stage:update', { ...redacted, handPosition: null })
    queued.forEach((userId, index) => {
      nsp
        .to(personRoom(talk, userId))
        .except(hostsRoom(talk))
        .emit('stage:update', { ...redacted, handPosition: index + 1 })
    })
  }

  /**
   * After a change to someone's stage place, role or consent: tells them their media role (so the
   * client fetches a new token) and sets their LiveKit permissions from the database, whole.
   */
  async function syncMedia(talk: string, userIds: string[]) {
    for (const person of new Set(userIds)) {
      const access = await participantMediaAccess(talk, person)
      if (!access) {
        await media.removeParticipant(talk, person)
        continue
      }
      nsp.to(personRoom(talk, person)).emit('media:role', { talkId: talk, role: access.role, canPublish: access.canPublish })
      await media.setPublish(talk, person, access.canPublish)
    }
  }

  /** The recording as everyone sees it; hosts also get who has not consented. */
  async function broadcastRecording(talk: string, read?: Awaited<ReturnType<typeof recordingUpdate>>) {
    const { missingConsent, ...update } = read ?? (await recordingUpdate(talk))
    nsp.to(hostsRoom(talk)).emit('recording:update', { ...update, missingConsent })
    nsp.to(talkRoom(talk)).except(hostsRoom(talk)).emit('recording:update', update)
  }

  /** Ends a running recording (the talk ended): the row says 'ending', egress is told to stop. */
  async function stopRunningRecording(talk: string) {
    const stopped = await endRunningRecording(talk)
    if (stopped?.egressId) await media.stopRecording(stopped.egressId)
    return stopped
  }

  nsp.on('connection', (socket: LiveSocket) => {
    const { userId, sessionId, role } = socket.data
    const viewer = { userId, role }
    /**
     * This socket's attendance key per talk: a new one for each stay, so a stay closed on
     * disconnect is never reopened by a recovery racing it.
     */
    const stays: Record<string, string> = {}
    /** The room as this socket's recovery is loading it, per talk, until that load settles. */
    const recovering = new Map<string, Promise<RoomState>>()
    /** Talks an access change took this socket out of, with why, until it joins again. */
    const withdrawn = new Map<string, string>()
    /** Talks whose role an access change re-read while this socket was in them, until it joins again. */
    const regraded = new Set<string>()
    void socket.join([`user:${userId}`, `session:${sessionId}`])
    registerQuizHandlers(nsp, socket)

    /** The stage as this socket's person may see it. */
    const stageFor = (snapshot: StageSnapshot): StageUpdate => ({
      ...(socket.rooms.has(hostsRoom(snapshot.talkId)) ? snapshot : redactForAudience(snapshot)),
      handPosition: handPosition(snapshot, userId),
    })

    async function placeInRooms(talk: string, state: RoomState) {
      await socket.join([talkRoom(talk), personRoom(talk, userId)])
      if (isHostRole(state.me.role)) await socket.join(hostsRoom(talk))
      else await socket.leave(hostsRoom(talk))
      if (state.talk.status === 'ended') endedTalks.add(talk)
    }

    async function takeOutOfRooms(talk: string) {
      for (const room of [talkRoom(talk), hostsRoom(talk), personRoom(talk, userId)]) await socket.leave(room)
    }

    /**
     * Opens a stay, or returns the state for the one this socket already has. The socket is put
     * in the talk's rooms before the room is read: whatever commits after the read is broadcast
     * to a socket already in them, so a join misses nothing (clients drop what they got twice by
     * id). Order: check access → join the rooms → read the room → check once more for a removal.
     */
    async function enter(talk: string) {
      withdrawn.delete(talk)
      regraded.delete(talk)
      const { role: expected } = await checkTalkEntry(viewer, talk)
      const key = stays[talk] ?? `${config().nodeTag}|${socket.id}:${randomUUID().slice(0, 8)}`
      let state: RoomState
      try {
        await socket.join([talkRoom(talk), personRoom(talk, userId)])
        if (isHostRole(expected)) await socket.join(hostsRoom(talk))
        state = await enterTalk(viewer, talk, key)
      } catch (error) {
        await takeOutOfRooms(talk)
        await leave(talk)
        throw error
      }
      if (!socket.connected) {
        // Gone while the row was written: close it now, nothing else will.
        await leaveTalk(viewer, talk, key)
        return state
      }
      stays[talk] = key
      await placeInRooms(talk, state)
      // A removal that committed while the room was loading may have taken this socket out of
      // its rooms before it was put in. Looking again now that it is in settles it: a removal
      // committed after this read takes it out again itself.
      try {
        await confirmNotRemoved(viewer, talk)
        // An access change applied while this join was under way took the socket out before
        // placeInRooms put it back: it stands.
        const message = withdrawn.get(talk)
        if (message !== undefined) throw new PublicError(message, 403)
        // A role change applied meanwhile was undone by placeInRooms: place it by a fresh read.
        if (regraded.delete(talk)) {
          state = await getRoomState(viewer, talk)
          await placeInRooms(talk, state)
        }
      } catch (error) {
        await takeOutOfRooms(talk)
        await leave(talk)
        throw error
      }
      audience.add(talk, true)
      return state
    }

    async function leave(talk: string) {
      const key = stays[talk]
      delete stays[talk]
      if (key) await leaveTalk(viewer, talk, key)
      if (!closing) audience.add(talk, true)
    }

    /**
     * Registers an event: validate → in the room → rate limit → `run` (the data layer
     * authorises) → ack → `broadcast`.
     */
    function on<S extends z.ZodTypeAny>(
      event: string,
      schema: S,
      rules: { limit: LiveLimitName; joined?: boolean },
      run: (input: z.infer<S>) => Promise<Outcome>,
    ) {
      async function answer(input: unknown): Promise<Outcome> {
        // While the database is known to be down, refuse at once instead of waiting for a connection.
        if (isDatabaseDown()) return refuse(DATABASE_UNAVAILABLE)
        if (payloadSize(input) > MAX_PAYLOAD_CHARS) return refuse(tooLong)
        if (containsNul(input)) return refuse(nulRefusal)
        const parsed = schema.safeParse(input)
        if (!parsed.success) return refuse(parsed.error.issues[0]?.message ?? notUnderstood)
        const data = parsed.data as { talkId: string }
        if (rules.joined !== false && !socket.rooms.has(talkRoom(data.talkId))) return refuse('Join the talk first.')
        const refusal = await limits.spend(rules.limit, userId)
        if (refusal) return refuse(refusal)
        return run(parsed.data)
      }

      socket.on(event, (...args: unknown[]) => {
        // socket.io passes the ack last, whatever came before it: nothing, one payload, or more.
        const ack = args.at(-1)
        const reply = typeof ack === 'function' ? (ack as (a: Outcome['ack']) => void) : () => {}
        const input = typeof ack === 'function' && args.length === 1 ? undefined : args[0]
        answer(input)
          .catch((error: unknown) => {
            logUnexpected(error)
            return refuse(isPublicError(error) ? error.message : isConnectionError(error) ? DATABASE_UNAVAILABLE : 'Something went wrong. Try again.')
          })
          .then((outcome) => {
            reply(outcome.ack)
            if (outcome.broadcast) track(outcome.broadcast())
          })
          .catch(logUnexpected)
      })
    }

    // A recovered socket is back in its rooms (Socket.io restores them, see mayRestoreLiveRooms)
    // and receives what it missed; its stays were closed on disconnect, so it enters again.
    if (socket.recovered) {
      for (const room of [...socket.rooms]) {
        const talk = TALK_ROOM.exec(room)?.[1]
        if (!talk) continue
        const entering = enter(talk)
        recovering.set(talk, entering)
        track(
          entering
            .catch(async (error: unknown) => {
              if (!isPublicError(error)) throw error
              await takeOutOfRooms(talk)
              socket.emit('talk:removed', { talkId: talk, message: error.message })
            })
            .finally(() => recovering.delete(talk)),
        )
      }
    }

    socket.on('disconnect', () => {
      controls.delete(socket.id)
      for (const talk of Object.keys(stays)) track(leave(talk))
    })

    controls.set(socket.id, {
      talks: () => [...socket.rooms].flatMap((room) => TALK_ROOM.exec(room)?.[1] ?? []),
      async remove(talk, message) {
        withdrawn.set(talk, message)
        await takeOutOfRooms(talk)
        await leave(talk)
        socket.emit('talk:removed', { talkId: talk, message })
        await media.removeParticipant(talk, userId)
      },
      async setModerator(talk, moderator) {
        regraded.add(talk)
        if (socket.rooms.has(hostsRoom(talk)) === moderator) return
        if (moderator) await socket.join(hostsRoom(talk))
        else await socket.leave(hostsRoom(talk))
        // What a moderator sees (the hand queue, hidden questions) differs: send the whole room.
        socket.emit('room:state', await getRoomState(viewer, talk))
        await syncMedia(talk, [userId])
      },
    })

    on('talk:join', InTalk, { limit: 'other', joined: false }, async ({ talkId }) => {
      const state = await enter(talkId)
      return done({ state })
    })

    on('talk:sync', InTalk, { limit: 'other' }, async ({ talkId }) => {
      // The sync a client sends after recovering asks for what the recovery is loading already:
      // that load began once the socket was connected again, so it holds what the socket missed.
      // Sharing it spares the database one room load per socket when a whole room comes back.
      const loading = recovering.get(talkId)?.catch(() => undefined)
      const state = (await loading) ?? (await getRoomState(viewer, talkId))
      await placeInRooms(talkId, state)
      return done({ state })
    })

    on('talk:leave', InTalk, { limit: 'other' }, async ({ talkId }) => {
      await takeOutOfRooms(talkId)
      await leave(talkId)
      return done({})
    })

    for (const [event, change] of [
      ['talk:open', openTalk],
      ['talk:end', endTalk],
    ] as const) {
      on(event, InTalk, { limit: 'other' }, async ({ talkId }) => {
        const { status } = await change(viewer, talkId)
        if (status === 'ended') endedTalks.add(talkId)
        const stopped = status === 'ended' ? await stopRunningRecording(talkId) : null
        return done({ status }, async () => {
          nsp.to(talkRoom(talkId)).emit('talk:status', { talkId, status })
          // Ending closes every stay.
          if (status === 'ended') audience.add(talkId, true)
          if (stopped) await broadcastRecording(talkId)
          // The talk is over: close its media room, so nobody cleared from the stage keeps publishing.
          if (status === 'ended') await media.closeRoom(talkId)
        })
      })
    }

    // Stage changes by the person themself.
    for (const [event, change] of [
      ['hand:raise', raiseHand],
      ['hand:lower', lowerHand],
      ['stage:leave', leaveStage],
    ] as const) {
      on(event, InTalk, { limit: 'other' }, async ({ talkId }) => {
        const snapshot = await change(viewer, talkId)
        if (event !== 'stage:leave') return done({ stage: stageFor(snapshot) }, () => broadcastStage(snapshot))
        await syncMedia(talkId, [userId])
        return done({ stage: stageFor(snapshot) }, async () => {
          broadcastStage(snapshot)
          // Who on stage has not consented (the hosts' list) may have changed.
          await broadcastRecording(talkId)
        })
      })
    }

    on('stage:respond', StageAnswer, { limit: 'other' }, async ({ talkId, accept, recordingConsent }) => {
      const snapshot = await respondToStageInvite(viewer, talkId, accept, recordingConsent)
      if (accept) await syncMedia(talkId, [userId])
      return done({ stage: stageFor(snapshot) }, async () => {
        broadcastStage(snapshot)
        if (accept) await broadcastRecording(talkId)
      })
    })

    // Audio and video (LiveKit) and recording: docs/live-contract.md.
    on('media:token', InTalk, { limit: 'other' }, async ({ talkId }) => {
      if (!media.configured) return refuse(mediaOff)
      const access = await mediaAccess(viewer, talkId)
      const minted = await mintRoomToken(
        { talkId, userId, displayName: access.name, photoUrl: access.photoUrl, role: access.role, canPublish: access.canPublish },
        media.settings,
      )
      return done({ url: minted.url, token: minted.token, role: access.role, canPublish: access.canPublish, expiresAt: minted.expiresAt.toISOString() })
    })

    on('recording:consent', Consent, { limit: 'other' }, async ({ talkId, policyVersion }) => {
      await giveRecordingConsent(viewer, talkId, policyVersion)
      await syncMedia(talkId, [userId])
      return done({}, () => broadcastRecording(talkId))
    })

    on('recording:withdraw', InTalk, { limit: 'other' }, async ({ talkId }) => {
      const { stage } = await withdrawRecordingConsent(viewer, talkId)
      // Publishing stops now, before the ack: from here on they are not recorded.
      await syncMedia(talkId, [userId])
      return done({ stage: stageFor(stage) }, async () => {
        broadcastStage(stage)
        await broadcastRecording(talkId)
      })
    })

    on('talk:set-recorded', Recorded, { limit: 'other' }, async ({ talkId, recorded }) => {
      const { onStage } = await setTalkRecorded(viewer, talkId, recorded)
      // Marking a talk recorded takes publishing from whoever on stage has not consented.
      const hosts = await nsp.in(hostsRoom(talkId)).fetchSockets()
      await syncMedia(talkId, [...onStage, ...hosts.map((h) => h.data.userId)])
      return done({}, () => broadcastRecording(talkId))
    })

    on('recording:start', InTalk, { limit: 'other' }, async ({ talkId }) => {
      const output = media.output
      const recording = await beginRecording(viewer, talkId, {
        mediaConfigured: media.configured,
        storage: output.storage,
        fileFor: output.fileFor,
      })
      try {
        const { egressId } = await media.startRecording(talkId, recording.filePath)
        if (!(await recordingStarted(recording.id, egressId))) {
          // Stopped while egress was starting (the talk ended): stop what LiveKit just began.
          await media.stopRecording(egressId)
          return refuse('The recording was stopped before it started.')
        }
      } catch (error) {
        await recordingFailedToStart(recording.id, error instanceof Error ? error.message : String(error))
        console.warn('[livekit] starting a recording failed:', error instanceof Error ? error.message : error)
        return refuse('The recording could not start. Try again in a moment.')
      }
      const update = await recordingUpdate(talkId)
      return done({ recording: { id: recording.id, status: 'active', startedAt: update.startedAt } }, () => broadcastRecording(talkId, update))
    })

    on('recording:stop', InTalk, { limit: 'other' }, async ({ talkId }) => {
      const stopped = await stopRecording(viewer, talkId)
      if (stopped.egressId) await media.stopRecording(stopped.egressId)
      return done({}, () => broadcastRecording(talkId))
    })

    // Stage changes by a host or co-host to someone else.
    on('stage:invite', ToPerson, { limit: 'other' }, async ({ talkId, userId: target }) => {
      const snapshot = await inviteToStage(viewer, talkId, target)
      return done({ stage: stageFor(snapshot) }, () => {
        nsp.to(personRoom(talkId, target)).emit('stage:invited', { talkId, by: userId })
        broadcastStage(snapshot)
      })
    })

    on('stage:move-to-audience', ToPerson, { limit: 'other' }, async ({ talkId, userId: target }) => {
      const snapshot = await moveToAudience(viewer, talkId, target)
      await syncMedia(talkId, [target])
      return done({ stage: stageFor(snapshot) }, async () => {
        broadcastStage(snapshot)
        await broadcastRecording(talkId)
      })
    })

    on('stage:ask-mute', ToPerson, { limit: 'other' }, async ({ talkId, userId: target }) => {
      await askToMute(viewer, talkId, target)
      await media.muteMicrophone(talkId, target)
      return done({}, () => nsp.to(personRoom(talkId, target)).emit('stage:mute-requested', { talkId, by: userId }))
    })

    on('talk:remove', ToPerson, { limit: 'other' }, async ({ talkId, userId: target }) => {
      const snapshot = await removeFromTalk(viewer, talkId, target)
      await media.removeParticipant(talkId, target)
      return done({ stage: stageFor(snapshot) }, async () => {
        // removeFromTalk closed their stays. Their sockets may be on any node: each node takes
        // them out before it tells them (one ordered stream), so nothing they send after the
        // notice is let in.
        nsp.in(`user:${target}`).socketsLeave([talkRoom(talkId), hostsRoom(talkId), personRoom(talkId, target)])
        nsp.to(`user:${target}`).emit('talk:removed', { talkId, message: 'The hosts removed you from this talk.' })
        broadcastStage(snapshot)
        audience.add(talkId, true)
        await broadcastRecording(talkId)
      })
    })

    on('cohost:promote', ToPerson, { limit: 'other' }, async ({ talkId, userId: target }) => {
      const snapshot = await promoteToCohost(viewer, talkId, target)
      return done({ stage: stageFor(snapshot) }, async () => {
        await syncMedia(talkId, [target])
        nsp.in(personRoom(talkId, target)).socketsJoin(hostsRoom(talkId))
        broadcastStage(snapshot)
        await broadcastRecording(talkId)
        // What a co-host sees (the queue, hidden questions) differs: send them the whole room.
        const [promoted] = await nsp.in(personRoom(talkId, target)).fetchSockets()
        if (promoted) {
          const state = await getRoomState({ userId: target, role: promoted.data.role }, talkId)
          nsp.to(personRoom(talkId, target)).emit('room:state', state)
        }
      })
    })

    on('comment:send', NewComment, { limit: 'comment' }, async ({ talkId, body, clientId }) => {
      const comment = await postComment(viewer, talkId, { body, clientId })
      return done({ comment }, () => nsp.to(talkRoom(talkId)).emit('comment:new', { talkId, comment }))
    })

    on('comment:delete', OneComment, { limit: 'other' }, async ({ talkId, commentId }) => {
      const { id: deleted } = await deleteComment(viewer, talkId, commentId)
      return done({ id: deleted }, () => nsp.to(talkRoom(talkId)).emit('comment:deleted', { talkId, id: deleted }))
    })

    on('comment:pin', PinnedComment, { limit: 'other' }, async ({ talkId, commentId }) => {
      const { pinned } = await pinComment(viewer, talkId, commentId)
      return done({ pinned }, () => nsp.to(talkRoom(talkId)).emit('comment:pinned', { talkId, pinned }))
    })

    on('reaction:send', Reaction, { limit: 'reaction' }, async ({ talkId, kind }) => {
      if (endedTalks.has(talkId)) return refuse('This talk has ended.')
      // Acknowledged once written: the batch carrying it has reached the totals.
      try {
        await reactions.addAndWait(talkId, { [kind]: 1 })
      } catch (error) {
        return refuse(isPublicError(error) ? error.message : 'Your reaction was not counted. Try again.')
      }
      return done({})
    })

    on('question:ask', NewQuestion, { limit: 'question' }, async ({ talkId, body, clientId }) => {
      const question = await askQuestion(viewer, talkId, { body, clientId })
      const { votedByMe: _, ...shared } = question
      return done({ question }, () => nsp.to(talkRoom(talkId)).emit('question:new', { talkId, question: shared }))
    })

    on('question:upvote', QuestionVote, { limit: 'other' }, async ({ talkId, questionId, up }) => {
      const { id: voted, votes } = await voteQuestion(viewer, talkId, questionId, up)
      return done({ id: voted, votes }, () => nsp.to(talkRoom(talkId)).emit('question:update', { talkId, id: voted, votes }))
    })

    on('question:mark', QuestionMark, { limit: 'other' }, async ({ talkId, questionId, status }) => {
      const question = await markQuestion(viewer, talkId, questionId, status)
      const { votedByMe: _, ...shared } = question
      const update: QuestionUpdate = { talkId, id: question.id, status: question.status, votes: question.votes, question: shared }
      return done({ question }, () => {
        nsp.to(hostsRoom(talkId)).emit('question:update', update)
        // A hidden question is only for hosts: the audience is told to drop it.
        nsp
          .to(talkRoom(talkId))
          .except(hostsRoom(talkId))
          .emit('question:update', question.status === 'hidden' ? { talkId, id: question.id, status: 'hidden' } : update)
      })
    })
  })

  return {
    recordingChanged: (talk) => broadcastRecording(talk),
    socketControl: (socketId) => controls.get(socketId),
    async close() {
      closing = true
      await Promise.allSettled([...inFlight])
      await reactions.drain()
      await audience.drain()
    },
  }
}
