import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto'
import { and, desc, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm'
import { findAccountByEmail } from './accounts'
import { db, type Transaction } from './client'
import { PublicError, isUniqueViolation } from './errors'
import { emailChanges, passwordResets, users } from './schema/index'
import { endSessionsIn } from './sessions'

/*
 * Keeping an account: a forgotten password reset by a code or link sent by email, a password
 * changed in settings, and a sign-in email changed (confirmed by a code to the new address, and
 * undoable from the old one for a week). Codes and tokens are stored only as SHA-256 hashes,
 * as sign-up's codes are (db/accounts.ts).
 */

export const RESET_LIFETIME_MS = 15 * 60 * 1000
export const EMAIL_CHANGE_CODE_LIFETIME_MS = 10 * 60 * 1000
export const EMAIL_CHANGE_UNDO_MS = 7 * 24 * 60 * 60 * 1000
export const RECOVERY_MAX_ATTEMPTS = 5
const RESEND_INTERVAL_MS = 60 * 1000
const PER_HOUR = 5
const HOUR_MS = 60 * 60 * 1000

function sha256(value: string) {
  return createHash('sha256').update(value).digest('hex')
}

function sameHash(expectedHex: string, givenHex: string) {
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(givenHex, 'hex'))
}

const codeHash = (ownerId: string, code: string) => sha256(`${ownerId}:${code}`)
const newCode = () => randomInt(0, 1_000_000).toString().padStart(6, '0')

export type Throttled = { status: 'throttled'; retryInSeconds: number }

/** One code a minute and five an hour, given the times of this hour's earlier ones (newest first). */
function throttle(recent: Date[], now: Date): Throttled | null {
  const last = recent[0]
  if (last && now.getTime() - last.getTime() < RESEND_INTERVAL_MS) {
    return { status: 'throttled', retryInSeconds: Math.ceil((RESEND_INTERVAL_MS - (now.getTime() - last.getTime())) / 1000) }
  }
  if (recent.length >= PER_HOUR) {
    return { status: 'throttled', retryInSeconds: Math.ceil((recent[recent.length - 1].getTime() + HOUR_MS - now.getTime()) / 1000) }
  }
  return null
}

/** A code checked inside a transaction: a wrong one is counted (committed) before it is refused. */
type Attempt<T> = { wrong: number } | { changed: T }

const wrongCode = (left: number) =>
  new PublicError(
    left > 0 ? `That code is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.` : 'Too many wrong tries. Ask for a new code.',
    400,
    'code',
  )
const spentCode = () => new PublicError('This code has already been used or replaced. Ask for a new one.', 400, 'code')
const expiredCode = () => new PublicError('This code has expired. Ask for a new one.', 400, 'code')

async function isActive(tx: Transaction, userId: string) {
  const [row] = await tx.select({ deactivatedAt: users.deactivatedAt }).from(users).where(eq(users.id, userId)).for('update')
  return row !== undefined && row.deactivatedAt === null
}

const deactivated = () =>
  new PublicError('This account is deactivated, so its password cannot be reset. Nothing was changed.', 403)

// ---------------------------------------------------------------- password reset

export type ResetRequest =
  | { status: 'sent'; userId: string; email: string; code: string; token: string }
  | { status: 'deactivated'; userId: string; email: string }
  | { status: 'no-account' }
  | Throttled

/**
 * Issues a reset code and link token for the account with this email (replacing any unused one),
 * unless one went out too recently. The caller answers the same whatever comes back.
 */
