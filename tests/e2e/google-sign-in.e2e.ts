import type { BrowserContextOptions, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startAppServer, type AppServer } from '../support/app-server'
import { googleEnv, startOidcProvider, type LocalOidcProvider } from '../support/oidc-provider'
import { freePort } from '../support/postgres'
import { newDoctor, screenshot, setUpBrowser, signUpAndVerify, siteNav } from './support'

const { newUserContext, expectBrowserErrors } = setUpBrowser()

/*
 * "Continue with Google" in Chromium, against a local OpenID Connect provider standing in for
 * Google: its own login and consent pages, then back to Rounds through the real code exchange.
 */

let app: AppServer
let provider: LocalOidcProvider

beforeAll(async () => {
  const providerPort = await freePort()
  app = await startAppServer({ env: googleEnv(`http://localhost:${providerPort}`) })
  provider = await startOidcProvider({ port: providerPort, redirectUri: `${app.baseUrl}/auth/google/callback` })
})
afterAll(async () => {
  await provider?.stop()
  await app?.stop()
})

const on = (options: BrowserContextOptions = {}) => newUserContext({ baseURL: app.baseUrl, ...options })

/** The provider's development pages: any login (it becomes Google's `sub`), then consent. */
async function loginAndConsentAtProvider(page: Page, login: string) {
  // Its pages ask for a web font this machine may not reach.
  expectBrowserErrors(/Failed to load resource/)
  await page.waitForURL((url) => url.origin === provider.issuer)
  await page.locator('input[name="login"]').fill(login)
  await page.locator('input[name="password"]').fill('any password')
  await page.getByRole('button', { name: 'Sign-in' }).click()
  await page.getByRole('button', { name: 'Continue' }).click()
}

describe('sign in with Google', () => {
  test('a new doctor: the button → the provider’s login and consent → name and date of birth → signed in to a new account', async () => {
    const login = `nadia${Date.now().toString(36)}`
    provider.people.set(login, { email: `${login}@gmail.test`, email_verified: true, name: 'Dr Nadia Okafor' })
    const { page } = await on()

    await page.goto('/login')
    await page.getByRole('link', { name: 'Continue with Google' }).click()
    await loginAndConsentAtProvider(page, login)

    await page.waitForURL((url) => url.pathname === '/auth/google/join')
    expect(await page.getByText(`${login}@gmail.test`).count()).toBe(1)
    expect(await page.getByLabel('Full name').inputValue()).toBe('Dr Nadia Okafor')
    await page.getByLabel('Date of birth').fill('1984-09-12')
    await screenshot(page, 'google-join')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL((url) => url.pathname === '/welcome')
    await page.getByText('Step 1 of 3').waitFor()
    await siteNav(page).getByRole('link', { name: 'My profile' }).waitFor()

    // Signed out, the same Google account signs straight back in: the provider remembers the consent.
    await siteNav(page).getByRole('button', { name: 'Sign out' }).click()
    await siteNav(page).getByRole('link', { name: 'Sign in' }).waitFor()
    await page.goto('/login')
    await page.getByRole('link', { name: 'Continue with Google' }).click()
    await page.waitForURL((url) => url.origin === app.baseUrl && url.pathname === '/')
    await siteNav(page).getByRole('link', { name: 'My profile' }).waitFor()
  })

  test('a doctor with a password links Google in Settings → Sign-in methods, then signs in with it', async () => {
    const doctor = newDoctor('Tomas Lindqvist')
    const { page } = await on()
    await signUpAndVerify(page, doctor)

    await page.goto('/settings/sign-in')
    expect(await page.getByTestId('method-google').innerText()).toContain('Not linked.')
    await page.getByRole('link', { name: 'Link Google' }).click()
    const login = `tomas${Date.now().toString(36)}`
    await loginAndConsentAtProvider(page, login)
    await page.waitForURL((url) => url.pathname === '/settings/sign-in')
    await page.getByText('Google is linked. You can now sign in with it.').waitFor()
    expect(await page.getByTestId('method-google').innerText()).toContain(`Linked to ${login}@gmail.test`)

    const { page: elsewhere } = await on()
    await elsewhere.goto('/login')
    await elsewhere.getByRole('link', { name: 'Continue with Google' }).click()
    await loginAndConsentAtProvider(elsewhere, login)
    await elsewhere.waitForURL((url) => url.origin === app.baseUrl && url.pathname === '/')
    await siteNav(elsewhere).getByRole('link', { name: 'My profile' }).waitFor()
    await elsewhere.goto('/settings/sign-in')
    expect(await elsewhere.getByTestId('method-google').innerText()).toContain(`Linked to ${login}@gmail.test`)
  })
})
