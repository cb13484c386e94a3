import { describe, expect, it } from 'vitest'
import { findAccountByEmail, isEmailVerified } from '../../db/accounts'
import { rawSql } from '../../db/client'
import { listDevMail } from '../../db/mailbox'
import { sessionCookieName, validateCookieHeader } from '../../server/auth'
import * as signupRoute from '../../app/routes/signup'
import * as verifyRoute from '../../app/routes/verify'
import { countRows, createDoctor } from '../support/factories'
import { callAction, callLoader, cookiePair, fieldErrors, formErrors, signIn } from '../support/routes'

const MB = 1024 * 1024
const RESEND_NOTICE = 'If that email is waiting for a code, a new one is on its way. Codes can be resent once a minute.'

let counter = 0
/** Signs up through the route and reads the code from the dev mailbox, as a person would. */
async function signUpAndReadCode() {
  counter++
  const email = `verify.${counter}.${Date.now()}@hospital.test`
  const signup = await callAction(signupRoute, {
    url: '/signup',
    form: { name: 'Dr Ines Duarte', email, password: 'rounds on ward seven', dateOfBirth: '1979-11-02' },
  })
  expect(signup.status).toBe(302)
  const [mail] = await listDevMail({ to: email })
  const code = /^(\d{6}) is your Rounds code$/.exec(mail.subject)?.[1]
  if (!code) throw new Error(`No code in "${mail.subject}"`)
  const account = await findAccountByEmail(email)
  return { email, code, userId: account!.id }
}

function verify(email: string, code: string) {
  return callAction(verifyRoute, { url: `/verify?email=${encodeURIComponent(email)}`, form: { intent: 'verify', email, code } })
}

