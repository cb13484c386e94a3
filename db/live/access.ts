import { sql, type SQL } from 'drizzle-orm'
import { checkTalkEntryFacts, refuse, talkStandingColumns, type TalkEntryFacts, type TalkRoleName, type TalkStatus } from '../access/index'
import { db, type Transaction } from '../client'
import { isId } from '../ids'
import { clubs, talkStage, talks } from '../schema/index'
import type { TalkType } from '../talks'
import type { Viewer } from '../viewer'
import { consentValid } from './consent'

/*
 * The viewer's standing in a live room, read in one row: the talk, the entry rule's facts and
 * their role (db/access/talks.ts), their place on the stage and their recording consent. Every
 * action in the room starts from it.
 */

export type Q = Transaction | typeof db

export type Access = TalkEntryFacts & {
  id: string
  title: string
  type: TalkType
  status: TalkStatus
  startsAt: string
  durationMinutes: number
  hostId: string
  clubId: string
  openedAt: string | null
  endedAt: string | null
  clubSlug: string
  clubName: string
  clubVisibility: 'public' | 'private'
  role: TalkRoleName
  stage: 'raised' | 'invited' | 'on_stage' | null
  recorded: boolean
  /** The viewer's consent to be recorded in this talk is valid now. */
  consented: boolean
}

/**
 * Everything about the talk and the viewer's standing in it, in one row: the entry rule's facts
 * (talkStandingColumns), their role and their place on the stage.
 */
export function accessSelect(viewer: NonNullable<Viewer>, talkId: string): SQL {
  const uid = sql`${viewer.userId}`
  return sql`select t.id, t.title, t.type, t.status, t.starts_at as "startsAt", t.duration_minutes as "durationMinutes",
      t.host_id as "hostId", t.club_id as "clubId", t.opened_at as "openedAt", t.ended_at as "endedAt",
      ${clubs}.slug as "clubSlug", ${clubs}.name as "clubName", ${clubs}.visibility as "clubVisibility",
      ${talkStandingColumns(viewer)},
      (select s.status from ${talkStage} s where s.talk_id = t.id and s.user_id = ${uid}) as stage,
      t.recorded, ${consentValid(sql`t.id`, uid)} as consented
    from ${talks} t join ${clubs} on ${clubs}.id = t.club_id
    where t.id = ${talkId}`
}

/**
 * Loads the viewer's access, refusing as a join would when they may not enter; with a lock, the
 * talk row is held until the transaction ends so opening and ending a talk are ordered against
 * stage changes: 'update' for status changes and host-side stage changes, 'share' for a person
 * changing only their own place.
 */
export async function loadAccess(q: Q, viewer: Viewer, talkId: string, lock?: 'update' | 'share') {
  if (!viewer) throw refuse.signIn()
  if (!isId(talkId)) throw refuse.notFound()
  const lockSql = lock === 'update' ? sql` for update of t` : lock === 'share' ? sql` for share of t` : sql``
  const [row] = await q.execute<Access>(sql`${accessSelect(viewer, talkId)}${lockSql}`)
  return checkTalkEntryFacts(row)
}

/** The club a talk belongs to, for telling the club's room the talk went live or ended (null: no such talk). */
export async function clubOfTalk(talkId: string): Promise<string | null> {
  const [row] = await db.execute<{ clubId: string }>(sql`select club_id as "clubId" from ${talks} where id = ${talkId}`)
  return row?.clubId ?? null
}