export async function requestPasswordReset(email: string, now = new Date()): Promise<ResetRequest> {
  const account = await findAccountByEmail(email)
  if (!account) return { status: 'no-account' }
  return db.transaction(async (tx) => {
    // One issuer at a time per person, so two quick clicks cannot both pass the throttle.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'password-reset:' + account.id}))`)
    if (!(await isActive(tx, account.id))) return { status: 'deactivated' as const, userId: account.id, email: account.email }
    const recent = await tx
      .select({ createdAt: passwordResets.createdAt })
      .from(passwordResets)
      .where(and(eq(passwordResets.userId, account.id), gt(passwordResets.createdAt, new Date(now.getTime() - HOUR_MS))))
      .orderBy(desc(passwordResets.createdAt))
    const throttled = throttle(
      recent.map((r) => r.createdAt),
      now,
    )
    if (throttled) return throttled
    await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, account.id), isNull(passwordResets.usedAt)))
    const code = newCode()
    const token = randomBytes(32).toString('base64url')
    await tx.insert(passwordResets).values({
      id: randomUUID(),
      userId: account.id,
      codeHash: codeHash(account.id, code),
      tokenHash: sha256(token),
      expiresAt: new Date(now.getTime() + RESET_LIFETIME_MS),
      createdAt: now,
    })
    return { status: 'sent' as const, userId: account.id, email: account.email, code, token }
  })
}

export type ResetProof = { email: string; code: string } | { token: string }

export type PasswordChanged = { userId: string; email: string; endedSessions: string[] }

/**
 * Sets a new password with a reset code (and its email) or a link's token. The reset is spent,
 * every session of the account ends (their sockets close on every node), and an unconfirmed
 * email counts as confirmed, since the code reached it. A wrong code counts a try; after five
 * the code is locked. Refused with nothing changed: a wrong, expired, spent or locked code, an
 * unknown email (answered as a wrong code), an erased or deactivated account.
 */