describe('verify route', () => {
  it('confirms the email with the right code and signs the person in', async () => {
    const { email, code, userId } = await signUpAndReadCode()

    const result = await verify(email, ` ${code.slice(0, 3)} ${code.slice(3)} `)

    expect(result.status).toBe(302)
    expect(result.location).toBe('/welcome')
    expect(result.setCookie).toMatch(new RegExp(`^${sessionCookieName}=[^;]+;`))
    expect(result.setCookie).toMatch(/HttpOnly/i)
    expect(result.setCookie).toMatch(/SameSite=Lax/i)
    const auth = await validateCookieHeader(cookiePair(result.setCookie!))
    expect(auth?.user.id).toBe(userId)
    expect(auth?.user.emailVerified).toBe(true)
    expect(await isEmailVerified(userId)).toBe(true)
  })

  it('refuses the same code a second time with a clear message', async () => {
    const { email, code } = await signUpAndReadCode()
    expect((await verify(email, code)).status).toBe(302)
    const sessionsBefore = await countRows('sessions')

    const replay = await verify(email, code)

    expect(replay.status).toBe(400)
    expect(replay.setCookie).toBeNull()
    expect(fieldErrors(replay.data, 'code')).toEqual(['This code has already been used or replaced. Ask for a new one.'])
    expect(await countRows('sessions')).toBe(sessionsBefore)
  })

  it('refuses an expired code', async () => {
    const { email, code, userId } = await signUpAndReadCode()
    await rawSql()`update email_verifications set expires_at = now() - interval '1 second' where user_id = ${userId}`
    const result = await verify(email, code)
    expect(result.status).toBe(400)
    expect(fieldErrors(result.data, 'code')).toEqual(['This code has expired. Ask for a new one.'])
    expect(await isEmailVerified(userId)).toBe(false)
  })

  it('refuses the right code after five wrong ones', async () => {
    const { email, code, userId } = await signUpAndReadCode()
    const wrong = code === '999999' ? '999998' : '999999'
    const answers: string[] = []
    for (let i = 0; i < 5; i++) answers.push(fieldErrors((await verify(email, wrong)).data, 'code')[0])
    expect(answers[0]).toBe('That code is not right. 4 tries left.')
    expect(answers[4]).toBe('Too many wrong tries. Ask for a new code.')
    const right = await verify(email, code)
    expect(right.status).toBe(400)
    expect(right.setCookie).toBeNull()
    expect(fieldErrors(right.data, 'code')).toEqual(['Too many wrong tries. Ask for a new code.'])
    expect(await isEmailVerified(userId)).toBe(false)
  })

  it('answers an unknown email exactly like a wrong code', async () => {
    const { email, code } = await signUpAndReadCode()
    const wrong = code === '123456' ? '654321' : '123456'
    const known = await verify(email, wrong)
    const unknown = await verify('no-account-here@hospital.test', wrong)
    expect(unknown.status).toBe(known.status)
    expect(fieldErrors(unknown.data, 'code')).toEqual(fieldErrors(known.data, 'code'))
  })

  it.each([
    ['12ab', 'The code is 6 digits, such as 042917.'],
    ['1234567', 'The code is 6 digits, such as 042917.'],
    ['1'.repeat(MB), 'The code is 6 digits, such as 042917.'],
    ['', 'Enter the 6-digit code from the email.'],
  ])('refuses the malformed code %#, without spending a try', async (malformed, message) => {
    const { email, code, userId } = await signUpAndReadCode()
    const result = await verify(email, malformed)
    expect(result.status).toBe(400)
    expect(fieldErrors(result.data, 'code')).toEqual([message])
    const [row] = await rawSql()<{ attempts: number }[]>`select attempts from email_verifications where user_id = ${userId}`
    expect(row.attempts).toBe(0)
    expect((await verify(email, code)).status).toBe(302)
  })

  it('throttles a resend within a minute, answering the same words', async () => {
    const { email } = await signUpAndReadCode()
    const mailsBefore = (await listDevMail({ to: email })).length

    const result = await callAction(verifyRoute, { url: '/verify', form: { intent: 'resend', email } })

    expect(result.status).toBe(200)
    expect((result.data as { notice: string }).notice).toBe(RESEND_NOTICE)
    expect((await listDevMail({ to: email })).length).toBe(mailsBefore)
  })

  it('answers a resend for an unknown email the same way, sending nothing', async () => {
    const mailsBefore = await countRows('dev_mailbox')
    const result = await callAction(verifyRoute, { url: '/verify', form: { intent: 'resend', email: 'ghost@hospital.test' } })
    expect(result.status).toBe(200)
    expect((result.data as { notice: string }).notice).toBe(RESEND_NOTICE)
    expect(await countRows('dev_mailbox')).toBe(mailsBefore)
  })

  it('refuses an unknown intent', async () => {
    const result = await callAction(verifyRoute, { url: '/verify', form: { intent: 'delete', email: 'a@b.test' } })
    expect(result.status).toBe(400)
  })

  it('limits code checks from one address to 20 per 15 minutes', async () => {
    const { email, code } = await signUpAndReadCode()
    const clientAddress = '198.51.100.20'
    for (let i = 0; i < 20; i++) {
      const r = await callAction(verifyRoute, { url: '/verify', form: { intent: 'verify', email: `nobody${i}@hospital.test`, code }, clientAddress })
      expect(r.status).toBe(400)
    }
    const limited = await callAction(verifyRoute, { url: '/verify', form: { intent: 'verify', email, code }, clientAddress })
    expect(limited.status).toBe(429)
    expect(formErrors(limited.data)[0]).toMatch(/^Too many tries\. Try again in \d+ minutes\.$/)
    expect(limited.setCookie).toBeNull()
  })

  it('sends a signed-in doctor home from the loader and the action', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    const loaded = await callLoader(verifyRoute, { url: '/verify', auth })
    expect(loaded).toMatchObject({ status: 302, location: '/', thrown: true })
    const acted = await callAction(verifyRoute, { url: '/verify', form: { intent: 'resend', email: doctor.email }, auth })
    expect(acted).toMatchObject({ status: 302, location: '/', thrown: true })
  })

  it('loader echoes at most 254 characters of the email', async () => {
    const result = await callLoader(verifyRoute, { url: `/verify?email=${'a'.repeat(5000)}` })
    expect(result.status).toBe(200)
    expect((result.data as { email: string }).email).toHaveLength(254)
  })
})
