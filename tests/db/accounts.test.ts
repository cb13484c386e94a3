import { describe, expect, it } from 'vitest'
import {
  CODE_LIFETIME_MS,
  CODE_MAX_ATTEMPTS,
  CODE_RESEND_INTERVAL_MS,
  createAccount,
  findAccountByEmail,
  handleFromName,
  isEmailVerified,
  issueEmailCode,
  verifyEmailCode,
} from '../../db/accounts'
import { PublicError } from '../../db/errors'
import { countRows, createDoctor } from '../support/factories'

async function issued(userId: string, now?: Date) {
  const result = await issueEmailCode(userId, now)
  if (result.status !== 'sent') throw new Error(`Expected a code to be sent, got ${JSON.stringify(result)}`)
  return result.code
}

/** The PublicError a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<PublicError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PublicError)
  return error as PublicError
}

function otherCode(code: string) {
  return code === '000000' ? '000001' : '000000'
}

describe('createAccount', () => {
  it('creates a user and a profile with a handle from the name', async () => {
    const usersBefore = await countRows('users')
    const created = await createAccount({
      email: 'priya.nair@hospital.test',
      passwordHash: 'not-a-real-hash',
      dateOfBirth: '1980-01-31',
      name: 'Dr. Priya Nair',
    })
    expect(created?.userId).toMatch(/^[0-9a-f-]{36}$/)
    expect(await countRows('users')).toBe(usersBefore + 1)
    const account = await findAccountByEmail('PRIYA.NAIR@hospital.test')
    expect(account).toMatchObject({ id: created!.userId, emailVerified: false, role: 'member' })
  })

  it('returns null for an email already taken in any letter case, adding nothing', async () => {
    const doctor = await createDoctor()
    const before = { users: await countRows('users'), profiles: await countRows('profiles') }
    const again = await createAccount({
      email: doctor.email.toUpperCase(),
      passwordHash: 'x',
      dateOfBirth: '1980-01-01',
      name: 'Someone Else',
    })
    expect(again).toBeNull()
    expect(await countRows('users')).toBe(before.users)
    expect(await countRows('profiles')).toBe(before.profiles)
  })

  it.each([
    ['Dr. Zoë Müller', 'zoe-muller'],
    ['dr Ana  de la Cruz', 'ana-de-la-cruz'],
    ['李', 'doctor'],
    ['Al', 'doctor-al'],
  ])('makes the handle %s → %s', (name, handle) => {
    expect(handleFromName(name)).toBe(handle)
  })
})

describe('email codes', () => {
  it('issues a 6-digit code and verifies the email with it', async () => {
    const doctor = await createDoctor({ verified: false })
    const code = await issued(doctor.id)
    expect(code).toMatch(/^\d{6}$/)
    expect(await isEmailVerified(doctor.id)).toBe(false)

    const result = await verifyEmailCode(doctor.email.toUpperCase(), code)

    expect(result).toEqual({ userId: doctor.id })
    expect(await isEmailVerified(doctor.id)).toBe(true)
  })

  it('accepts a code only once', async () => {
    const doctor = await createDoctor({ verified: false })
    const code = await issued(doctor.id)
    await verifyEmailCode(doctor.email, code)
    const error = await refusal(verifyEmailCode(doctor.email, code))
    expect(error.message).toBe('This code has already been used or replaced. Ask for a new one.')
    expect(error.status).toBe(400)
    expect(error.field).toBe('code')
  })

  it('refuses an expired code and leaves the email unverified', async () => {
    const doctor = await createDoctor({ verified: false })
    const issuedAt = new Date()
    const code = await issued(doctor.id, issuedAt)
    const later = new Date(issuedAt.getTime() + CODE_LIFETIME_MS + 1000)
    const error = await refusal(verifyEmailCode(doctor.email, code, later))
    expect(error.message).toBe('This code has expired. Ask for a new one.')
    expect(await isEmailVerified(doctor.id)).toBe(false)
    // Just inside the lifetime it still works.
    const stillValid = new Date(issuedAt.getTime() + CODE_LIFETIME_MS - 1000)
    expect(await verifyEmailCode(doctor.email, code, stillValid)).toEqual({ userId: doctor.id })
  })

  it('counts wrong tries and refuses even the right code after five', async () => {
    const doctor = await createDoctor({ verified: false })
    const code = await issued(doctor.id)
    const messages: string[] = []
    for (let i = 0; i < CODE_MAX_ATTEMPTS; i++) {
      messages.push((await refusal(verifyEmailCode(doctor.email, otherCode(code)))).message)
    }
    expect(messages).toEqual([
      'That code is not right. 4 tries left.',
      'That code is not right. 3 tries left.',
      'That code is not right. 2 tries left.',
      'That code is not right. 1 try left.',
      'Too many wrong tries. Ask for a new code.',
    ])
    const error = await refusal(verifyEmailCode(doctor.email, code))
    expect(error.message).toBe('Too many wrong tries. Ask for a new code.')
    expect(await isEmailVerified(doctor.id)).toBe(false)
  })

  it('gives an unknown email the same answer as a wrong code', async () => {
    const doctor = await createDoctor({ verified: false })
    const code = await issued(doctor.id)
    const wrong = await refusal(verifyEmailCode(doctor.email, otherCode(code)))
    const unknown = await refusal(verifyEmailCode('nobody-here@hospital.test', code))
    expect({ message: unknown.message, status: unknown.status, field: unknown.field }).toEqual({
      message: wrong.message,
      status: wrong.status,
      field: wrong.field,
    })
  })

  it('throttles a resend within 60 seconds, then replaces the old code', async () => {
    const doctor = await createDoctor({ verified: false })
    const start = new Date()
    const first = await issued(doctor.id, start)

    const soon = await issueEmailCode(doctor.id, new Date(start.getTime() + 20_000))
    expect(soon).toEqual({ status: 'throttled', retryInSeconds: 40 })

    const second = await issued(doctor.id, new Date(start.getTime() + CODE_RESEND_INTERVAL_MS + 1000))
    if (first !== second) {
      const error = await refusal(verifyEmailCode(doctor.email, first, new Date(start.getTime() + 62_000)))
      expect(error.message).toMatch(/^That code is not right/)
    }
    expect(await verifyEmailCode(doctor.email, second, new Date(start.getTime() + 63_000))).toEqual({ userId: doctor.id })
  })

  it('sends at most 5 codes an hour', async () => {
    const doctor = await createDoctor({ verified: false })
    const start = Date.now()
    for (let i = 0; i < 5; i++) await issued(doctor.id, new Date(start + i * 61_000))
    const sixth = await issueEmailCode(doctor.id, new Date(start + 5 * 61_000))
    expect(sixth.status).toBe('throttled')
    expect(sixth.status === 'throttled' && sixth.retryInSeconds).toBeGreaterThan(60)
  })

  it('lets only one of two simultaneous requests send a code', async () => {
    const doctor = await createDoctor({ verified: false })
    const results = await Promise.all([issueEmailCode(doctor.id), issueEmailCode(doctor.id)])
    expect(results.map((r) => r.status).sort()).toEqual(['sent', 'throttled'])
  })
})
