import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, inject, test } from 'vitest'
import { api, authorizeUrl, pkcePair, tokenRequest, type AppCredentials } from '../support/oauth-app-client'
import { asha, screenshot, setUpBrowser, signIn, type Doctor } from './support'

const { newUserContext } = setUpBrowser()
const baseUrl = inject('baseUrl')

// The demo's private-profile neurologist, a member of private clubs (db/seed.ts).
const tom: Doctor = { name: 'Tom Becker', email: 'tom.becker@demo.rounds.local', password: 'rounds-demo-2026', dateOfBirth: '' }

/** The third-party app's own web server: it receives the code at its redirect URI. */
async function startAppCallback() {
  const codes: URLSearchParams[] = []
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    // The browser also asks for /favicon.ico.
    if (url.pathname === '/callback') codes.push(url.searchParams)
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>CPD Logbook</title><h1>Connected to Rounds</h1>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return { redirectUri: `http://localhost:${port}/callback`, codes, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

let callback: Awaited<ReturnType<typeof startAppCallback>> | undefined
afterAll(async () => {
  await callback?.stop()
})

describe('a third-party app', () => {
  test('a developer registers it, a member authorises it, it reads their talks, and after Revoke it gets 401', async () => {
    callback = await startAppCallback()
    const name = `CPD Logbook ${Date.now().toString(36)}`

    // The developer registers the app and names the member as a tester.
    const { page: dev } = await newUserContext()
    await signIn(dev, asha)
    await dev.goto('/developers')
    await dev.getByRole('link', { name: 'Register an app' }).click()
    await dev.getByLabel('Name').fill(name)
    await dev.getByLabel('Description').fill('Keeps a CPD log of the talks you attend.')
    await dev.getByLabel('Homepage').fill('https://cpd.example.org')
    await dev.getByLabel('Privacy policy').fill('https://cpd.example.org/privacy')
    await dev.getByLabel('Redirect URIs').fill(callback.redirectUri)
    await dev.getByRole('button', { name: 'Register' }).click()
    const clientId = await dev.getByTestId('client-id').innerText()
    const clientSecret = await dev.getByTestId('client-secret').innerText()
    await screenshot(dev, 'apps-registered')
    await dev.getByRole('link', { name: 'I have copied the secret' }).click()
    await dev.getByLabel('Handle').fill('@tom-becker')
    await dev.getByRole('button', { name: 'Add tester' }).click()
    await dev.getByText('Tester added.').waitFor()
    const app: AppCredentials = { clientId, clientSecret, redirectUri: callback.redirectUri }

    // The member, signed in, is sent to the consent screen and allows it.
    const { page } = await newUserContext()
    await signIn(page, tom)
    const { verifier, challenge } = pkcePair()
    await page.goto(new URL(authorizeUrl(app, { scope: 'openid profile talks:read clubs:read', challenge, state: 'e2e-state' }), baseUrl).href)
    await page.getByTestId('consent-app-name').waitFor()
    expect(await page.getByTestId('consent-app-name').innerText()).toBe(name)
    expect(await page.getByTestId('consent-permissions').innerText()).toContain('See the talks you said you are going to')
    await screenshot(page, 'apps-consent')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByRole('heading', { name: 'Connected to Rounds' }).waitFor()
    const params = callback.codes.at(-1)!
    expect(params.get('state')).toBe('e2e-state')

    // The app swaps the code for tokens and reads the member's talks.
    const tokens = await tokenRequest(baseUrl, app, { grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: app.redirectUri, code_verifier: verifier })
    expect(tokens.status).toBe(200)
    const talks = await api(baseUrl, tokens.json.access_token, '/me/talks')
    expect(talks.status).toBe(200)
    expect(Array.isArray(talks.json.going)).toBe(true)

    // The member sees it under Connected apps and revokes it.
    await page.goto(new URL('/settings/apps', baseUrl).href)
    const row = page.getByTestId('connected-app').filter({ hasText: name })
    await row.getByText('last used').waitFor()
    await screenshot(page, 'apps-connected')
    await row.getByRole('button', { name: 'Revoke' }).click()
    await page.getByText('App revoked.').waitFor()
    await expect.poll(() => page.getByTestId('connected-app').filter({ hasText: name }).count()).toBe(0)
    await screenshot(page, 'apps-revoked')

    const after = await api(baseUrl, tokens.json.access_token, '/me/talks')
    expect(after.status).toBe(401)
  })
})
