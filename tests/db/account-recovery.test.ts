import { eq, inArray } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import {
  EMAIL_CHANGE_UNDO_MS,
  RECOVERY_MAX_ATTEMPTS,
  RESET_LIFETIME_MS,
  changePassword,
  confirmEmailChange,
  emailChangeUndoState,
  requestEmailChange,
  requestPasswordReset,
  resetLinkState,
  resetPassword,
  undoEmailChange,
} from '../../db/account-recovery'
import { findAccountByEmail } from '../../db/accounts'
import { db } from '../../db/client'
import { eraseAccount, requestErasure } from '../../db/data-rights/index'
import { PublicError } from '../../db/errors'
import { deactivateAccount, passwordHashOf } from '../../db/privacy/index'
import { accessChanges, emailChanges, passwordResets, sessions, users } from '../../db/schema/index'
import { hashPassword, verifyPassword } from '../../server/passwords'
import { createDoctor, viewerOf } from '../support/factories'
import { signIn } from '../support/routes'

const NEW_PASSWORD = 'a quieter night on call'
const newHash = hashPassword(NEW_PASSWORD)
const MINUTE = 60 * 1000

async function refusal(promise: Promise<unknown>): Promise<PublicError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PublicError)
  return error as PublicError
}

async function sentReset(email: string, now?: Date) {
  const result = await requestPasswordReset(email, now)
  if (result.status !== 'sent') throw new Error(`Expected a reset to be sent, got ${result.status}`)
  return result
}

const otherCode = (code: string) => (code === '000000' ? '000001' : '000000')

async function sessionIdsOf(userId: string) {
  return (await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))).map((r) => r.id)
}

async function accessChangesFor(sessionIds: string[]) {
  return db.select({ sessionId: accessChanges.sessionId }).from(accessChanges).where(inArray(accessChanges.sessionId, sessionIds))
}

/** A doctor with two signed-in devices. */
async function doctorWithDevices() {
  const doctor = await createDoctor()
  const phone = await signIn(doctor.id)
  const laptop = await signIn(doctor.id)
  return { doctor, phone, laptop }
}

async function expectPasswordUnchanged(doctor: { id: string; password: string }) {
  expect(await verifyPassword(await passwordHashOf(doctor.id), doctor.password)).toBe(true)
}

describe('requestPasswordReset', () => {
  it('issues a 15-minute code and link for a known address, storing only their hashes', async () => {
    const doctor = await createDoctor()
    const now = new Date()

    const sent = await sentReset(doctor.email.toUpperCase(), now)

    expect(sent.code).toMatch(/^\d{6}$/)
    expect(sent.token).toMatch(/^[\w-]{43}$/)
    expect(sent.email).toBe(doctor.email)
    const [row] = await db.select().from(passwordResets).where(eq(passwordResets.userId, doctor.id))
    expect(row.expiresAt.getTime() - now.getTime()).toBe(RESET_LIFETIME_MS)
    expect(JSON.stringify(row)).not.toContain(sent.token)
    expect(row.codeHash).not.toContain(sent.code)
    expect(await resetLinkState(sent.token, now)).toBe('valid')
  })

  it('issues nothing for an unknown address, and throttles a second request within a minute', async () => {
    expect(await requestPasswordReset('nobody.here@hospital.test')).toEqual({ status: 'no-account' })
    const doctor = await createDoctor()
    const now = new Date()
    await sentReset(doctor.email, now)
    const again = await requestPasswordReset(doctor.email, new Date(now.getTime() + 10_000))
    expect(again).toMatchObject({ status: 'throttled' })
  })

  it('issues no code for a deactivated account', async () => {
    const doctor = await createDoctor()
    await deactivateAccount(doctor.id, 'none')
    expect(await requestPasswordReset(doctor.email)).toMatchObject({ status: 'deactivated', userId: doctor.id })
    expect(await db.select().from(passwordResets).where(eq(passwordResets.userId, doctor.id))).toEqual([])
  })
})

