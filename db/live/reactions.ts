import { sql } from 'drizzle-orm'
import { refuse } from '../access/index'
import { db } from '../client'
import { PublicError } from '../errors'
import { isId } from '../ids'
import { talkReactionTotals, talks } from '../schema/index'
import { reactionKinds } from './types'

const REACTION_MAX_PER_FLUSH = 100_000

/**
 * Adds a batch of reactions (the socket layer's coalesced counts) to the talk's totals and
 * returns the totals. Counts reach only a live talk: a batch flushed after the talk ended
 * adds nothing, and the totals come back unchanged.
 */
export async function recordReactions(talkId: string, counts: Readonly<Record<string, number>>): Promise<Record<string, number>> {
  if (!isId(talkId)) throw refuse.notFound()
  const entries = Object.entries(counts ?? {})
  for (const [kind, n] of entries) {
    if (!(reactionKinds as readonly string[]).includes(kind)) throw new PublicError('That reaction is not one we know.', 400)
    if (!Number.isInteger(n) || n < 0 || n > REACTION_MAX_PER_FLUSH) throw new PublicError('That reaction count is not valid.', 400)
  }
  const adding = entries.filter(([, n]) => n > 0)
  const rows = await db.execute<{ kind: string; count: number }>(
    adding.length === 0
      ? sql`select kind, count from ${talkReactionTotals} where talk_id = ${talkId}`
      : sql`
        with ins as (
          insert into ${talkReactionTotals} (talk_id, kind, count)
          select ${talkId}::text, v.kind, v.n from (values ${sql.join(
            adding.map(([kind, n]) => sql`(${kind}::text, ${n}::int)`),
            sql`, `,
          )}) as v(kind, n)
          where exists (select 1 from ${talks} t where t.id = ${talkId} and t.status = 'live')
          on conflict (talk_id, kind) do update set count = ${talkReactionTotals}.count + excluded.count
          returning kind, count)
        select kind, count from ins
        union all
        select kind, count from ${talkReactionTotals} where talk_id = ${talkId} and kind not in (select kind from ins)`,
  )
  return Object.fromEntries(rows.map((r) => [r.kind, r.count]))
}
