import { isModerator } from '../../db/access/index'
import type { LiveServerEvents, SiteServerEvents, TalkRoleName } from '../../app/live/protocol'
import type { LiveNamespace, SiteNamespace } from './types'

/*
 * Who receives what in a talk, in one place. A talk's sockets are in three kinds of room:
 * `talk:<id>` (everyone in the talk), `talk:<id>:hosts` (its moderators — hosts and co-hosts, by
 * the data layer's `isModerator`) and `talk:<id>:user:<userId>` (one person's sockets in the talk,
 * on any node). Every socket is also in `user:<userId>` and `session:<sessionId>`, so a person or
 * a session can be reached, or closed, on every node. What only moderators may see (the hand
 * queue, hidden questions, who has not consented to recording) is sent to `moderators`; the rest
 * of the room, the `audience`, gets its own version. What someone says live (a comment, a
 * question) passes by the people for whom they are silenced — a block either way, or a mute
 * (db/live/silenced.ts) — through their `talk:<id>:user:<userId>` rooms, so on every node.
 */

export const rooms = {
  talk: (talkId: string) => `talk:${talkId}`,
  moderators: (talkId: string) => `talk:${talkId}:hosts`,
  personInTalk: (talkId: string, userId: string) => `talk:${talkId}:user:${userId}`,
  person: (userId: string) => `user:${userId}`,
  session: (sessionId: string) => `session:${sessionId}`,
  club: (clubId: string) => `club:${clubId}`,
  /** The talk's presenter views: in the talk's room to hear it, without attending (docs/quizzes.md). */
  presenter: (talkId: string) => `talk:${talkId}:presenter`,
  /** The sockets of a talk that have answered one live question (a poll's voters see its counts). */
  answered: (talkId: string, questionId: string) => `talk:${talkId}:answered:${questionId}`,
}

const TALK_ROOM = /^talk:([0-9a-f-]{36})$/i

/** The talks whose rooms these are. */
export function talksOf(socketRooms: Iterable<string>) {
  return [...socketRooms].flatMap((room) => TALK_ROOM.exec(room)?.[1] ?? [])
}

/** The rooms every socket of a person is in, in every namespace. */
export const personalRooms = (data: { userId: string; sessionId: string }) => [rooms.person(data.userId), rooms.session(data.sessionId)]

type Event = keyof LiveServerEvents
type Payload<E extends Event> = Parameters<LiveServerEvents[E]>[0]
type RoomSocket = { rooms: Set<string>; join: (rooms: string | string[]) => unknown; leave: (room: string) => unknown }

/** Whether the socket has joined the talk. */
export const inTalk = (socket: { rooms: Set<string> }, talkId: string) => socket.rooms.has(rooms.talk(talkId))
/** Whether the socket receives what the talk's moderators receive. */
export const seesAsModerator = (socket: { rooms: Set<string> }, talkId: string) => socket.rooms.has(rooms.moderators(talkId))

/** Puts a socket in the talk's rooms, and in its moderators' room or out of it by the person's role. */
export async function placeInTalk(socket: RoomSocket, talkId: string, userId: string, role: TalkRoleName) {
  await socket.join([rooms.talk(talkId), rooms.personInTalk(talkId, userId)])
  await setModerator(socket, talkId, isModerator(role))
}

/** Puts a socket in or out of the talk's moderators' room. */
export async function setModerator(socket: RoomSocket, talkId: string, moderator: boolean) {
  if (moderator) await socket.join(rooms.moderators(talkId))
  else await socket.leave(rooms.moderators(talkId))
}

export async function takeOutOfTalk(socket: RoomSocket, talkId: string, userId: string) {
  for (const room of [rooms.talk(talkId), rooms.moderators(talkId), rooms.personInTalk(talkId, userId), rooms.presenter(talkId)]) await socket.leave(room)
}

