import { sql, type SQL } from 'drizzle-orm'
import { preparedSql } from '../client'
import { personRelations } from '../schema/index'

/*
 * Blocks and mutes in the live room. The rule is `silencedForViewerSql` (db/access/people.ts):
 * what someone says live is left out for a viewer when either has blocked the other, or the
 * viewer muted them; a person's own words always reach them (no one blocks or mutes
 * themselves). Both directions are needed as sets: the people silenced for a viewer, for the room
 * state (room.ts), and the people a new comment or question must not reach, for a broadcast. Each
 * reads the same rows by the table's two indexes.
 */

/**
 * The people whose live words are left out for the viewer, as a text array: everyone they blocked
 * or muted, and everyone who blocked them. `silencedForViewerSql` for every author at once, read
 * once per viewer (two index lookups) so a room read filters with `<> all(...)`: a per-row
 * predicate would be cheap to run, but the planner prices it for every row it might meet, and a
 * join batch priced that high is compiled (JIT) on every run.
 */
export function silencedPeopleSql(viewerId: SQL): SQL {
  return sql`array(select sr.other_id from ${personRelations} sr where sr.user_id = ${viewerId}
    union select sr.user_id from ${personRelations} sr where sr.other_id = ${viewerId} and sr.kind = 'block')`
}

const notToReceiveStatement = preparedSql<{ userId: string }>(() => {
  const author = sql`${sql.placeholder('authorId')}::text`
  return sql`
    select user_id as "userId" from ${personRelations} where other_id = ${author}
    union
    select other_id from ${personRelations} where user_id = ${author} and kind = 'block'`
})

/**
 * The people for whom what `authorId` says live is silenced: everyone who blocked or muted them,
 * and everyone they blocked. It is not narrowed to a talk's audience: a socket is in a talk's
 * rooms before its stay is written, and a broadcast must already pass it by. Two index lookups,
 * read afresh for every comment and question, so a block or mute counts from the next one on.
 */
export async function peopleNotToReceiveFrom(authorId: string): Promise<string[]> {
  const rows = await notToReceiveStatement({ authorId })
  return rows.map((row) => row.userId)
}
