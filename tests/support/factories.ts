import { eq } from 'drizzle-orm'
import { createAccount } from '../../db/accounts'
import { db, rawSql } from '../../db/client'
import { profiles, users } from '../../db/schema/index'
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
  if (options.verified !== false) {
    await db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, created.userId))
  }
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
