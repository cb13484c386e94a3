import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest'
import { watchAccessibility } from './accessibility'

/** Chromium at CHROMIUM_PATH or /usr/bin/chromium; global-setup.ts has checked it is there. */
export function launchChromium() {
  return chromium.launch({
    executablePath: inject('chromiumPath'),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export type Doctor = { name: string; email: string; password: string; dateOfBirth: string }

/** A doctor no earlier run has used, so runs against a shared DATABASE_URL do not collide. */
export function newDoctor(name: string): Doctor {
  const tag = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`
  const local = name.toLowerCase().replace(/[^a-z]+/g, '.').replace(/^\.|\.$/g, '')
  return { name, email: `${local}.${tag}@hospital.example.org`, password: 'quiet harbour lantern 42', dateOfBirth: '1986-03-14' }
}

/**
 * One Chromium for the test file, a fresh context (cookies, storage) per user,
 * and a check after each test that no page logged an error or threw.
 */
export function setUpBrowser() {
  const baseUrl = inject('baseUrl')
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []
  const errors: string[] = []
  const expected: RegExp[] = []
  // axe-core's serious and critical findings on each kind of page the file opens (tests/e2e/accessibility.ts).
  const checkedPages = new Set<string>()
  const a11y: string[] = []
  const a11yPending = new Set<Promise<unknown>>()

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterEach(async () => {
    const found = errors.splice(0).filter((e) => !expected.some((pattern) => pattern.test(e)))
    expected.length = 0
    expect(found, 'the browser reported errors').toEqual([])
    await Promise.allSettled([...a11yPending])
    expect(a11y.splice(0), 'axe-core found serious or critical accessibility violations').toEqual([])
  })
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()))
    await browser?.close()
  })

  let clientNumber = 0
  async function newUserContext(options: BrowserContextOptions = {}) {
    if (!browser) throw new Error('The browser is not running; call newUserContext inside a test.')
    // Each context is another person on another device: it comes from an address of its own (the
    // server trusts X-Forwarded-For from loopback, as behind a proxy), so the per-address limits on
    // sign-up and sign-in count each person, not the whole suite.
    clientNumber += 1
    const address = `198.51.100.${(process.pid + clientNumber) % 250 + 1}`
    const context = await browser.newContext({
      baseURL: baseUrl,
      ...options,
      extraHTTPHeaders: { 'X-Forwarded-For': address, ...options.extraHTTPHeaders },
    })
    context.setDefaultTimeout(10_000)
    context.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console.error on ${message.page()?.url() ?? '?'}: ${message.text()}`)
    })
    context.on('weberror', (webError) => errors.push(`uncaught on ${webError.page()?.url() ?? '?'}: ${webError.error().message}`))
    // axe runs as a script in the page, so a context without JavaScript (the no-JS flows) is not checked.
    if (options.javaScriptEnabled !== false) {
      context.on('page', (opened) => watchAccessibility(opened, new URL(baseUrl).origin, checkedPages, a11y, a11yPending))
    }
    contexts.push(context)
    const page = await context.newPage()
    return { context, page }
  }

  /** Errors the current test causes on purpose, such as Chromium logging a 400 page it loaded. */
  function expectBrowserErrors(...patterns: RegExp[]) {
    expected.push(...patterns)
  }

  return { baseUrl, newUserContext, expectBrowserErrors }
}

/** The newest sign-in code mailed to `email`, read from the dev mailbox page. */
export async function latestCode(context: BrowserContext, email: string): Promise<string> {
  const page = await context.newPage()
  try {
    await page.goto(`/dev/mailbox?to=${encodeURIComponent(email)}`)
    const subject = await page.getByTestId('mail-subject').first().textContent()
    const code = /^\s*(\d{6}) is your Rounds code/.exec(subject ?? '')?.[1]
    if (!code) throw new Error(`The newest mail to ${email} holds no code: ${JSON.stringify(subject)}`)
    return code
  } finally {
    await page.close()
  }
}

/** Signs up through the form and confirms the email; ends on the profile settings page. */
export async function signUpAndVerify(page: Page, doctor: Doctor) {
  await page.goto('/signup')
  await page.getByLabel('Full name').fill(doctor.name)
  await page.getByLabel('Email').fill(doctor.email)
  await page.getByLabel('Password').fill(doctor.password)
  await page.getByLabel('Date of birth').fill(doctor.dateOfBirth)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.waitForURL((url) => url.pathname === '/verify')
  expect(await page.getByLabel('Email').inputValue()).toBe(doctor.email)

  await page.getByLabel('Code').fill(await latestCode(page.context(), doctor.email))
  await page.getByRole('button', { name: 'Confirm' }).click()
  await page.waitForURL((url) => url.pathname === '/welcome')
  await page.getByText('Step 1 of 3').waitFor()
}

export async function signIn(page: Page, doctor: Doctor) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(doctor.email)
  await page.getByLabel('Password').fill(doctor.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await siteNav(page).getByRole('link', { name: 'My profile' }).waitFor()
}

/** The header's navigation, where "Sign in" or "My profile" and "Sign out" are. */
export function siteNav(page: Page) {
  return page.getByRole('navigation', { name: 'Main' })
}

/** The text a reader sees, without the hidden parts of the page. */
export async function visibleText(page: Page) {
  return page.locator('body').innerText()
}

// Set E2E_SCREENSHOTS=/some/dir to keep screenshots for a human to look at.
const screenshotDir = process.env.E2E_SCREENSHOTS
export async function screenshot(page: Page, name: string) {
  if (!screenshotDir) return
  mkdirSync(screenshotDir, { recursive: true })
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true })
}

// The demo data (db/seed.ts): Asha owns this public club and hosts talks in it.
export const asha: Doctor = { name: 'Asha Rao', email: 'asha.rao@demo.rounds.local', password: 'rounds-demo-2026', dateOfBirth: '' }
export const CLUB = 'cardiology-grand-rounds'

/** A day a little ahead, as the date field wants it. */
export function dayAhead(days: number) {
  return new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10)
}

/** The talk id from a /t/:id address. */
export function talkIdOf(page: Page) {
  const id = /\/t\/([0-9a-f-]{36})/.exec(new URL(page.url()).pathname)?.[1]
  if (!id) throw new Error(`Not on a talk page: ${page.url()}`)
  return id
}

/** As Asha (signed in on `host`): schedules a talk in her club for tomorrow and opens its live room. */
export async function openLiveTalk(host: Page, title: string) {
  await host.goto(`/c/${CLUB}/talks/new`)
  await host.getByLabel('Title').fill(title)
  await host.getByLabel('Date').fill(dayAhead(1))
  await host.getByLabel('Time').fill('09:00')
  await host.getByRole('button', { name: 'Schedule talk' }).click()
  await host.waitForURL((url) => url.searchParams.get('scheduled') === '1')
  const talkId = talkIdOf(host)
  await host.goto(`/t/${talkId}/live`)
  await host.getByRole('button', { name: 'Open the room' }).click()
  await expect.poll(() => host.getByTestId('room-status').innerText()).toMatch(/live/i)
  return talkId
}

/** A new doctor signs up, joins the demo club and enters the talk's live room once it shows as live. */
export async function joinLiveTalk(page: Page, doctor: Doctor, talkId: string) {
  await signUpAndVerify(page, doctor)
  await page.goto(`/c/${CLUB}`)
  await page.getByRole('button', { name: 'Join club' }).click()
  await page.getByText('Welcome — you are now a member of this club.').waitFor()
  await page.goto(`/t/${talkId}/live`)
  await expect.poll(() => page.getByTestId('room-status').innerText()).toMatch(/live/i)
}
