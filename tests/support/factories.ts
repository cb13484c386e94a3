import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { createAccount } from '../../db/accounts'
import { createClub, type ClubInput } from '../../db/clubs'
import { db, rawSql } from '../../db/client'
import { getPrivacySettings, updatePrivacySettings } from '../../db/privacy/index'
import { profiles, talks, users } from '../../db/schema/index'
import type { Viewer } from '../../db/viewer'
import { hashPassword } from '../../server/passwords'

// Users are created through the same data-layer function sign-up uses, then
// adjusted directly in the database, so each test starts from a known state fast.

export const DEFAULT_PASSWORD = 'stethoscope on the ward round'

// Argon2 is deliberately slow; tests mostly share a handful of passwords.
const hashes = new Map<string, Promise<string>>()
function hashOnce(password: string) {
  let hashed = hashes.get(password)
  if (!hashed) {
    hashed = hashPassword(password)
    hashes.set(password, hashed)
  }
  return hashed
}

let counter = 0
function unique() {
  counter++
  return `${process.pid.toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`
}

export type ProfileFields = {
  handle?: string
  speciality?: string | null
  city?: string | null
  interests?: string[]
  bio?: string | null
  registrationNumber?: string | null
  visibility?: 'public' | 'private'
  photoPath?: string | null
}

export type TestDoctor = {
  id: string
  email: string
  password: string
  name: string
  handle: string
}

export async function createDoctor(
  options: {
    name?: string
    email?: string
    password?: string
    dateOfBirth?: string
    verified?: boolean
    profile?: ProfileFields
    /** An account made just now, under the new-account limits (db/moderation/limits.ts); by default a month old. */
    newAccount?: boolean
  } = {},
): Promise<TestDoctor> {
  const tag = unique()
  const name = options.name ?? `Dr Test ${tag}`
  const email = options.email ?? `doctor-${tag}@hospital.test`
  const password = options.password ?? DEFAULT_PASSWORD
  const created = await createAccount({
    name,
    email,
    passwordHash: await hashOnce(password),
    dateOfBirth: options.dateOfBirth ?? '1985-06-15',
  })
  if (!created) throw new Error(`A test user with ${email} already exists.`)
  const createdAt = options.newAccount ? new Date() : new Date(Date.now() - 30 * 24 * 60 * 60 * 1000)
  await db
    .update(users)
    .set({ createdAt, ...(options.verified !== false ? { emailVerifiedAt: new Date() } : {}) })
    .where(eq(users.id, created.userId))
  if (options.profile && Object.keys(options.profile).length > 0) {
    await db.update(profiles).set(options.profile).where(eq(profiles.userId, created.userId))
  }
  const [row] = await db.select({ handle: profiles.handle }).from(profiles).where(eq(profiles.userId, created.userId))
  return { id: created.userId, email, password, name, handle: row.handle }
}

/** The profile row as stored, for before/after comparisons. */
export async function profileRow(userId: string) {
  const [row] = await db.select().from(profiles).where(eq(profiles.userId, userId))
  return row
}

export async function countRows(table: 'users' | 'profiles' | 'sessions' | 'dev_mailbox' | 'email_verifications') {
  const [row] = await rawSql().unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`)
  return row.n
}

/** A signed-in doctor as the data layer sees them. */
export const viewerOf = (doctor: { id: string }, role: 'member' | 'staff' = 'member'): NonNullable<Viewer> => ({
  userId: doctor.id,
  role,
})

export type TestClub = { id: string; slug: string; name: string }

/** A club made through createClub (owner membership and audit row included), with a unique slug. */
export async function createTestClub(owner: { id: string }, options: Partial<ClubInput> = {}): Promise<TestClub> {
  const tag = unique()
  const input: ClubInput = {
    name: `Test Club ${tag}`,
    slug: `club-${tag}`,
    description: '',
    specialities: [],
    visibility: 'public',
    ...options,
  }
  const { id, slug } = await createClub(viewerOf(owner), input)
  return { id, slug, name: input.name }
}

/** A talk written straight to the database: scheduling has no data-layer function yet. */
export async function createTalk(options: {
  clubId: string
  hostId: string
  startsAt?: Date
  status?: 'scheduled' | 'live' | 'ended'
  title?: string
  description?: string
}) {
  const id = randomUUID()
  const title = options.title ?? `Test talk ${unique()}`
  await db.insert(talks).values({
    id,
    clubId: options.clubId,
    hostId: options.hostId,
    title,
    description: options.description ?? '',
    startsAt: options.startsAt ?? new Date(Date.now() + 24 * 60 * 60 * 1000),
    status: options.status ?? 'scheduled',
  })
  return { id, title }
}

/** Rows in a table of clubs, follows or RSVPs, for before/after comparisons. */
export async function countTableRows(
  table: 'clubs' | 'club_members' | 'club_follows' | 'club_bans' | 'club_invitations' | 'club_invite_links' | 'club_audit_log' | 'follows' | 'talk_rsvps',
) {
  const [row] = await rawSql().unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`)
  return row.n
}

export type LiveTable =
  | 'talks'
  | 'talk_roles'
  | 'talk_stage'
  | 'talk_removals'
  | 'talk_comments'
  | 'talk_questions'
  | 'talk_question_votes'
  | 'talk_attendance'
  | 'talk_reaction_totals'

/** Rows in a talk or live-room table, optionally for one talk only, for before/after comparisons. */
export async function countLiveRows(table: LiveTable, talkId?: string) {
  const column = table === 'talks' ? 'id' : 'talk_id'
  const rows =
    table === 'talk_question_votes'
      ? await rawSql().unsafe<{ n: number }[]>(
          `select count(*)::int as n from talk_question_votes v join talk_questions q on q.id = v.question_id${talkId ? ' where q.talk_id = $1' : ''}`,
          talkId ? [talkId] : [],
        )
      : await rawSql().unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}${talkId ? ` where ${column} = $1` : ''}`, talkId ? [talkId] : [])
  return rows[0].n
}

/** Makes a doctor a club member with a role, straight in the database (no audit row). */
export async function addClubMember(club: { id: string }, doctor: { id: string }, role: 'owner' | 'admin' | 'moderator' | 'member' = 'member') {
  await rawSql()`insert into club_members (club_id, user_id, role) values (${club.id}, ${doctor.id}, ${role})
    on conflict (club_id, user_id) do update set role = excluded.role`
}

/** Gives a doctor a role in a talk (co-host or speaker), as scheduling does. */
export async function addTalkRole(talkId: string, doctor: { id: string }, role: 'cohost' | 'speaker') {
  await rawSql()`insert into talk_roles (talk_id, user_id, role) values (${talkId}, ${doctor.id}, ${role})
    on conflict (talk_id, user_id) do update set role = excluded.role`
}

/** Opts a doctor in or out of search the way the privacy settings page does, keeping their other settings. */
export async function setDiscoverable(userId: string, discoverable: boolean) {
  const { profileVisibility: _visibility, ...settings } = await getPrivacySettings(userId)
  await updatePrivacySettings(userId, { ...settings, discoverable })
}
