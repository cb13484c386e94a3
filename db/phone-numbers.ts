import { createHash, randomInt, timingSafeEqual } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import { db, type Database, type Transaction } from './client'
import { PublicError } from './errors'
import { phoneNumbers, users } from './schema/index'

/*
 * The phone number a member confirms for text-message notices (SMS, WhatsApp). A number is used
 * only once the code texted to it comes back: nobody gets texts for a number they typed wrong, or
 * someone else's. Changing the number keeps the confirmed one in use until the new one is confirmed.
 */

/** A phone number in E.164 form: "+" and 8 to 15 digits. Spaces, dashes, dots and brackets are dropped first. */
export const PhoneNumber = z
  .string({ required_error: 'Enter a phone number.', invalid_type_error: 'Enter a phone number.' })
  .transform((value) => value.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{7,14}$/, 'Enter the number with its country code, such as +447700900123.'))

/** How long a code works, how many wrong tries it takes, and how many codes an hour a member may ask for. */
export const PHONE_CODE_MINUTES = 10
export const PHONE_CODE_TRIES = 5
export const PHONE_CODES_PER_HOUR = 5

export type PhoneNumberState = {
  /** The confirmed number texts go to, and when it was confirmed. */
  number: string | null
  verifiedAt: Date | null
  /** A number waiting for its code (while the code still works). */
  pending: { number: string; expiresAt: Date } | null
}

const codeHash = (userId: string, number: string, code: string) => createHash('sha256').update(`${userId}:${number}:${code}`).digest('hex')

/** The member's numbers as their settings show them. */
export async function getPhoneNumber(userId: string, now = new Date()): Promise<PhoneNumberState> {
  const [row] = await db.select().from(phoneNumbers).where(eq(phoneNumbers.userId, userId))
  if (!row) return { number: null, verifiedAt: null, pending: null }
  const pendingLive = row.pendingNumber && row.codeExpiresAt && row.codeExpiresAt > now && row.codeAttempts < PHONE_CODE_TRIES
  return {
    number: row.number,
    verifiedAt: row.verifiedAt,
    pending: pendingLive ? { number: row.pendingNumber!, expiresAt: row.codeExpiresAt! } : null,
  }
}

/** The confirmed number texts go to, or null: read at send time, so a removed number gets nothing. */
export async function textNumberOf(userId: string, executor: Database | Transaction = db): Promise<string | null> {
  const [row] = await executor
    .select({ number: phoneNumbers.number })
    .from(phoneNumbers)
    .innerJoin(users, eq(users.id, phoneNumbers.userId))
    .where(sql`${phoneNumbers.userId} = ${userId} and ${users.deactivatedAt} is null`)
  return row?.number ?? null
}

/**
 * Starts confirming a number: stores it as pending with a new six-digit code (its hash) and
 * returns the code for the caller to text. Refused past PHONE_CODES_PER_HOUR codes in an hour.
 */
export async function startPhoneConfirmation(userId: string, rawNumber: unknown, now = new Date()): Promise<{ number: string; code: string }> {
  const parsed = PhoneNumber.safeParse(rawNumber)
  if (!parsed.success) throw new PublicError(parsed.error.issues[0].message, 400, 'phone')
  const number = parsed.data
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`phone:${userId}`}))`)
    const [row] = await tx.select().from(phoneNumbers).where(eq(phoneNumbers.userId, userId))
    if (row?.number === number) throw new PublicError('That number is already confirmed.', 409, 'phone')
    const windowOpen = row?.codesWindowStartedAt && now.getTime() - row.codesWindowStartedAt.getTime() < 60 * 60 * 1000
    const sent = windowOpen ? row.codesSent : 0
    if (sent >= PHONE_CODES_PER_HOUR) {
      const retry = Math.ceil((row!.codesWindowStartedAt!.getTime() + 60 * 60 * 1000 - now.getTime()) / 60_000)
      throw new PublicError(`Too many codes asked for. Try again in ${retry} ${retry === 1 ? 'minute' : 'minutes'}.`, 429, 'phone')
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
    const values = {
      pendingNumber: number,
      codeHash: codeHash(userId, number, code),
      codeExpiresAt: new Date(now.getTime() + PHONE_CODE_MINUTES * 60 * 1000),
      codeAttempts: 0,
      codesSent: sent + 1,
      codesWindowStartedAt: windowOpen ? row.codesWindowStartedAt : now,
      updatedAt: now,
    }
    await tx
      .insert(phoneNumbers)
      .values({ userId, ...values })
      .onConflictDoUpdate({ target: phoneNumbers.userId, set: values })
    return { number, code }
  })
}

/** Confirms the pending number with the code texted to it; a wrong code counts against PHONE_CODE_TRIES. */
export async function confirmPhoneNumber(userId: string, rawCode: unknown, now = new Date()): Promise<{ number: string }> {
  const code = typeof rawCode === 'string' ? rawCode.replace(/\s/g, '') : ''
  if (!/^\d{6}$/.test(code)) throw new PublicError('Enter the six-digit code from the text message.', 400, 'code')
  // The transaction returns the refusal rather than throwing it, so a wrong try is counted (a throw would roll the count back).
  const outcome = await db.transaction(async (tx): Promise<{ number: string } | PublicError> => {
    const [row] = await tx.select().from(phoneNumbers).where(eq(phoneNumbers.userId, userId)).for('update')
    if (!row?.pendingNumber || !row.codeHash || !row.codeExpiresAt) return new PublicError('No number is waiting for a code. Enter your number first.', 409, 'code')
    if (row.codeExpiresAt <= now || row.codeAttempts >= PHONE_CODE_TRIES) return new PublicError('That code has expired. Send a new one.', 410, 'code')
    const given = Buffer.from(codeHash(userId, row.pendingNumber, code), 'hex')
    if (!timingSafeEqual(given, Buffer.from(row.codeHash, 'hex'))) {
      const attempts = row.codeAttempts + 1
      await tx.update(phoneNumbers).set({ codeAttempts: attempts, updatedAt: now }).where(eq(phoneNumbers.userId, userId))
      const left = PHONE_CODE_TRIES - attempts
      return new PublicError(left > 0 ? `That code is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.` : 'That code is not right, and it no longer works. Send a new one.', 400, 'code')
    }
    await tx
      .update(phoneNumbers)
      .set({ number: row.pendingNumber, verifiedAt: now, pendingNumber: null, codeHash: null, codeExpiresAt: null, codeAttempts: 0, updatedAt: now })
      .where(eq(phoneNumbers.userId, userId))
    return { number: row.pendingNumber }
  })
  if (outcome instanceof PublicError) throw outcome
  return outcome
}

/** Forgets the member's numbers, confirmed and pending: no more texts. The hourly code count stays. */
export async function removePhoneNumber(userId: string, now = new Date()) {
  await db
    .update(phoneNumbers)
    .set({ number: null, verifiedAt: null, pendingNumber: null, codeHash: null, codeExpiresAt: null, codeAttempts: 0, updatedAt: now })
    .where(eq(phoneNumbers.userId, userId))
}
