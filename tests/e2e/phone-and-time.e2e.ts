import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { seriousViolations } from './accessibility'
import { asha, CLUB, dayAhead, newDoctor, screenshot, setUpBrowser, signIn, signUpAndVerify, talkIdOf, type Doctor } from './support'

const { newUserContext } = setUpBrowser()

const PHONE = { width: 390, height: 844 }
const SMALL_PHONE = { width: 360, height: 740 }
const phone = (viewport = PHONE) => ({ viewport, isMobile: true, hasTouch: true })

/** A talk start as a reader in Stockholm should see it: "Thu 3 Dec, 19:00 CET". */
const inStockholm = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    timeZone: 'Europe/Stockholm',
  }).format(new Date(iso))

/** The header's Menu button, shown below 640 px. */
const menuButton = (page: Page) => page.getByTestId('header-menu').locator('summary')
const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' })

/** Signs in on a phone, where the header's links sit behind the Menu button. */
async function signInOnPhone(page: Page, doctor: Doctor) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(doctor.email)
  await page.getByLabel('Password').fill(doctor.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => url.pathname !== '/login')
}

/** How far the page reaches past the right edge of the screen, in CSS pixels. */
const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)

describe('times in the reader’s time zone', () => {
  test('a browser in Europe/Stockholm sees talk times in that zone, named', async () => {
    const { page } = await newUserContext({ timezoneId: 'Europe/Stockholm' })
    await page.goto(`/c/${CLUB}`)
    const start = page.locator('[data-testid="feed-upcoming"] time, main li time').first()
    await start.waitFor()
    const iso = (await start.getAttribute('datetime')) ?? ''
    // A first visit is rendered before the server knows the zone; the page catches up by itself.
    await expect.poll(() => start.innerText()).toBe(inStockholm(iso))
    expect(await start.innerText()).toMatch(/ CES?T$/)

    // Every later page is rendered in the zone from the start.
    await start.locator('xpath=ancestor::li').getByRole('link').first().click()
    await page.waitForURL((url) => /^\/t\/[0-9a-f-]{36}$/.test(url.pathname))
    const talkStart = page.locator('article time').first()
    expect(await talkStart.innerText()).toBe(inStockholm((await talkStart.getAttribute('datetime')) ?? ''))
    const html = await (await page.request.get(page.url())).text()
    expect(html).toContain(`>${inStockholm((await talkStart.getAttribute('datetime')) ?? '')}</time>`)
  })

  test('the scheduling form takes a start in the same zone', async () => {
    const { page } = await newUserContext({ timezoneId: 'Europe/Stockholm' })
    await signIn(page, asha)
    await page.goto(`/c/${CLUB}/talks/new`)
    expect(await page.getByTestId('start-zone').innerText()).toBe('your time, Europe/Stockholm')
    const day = dayAhead(5)
    await page.getByLabel('Title').fill(`Syncope work-up ${Date.now().toString(36)}`)
    await page.getByLabel('Date').fill(day)
    await page.getByLabel('Time').fill('19:00')
    await expect.poll(() => page.getByTestId('start-preview').innerText()).toMatch(/19:00 CES?T \((17|18):00 UTC\)/)
    await page.getByRole('button', { name: 'Schedule talk' }).click()
    await page.waitForURL((url) => url.searchParams.get('scheduled') === '1')
    const start = page.locator('article time').first()
    const iso = (await start.getAttribute('datetime')) ?? ''
    expect(inStockholm(iso)).toContain('19:00')
    expect(await start.innerText()).toBe(inStockholm(iso))
  })
})