describe('resetPassword', () => {
  it('with the code: sets the password, confirms the email, spends the code and ends every session on every node', async () => {
    const { doctor, phone, laptop } = await doctorWithDevices()
    await db.update(users).set({ emailVerifiedAt: null }).where(eq(users.id, doctor.id))
    const sent = await sentReset(doctor.email)

    const changed = await resetPassword({ email: doctor.email, code: sent.code }, await newHash)

    expect(changed.userId).toBe(doctor.id)
    expect(changed.endedSessions.sort()).toEqual([phone.sessionId, laptop.sessionId].sort())
    expect(await sessionIdsOf(doctor.id)).toEqual([])
    expect((await accessChangesFor(changed.endedSessions)).length).toBe(2)
    expect(await verifyPassword(await passwordHashOf(doctor.id), NEW_PASSWORD)).toBe(true)
    expect((await findAccountByEmail(doctor.email))?.emailVerified).toBe(true)

    // Replayed: refused, and the password stays the new one.
    const replay = await refusal(resetPassword({ email: doctor.email, code: sent.code }, await hashPassword('yet another password here')))
    expect(replay.message).toBe('This code has already been used or replaced. Ask for a new one.')
    expect(await verifyPassword(await passwordHashOf(doctor.id), NEW_PASSWORD)).toBe(true)
  })

  it('with the link: works once', async () => {
    const { doctor } = await doctorWithDevices()
    const sent = await sentReset(doctor.email)

    await resetPassword({ token: sent.token }, await newHash)
    expect(await resetLinkState(sent.token)).toBe('invalid')

    const replay = await refusal(resetPassword({ token: sent.token }, await hashPassword('a third password for replay')))
    expect(replay.status).toBe(400)
    expect(replay.message).toBe('This link has already been used or replaced. Ask for a new one.')
    expect(await verifyPassword(await passwordHashOf(doctor.id), NEW_PASSWORD)).toBe(true)
  })

  it('refuses a made-up link token', async () => {
    const error = await refusal(resetPassword({ token: 'A'.repeat(43) }, await newHash))
    expect(error.message).toBe('This link is not valid. Ask for a new one.')
  })

  it('refuses an expired code and link, changing nothing', async () => {
    const { doctor, phone } = await doctorWithDevices()
    const issuedAt = new Date(Date.now() - RESET_LIFETIME_MS - MINUTE)
    const sent = await sentReset(doctor.email, issuedAt)

    const byCode = await refusal(resetPassword({ email: doctor.email, code: sent.code }, await newHash))
    const byLink = await refusal(resetPassword({ token: sent.token }, await newHash))

    expect(byCode).toMatchObject({ status: 400, field: 'code', message: 'This code has expired. Ask for a new one.' })
    expect(byLink.message).toBe('This link has expired. Ask for a new one.')
    expect(await resetLinkState(sent.token)).toBe('expired')
    await expectPasswordUnchanged(doctor)
    expect(await sessionIdsOf(doctor.id)).toContain(phone.sessionId)
  })

  it('counts wrong codes and locks the code after five, even against the right one', async () => {
    const { doctor, phone } = await doctorWithDevices()
    const sent = await sentReset(doctor.email)
    const wrong = otherCode(sent.code)

    const first = await refusal(resetPassword({ email: doctor.email, code: wrong }, await newHash))
    expect(first).toMatchObject({ status: 400, field: 'code', message: `That code is not right. ${RECOVERY_MAX_ATTEMPTS - 1} tries left.` })
    for (let i = 1; i < RECOVERY_MAX_ATTEMPTS; i++) await refusal(resetPassword({ email: doctor.email, code: wrong }, await newHash))

    const locked = await refusal(resetPassword({ email: doctor.email, code: sent.code }, await newHash))
    expect(locked.message).toBe('Too many wrong tries. Ask for a new code.')
    const [row] = await db.select().from(passwordResets).where(eq(passwordResets.userId, doctor.id))
    expect(row.attempts).toBe(RECOVERY_MAX_ATTEMPTS)
    expect(row.usedAt).toBeNull()
    await expectPasswordUnchanged(doctor)
    expect(await sessionIdsOf(doctor.id)).toContain(phone.sessionId)
  })

  it('refuses a code replaced by a newer one', async () => {
    const doctor = await createDoctor()
    const first = await sentReset(doctor.email, new Date(Date.now() - 2 * MINUTE))
    const second = await sentReset(doctor.email)
    expect((await refusal(resetPassword({ token: first.token }, await newHash))).message).toBe(
      'This link has already been used or replaced. Ask for a new one.',
    )
    if (first.code !== second.code) await refusal(resetPassword({ email: doctor.email, code: first.code }, await newHash))
    await expectPasswordUnchanged(doctor)
  })

  it('answers an unknown email as a wrong code', async () => {
    const error = await refusal(resetPassword({ email: 'nobody.else@hospital.test', code: '123456' }, await newHash))
    expect(error).toMatchObject({ status: 400, field: 'code', message: `That code is not right. ${RECOVERY_MAX_ATTEMPTS - 1} tries left.` })
  })

  it('refuses a deactivated account with 403, leaving the code, password and sessions alone', async () => {
    const { doctor, phone } = await doctorWithDevices()
    const sent = await sentReset(doctor.email)
    await deactivateAccount(doctor.id, phone.sessionId)

    for (const proof of [{ email: doctor.email, code: sent.code }, { token: sent.token }]) {
      const error = await refusal(resetPassword(proof, await newHash))
      expect(error).toMatchObject({ status: 403, message: 'This account is deactivated, so its password cannot be reset. Nothing was changed.' })
    }
    await expectPasswordUnchanged(doctor)
    expect(await sessionIdsOf(doctor.id)).toEqual([phone.sessionId])
    expect(await resetLinkState(sent.token)).toBe('valid')
  })

  it('refuses a reset for an erased account', async () => {
    const doctor = await createDoctor()
    const sent = await sentReset(doctor.email)
    const erasure = await requestErasure(viewerOf(doctor))
    await eraseAccount(erasure.id, { now: new Date(erasure.scheduledFor.getTime() + MINUTE) })

    expect(await refusal(resetPassword({ token: sent.token }, await newHash))).toMatchObject({ status: 400 })
    expect(await refusal(resetPassword({ email: doctor.email, code: sent.code }, await newHash))).toMatchObject({ status: 400 })
    expect(await db.select().from(users).where(eq(users.id, doctor.id))).toEqual([])
    expect(await requestPasswordReset(doctor.email)).toEqual({ status: 'no-account' })
  })
})

