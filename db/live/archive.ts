import { sql, type SQL } from 'drizzle-orm'
import { heldFromViewerSql, loadTalkEntry, mayEnterTalk, presentToViewerSql, silencedForViewerSql } from '../access/index'
import { db } from '../client'
import type { Viewer } from '../viewer'
import { profiles, talkComments, talkQuestions } from '../schema/index'
import { commentColumns, commentOf, questionColumns, questionOf, type CommentRow, type QuestionRow } from './rows'
import type { LiveComment, LiveQuestion } from './types'

/*
 * A talk's record once it has ended, read-only, for its page: the pinned comment, the comments and
 * the questions the hosts marked answered. Shown to whoever may enter the talk (the talk entry
 * rule, db/access/talks.ts: the club listed to them, not banned, not removed from the talk), each
 * item by the rules of the room and of lists of people:
 *
 *  - nothing deleted, and nothing held back or removed by moderation — not even to its author,
 *    who was told in the room and through the notice; an archive is the talk's settled record;
 *  - nothing from someone silenced for the viewer (a block either way, or the viewer's mute);
 *  - nothing from a deactivated or erased account (presentToViewerSql: to others they do not
 *    exist), while the viewer's own words stay.
 */

/** How many comments the archive carries, from the start of the talk. */
export const ARCHIVE_COMMENT_LIMIT = 300
/** How many answered questions it carries, the most upvoted first. */
export const ARCHIVE_QUESTION_LIMIT = 100

export type TalkArchive = {
  pinned: LiveComment | null
  comments: LiveComment[]
  /** More comments were made than the archive carries. */
  moreComments: boolean
  answeredQuestions: LiveQuestion[]
}

/** Whether the viewer may read an item by `userId` (over its row), by the rules above. */
function shownSql(viewer: NonNullable<Viewer>, kind: 'comment' | 'question', id: SQL, userId: SQL): SQL {
  return sql`not ${heldFromViewerSql(null, kind, id)} and ${presentToViewerSql(viewer, userId)} and not ${silencedForViewerSql(viewer, userId)}`
}

/** The ended talk's record as the viewer may see it; null when the talk has not ended or the viewer may not enter it. */
export async function getTalkArchive(viewer: Viewer, talkId: string): Promise<TalkArchive | null> {
  const entry = await loadTalkEntry(viewer, talkId)
  if (!viewer || !mayEnterTalk(entry) || entry.status !== 'ended') return null
  const comment = shownSql(viewer, 'comment', sql`c.id`, sql`c.user_id`)
  const [comments, pinned, questions] = await Promise.all([
    db.execute<CommentRow>(sql`
      select ${commentColumns} from ${talkComments} c join ${profiles} p on p.user_id = c.user_id
      where c.talk_id = ${entry.id} and c.deleted_at is null and ${comment}
      order by c.created_at, c.id limit ${ARCHIVE_COMMENT_LIMIT + 1}`),
    db.execute<CommentRow>(sql`
      select ${commentColumns} from ${talkComments} c join ${profiles} p on p.user_id = c.user_id
      where c.talk_id = ${entry.id} and c.pinned_at is not null and c.deleted_at is null and ${comment}
      order by c.pinned_at desc limit 1`),
    db.execute<QuestionRow>(sql`
      select ${questionColumns(viewer.userId)} from ${talkQuestions} q join ${profiles} p on p.user_id = q.user_id
      where q.talk_id = ${entry.id} and q.status = 'answered' and ${shownSql(viewer, 'question', sql`q.id`, sql`q.user_id`)}
      order by votes desc, q.created_at, q.id limit ${ARCHIVE_QUESTION_LIMIT}`),
  ])
  return {
    pinned: pinned[0] ? commentOf(pinned[0]) : null,
    comments: comments.slice(0, ARCHIVE_COMMENT_LIMIT).map(commentOf),
    moreComments: comments.length > ARCHIVE_COMMENT_LIMIT,
    answeredQuestions: questions.map(questionOf),
  }
}