describe('on a phone', () => {
  test('the header is one row with a Menu button that opens the links, and they work', async () => {
    const { page } = await newUserContext(phone())
    await signInOnPhone(page, asha)
    await page.goto('/')
    const button = menuButton(page)
    await button.waitFor()
    const header = await page.locator('header').boundingBox()
    expect(header?.height ?? 0).toBeLessThan(80)
    expect(await mainNav(page).isVisible()).toBe(false)
    await screenshot(page, 'phone-header-closed')

    await button.click()
    await mainNav(page).getByRole('link', { name: 'Clubs' }).waitFor()
    expect(await page.getByTestId('header-menu').getAttribute('open')).not.toBeNull()
    expect(await page.getByRole('search').isVisible()).toBe(true)
    expect(await seriousViolations(page)).toEqual([])
    await screenshot(page, 'phone-header-open')
    await mainNav(page).getByRole('link', { name: 'Clubs' }).click()
    await page.waitForURL((url) => url.pathname === '/clubs')
    // The menu closes once the page has changed.
    await expect.poll(() => mainNav(page).isVisible()).toBe(false)

    await button.click()
    await mainNav(page).getByRole('link', { name: 'Settings' }).click()
    await page.waitForURL((url) => url.pathname === '/settings/profile')
    await button.click()
    await mainNav(page).getByRole('link', { name: 'My profile' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/u/'))

    // A laptop has no Menu button: the links are in the header.
    const { page: laptop } = await newUserContext()
    await laptop.goto('/')
    await mainNav(laptop).getByRole('link', { name: 'Clubs' }).waitFor()
    expect(await menuButton(laptop).isVisible()).toBe(false)
  })

  test('the menu works without JavaScript', async () => {
    const { page } = await newUserContext({ ...phone(), javaScriptEnabled: false })
    await page.goto('/')
    expect(await mainNav(page).isVisible()).toBe(false)
    await menuButton(page).click()
    await mainNav(page).getByRole('link', { name: 'Sign in' }).click()
    await page.waitForURL((url) => url.pathname === '/login')
  })

  test('the cookie banner takes at most a third of the first screen and answers in one tap', async () => {
    const { page } = await newUserContext(phone())
    await page.goto('/clubs')
    const banner = page.getByTestId('cookie-banner')
    await banner.waitFor()
    await screenshot(page, 'phone-cookie-banner')
    const box = await banner.boundingBox()
    expect(box?.height ?? Infinity).toBeLessThanOrEqual(PHONE.height / 3)
    await banner.getByRole('button', { name: 'Only strictly necessary' }).click()
    await banner.waitFor({ state: 'detached' })
    expect(new URL(page.url()).pathname).toBe('/clubs')
  })

  test('no page scrolls sideways at 390 or 360 px', async () => {
    // A talk of the demo club, to check its page too.
    const { page: laptop } = await newUserContext()
    await laptop.goto(`/c/${CLUB}`)
    await laptop.locator('main li time').first().locator('xpath=ancestor::li').getByRole('link').first().click()
    await laptop.waitForURL((url) => /^\/t\/[0-9a-f-]{36}$/.test(url.pathname))
    const talkPath = new URL(laptop.url()).pathname

    const paths = ['/', `/c/${CLUB}`, talkPath, '/settings/profile', '/settings/sessions', '/settings/time-zone', '/search?q=cardiology', '/clubs']
    for (const viewport of [PHONE, SMALL_PHONE]) {
      const { page } = await newUserContext(phone(viewport))
      await signInOnPhone(page, asha)
      for (const path of paths) {
        await page.goto(path)
        expect(await sideways(page), `${path} at ${viewport.width} px`).toBeLessThanOrEqual(0)
      }
      // The menu open does not widen the page either.
      await menuButton(page).click()
      expect(await sideways(page), `the open menu at ${viewport.width} px`).toBeLessThanOrEqual(0)
    }
  })

  test('the live room shows the stage, the hand button and the comment box on the first screen', async () => {
    const { page: host } = await newUserContext()
    await signIn(host, asha)
    await host.goto(`/c/${CLUB}/talks/new`)
    const title = `Arrhythmia clinic, live ${Date.now().toString(36)}`
    await host.getByLabel('Title').fill(title)
    await host.getByLabel('Date').fill(dayAhead(1))
    await host.getByLabel('Time').fill('09:00')
    await host.getByRole('button', { name: 'Schedule talk' }).click()
    await host.waitForURL((url) => url.searchParams.get('scheduled') === '1')
    const talkId = talkIdOf(host)
    await host.getByRole('link', { name: 'Open the room' }).click()
    await host.waitForURL(`**/t/${talkId}/live`)
    await host.getByRole('button', { name: 'Open the room' }).click()
    await expect.poll(() => host.getByTestId('room-status').innerText()).toMatch(/live/i)

    const { page: guest } = await newUserContext(phone())
    await signUpAndVerify(guest, newDoctor('Sara Lind'))
    await guest.goto(`/c/${CLUB}`)
    await guest.getByRole('button', { name: 'Only strictly necessary' }).click()
    await guest.getByTestId('cookie-banner').waitFor({ state: 'detached' })
    await guest.getByRole('button', { name: 'Join club' }).click()
    await guest.getByText('Welcome — you are now a member of this club.').waitFor()
    // A comment or two in the room, as there would be.
    for (const comment of ['Welcome, everyone.', 'We start with the first ECG.', 'Shout if the strip is too small on a phone.']) {
      await host.getByLabel('Write a comment').fill(comment)
      await host.getByLabel('Write a comment').press('Enter')
      await host.getByTestId('comment').filter({ hasText: comment }).waitFor()
    }
    await guest.goto(`/t/${talkId}/live`)
    await expect.poll(() => guest.getByTestId('room-status').innerText()).toMatch(/live/i)
    await guest.getByTestId('comment').first().waitFor()
    await screenshot(guest, 'phone-live-room')

    for (const [what, locator] of [
      ['the stage', guest.getByRole('region', { name: /stage/i })],
      ['the hand button', guest.getByRole('button', { name: 'Raise hand' })],
      ['the comment box', guest.getByLabel('Write a comment')],
      ['the send button', guest.getByRole('button', { name: 'Send', exact: true })],
    ] as const) {
      const box = await locator.boundingBox()
      expect(box, what).not.toBeNull()
      expect(box!.y, `${what} starts on the first screen`).toBeGreaterThanOrEqual(0)
      expect(box!.y + box!.height, `${what} ends on the first screen`).toBeLessThanOrEqual(PHONE.height)
    }
    expect(await guest.evaluate(() => window.scrollY)).toBe(0)
  })
})