describe('changePassword', () => {
  it('sets the password and ends every other session, keeping this one', async () => {
    const { doctor, phone, laptop } = await doctorWithDevices()

    const changed = await changePassword(doctor.id, await newHash, laptop.sessionId)

    expect(changed.endedSessions).toEqual([phone.sessionId])
    expect(await sessionIdsOf(doctor.id)).toEqual([laptop.sessionId])
    expect(await accessChangesFor([phone.sessionId])).toEqual([{ sessionId: phone.sessionId }])
    expect(await verifyPassword(await passwordHashOf(doctor.id), NEW_PASSWORD)).toBe(true)
  })
})

describe('email change', () => {
  async function requested(userId: string, newEmail: string, now?: Date) {
    const result = await requestEmailChange(userId, newEmail, now)
    if (result.status !== 'sent') throw new Error(`Expected a code, got ${result.status}`)
    return result.code
  }

  it('changes the email once the code sent to the new address is entered, and the old address can undo it', async () => {
    const { doctor, phone, laptop } = await doctorWithDevices()
    const newEmail = `moved.${doctor.id.slice(0, 8)}@clinic.test`
    const code = await requested(doctor.id, newEmail)
    expect((await findAccountByEmail(doctor.email))?.id).toBe(doctor.id)

    const changed = await confirmEmailChange(doctor.id, code)

    expect(changed).toMatchObject({ oldEmail: doctor.email, newEmail })
    expect(changed.undoUntil.getTime() - Date.now()).toBeGreaterThan(EMAIL_CHANGE_UNDO_MS - MINUTE)
    expect((await findAccountByEmail(newEmail))?.id).toBe(doctor.id)
    expect(await findAccountByEmail(doctor.email)).toBeNull()
    expect(await sessionIdsOf(doctor.id)).toHaveLength(2)
    expect(await emailChangeUndoState(changed.changeId)).toEqual({ status: 'open', oldEmail: doctor.email, newEmail })

    const undone = await undoEmailChange(changed.changeId)

    expect(undone.oldEmail).toBe(doctor.email)
    expect(undone.endedSessions.sort()).toEqual([phone.sessionId, laptop.sessionId].sort())
    expect(await sessionIdsOf(doctor.id)).toEqual([])
    expect((await findAccountByEmail(doctor.email))?.id).toBe(doctor.id)
    expect(await emailChangeUndoState(changed.changeId)).toEqual({ status: 'done', oldEmail: doctor.email })
    expect(await refusal(undoEmailChange(changed.changeId))).toMatchObject({ status: 409 })
  })

  it('refuses an address in use, without saying whose, and changes nothing', async () => {
    const doctor = await createDoctor()
    const other = await createDoctor()

    const error = await refusal(requestEmailChange(doctor.id, other.email.toUpperCase()))

    expect(error).toMatchObject({ status: 409, field: 'newEmail', message: 'That email address is already used by another account.' })
    expect(error.message).not.toContain(other.name)
    expect(await db.select().from(emailChanges).where(eq(emailChanges.userId, doctor.id))).toEqual([])
    expect(await refusal(requestEmailChange(doctor.id, doctor.email))).toMatchObject({ status: 400, field: 'newEmail' })
  })

  it('refuses the code when another account took the address meanwhile', async () => {
    const doctor = await createDoctor()
    const newEmail = `taken.${doctor.id.slice(0, 8)}@clinic.test`
    const code = await requested(doctor.id, newEmail)
    await createDoctor({ email: newEmail })

    expect(await refusal(confirmEmailChange(doctor.id, code))).toMatchObject({ status: 409, field: 'newEmail' })
    expect((await findAccountByEmail(doctor.email))?.id).toBe(doctor.id)
  })

  it('counts wrong codes, locks after five, refuses an expired code and a replaced one', async () => {
    const doctor = await createDoctor()
    const newEmail = `locked.${doctor.id.slice(0, 8)}@clinic.test`
    const code = await requested(doctor.id, newEmail, new Date(Date.now() - 2 * MINUTE))
    for (let i = 0; i < RECOVERY_MAX_ATTEMPTS; i++) await refusal(confirmEmailChange(doctor.id, otherCode(code)))
    expect((await refusal(confirmEmailChange(doctor.id, code))).message).toBe('Too many wrong tries. Ask for a new code.')

    const fresh = await requested(doctor.id, newEmail)
    if (fresh !== code) expect(await refusal(confirmEmailChange(doctor.id, code))).toMatchObject({ field: 'code' })
    expect((await refusal(confirmEmailChange(doctor.id, fresh, new Date(Date.now() + 11 * MINUTE)))).message).toBe(
      'This code has expired. Ask for a new one.',
    )
    expect((await findAccountByEmail(doctor.email))?.id).toBe(doctor.id)
  })

  it('refuses an undo after 7 days', async () => {
    const doctor = await createDoctor()
    const code = await requested(doctor.id, `late.${doctor.id.slice(0, 8)}@clinic.test`)
    const changed = await confirmEmailChange(doctor.id, code)
    const later = new Date(Date.now() + EMAIL_CHANGE_UNDO_MS + MINUTE)

    expect(await emailChangeUndoState(changed.changeId, later)).toEqual({ status: 'expired' })
    expect(await refusal(undoEmailChange(changed.changeId, later))).toMatchObject({ status: 410 })
    expect((await findAccountByEmail(changed.newEmail))?.id).toBe(doctor.id)
    expect(await emailChangeUndoState('no-such-change')).toEqual({ status: 'unknown' })
  })
})
