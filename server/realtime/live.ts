import { randomUUID } from 'node:crypto'
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
  clubOfTalk,
  openTalk,
  peopleNotToReceiveFrom,
  pinComment,
  postComment,
  promoteToCohost,
  raiseHand,
  recordReactions,
  redactForAudience,
  removeFromTalk,
  respondToStageInvite,
  voteQuestion,
  type RoomState,
  type StageSnapshot,
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
} from '../../db/recordings'
import { PublicError } from '../../db/errors'
import { requirePresenter } from '../../db/quizzes'
import { listenForHeldItems, reportItem, shownAgain, type HeldItemNotice } from '../../db/moderation/index'
import { liveEvents, type QuestionUpdate, type StageUpdate } from '../../app/live/protocol'
import type { LiveMedia } from '../livekit/media'
import { mintRoomToken } from '../livekit/tokens'
import { clubPages, inTalk, personalRooms, placeInTalk, rooms, seesAsModerator, setModerator, takeOutOfTalk, talkAudiences, talksOf } from './audiences'
import { createCoalescer } from './coalesce'
import { done, eventHandlers, isPublicError, refuse } from './events'
import { registerQuizHandlers } from './quiz'
import type { LiveRateLimits } from './rate-limits'
import type { LiveNamespace, LiveRoom, LiveSocket, LiveSocketControl, SocketData } from './types'

// The `/live` namespace: the protocol is app/live/protocol.ts (docs/live-room.md), the rules live
// in db/live.ts, who receives what in audiences.ts. Each handler is registered with `on()`
// (events.ts): validate → in the room → rate limit → the data layer (which authorises) → ack →
// broadcast.

const REACTION_FLUSH_MS = 500
const AUDIENCE_COUNT_MS = 1000

function handPosition(snapshot: StageSnapshot, userId: string) {
  const index = snapshot.hands.findIndex((hand) => hand.userId === userId)
  return index === -1 ? null : index + 1
}

/**
 * Whether a dropped socket may have its rooms back, with the events it missed: only while it
 * may still enter every talk it was in. Someone removed while away starts afresh and is refused.
 */
