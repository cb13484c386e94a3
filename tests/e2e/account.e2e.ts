import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { seriousViolations } from './accessibility'
import { asha as demoDoctor, CLUB, newDoctor, screenshot, setUpBrowser, signIn, signUpAndVerify, siteNav, visibleText } from './support'

const { newUserContext, expectBrowserErrors } = setUpBrowser()


let tmp: string
let photoFile: string
beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rounds-e2e-'))
  photoFile = path.join(tmp, 'portrait.png')
  await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 30, g: 120, b: 160 } } })
    .png()
    .toFile(photoFile)
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('a doctor with a private profile', () => {
  const asha = newDoctor('Asha Rao')
  const ashaProfile = {
    speciality: 'Cardiology',
    city: 'Pune',
    bio: 'Interventional cardiologist; I run the Thursday echo club.',
    registrationNumber: 'MMC-2011-448812',
  }
  let ashaHandle: string | undefined
  let ashaPage: Page | undefined

  function requireAsha() {
    if (!ashaHandle || !ashaPage) throw new Error('This test needs the sign-up test before it, which did not finish.')
    return { handle: ashaHandle, page: ashaPage }
  }

  test('signs up, confirms the email and saves a private profile with a photo', async () => {
    const { page } = await newUserContext()
    await signUpAndVerify(page, asha)
    await page.getByText('Your email is confirmed').waitFor()
    await page.goto('/settings/profile')

    await page.getByLabel('Photo', { exact: true }).setInputFiles(photoFile)
    await page.getByRole('combobox', { name: /^Speciality/ }).selectOption(ashaProfile.speciality)
    await page.getByLabel('City').fill(ashaProfile.city)
    await page.getByLabel('Bio').fill(ashaProfile.bio)
    await page.getByLabel('Medical registration number').fill(ashaProfile.registrationNumber)
    await page.getByRole('radio', { name: /^Private/ }).check()
    await page.getByRole('button', { name: 'Save profile' }).click()
    // The value changes on every save (it remounts the form), so only its presence is checked.
    await page.waitForURL((url) => url.searchParams.has('saved'))
    await page.getByText('Profile saved.').waitFor()

    // The saved values come back into the form, and the new photo replaces the initials.
    expect(await page.getByLabel('City').inputValue()).toBe(ashaProfile.city)
    expect(await page.getByRole('radio', { name: /^Private/ }).isChecked()).toBe(true)
    expect(await page.locator('form img').first().getAttribute('src')).toMatch(/^\/uploads\//)
    ashaHandle = await page.getByLabel('Handle').inputValue()
    expect(ashaHandle).toMatch(/^asha-rao/)
    await screenshot(page, 'profile-settings')

    await siteNav(page).getByRole('link', { name: 'My profile' }).click()
    await page.waitForURL(`**/u/${ashaHandle}`)
    await page.getByRole('heading', { name: asha.name }).waitFor()
    // The header marks where she is, after a client-side navigation as on a full page load.
    expect(await siteNav(page).getByRole('link', { name: 'My profile' }).getAttribute('aria-current')).toBe('page')
    expect(await siteNav(page).getByRole('link', { name: 'Settings' }).getAttribute('aria-current')).toBeNull()
    await page.reload()
    expect(await siteNav(page).getByRole('link', { name: 'My profile' }).getAttribute('aria-current')).toBe('page')
    const own = await visibleText(page)
    expect(own).toContain(ashaProfile.bio)
    expect(own).toContain(`Registration number: ${ashaProfile.registrationNumber}`)
    ashaPage = page
  })

  test('another doctor sees only the basic card: name, speciality and photo', async () => {
    const { handle } = requireAsha()
    const { page } = await newUserContext()
    await signUpAndVerify(page, newDoctor('Ben Okafor'))

    await page.goto(`/u/${handle}`)
    await page.getByTestId('basic-card-notice').waitFor()
    const text = await visibleText(page)
    expect(text).toContain(asha.name)
    expect(text).toContain(ashaProfile.speciality)
    expect(text).toContain('This profile is private.')
    for (const secret of [ashaProfile.bio, ashaProfile.city, ashaProfile.registrationNumber]) {
      expect(text).not.toContain(secret)
      // Nor in the loader data serialised into the page for hydration.
      expect(await page.content()).not.toContain(secret)
    }
    const photo = page.locator('article img').first()
    expect(await photo.getAttribute('src')).toMatch(/^\/uploads\/[\w-]+\.webp$/)
    expect(await photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)
    await screenshot(page, 'private-basic-card')
  })

  test('signs out and in again, and signs out every other device', async () => {
    const { page } = requireAsha()
    await siteNav(page).getByRole('button', { name: 'Sign out' }).click()
    await siteNav(page).getByRole('link', { name: 'Sign in' }).waitFor()
    expect(await siteNav(page).getByRole('link', { name: 'My profile' }).count()).toBe(0)

    // A wrong password: the refusal takes keyboard focus, so a screen reader or keyboard user lands on it.
    await page.goto('/login')
    await page.getByLabel('Email').fill(asha.email)
    await page.getByLabel('Password').fill('not her password at all')
    // Chromium logs the refused sign-in's 400 as an error.
    expectBrowserErrors(/status of 400 \(Bad Request\)/)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect
      .poll(() => page.evaluate(() => ({ role: document.activeElement?.getAttribute('role'), text: document.activeElement?.textContent })))
      .toEqual({ role: 'alert', text: 'That email and password do not match an account.' })

    await signIn(page, asha)
    const { page: laptop } = await newUserContext()
    await signIn(laptop, asha)

    await page.goto('/settings/sessions')
    await expect.poll(() => page.getByTestId('session-row').count()).toBe(2)
    await page.getByRole('button', { name: 'Sign out all other devices' }).click()
    await page.getByText('Signed out 1 other session.').waitFor()
    // React Router shows the action's message while the list is still being reloaded.
    await expect.poll(() => page.getByTestId('session-row').count()).toBe(1)

    await laptop.reload()
    await siteNav(laptop).getByRole('link', { name: 'Sign in' }).waitFor()
    expect(await siteNav(laptop).getByRole('link', { name: 'My profile' }).count()).toBe(0)
  })
})

test('sign-up works without JavaScript and shows the error beside the field', async () => {
  const { page } = await newUserContext({ javaScriptEnabled: false })
  const child = newDoctor('Young Applicant')
  const tenYearsAgo = new Date()
  tenYearsAgo.setUTCFullYear(tenYearsAgo.getUTCFullYear() - 10)

  await page.goto('/signup')
  await page.getByLabel('Full name').fill(child.name)
  await page.getByLabel('Email').fill(child.email)
  await page.getByLabel('Password').fill(child.password)
  await page.getByLabel('Date of birth').fill(tenYearsAgo.toISOString().slice(0, 10))
  // Chromium logs any page that loads with an error status, this one included.
  expectBrowserErrors(/status of 400 \(Bad Request\)/)
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Create account' }).click(),
  ])
  await page.waitForLoadState()
  // A plain form post must reach the action (400: the form comes back with errors).
  expect(answer.status(), await visibleText(page)).toBe(400)

  const dateOfBirth = page.getByLabel('Date of birth')
  await page.getByText('Rounds is for doctors aged 18 and over.').waitFor()
  expect(await dateOfBirth.getAttribute('aria-invalid')).toBe('true')
  const describedBy = (await dateOfBirth.getAttribute('aria-describedby')) ?? ''
  expect(describedBy).not.toBe('')
  expect(await page.locator(`[id="${describedBy.split(' ')[0]}"]`).innerText()).toContain('Rounds is for doctors aged 18 and over.')
  // What the doctor typed is kept, except the password.
  expect(await page.getByLabel('Full name').inputValue()).toBe(child.name)
  expect(new URL(page.url()).pathname).toBe('/signup')
})

