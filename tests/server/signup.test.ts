import { describe, expect, it } from 'vitest'
import { findAccountByEmail } from '../../db/accounts'
import { listDevMail } from '../../db/mailbox'
import * as signupRoute from '../../app/routes/signup'
import { countRows, createDoctor, profileRow } from '../support/factories'
import { callAction, fieldErrors, signIn } from '../support/routes'

const MB = 1024 * 1024
const CODE_SUBJECT = /^\d{6} is your Rounds code$/

let counter = 0
function newEmail() {
  counter++
  return `asha.rao.${counter}.${Date.now()}@hospital.test`
}

function validForm(overrides: Record<string, string | Blob> = {}): Record<string, string | Blob> {
  return {
    name: 'Dr Asha Rao',
    email: newEmail(),
    password: 'night shift in the cath lab',
    dateOfBirth: '1988-04-21',
    ...overrides,
  }
}

function yearsAgo(years: number, extraDays = 0) {
  const d = new Date()
  d.setUTCFullYear(d.getUTCFullYear() - years)
  d.setUTCDate(d.getUTCDate() + extraDays)
  return d.toISOString().slice(0, 10)
}

/** Posts a sign-up that must be refused: 400, and no user, profile or mail created. */
async function expectRefused(form: FormData | Record<string, string | Blob>) {
  const before = { users: await countRows('users'), profiles: await countRows('profiles'), mail: await countRows('dev_mailbox') }
  const result = await callAction(signupRoute, { url: '/signup', form })
  expect(result.status).toBe(400)
  expect(result.location).toBeNull()
  expect(await countRows('users')).toBe(before.users)
  expect(await countRows('profiles')).toBe(before.profiles)
  expect(await countRows('dev_mailbox')).toBe(before.mail)
  return result
}