export async function mayRestoreLiveRooms(data: SocketData, socketRooms: string[]) {
  const viewer = { userId: data.userId, role: data.role }
  const allowed = await Promise.all(talksOf(socketRooms).map((talk) => canEnterTalk(viewer, talk)))
  return allowed.every(Boolean)
}

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
      if (!closing) talkAudiences(nsp, talk).everyone('reactions', { talkId: talk, totals })
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
      talkAudiences(nsp, talk).everyone('audience:count', { talkId: talk, count })
    },
    onError: logUnexpected,
  })

  /**
   * A comment or question moderation held back or removed leaves every screen but its author's
   * at once. The hold is announced by the database at commit, whoever wrote it (a report here, a
   * moderator's page, the watched-words list), and every node tells its own sockets (`local`, so
   * the adapter does not repeat it from each node). A lifted hold sends the item again as new to
   * everyone who should hear its author (clients drop what they hold already).
   */
  function dropHeld(notice: HeldItemNotice) {
    if (closing) return
    const author = notice.authorId ? [rooms.personInTalk(notice.talkId, notice.authorId)] : []
    const talkId = notice.talkId
    if (notice.state !== null) {
      nsp.local.to(rooms.talk(talkId)).except(author).emit('item:held', { talkId, kind: notice.kind, id: notice.id })
      return
    }
    track(
      (async () => {
        const [item, withheld] = await Promise.all([shownAgain(notice), notice.authorId ? peopleNotToReceiveFrom(notice.authorId) : []])
        if (!item || closing) return
        const skipped = [...author, ...withheld.map((userId) => rooms.personInTalk(talkId, userId))]
        const to = nsp.local.to(rooms.talk(talkId)).except(skipped)
        if ('comment' in item) to.emit('comment:new', { talkId, comment: item.comment })
        else {
          const { votedByMe: _, ...question } = item.question
          to.emit('question:new', { talkId, question })
        }
      })(),
    )
  }
  const heldItems = listenForHeldItems(dropHeld)
  track(heldItems)

  /** Sends each person in the room the stage as they may see it. */
  function broadcastStage(snapshot: StageSnapshot) {
    const redacted = redactForAudience(snapshot)
    talkAudiences(nsp, snapshot.talkId).splitPerPerson('stage:update', {
      moderators: { ...snapshot, handPosition: null },
      audience: { ...redacted, handPosition: null },
      // Those in the queue each see their own place in it.
      people: snapshot.hands.map((hand) => hand.userId),
      each: (_userId, index) => ({ ...redacted, handPosition: index + 1 }),
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
      talkAudiences(nsp, talk).person(person, 'media:role', { talkId: talk, role: access.role, canPublish: access.canPublish })
      await media.setPublish(talk, person, access.canPublish)
    }
  }

  /** The recording as everyone sees it; hosts also get who has not consented. */
  async function broadcastRecording(talk: string, read?: Awaited<ReturnType<typeof recordingUpdate>>) {
    const { missingConsent, ...update } = read ?? (await recordingUpdate(talk))
    talkAudiences(nsp, talk).split('recording:update', { moderators: { ...update, missingConsent }, audience: update })
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
    void socket.join(personalRooms({ userId, sessionId }))
    const on = eventHandlers(socket, liveEvents, {
      joined: (input) => inTalk(socket, (input as { talkId: string }).talkId),
      limits,
      userId,
      track,
      logUnexpected,
    })
    registerQuizHandlers(nsp, socket, on)

    /** The stage as this socket's person may see it. */
    const stageFor = (snapshot: StageSnapshot): StageUpdate => ({
      ...(seesAsModerator(socket, snapshot.talkId) ? snapshot : redactForAudience(snapshot)),
      handPosition: handPosition(snapshot, userId),
    })

    async function placeInRooms(talk: string, state: RoomState) {
      await placeInTalk(socket, talk, userId, state.me.role)
      if (state.talk.status === 'ended') endedTalks.add(talk)
    }

    async function takeOutOfRooms(talk: string) {
      await takeOutOfTalk(socket, talk, userId)
    }

    /** Whether this socket shows the talk's presenter view (talk:present) without attending it. */
    const presents = (talk: string) => socket.rooms.has(rooms.presenter(talk)) && !stays[talk]

    async function stopPresenting(talk: string, message: string) {
      await takeOutOfRooms(talk)
      socket.emit('talk:removed', { talkId: talk, message })
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
        await placeInTalk(socket, talk, userId, expected)
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

    // A recovered socket is back in its rooms (Socket.io restores them, see mayRestoreLiveRooms)
    // and receives what it missed; its stays were closed on disconnect, so it enters again.
    if (socket.recovered) {
      for (const talk of talksOf(socket.rooms)) {
        if (presents(talk)) {
          // A presenter view comes back only while its person still hosts the talk, and opens no stay.
          track(
            requirePresenter(viewer, talk).catch(async (error: unknown) => {
              if (!isPublicError(error)) throw error
              await stopPresenting(talk, error.message)
            }),
          )
          continue
        }
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
      talks: () => talksOf(socket.rooms),
      async remove(talk, message) {
        withdrawn.set(talk, message)
        await takeOutOfRooms(talk)
        await leave(talk)
        socket.emit('talk:removed', { talkId: talk, message })
        await media.removeParticipant(talk, userId)
      },
      async setModerator(talk, moderator) {
        // A presenter view is for hosts and co-hosts: it closes when its person stops being one.
        if (presents(talk)) {
          if (!moderator) await stopPresenting(talk, 'Only the talk’s hosts can show the presenter view.')
          return
        }
        regraded.add(talk)
        if (seesAsModerator(socket, talk) === moderator) return
        await setModerator(socket, talk, moderator)
        // What a moderator sees (the hand queue, hidden questions) differs: send the whole room.
        socket.emit('room:state', await getRoomState(viewer, talk))
        await syncMedia(talk, [userId])
      },
    })

    on('talk:join', { limit: 'other', joined: false }, async ({ talkId }) => {
      const state = await enter(talkId)
      return done({ state })
    })

    // The presenter view: the talk's broadcasts without attending it (no stay, not in the audience
    // count). It is put in the talk's room, not its moderators', so tallies reach it as they reach
    // the audience: only how many have answered until the reveal (docs/quizzes.md).
    on('talk:present', { limit: 'other', joined: false }, async ({ talkId }) => {
      const attending = inTalk(socket, talkId)
      await requirePresenter(viewer, talkId)
      await socket.join([rooms.talk(talkId), rooms.presenter(talkId)])
      // A demotion or removal that committed meanwhile re-checked the talk's sockets before this
      // one was in its rooms: look once more now that it is.
      try {
        const { status } = await requirePresenter(viewer, talkId)
        return done({ status })
      } catch (error) {
        await socket.leave(rooms.presenter(talkId))
        if (!attending) await socket.leave(rooms.talk(talkId))
        throw error
      }
    })

    on('talk:sync', { limit: 'other' }, async ({ talkId }) => {
      // The sync a client sends after recovering asks for what the recovery is loading already:
      // that load began once the socket was connected again, so it holds what the socket missed.
      // Sharing it spares the database one room load per socket when a whole room comes back.
      const loading = recovering.get(talkId)?.catch(() => undefined)
      const state = (await loading) ?? (await getRoomState(viewer, talkId))
      await placeInRooms(talkId, state)
      return done({ state })
    })

    on('talk:leave', { limit: 'other' }, async ({ talkId }) => {
      await takeOutOfRooms(talkId)
      await leave(talkId)
      return done({})
    })

    for (const [event, change] of [
      ['talk:open', openTalk],
      ['talk:end', endTalk],
    ] as const) {
      on(event, { limit: 'other' }, async ({ talkId }) => {
        const { status } = await change(viewer, talkId)
        if (status === 'ended') endedTalks.add(talkId)
        const stopped = status === 'ended' ? await stopRunningRecording(talkId) : null
        return done({ status }, async () => {
          talkAudiences(nsp, talkId).everyone('talk:status', { talkId, status })
          const clubId = await clubOfTalk(talkId)
          if (clubId) clubPages(nsp, clubId).talkChanged(talkId, status)
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
      on(event, { limit: 'other' }, async ({ talkId }) => {
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

    on('stage:respond', { limit: 'other' }, async ({ talkId, accept, recordingConsent }) => {
      const snapshot = await respondToStageInvite(viewer, talkId, accept, recordingConsent)
      if (accept) await syncMedia(talkId, [userId])
      return done({ stage: stageFor(snapshot) }, async () => {
        broadcastStage(snapshot)
        if (accept) await broadcastRecording(talkId)
      })
    })

    // Audio and video (LiveKit) and recording: docs/live-contract.md.
    on('media:token', { limit: 'other' }, async ({ talkId }) => {
      if (!media.configured) return refuse(mediaOff)
      const access = await mediaAccess(viewer, talkId)
      const minted = await mintRoomToken(
        { talkId, userId, displayName: access.name, photoUrl: access.photoUrl, role: access.role, canPublish: access.canPublish },
        media.settings,
      )
      return done({ url: minted.url, token: minted.token, role: access.role, canPublish: access.canPublish, expiresAt: minted.expiresAt.toISOString() })
    })

    on('recording:consent', { limit: 'other' }, async ({ talkId, policyVersion }) => {
      await giveRecordingConsent(viewer, talkId, policyVersion)
      await syncMedia(talkId, [userId])
      return done({}, () => broadcastRecording(talkId))
    })

    on('recording:withdraw', { limit: 'other' }, async ({ talkId }) => {
      const { stage } = await withdrawRecordingConsent(viewer, talkId)
      // Publishing stops now, before the ack: from here on they are not recorded.
      await syncMedia(talkId, [userId])
      return done({ stage: stageFor(stage) }, async () => {
        broadcastStage(stage)
        await broadcastRecording(talkId)
      })
    })

    on('talk:set-recorded', { limit: 'other' }, async ({ talkId, recorded }) => {
      const { onStage } = await setTalkRecorded(viewer, talkId, recorded)
      // Marking a talk recorded takes publishing from whoever on stage has not consented.
      const hosts = await talkAudiences(nsp, talkId).moderatorSockets()
      await syncMedia(talkId, [...onStage, ...hosts.map((h) => h.data.userId)])
      return done({}, () => broadcastRecording(talkId))
    })

    on('recording:start', { limit: 'other' }, async ({ talkId }) => {
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

    on('recording:stop', { limit: 'other' }, async ({ talkId }) => {
      const stopped = await stopRecording(viewer, talkId)
      if (stopped.egressId) await media.stopRecording(stopped.egressId)
      return done({}, () => broadcastRecording(talkId))
    })

    // Stage changes by a host or co-host to someone else.
    on('stage:invite', { limit: 'other' }, async ({ talkId, userId: target }) => {
      const snapshot = await inviteToStage(viewer, talkId, target)
      return done({ stage: stageFor(snapshot) }, () => {
        talkAudiences(nsp, talkId).person(target, 'stage:invited', { talkId, by: userId })
        broadcastStage(snapshot)
      })
    })

    on('stage:move-to-audience', { limit: 'other' }, async ({ talkId, userId: target }) => {
      const snapshot = await moveToAudience(viewer, talkId, target)
      await syncMedia(talkId, [target])
      return done({ stage: stageFor(snapshot) }, async () => {
        broadcastStage(snapshot)
        await broadcastRecording(talkId)
      })
    })

    on('stage:ask-mute', { limit: 'other' }, async ({ talkId, userId: target }) => {
      await askToMute(viewer, talkId, target)
      await media.muteMicrophone(talkId, target)
      return done({}, () => talkAudiences(nsp, talkId).person(target, 'stage:mute-requested', { talkId, by: userId }))
    })

    on('talk:remove', { limit: 'other' }, async ({ talkId, userId: target }) => {
      const snapshot = await removeFromTalk(viewer, talkId, target)
      await media.removeParticipant(talkId, target)
      return done({ stage: stageFor(snapshot) }, async () => {
        // removeFromTalk closed their stays; their sockets may be on any node.
        talkAudiences(nsp, talkId).remove(target, 'The hosts removed you from this talk.')
        broadcastStage(snapshot)
        audience.add(talkId, true)
        await broadcastRecording(talkId)
      })
    })

    on('cohost:promote', { limit: 'other' }, async ({ talkId, userId: target }) => {
      const snapshot = await promoteToCohost(viewer, talkId, target)
      return done({ stage: stageFor(snapshot) }, async () => {
        await syncMedia(talkId, [target])
        talkAudiences(nsp, talkId).promote(target)
        broadcastStage(snapshot)
        await broadcastRecording(talkId)
        // What a co-host sees (the queue, hidden questions) differs: send them the whole room.
        const [promoted] = await talkAudiences(nsp, talkId).personSockets(target)
        if (promoted) {
          const state = await getRoomState({ userId: target, role: promoted.data.role }, talkId)
          talkAudiences(nsp, talkId).person(target, 'room:state', state)
        }
      })
    })

    // Who must not receive what someone says (blocks, mutes) is read beside the write, afresh each
    // time: a block made a moment ago counts, and the broadcast waits for no second query.
    on('comment:send', { limit: 'comment' }, async ({ talkId, body, clientId }) => {
      const [comment, withheld] = await Promise.all([postComment(viewer, talkId, { body, clientId }), peopleNotToReceiveFrom(userId)])
      // Held back by a watched word: its author alone learns of it, from the ack.
      return done({ comment }, comment.held ? undefined : () => talkAudiences(nsp, talkId).everyoneBut(withheld, 'comment:new', { talkId, comment }))
    })

    on('comment:delete', { limit: 'other' }, async ({ talkId, commentId }) => {
      const { id: deleted } = await deleteComment(viewer, talkId, commentId)
      return done({ id: deleted }, () => talkAudiences(nsp, talkId).everyone('comment:deleted', { talkId, id: deleted }))
    })

    on('comment:pin', { limit: 'other' }, async ({ talkId, commentId }) => {
      const { pinned } = await pinComment(viewer, talkId, commentId)
      return done({ pinned }, async () => {
        if (!pinned) return talkAudiences(nsp, talkId).everyone('comment:pinned', { talkId, pinned })
        // Those who do not hear its author see nothing pinned, as their room state has it.
        const withheld = await peopleNotToReceiveFrom(pinned.author.userId)
        talkAudiences(nsp, talkId).everyoneBut(withheld, 'comment:pinned', { talkId, pinned }, { talkId, pinned: null })
      })
    })

    on('reaction:send', { limit: 'reaction' }, async ({ talkId, kind }) => {
      if (endedTalks.has(talkId)) return refuse('This talk has ended.')
      // Acknowledged once written: the batch carrying it has reached the totals.
      try {
        await reactions.addAndWait(talkId, { [kind]: 1 })
      } catch (error) {
        return refuse(isPublicError(error) ? error.message : 'Your reaction was not counted. Try again.')
      }
      return done({})
    })

    on('question:ask', { limit: 'question' }, async ({ talkId, body, clientId }) => {
      const [question, withheld] = await Promise.all([askQuestion(viewer, talkId, { body, clientId }), peopleNotToReceiveFrom(userId)])
      const { votedByMe: _, ...shared } = question
      return done({ question }, question.held ? undefined : () => talkAudiences(nsp, talkId).everyoneBut(withheld, 'question:new', { talkId, question: shared }))
    })

    // A report is the data layer's whole: one that holds the item back announces it (dropHeld).
    on('item:report', { limit: 'other' }, async ({ talkId, kind, itemId, reason, details }) => {
      const { held } = await reportItem(viewer, { kind, id: itemId, reason, details, inTalk: talkId })
      return done({ held })
    })

    // A vote carries no text: those who never received the question drop it by its unknown id.
    on('question:upvote', { limit: 'other' }, async ({ talkId, questionId, up }) => {
      const { id: voted, votes } = await voteQuestion(viewer, talkId, questionId, up)
      return done({ id: voted, votes }, () => talkAudiences(nsp, talkId).everyone('question:update', { talkId, id: voted, votes }))
    })

    on('question:mark', { limit: 'other' }, async ({ talkId, questionId, status }) => {
      const question = await markQuestion(viewer, talkId, questionId, status)
      const { votedByMe: _, ...shared } = question
      const update: QuestionUpdate = { talkId, id: question.id, status: question.status, votes: question.votes, question: shared }
      return done({ question }, async () => {
        const withheld = await peopleNotToReceiveFrom(question.author.userId)
        // A hidden question is only for hosts: the audience is told to drop it. Those who do not
        // hear its author get no text, so their client, not knowing the id, leaves it out.
        talkAudiences(nsp, talkId).splitBut(withheld, 'question:update', {
          moderators: update,
          audience: question.status === 'hidden' ? { talkId, id: question.id, status: 'hidden' } : update,
          instead: { talkId, id: question.id, status: question.status },
        })
      })
    })
  })

  return {
    recordingChanged: (talk) => broadcastRecording(talk),
    socketControl: (socketId) => controls.get(socketId),
    async close() {
      closing = true
      await heldItems.then((listener) => listener.stop()).catch(logUnexpected)
      await Promise.allSettled([...inFlight])
      await reactions.drain()
      await audience.drain()
    },
  }
}
