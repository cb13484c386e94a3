import { sql, type SQL } from 'drizzle-orm'
import { talkRoleSql, verifiedBadgeSql, type BadgeFacts, type TalkEntryFacts, type TalkRoleName, type TalkStatus } from '../access/index'
import { PublicError } from '../errors'
import { photoUrl } from '../photos'
import { councilName } from '../verification-councils'
import { profiles, talkQuestionVotes, talkStage, talks } from '../schema/index'
import type { LiveComment, LiveQuestion, PersonRef, QuestionStatus, StageSnapshot } from './types'

/*
 * People, the stage, comments and questions as rows: the columns the room's statements select
 * and the shapes they become.
 */

export const iso = (value: string | Date) => new Date(value).toISOString()

export type PersonRow = { userId: string; handle: string; name: string; photoPath: string | null; badge?: BadgeFacts | string | null }

/** The columns every person in the room is selected with (`p`: their profile). */
const personColumns = sql`p.handle, p.name, p.photo_path as "photoPath", ${verifiedBadgeSql(sql`p.user_id`)} as badge`

function badgeOf(badge: PersonRow['badge']): PersonRef['verified'] {
  if (!badge) return null
  const facts = typeof badge === 'string' ? (JSON.parse(badge) as BadgeFacts) : badge
  return { council: councilName(facts.council, facts.regulatorName), since: facts.since }
}

export const personOf = (row: PersonRow): PersonRef => ({
  userId: row.userId,
  handle: row.handle,
  name: row.name,
  photoUrl: photoUrl(row.photoPath),
  verified: badgeOf(row.badge),
})

export type StageRow = PersonRow & { status: 'raised' | 'invited' | 'on_stage'; raisedAt: string | null; updatedAt: string; role: TalkRoleName }

/**
 * Stage rows of a talk in display order: the stage (host first), invitations, then hands by the
 * time they were raised. `where` narrows the rows (the room state leaves the queue out for the audience).
 */
export function stageRowsSelect(talkId: SQL, where: SQL = sql`true`): SQL {
  return sql`select s.user_id as "userId", ${personColumns}, s.status, s.raised_at as "raisedAt", s.updated_at as "updatedAt",
      -- Only people on stage show a role; a long queue of hands skips the lookups.
      case when s.status = 'on_stage' then ${talkRoleSql(sql`s.user_id`)} else 'audience' end as role,
      row_number() over (order by
        case s.status when 'on_stage' then 0 when 'invited' then 1 else 2 end,
        case when s.status <> 'on_stage' then 0 when t.host_id = s.user_id then 0 else 1 end,
        s.raised_at, case when s.status = 'raised' then s.user_id end, s.updated_at, s.user_id) as ord
    from ${talkStage} s join ${talks} t on t.id = s.talk_id join ${profiles} p on p.user_id = s.user_id
    where s.talk_id = ${talkId} and ${where}`
}

export function snapshotOf(talkId: string, rows: StageRow[]): StageSnapshot {
  const hands = rows.filter((r) => r.status === 'raised').map((r) => ({ ...personOf(r), raisedAt: iso(r.raisedAt ?? r.updatedAt) }))
  return {
    talkId,
    stage: rows.filter((r) => r.status === 'on_stage').map((r) => ({ ...personOf(r), role: r.role })),
    hands,
    handCount: hands.length,
    invited: rows.filter((r) => r.status === 'invited').map((r) => r.userId),
  }
}

export type CommentRow = PersonRow & { id: string; talkId: string; body: string; createdAt: string; pinned: boolean; held?: boolean }

export const commentColumns = sql`c.id, c.talk_id as "talkId", c.user_id as "userId", ${personColumns},
  c.body, c.created_at as "createdAt", (c.pinned_at is not null) as pinned`

export const commentOf = (row: CommentRow): LiveComment => ({
  id: row.id,
  talkId: row.talkId,
  author: personOf(row),
  body: row.body,
  createdAt: iso(row.createdAt),
  pinned: row.pinned,
  // Only its author is ever sent a held comment.
  ...(row.held ? { held: true as const } : {}),
})

export type QuestionRow = PersonRow & {
  id: string
  talkId: string
  body: string
  createdAt: string
  status: QuestionStatus
  votes: number
  votedByMe: boolean
  held?: boolean
}

export function questionColumns(viewerId: string) {
  return sql`q.id, q.talk_id as "talkId", q.user_id as "userId", ${personColumns},
    q.body, q.created_at as "createdAt", q.status,
    (select count(*)::int from ${talkQuestionVotes} v where v.question_id = q.id) as votes,
    exists (select 1 from ${talkQuestionVotes} v where v.question_id = q.id and v.user_id = ${viewerId}) as "votedByMe"`
}

export const questionOf = (row: QuestionRow): LiveQuestion => ({
  id: row.id,
  talkId: row.talkId,
  author: personOf(row),
  body: row.body,
  createdAt: iso(row.createdAt),
  status: row.status,
  votes: row.votes,
  votedByMe: row.votedByMe,
  ...(row.held ? { held: true as const } : {}),
})

/** A write that authorises in its own statement: the entry facts, and the row written or stored by a retry. */
export type WriteRow = TalkEntryFacts & { status: TalkStatus; written: unknown; existing: unknown }

/** A client's id for a comment or question, so a retry writes nothing twice. */
export function checkedClientId(clientId: unknown): string | null {
  if (clientId === undefined || clientId === null) return null
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 100) {
    throw new PublicError('That message could not be sent. Reload the page and try again.', 400)
  }
  return clientId
}