export async function resetPassword(proof: ResetProof, newPasswordHash: string, now = new Date()): Promise<PasswordChanged> {
  const account = 'email' in proof ? await findAccountByEmail(proof.email) : null
  if ('email' in proof && !account) throw wrongCode(RECOVERY_MAX_ATTEMPTS - 1)
  const outcome = await db.transaction(async (tx): Promise<Attempt<PasswordChanged>> => {
    const [pending] = await tx
      .select()
      .from(passwordResets)
      .where(
        'token' in proof
          ? eq(passwordResets.tokenHash, sha256(proof.token))
          : and(eq(passwordResets.userId, account!.id), isNull(passwordResets.usedAt)),
      )
      .orderBy(desc(passwordResets.createdAt))
      .limit(1)
      .for('update')
    if (!pending) {
      if ('token' in proof) throw new PublicError('This link is not valid. Ask for a new one.', 400)
      throw spentCode()
    }
    if (pending.usedAt) throw new PublicError('This link has already been used or replaced. Ask for a new one.', 400)
    if (pending.expiresAt <= now) throw 'token' in proof ? new PublicError('This link has expired. Ask for a new one.', 400) : expiredCode()
    if ('code' in proof) {
      if (pending.attempts >= RECOVERY_MAX_ATTEMPTS) throw wrongCode(0)
      if (!sameHash(pending.codeHash, codeHash(pending.userId, proof.code))) {
        const attempts = pending.attempts + 1
        await tx.update(passwordResets).set({ attempts }).where(eq(passwordResets.id, pending.id))
        // Commit the counted try, then tell the person.
        return { wrong: RECOVERY_MAX_ATTEMPTS - attempts }
      }
    }
    if (!(await isActive(tx, pending.userId))) throw deactivated()
    await tx.update(passwordResets).set({ usedAt: now }).where(eq(passwordResets.id, pending.id))
    const [user] = await tx
      .update(users)
      .set({
        passwordHash: newPasswordHash,
        emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)`,
      })
      .where(eq(users.id, pending.userId))
      .returning({ email: users.email })
    const endedSessions = await endSessionsIn(tx, pending.userId)
    return { changed: { userId: pending.userId, email: user.email, endedSessions } }
  })
  if ('wrong' in outcome) throw wrongCode(outcome.wrong)
  return outcome.changed
}

/** Whether a reset link's token can still be used, for the page it opens. */
export async function resetLinkState(token: string, now = new Date()): Promise<'valid' | 'expired' | 'invalid'> {
  const [row] = await db
    .select({ usedAt: passwordResets.usedAt, expiresAt: passwordResets.expiresAt })
    .from(passwordResets)
    .where(eq(passwordResets.tokenHash, sha256(token)))
  if (!row || row.usedAt) return 'invalid'
  return row.expiresAt <= now ? 'expired' : 'valid'
}

// ---------------------------------------------------------------- change password

/**
 * Sets a new password for a signed-in person whose current password the caller has checked;
 * ends every other session.
 */
export async function changePassword(userId: string, newPasswordHash: string, keepSessionId: string): Promise<PasswordChanged> {
  return db.transaction(async (tx) => {
    const [user] = await tx.update(users).set({ passwordHash: newPasswordHash }).where(eq(users.id, userId)).returning({ email: users.email })
    if (!user) throw new PublicError('Your account was not found.', 404)
    const endedSessions = await endSessionsIn(tx, userId, keepSessionId)
    return { userId, email: user.email, endedSessions }
  })
}

// ---------------------------------------------------------------- change email

const emailInUse = () => new PublicError('That email address is already used by another account.', 409, 'newEmail')

export type EmailChangeRequest = { status: 'sent'; code: string; newEmail: string } | Throttled

/**
 * Starts a change of sign-in email, after the caller has checked the password: a code goes to
 * the new address (the caller mails it). An address another account uses is refused.
 */
export async function requestEmailChange(userId: string, newEmail: string, now = new Date()): Promise<EmailChangeRequest> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'email-change:' + userId}))`)
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId))
    if (!user) throw new PublicError('Your account was not found.', 404)
    if (user.email.toLowerCase() === newEmail.toLowerCase()) {
      throw new PublicError('That is already your email address.', 400, 'newEmail')
    }
    const [taken] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = lower(${newEmail})`)
    if (taken) throw emailInUse()
    const recent = await tx
      .select({ createdAt: emailChanges.createdAt })
      .from(emailChanges)
      .where(and(eq(emailChanges.userId, userId), gt(emailChanges.createdAt, new Date(now.getTime() - HOUR_MS))))
      .orderBy(desc(emailChanges.createdAt))
    const throttled = throttle(
      recent.map((r) => r.createdAt),
      now,
    )
    if (throttled) return throttled
    await tx
      .update(emailChanges)
      .set({ cancelledAt: now })
      .where(and(eq(emailChanges.userId, userId), isNull(emailChanges.confirmedAt), isNull(emailChanges.cancelledAt)))
    const id = randomUUID()
    const code = newCode()
    await tx.insert(emailChanges).values({
      id,
      userId,
      oldEmail: user.email,
      newEmail,
      codeHash: codeHash(id, code),
      expiresAt: new Date(now.getTime() + EMAIL_CHANGE_CODE_LIFETIME_MS),
      createdAt: now,
    })
    return { status: 'sent' as const, code, newEmail }
  })
}

/** The change waiting for its code, if any, for the settings page. */
export async function pendingEmailChange(userId: string, now = new Date()) {
  const [row] = await db
    .select({ newEmail: emailChanges.newEmail, expiresAt: emailChanges.expiresAt })
    .from(emailChanges)
    .where(
      and(
        eq(emailChanges.userId, userId),
        isNull(emailChanges.confirmedAt),
        isNull(emailChanges.cancelledAt),
        gt(emailChanges.expiresAt, now),
      ),
    )
    .orderBy(desc(emailChanges.createdAt))
    .limit(1)
  return row ?? null
}

/** Drops a change waiting for its code. */
export async function cancelEmailChange(userId: string, now = new Date()) {
  await db
    .update(emailChanges)
    .set({ cancelledAt: now })
    .where(and(eq(emailChanges.userId, userId), isNull(emailChanges.confirmedAt), isNull(emailChanges.cancelledAt)))
}

export type EmailChanged = { changeId: string; oldEmail: string; newEmail: string; undoUntil: Date }

/**
 * Confirms the waiting change with the code sent to the new address: the account's email becomes
 * the new one, and the old address may undo it until `undoUntil`. Five wrong tries lock the code.
 */
export async function confirmEmailChange(userId: string, code: string, now = new Date()): Promise<EmailChanged> {
  const outcome = await db.transaction(async (tx): Promise<Attempt<EmailChanged>> => {
    const [pending] = await tx
      .select()
      .from(emailChanges)
      .where(and(eq(emailChanges.userId, userId), isNull(emailChanges.confirmedAt), isNull(emailChanges.cancelledAt)))
      .orderBy(desc(emailChanges.createdAt))
      .limit(1)
      .for('update')
    if (!pending) throw spentCode()
    if (pending.expiresAt <= now) throw expiredCode()
    if (pending.attempts >= RECOVERY_MAX_ATTEMPTS) throw wrongCode(0)
    if (!sameHash(pending.codeHash, codeHash(pending.id, code))) {
      const attempts = pending.attempts + 1
      await tx.update(emailChanges).set({ attempts }).where(eq(emailChanges.id, pending.id))
      return { wrong: RECOVERY_MAX_ATTEMPTS - attempts }
    }
    const undoUntil = new Date(now.getTime() + EMAIL_CHANGE_UNDO_MS)
    await tx.update(emailChanges).set({ confirmedAt: now, undoUntil }).where(eq(emailChanges.id, pending.id))
    await tx.update(users).set({ email: pending.newEmail }).where(eq(users.id, userId))
    return { changed: { changeId: pending.id, oldEmail: pending.oldEmail, newEmail: pending.newEmail, undoUntil } }
  }).catch((error: unknown) => {
    // Another account took the address after the code was sent.
    if (isUniqueViolation(error, 'users_email_key')) throw emailInUse()
    throw error
  })
  if ('wrong' in outcome) throw wrongCode(outcome.wrong)
  return outcome.changed
}

export type UndoState =
  | { status: 'open'; oldEmail: string; newEmail: string }
  | { status: 'done'; oldEmail: string }
  | { status: 'expired' | 'unknown' }

/** What an undo link finds: a change it may still undo, one already undone, or one past its week. */
export async function emailChangeUndoState(changeId: string, now = new Date()): Promise<UndoState> {
  const [row] = await db
    .select()
    .from(emailChanges)
    .where(and(eq(emailChanges.id, changeId), isNotNull(emailChanges.confirmedAt)))
  if (!row?.undoUntil) return { status: 'unknown' }
  if (row.undoneAt) return { status: 'done', oldEmail: row.oldEmail }
  if (row.undoUntil <= now) return { status: 'expired' }
  return { status: 'open', oldEmail: row.oldEmail, newEmail: row.newEmail }
}

/**
 * Undoes a confirmed change from the link sent to the old address: the old address is the
 * sign-in email again and every session of the account ends.
 */
export async function undoEmailChange(changeId: string, now = new Date()): Promise<{ userId: string; oldEmail: string; endedSessions: string[] }> {
  return db
    .transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(emailChanges)
        .where(and(eq(emailChanges.id, changeId), isNotNull(emailChanges.confirmedAt)))
        .for('update')
      if (!row?.undoUntil) throw new PublicError('This link is not valid.', 404)
      if (row.undoneAt) throw new PublicError('This change has already been undone.', 409)
      if (row.undoUntil <= now) throw new PublicError('This link has expired: a change can be undone for 7 days.', 410)
      await tx.update(emailChanges).set({ undoneAt: now }).where(eq(emailChanges.id, row.id))
      await tx.update(users).set({ email: row.oldEmail }).where(eq(users.id, row.userId))
      const endedSessions = await endSessionsIn(tx, row.userId)
      return { userId: row.userId, oldEmail: row.oldEmail, endedSessions }
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error, 'users_email_key')) {
        throw new PublicError('Your old address now belongs to another account, so it cannot be restored. Nothing was changed.', 409)
      }
      throw error
    })
}
