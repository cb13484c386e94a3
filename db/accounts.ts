import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto'
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm'
import { db, type Transaction } from './client'
import { PublicError, isUniqueViolation } from './errors'
import { emailVerifications, profiles, users } from './schema/index'

export const CODE_LIFETIME_MS = 10 * 60 * 1000
export const CODE_MAX_ATTEMPTS = 5
export const CODE_RESEND_INTERVAL_MS = 60 * 1000
export const CODES_PER_HOUR = 5

export type Account = {
  id: string
  email: string
  passwordHash: string
  emailVerified: boolean
  role: 'member' | 'staff'
}

export async function findAccountByEmail(email: string): Promise<Account | null> {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      passwordHash: users.passwordHash,
      emailVerifiedAt: users.emailVerifiedAt,
      role: users.role,
    })
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .limit(1)
  if (!row) return null
  return { ...row, emailVerified: row.emailVerifiedAt !== null }
}

export function handleFromName(name: string) {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/^dr\.?\s+/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
  return base.length >= 3 ? base : `doctor-${base}`.replace(/-+$/, '')
}

export type NewAccount = {
  email: string
  /** An argon2 hash, or a value no password matches for an account without one. */
  passwordHash: string
  dateOfBirth: string
  name: string
  /** Set when the address is already known to be theirs (a provider vouched for it). */
  emailVerifiedAt?: Date
}

/** Inserts a user and their profile, with a handle no one has yet, in the caller's transaction. */
export async function insertAccount(tx: Transaction, input: NewAccount): Promise<string> {
  const userId = randomUUID()
  const base = handleFromName(input.name)
  await tx.insert(users).values({
    id: userId,
    email: input.email,
    passwordHash: input.passwordHash,
    dateOfBirth: input.dateOfBirth,
    emailVerifiedAt: input.emailVerifiedAt ?? null,
  })
  const taken = await tx
    .select({ handle: profiles.handle })
    .from(profiles)
    .where(sql`lower(${profiles.handle}) like ${base + '%'}`)
  const takenSet = new Set(taken.map((t) => t.handle.toLowerCase()))
  let handle = base
  for (let n = 2; takenSet.has(handle); n++) handle = `${base}-${n}`
  await tx.insert(profiles).values({ userId, handle, name: input.name })
  return userId
}

/**
 * Creates a user and their profile together. Returns null when the email is
 * taken, so the caller can answer exactly as it does for a new address.
 */
export async function createAccount(input: Omit<NewAccount, 'emailVerifiedAt'>): Promise<{ userId: string } | null> {
  try {
    return { userId: await db.transaction((tx) => insertAccount(tx, input)) }
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) return null
    throw error
  }
}

function hashCode(userId: string, code: string) {
  return createHash('sha256').update(`${userId}:${code}`).digest('hex')
}

export type IssuedCode = { status: 'sent'; code: string } | { status: 'throttled'; retryInSeconds: number }

/** Creates a fresh 6-digit code (replacing any unused one), unless one was sent too recently. */
export async function issueEmailCode(userId: string, now = new Date()): Promise<IssuedCode> {
  return db.transaction(async (tx) => {
    // One issuer at a time per user, so two quick clicks cannot both pass the throttle.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'email-code:' + userId}))`)
    const recent = await tx
      .select({ createdAt: emailVerifications.createdAt })
      .from(emailVerifications)
      .where(
        and(
          eq(emailVerifications.userId, userId),
          gt(emailVerifications.createdAt, new Date(now.getTime() - 60 * 60 * 1000)),
        ),
      )
      .orderBy(desc(emailVerifications.createdAt))
    const last = recent[0]
    if (last && now.getTime() - last.createdAt.getTime() < CODE_RESEND_INTERVAL_MS) {
      return {
        status: 'throttled' as const,
        retryInSeconds: Math.ceil((CODE_RESEND_INTERVAL_MS - (now.getTime() - last.createdAt.getTime())) / 1000),
      }
    }
    if (recent.length >= CODES_PER_HOUR) {
      const oldest = recent[recent.length - 1]
      return {
        status: 'throttled' as const,
        retryInSeconds: Math.ceil((oldest.createdAt.getTime() + 60 * 60 * 1000 - now.getTime()) / 1000),
      }
    }
    await tx
      .update(emailVerifications)
      .set({ usedAt: now })
      .where(and(eq(emailVerifications.userId, userId), isNull(emailVerifications.usedAt)))
    const code = randomInt(0, 1_000_000).toString().padStart(6, '0')
    await tx.insert(emailVerifications).values({
      id: randomUUID(),
      userId,
      codeHash: hashCode(userId, code),
      expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS),
      createdAt: now,
    })
    return { status: 'sent' as const, code }
  })
}

const wrongCode = (left: number) =>
  new PublicError(
    left > 0 ? `That code is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.` : 'Too many wrong tries. Ask for a new code.',
    400,
    'code',
  )

/**
 * Checks a code for the account with this email. Unknown emails get the same
 * answer as a wrong code. On success the email is verified and the code spent.
 */
export async function verifyEmailCode(email: string, code: string, now = new Date()): Promise<{ userId: string }> {
  const account = await findAccountByEmail(email)
  if (!account) throw wrongCode(CODE_MAX_ATTEMPTS - 1)
  return db.transaction(async (tx) => {
    const [pending] = await tx
      .select()
      .from(emailVerifications)
      .where(and(eq(emailVerifications.userId, account.id), isNull(emailVerifications.usedAt)))
      .orderBy(desc(emailVerifications.createdAt))
      .limit(1)
      .for('update')
    if (!pending) throw new PublicError('This code has already been used or replaced. Ask for a new one.', 400, 'code')
    if (pending.expiresAt <= now) throw new PublicError('This code has expired. Ask for a new one.', 400, 'code')
    if (pending.attempts >= CODE_MAX_ATTEMPTS) throw wrongCode(0)
    const expected = Buffer.from(pending.codeHash, 'hex')
    const given = Buffer.from(hashCode(account.id, code), 'hex')
    if (!timingSafeEqual(expected, given)) {
      const attempts = pending.attempts + 1
      await tx.update(emailVerifications).set({ attempts }).where(eq(emailVerifications.id, pending.id))
      // Commit the counted try, then tell the person.
      return { userId: '', left: CODE_MAX_ATTEMPTS - attempts }
    }
    await tx.update(emailVerifications).set({ usedAt: now }).where(eq(emailVerifications.id, pending.id))
    await tx
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)` })
      .where(eq(users.id, account.id))
    return { userId: account.id, left: 0 }
  }).then((result) => {
    if (!result.userId) throw wrongCode(result.left)
    return { userId: result.userId }
  })
}

export async function isEmailVerified(userId: string) {
  const [row] = await db.select({ at: users.emailVerifiedAt }).from(users).where(eq(users.id, userId))
  return Boolean(row?.at)
}