/** The audiences of one talk on a namespace, on every node. */
export function talkAudiences(nsp: LiveNamespace, talkId: string) {
  const talk = rooms.talk(talkId)
  const moderators = rooms.moderators(talkId)
  const personInTalk = (userId: string) => rooms.personInTalk(talkId, userId)
  return {
    /** Everyone in the talk. */
    everyone: <E extends Event>(event: E, payload: Payload<E>) => void nsp.to(talk).emit(event, ...([payload] as Parameters<LiveServerEvents[E]>)),
    /**
     * Everyone in the talk but the people in `withheld`, whose sockets get `instead` when given:
     * what someone said, kept from those for whom they are silenced.
     */
    everyoneBut: <E extends Event>(withheld: string[], event: E, payload: Payload<E>, instead?: Payload<E>) => {
      const skipped = withheld.map(personInTalk)
      nsp.to(talk).except(skipped).emit(event, ...([payload] as Parameters<LiveServerEvents[E]>))
      // `to([])` would be the whole namespace.
      if (instead !== undefined && skipped.length > 0) nsp.to(skipped).emit(event, ...([instead] as Parameters<LiveServerEvents[E]>))
    },
    /** As `split`, but the people in `withheld` get `instead`, whatever their role. */
    splitBut: <E extends Event>(withheld: string[], event: E, versions: { moderators: Payload<E>; audience: Payload<E>; instead: Payload<E> }) => {
      const skipped = withheld.map(personInTalk)
      nsp.to(moderators).except(skipped).emit(event, ...([versions.moderators] as Parameters<LiveServerEvents[E]>))
      nsp.to(talk).except([moderators, ...skipped]).emit(event, ...([versions.audience] as Parameters<LiveServerEvents[E]>))
      if (skipped.length > 0) nsp.to(skipped).emit(event, ...([versions.instead] as Parameters<LiveServerEvents[E]>))
    },
    /** What moderators see and what the rest of the room sees instead. */
    split: <E extends Event>(event: E, versions: { moderators: Payload<E>; audience: Payload<E> }) => {
      nsp.to(moderators).emit(event, ...([versions.moderators] as Parameters<LiveServerEvents[E]>))
      nsp.to(talk).except(moderators).emit(event, ...([versions.audience] as Parameters<LiveServerEvents[E]>))
    },
    /**
     * The moderators' version to the moderators and to the sockets in `alsoFull` (rooms of this
     * talk), the audience's version to the rest of the room.
     */
    splitWith: <E extends Event>(event: E, versions: { moderators: Payload<E>; audience: Payload<E>; alsoFull: string[] }) => {
      const full = [moderators, ...versions.alsoFull]
      nsp.to(full).emit(event, ...([versions.moderators] as Parameters<LiveServerEvents[E]>))
      nsp.to(talk).except(full).emit(event, ...([versions.audience] as Parameters<LiveServerEvents[E]>))
    },
    /**
     * The audience's version, except to some of them (`except`: people), who get their own
     * from `each` — a place in the hand queue; moderators get theirs.
     */
    splitPerPerson: <E extends Event>(
      event: E,
      versions: { moderators: Payload<E>; audience: Payload<E>; people: string[]; each: (userId: string, index: number) => Payload<E> },
    ) => {
      nsp.to(moderators).emit(event, ...([versions.moderators] as Parameters<LiveServerEvents[E]>))
      nsp
        .to(talk)
        .except([moderators, ...versions.people.map(personInTalk)])
        .emit(event, ...([versions.audience] as Parameters<LiveServerEvents[E]>))
      versions.people.forEach((userId, index) => {
        nsp
          .to(personInTalk(userId))
          .except(moderators)
          .emit(event, ...([versions.each(userId, index)] as Parameters<LiveServerEvents[E]>))
      })
    },
    /** One person's sockets in this talk, on any node. */
    person: <E extends Event>(userId: string, event: E, payload: Payload<E>) =>
      void nsp.to(personInTalk(userId)).emit(event, ...([payload] as Parameters<LiveServerEvents[E]>)),
    /** The talk's moderators' sockets on every node. */
    moderatorSockets: () => nsp.in(moderators).fetchSockets(),
    /** One person's sockets in this talk on every node. */
    personSockets: (userId: string) => nsp.in(personInTalk(userId)).fetchSockets(),
    /** Makes a person's sockets in this talk, on every node, see it as a moderator. */
    promote: (userId: string) => nsp.in(personInTalk(userId)).socketsJoin(moderators),
    /**
     * Takes all of a person's sockets out of the talk on every node, then tells them why. Each node
     * takes them out before it tells them (one ordered stream), so nothing they send after the
     * notice is let in.
     */
    remove: (userId: string, message: string) => {
      nsp.in(rooms.person(userId)).socketsLeave([talk, moderators, personInTalk(userId), rooms.presenter(talkId)])
      nsp.to(rooms.person(userId)).emit('talk:removed', { talkId, message })
    },
  }
}

export type TalkAudiences = ReturnType<typeof talkAudiences>

/**
 * Those who have a club's page open: sockets of the site's namespace that entered its room (a
 * check of who may see the club, re-made on every access change). They are sent only ids, and
 * read the club again through its page's own rules.
 */
export function clubPages(nsp: LiveNamespace, clubId: string) {
  return {
    talkChanged: (talkId: string, status: Parameters<SiteServerEvents['club:talk']>[0]['status']) =>
      // The server types each namespace alike; the site's own is typed by its events here.
      (nsp.server.of('/') as unknown as SiteNamespace).to(rooms.club(clubId)).emit('club:talk', { clubId, talkId, status }),
  }
}
