import { sql, type SQL } from 'drizzle-orm'
import type { Transaction } from '../client'
import { PublicError } from '../errors'
import { formatWhen } from '../notifications/kinds'
import { accountRestrictions, clubInvitations, follows, talkComments, talkQuestions, users } from '../schema/index'
import { verifiedDoctorSql } from '../access/verification'

/*
 * Limits on posting, checked inside the writer's transaction, before the write:
 * - a moderator's posting limit (account_restrictions.posting_limited_until) refuses comments,
 *   questions, follows and club invitations with 403 until its date; a suspension refuses them too;
 * - a new account — younger than NEW_ACCOUNT_DAYS and not a verified doctor — may post only so
 *   many of each in a minute and in a day, counted from the rows it wrote (indexed by author and
 *   time), refused with 429 saying why and when it may post again.
 * The live room's per-event rate limits (server/realtime/rate-limits.ts) apply as well, to everyone.
 *
 * A live comment or question stays one statement for an account free to post (postingStandingSql
 * read beside the insert, freeToPostSql gating it); only a new or restricted account pays for the
 * transaction, the lock and the count.
 */

export const NEW_ACCOUNT_DAYS = 3

export type PostingKind = 'comment' | 'question' | 'follow' | 'club_invitation'

type Limit = { perMinute?: number; perDay: number; rule: (n: number, per: string) => string; again: string }

export const newAccountLimits: Record<PostingKind, Limit> = {
  comment: { perMinute: 3, perDay: 20, rule: (n, per) => `post ${n} comments a ${per}`, again: 'post' },
  question: { perMinute: 2, perDay: 10, rule: (n, per) => `ask ${n} questions a ${per}`, again: 'ask' },
  follow: { perDay: 20, rule: (n, per) => `follow ${n} doctors a ${per}`, again: 'follow' },
  club_invitation: { perDay: 10, rule: (n, per) => `send ${n} club invitations a ${per}`, again: 'invite' },
}

// Each kind's rows: who wrote them and when.
const written = {
  comment: { table: talkComments, author: sql`user_id` },
  question: { table: talkQuestions, author: sql`user_id` },
  follow: { table: follows, author: sql`follower_id` },
  club_invitation: { table: clubInvitations, author: sql`invited_by` },
} satisfies Record<PostingKind, unknown>

const MINUTE_MS = 60_000
const DAY_MS = 24 * 60 * MINUTE_MS

/** "in 40 seconds", "in 12 minutes", "in 5 hours". */
export function inHowLong(ms: number) {
  const seconds = Math.max(1, Math.ceil(ms / 1000))
  if (seconds <= 90) return `in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}`
  const minutes = Math.ceil(seconds / 60)
  if (minutes < 90) return `in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`
  const hours = Math.ceil(minutes / 60)
  return `in ${hours} hours`
}

/** A person's standing for posting, as `postingStandingSql` reads it. */
export type PostingStanding = {
  standingAt: string | Date
  limitedUntil: string | Date | null
  suspended: boolean
  timeZone: string | null
  /** Set while the account is new (and not a verified doctor): when it stops being new. */
  newUntil: string | Date | null
}

/** One row: the person's PostingStanding, read in the statement or transaction that writes. */
export function postingStandingSql(userId: string): SQL {
  return sql`
    select now() as "standingAt", r.posting_limited_until as "limitedUntil", coalesce(r.suspended, false) as suspended, u.time_zone as "timeZone",
      case when u.created_at > now() - make_interval(days => ${NEW_ACCOUNT_DAYS})
        and not ${verifiedDoctorSql(sql`u.id`, 'now')}
      then u.created_at + make_interval(days => ${NEW_ACCOUNT_DAYS}) end as "newUntil"
    from ${users} u left join ${accountRestrictions} r on r.user_id = u.id
    where u.id = ${userId}`
}

/**
 * Over a row of `postingStandingSql` (named by `standing`): free to post with no count — not
 * suspended, not limited, not new. A writer's single statement inserts only then, and otherwise
 * takes the longer way through checkPostingAllowed.
 */
export function freeToPostSql(standing: SQL): SQL {
  return sql`(not ${standing}.suspended and (${standing}."limitedUntil" is null or ${standing}."limitedUntil" <= ${standing}."standingAt") and ${standing}."newUntil" is null)`
}

/** Refuses with 403 a suspended account, or one a moderator limited, until the limit's end. */
export function refuseWhileRestricted(standing: PostingStanding) {
  if (standing.suspended) throw new PublicError('Your account is suspended, so you cannot post.', 403)
  if (standing.limitedUntil && new Date(standing.limitedUntil) > new Date(standing.standingAt)) {
    throw new PublicError(`A moderator has limited your posting until ${formatWhen(new Date(standing.limitedUntil), standing.timeZone)}.`, 403)
  }
}

/**
 * Refuses the write when the person may not post it now (403 for a moderator's limit, 429 for a
 * new account's); otherwise returns, having taken a per-person lock when counting, so that two
 * posts at once cannot both take the last place.
 */
export async function checkPostingAllowed(tx: Transaction, userId: string, kind: PostingKind): Promise<void> {
  const [standing] = await tx.execute<PostingStanding>(postingStandingSql(userId))
  if (!standing) throw new PublicError('Sign in to continue.', 401)
  refuseWhileRestricted(standing)
  if (!standing.newUntil) return
  const now = new Date(standing.standingAt)
  const newUntil = new Date(standing.newUntil)
  const limit = newAccountLimits[kind]
  const { table, author } = written[kind]
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`posting:${userId}`}))`)
  // The newest first, as many as a day allows: enough to tell both windows and when each reopens.
  const rows = await tx.execute<{ at: Date }>(sql`
    select created_at as at from ${table}
    where ${author} = ${userId} and created_at > now() - interval '1 day'
    order by created_at desc limit ${limit.perDay}`)
  const times = rows.map((r) => new Date(r.at).getTime())
  const refuse = (n: number, per: 'minute' | 'day', reopensAt: number) => {
    const when = Math.min(reopensAt, newUntil.getTime())
    return new PublicError(
      `New accounts can ${limit.rule(n, per)} for their first ${NEW_ACCOUNT_DAYS} days. You can ${limit.again} again ${inHowLong(when - now.getTime())}.`,
      429,
    )
  }
  if (times.length >= limit.perDay) throw refuse(limit.perDay, 'day', times[limit.perDay - 1] + DAY_MS)
  if (limit.perMinute !== undefined) {
    const lastMinute = times.filter((t) => t > now.getTime() - MINUTE_MS)
    if (lastMinute.length >= limit.perMinute) throw refuse(limit.perMinute, 'minute', lastMinute[limit.perMinute - 1] + MINUTE_MS)
  }
}