test('search suggestions are options a keyboard and a pointer can choose, with nothing interactive inside them', async () => {
  const { page } = await newUserContext()
  await signIn(page, demoDoctor)
  const box = page.getByRole('search').getByRole('combobox')
  await box.fill('Cardiology')
  // By its address: other tests make clubs with the same words in their names.
  const club = page.locator(`[role="option"][id$="-suggestions-c-${CLUB}"]`)
  await club.waitFor()
  // The open list is checked too: the page-load check runs before any suggestion is shown.
  expect(await seriousViolations(page)).toEqual([])
  expect(await page.getByRole('listbox', { name: 'Suggestions' }).locator('a, button').count()).toBe(0)
  // The arrow keys move through the options and Enter opens the chosen one.
  const options = page.getByRole('option')
  const ids = await options.evaluateAll((found) => found.map((option) => option.id))
  const index = ids.findIndex((id) => id.endsWith(`-suggestions-c-${CLUB}`))
  expect(index).toBeGreaterThanOrEqual(0)
  for (let i = 0; i <= index; i++) await box.press('ArrowDown')
  expect(await club.getAttribute('aria-selected')).toBe('true')
  await box.press('Enter')
  await page.waitForURL((url) => url.pathname === `/c/${CLUB}`)
  // A click chooses one as well.
  await box.fill('')
  await box.fill('Cardiology Grand')
  await club.click()
  await page.waitForURL((url) => url.pathname === `/c/${CLUB}`)
  expect(await page.getByRole('option').count()).toBe(0)
})
