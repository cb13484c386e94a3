import { bigserial, index, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * What an access change asks the live rooms to do:
 * - 'club': re-check sockets in the club's room and its talks' rooms (one person's, or with no
 *   person everyone's, e.g. the club turned private);
 * - 'talk': re-check sockets in one talk's rooms (one person's, or everyone's);
 * - 'user': disconnect every socket of the person (deactivation);
 * - 'session': disconnect every socket of the session (sign-out, erasure).
 */
export const accessChangeKind = pgEnum('access_change_kind', ['club', 'talk', 'user', 'session'])

/**
 * The outbox that carries changes of who may be in which live room to every node
 * (server/realtime/access-changes.ts). A row is written in the transaction that makes the
 * change; every node reads every row (none deletes on read) and rows are pruned after an hour.
 * No foreign keys: a row outlives the sessions, memberships and accounts it names.
 */
export const accessChanges = pgTable(
  'access_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: accessChangeKind('kind').notNull(),
    userId: text('user_id'),
    clubId: text('club_id'),
    talkId: text('talk_id'),
    sessionId: text('session_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('access_changes_created_idx').on(t.createdAt)],
)