describe('sign-up', () => {
  it('creates the user and profile, mails a code and redirects to /verify', async () => {
    const form = validForm({ name: 'Dr Asha Rao', email: newEmail().toUpperCase() })
    const email = (form.email as string).toLowerCase()

    const result = await callAction(signupRoute, { url: '/signup', form })

    expect(result.status).toBe(302)
    expect(result.location).toBe(`/verify?email=${encodeURIComponent(email)}`)
    expect(result.setCookie).toBeNull()
    const account = await findAccountByEmail(email)
    expect(account).not.toBeNull()
    expect(account!.email).toBe(email)
    expect(account!.emailVerified).toBe(false)
    // The password is stored only as an argon2id hash.
    expect(account!.passwordHash).toMatch(/^\$argon2id\$/)
    expect(account!.passwordHash).not.toContain('night shift')
    const profile = await profileRow(account!.id)
    expect(profile.name).toBe('Dr Asha Rao')
    expect(profile.handle).toBe('asha-rao')
    expect(profile.visibility).toBe('public')
    const mails = await listDevMail({ to: email })
    expect(mails).toHaveLength(1)
    expect(mails[0].subject).toMatch(CODE_SUBJECT)
    expect(mails[0].text).toContain(mails[0].subject.slice(0, 6))
  })

  it('gives the second doctor with the same name a different handle', async () => {
    const first = await callAction(signupRoute, { url: '/signup', form: validForm({ name: 'Dr Lena Okafor' }) })
    const secondForm = validForm({ name: 'Dr Lena Okafor' })
    const second = await callAction(signupRoute, { url: '/signup', form: secondForm })
    expect([first.status, second.status]).toEqual([302, 302])
    const account = await findAccountByEmail(secondForm.email as string)
    expect((await profileRow(account!.id)).handle).toBe('lena-okafor-2')
  })

  it('refuses missing fields, naming each one', async () => {
    const result = await expectRefused({})
    expect(fieldErrors(result.data, 'name')).toEqual(['Enter your name.'])
    expect(fieldErrors(result.data, 'email')).toEqual(['Enter your email address.'])
    expect(fieldErrors(result.data, 'password')).toEqual(['Choose a password.'])
    expect(fieldErrors(result.data, 'dateOfBirth')).toEqual(['Enter your date of birth.'])
  })

  it('refuses fields of the wrong type: files and repeated values', async () => {
    const form = new FormData()
    form.append('name', new File(['Dr Asha Rao'], 'name.txt', { type: 'text/plain' }))
    form.append('email', newEmail())
    form.append('email', newEmail())
    form.append('password', 'night shift in the cath lab')
    form.append('dateOfBirth', new File(['1988-04-21'], 'dob.txt', { type: 'text/plain' }))
    const result = await expectRefused(form)
    expect(fieldErrors(result.data, 'name')).toEqual(['Enter your name.'])
    expect(fieldErrors(result.data, 'email')).toEqual(['Enter your email address.'])
    expect(fieldErrors(result.data, 'dateOfBirth').length).toBeGreaterThan(0)
    expect(fieldErrors(result.data, 'password')).toEqual([])
  })

  it.each([
    ['name', 'x'.repeat(MB), 'Your name can be at most 80 characters.'],
    ['email', `${'a'.repeat(MB)}@hospital.test`, 'That email address is too long.'],
    ['password', 'p'.repeat(MB), 'Use at most 256 characters.'],
  ])('refuses a 1 MB %s', async (field, value, message) => {
    const result = await expectRefused(validForm({ [field]: value }))
    expect(fieldErrors(result.data, field)).toContain(message)
  })

  it.each([
    ['a control character', 'Dr Asha\u0007 Rao'],
    ['a bidi override (U+202E)', 'Dr \u202Eoar ahsa'],
    ['a zero-width no-break space', 'Dr Asha\uFEFF Rao'],
  ])('refuses a name with %s', async (_label, name) => {
    const result = await expectRefused(validForm({ name }))
    expect(fieldErrors(result.data, 'name')).toEqual(['Your name contains characters we cannot show.'])
  })

  it('refuses a name holding a lone surrogate in the schema', () => {
    // The schema itself, given the string a script could build.
    const parsed = signupRoute.SignupSchema.safeParse({ ...validForm(), name: 'Dr Asha \uD800 Rao' })
    expect(parsed.success).toBe(false)
    expect(parsed.error?.flatten().fieldErrors.name).toEqual(['Your name contains characters we cannot show.'])
  })

  it('refuses the bytes of a lone surrogate sent over HTTP (decoded as U+FFFD)', async () => {
    const email = newEmail()
    // %ED%A0%80 is U+D800 encoded as if it were a character: invalid UTF-8.
    const body = `name=Dr%20Asha%20%ED%A0%80%20Rao&email=${encodeURIComponent(email)}&password=night%20shift%20in%20the%20cath%20lab&dateOfBirth=1988-04-21`
    const before = await countRows('users')
    const result = await callAction(signupRoute, {
      url: '/signup',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(result.status).toBe(400)
    expect(fieldErrors(result.data, 'name')).toEqual(['Your name contains characters we cannot show.'])
    expect(await countRows('users')).toBe(before)
    expect(await findAccountByEmail(email)).toBeNull()
  })

  it('refuses someone under 18, saying so', async () => {
    const result = await expectRefused(validForm({ dateOfBirth: yearsAgo(18, 1) }))
    const errors = fieldErrors(result.data, 'dateOfBirth')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('18')
  })

  it('accepts someone who turned 18 yesterday', async () => {
    // Yesterday rather than today keeps the test true on 29 February too.
    const result = await callAction(signupRoute, { url: '/signup', form: validForm({ dateOfBirth: yearsAgo(18, -1) }) })
    expect(result.status).toBe(302)
  })

  it.each([
    ['2023-02-30', 'That is not a real date of birth.'],
    ['1990-13-01', 'That is not a real date of birth.'],
    ['1850-01-01', 'That is not a real date of birth.'],
    ['21/04/1988', 'Enter your date of birth as a date, such as 1988-04-21.'],
  ])('refuses the date of birth %s', async (dateOfBirth, message) => {
    const result = await expectRefused(validForm({ dateOfBirth }))
    expect(fieldErrors(result.data, 'dateOfBirth')[0]).toBe(message)
  })

  it.each(['password123', 'Password1', 'aaaaaaaaaaaa', '1234567890'])('refuses the common password %s', async (password) => {
    const result = await expectRefused(validForm({ password }))
    expect(fieldErrors(result.data, 'password')).toEqual(['That password is too common. Choose one that is harder to guess.'])
  })

  it('refuses a 7-character password and does not send it back', async () => {
    const result = await expectRefused(validForm({ password: 'Xk4#vQ9' }))
    expect(fieldErrors(result.data, 'password')).toEqual(['Use at least 8 characters.'])
    expect(JSON.stringify(result.data)).not.toContain('Xk4#vQ9')
  })

  it('answers an existing email exactly like a new one, with a notice instead of a code', async () => {
    const doctor = await createDoctor()
    const usersBefore = await countRows('users')

    const result = await callAction(signupRoute, {
      url: '/signup',
      form: validForm({ email: doctor.email.toUpperCase(), password: 'a different long password' }),
    })

    expect(result.status).toBe(302)
    expect(result.location).toBe(`/verify?email=${encodeURIComponent(doctor.email.toLowerCase())}`)
    expect(result.setCookie).toBeNull()
    expect(await countRows('users')).toBe(usersBefore)
    const account = await findAccountByEmail(doctor.email)
    expect(account!.id).toBe(doctor.id)
    const mails = await listDevMail({ to: doctor.email })
    expect(mails).toHaveLength(1)
    expect(mails[0].subject).toBe('Someone tried to join Rounds with your email')
    expect(mails[0].subject).not.toMatch(CODE_SUBJECT)
    expect(mails[0].text).not.toMatch(/\b\d{6}\b/)
  })

  it('sends a signed-in doctor home instead of creating an account', async () => {
    const doctor = await createDoctor()
    const auth = await signIn(doctor.id)
    const form = validForm()
    const result = await callAction(signupRoute, { url: '/signup', form, auth })
    expect(result.thrown).toBe(true)
    expect(result.location).toBe('/')
    expect(await findAccountByEmail(form.email as string)).toBeNull()
  })

  it('limits sign-ups from one address to 10 an hour', async () => {
    const clientAddress = '192.0.2.77'
    for (let i = 0; i < 10; i++) {
      const ok = await callAction(signupRoute, { url: '/signup', form: validForm({ name: `Dr Rate ${'abcdefghij'[i]}` }), clientAddress })
      expect(ok.status).toBe(302)
    }
    const form = validForm()
    const limited = await callAction(signupRoute, { url: '/signup', form, clientAddress })
    expect(limited.status).toBe(429)
    expect(fieldErrors(limited.data, '')[0]).toMatch(/^Too many sign-ups from here\. Try again in \d+ minutes\.$/)
    expect(await findAccountByEmail(form.email as string)).toBeNull()
  })
})
