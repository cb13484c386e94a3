import { sql } from 'drizzle-orm'
import {
  integer,
  jsonb,
  index,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { clubSearchColumns, clubSearchIndexes } from './search'
import { users } from './users'

export const clubVisibility = pgEnum('club_visibility', ['public', 'private'])
export const clubRole = pgEnum('club_role', ['owner', 'admin', 'moderator', 'member'])

export const clubs = pgTable(
  'clubs',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    specialities: text('specialities').array().notNull().default(sql`'{}'::text[]`),
    visibility: clubVisibility('visibility').notNull().default('public'),
    coverPath: text('cover_path'),
    ownerId: text('owner_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    ...clubSearchColumns,
  },
  (t) => [
    uniqueIndex('clubs_slug_key').on(sql`lower(${t.slug})`),
    index('clubs_specialities_idx').using('gin', t.specialities),
    ...clubSearchIndexes(t),
  ],
)

export const clubMembers = pgTable(
  'club_members',
  {
    clubId: text('club_id')
      .notNull()
      .references(() => clubs.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: clubRole('role').notNull().default('member'),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.clubId, t.userId] }), index('club_members_user_idx').on(t.userId)],
)

export const clubFollows = pgTable(
  'club_follows',
  {
    clubId: text('club_id')
      .notNull()
      .references(() => clubs.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.clubId, t.userId] }), index('club_follows_user_idx').on(t.userId)],
)

/** A shareable link that lets its holder see and join a club (and optionally lands on a talk). */
export const clubInviteLinks = pgTable(
  'club_invite_links',
  {
    id: text('id').primaryKey(),
    clubId: text('club_id')
      .notNull()
      .references(() => clubs.id, { onDelete: 'cascade' }),
    token: text('token').notNull(),
    talkId: text('talk_id'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    maxUses: integer('max_uses'),
    uses: integer('uses').notNull().default(0),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('club_invite_links_token_key').on(t.token), index('club_invite_links_club_idx').on(t.clubId)],
)

export const invitationStatus = pgEnum('invitation_status', ['pending', 'accepted', 'declined', 'revoked'])

/** An admin's invitation of one named doctor. */
export const clubInvitations = pgTable(
  'club_invitations',
  {
    id: text('id').primaryKey(),
    clubId: text('club_id')
      .notNull()
      .references(() => clubs.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    status: invitationStatus('status').notNull().default('pending'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('club_invitations_pending_key').on(t.clubId, t.userId).where(sql`status = 'pending'`),
    index('club_invitations_user_idx').on(t.userId),
    // A new account's invitations over the last day (db/moderation/limits.ts).
    index('club_invitations_inviter_idx').on(t.invitedBy, t.createdAt),
  ],
)

export const clubBans = pgTable(
  'club_bans',
  {
    clubId: text('club_id')
      .notNull()
      .references(() => clubs.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    bannedBy: text('banned_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.clubId, t.userId] })],
)

export const clubAuditLog = pgTable(
  'club_audit_log',
  {
    id: text('id').primaryKey(),
    clubId: text('club_id')
      .notNull()
      .references(() => clubs.id, { onDelete: 'cascade' }),
    actorId: text('actor_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    targetUserId: text('target_user_id').references(() => users.id, { onDelete: 'set null' }),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('club_audit_log_club_idx').on(t.clubId, t.createdAt)],
)
