import type { BrowserContext } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { newDoctor, screenshot, setUpBrowser, signUpAndVerify, siteNav } from './support'

const { newUserContext } = setUpBrowser()

/** The newest password reset code mailed to `email`, read from the dev mailbox page. */
async function latestResetCode(context: BrowserContext, email: string) {
  const page = await context.newPage()
  try {
    await page.goto(`/dev/mailbox?to=${encodeURIComponent(email)}`)
    const subject = await page.getByTestId('mail-subject').first().textContent()
    const code = /^\s*(\d{6}) is your Rounds password reset code/.exec(subject ?? '')?.[1]
    if (!code) throw new Error(`The newest mail to ${email} holds no reset code: ${JSON.stringify(subject)}`)
    return code
  } finally {
    await page.close()
  }
}

describe('a doctor who forgot their password', () => {
  test('resets it with the emailed code, and the session left open elsewhere is signed out', async () => {
    const doctor = newDoctor('Lena Holm')
    const { page: oldDevice } = await newUserContext()
    await signUpAndVerify(oldDevice, doctor)

    const { context, page } = await newUserContext()
    await page.goto('/login')
    await page.getByRole('link', { name: 'Forgot password?' }).click()
    await page.waitForURL((url) => url.pathname === '/forgot-password')
    await page.getByLabel('Email').fill(doctor.email)
    await page.getByRole('button', { name: 'Send the code' }).click()
    await page.waitForURL((url) => url.pathname === '/reset-password')
    await page.getByText('If that email has a Rounds account, a code and a link are on their way.').waitFor()
    expect(await page.getByLabel('Email').inputValue()).toBe(doctor.email)
    await screenshot(page, 'reset-password')

    await page.getByLabel('Code').fill(await latestResetCode(context, doctor.email))
    await page.getByLabel('New password').fill('lantern by the harbour wall')
    await page.getByRole('button', { name: 'Set the new password' }).click()
    await page.waitForURL((url) => url.pathname === '/settings/password' && url.searchParams.get('reset') === '1')
    await page.getByText('Your new password is set and you are signed in.').waitFor()
    await siteNav(page).getByRole('link', { name: 'My profile' }).waitFor()

    // The browser that was signed in with the old password is signed out.
    await oldDevice.goto('/settings/sessions')
    await oldDevice.waitForURL((url) => url.pathname === '/login')
    await siteNav(oldDevice).getByRole('link', { name: 'Sign in' }).waitFor()
  })
})
