import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { newDoctor, setUpBrowser, signIn, signUpAndVerify, siteNav, visibleText, type Doctor } from './support'

const { baseUrl, newUserContext, expectBrowserErrors } = setUpBrowser()

// The demo admin from db/seed.ts, who owns clubs already and now starts a private one.
const admin: Doctor = { name: 'Asha Rao', email: 'asha.rao@demo.rounds.local', password: 'rounds-demo-2026', dateOfBirth: '1979-04-12' }

const tag = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`
const club = {
  name: `Night Shift Journal Club ${tag}`,
  slug: `night-shift-${tag}`,
  description: 'Case reviews from the night team. Members only.',
}

/** The signed-in doctor's handle, read from the header's "My profile" link. */
async function ownHandle(page: Page) {
  const href = await siteNav(page).getByRole('link', { name: 'My profile' }).getAttribute('href')
  const handle = /^\/u\/([a-z0-9-]+)$/.exec(href ?? '')?.[1]
  if (!handle) throw new Error(`No handle in the profile link: ${href}`)
  return handle
}

async function memberHandles(page: Page) {
  await page.goto(`/c/${club.slug}/members`)
  await page.getByRole('heading', { name: /^Members/ }).waitFor()
  return page.getByTestId('member-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-handle')))
}

describe('a private club joined with an invite link', () => {
  let adminPage: Page | undefined
  let inviteUrl: string | undefined

  function requireSetUp() {
    if (!adminPage || !inviteUrl) throw new Error('This test needs the one before it, which did not finish.')
    return { adminPage, inviteUrl }
  }

  test('an admin creates a private club and copies its invite link', async () => {
    const { context, page } = await newUserContext()
    // The Copy button writes to the clipboard; the test reads it back, as a paste would.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl })
    await signIn(page, admin)

    await page.goto('/clubs/new')
    await page.getByLabel('Club name').fill(club.name)
    await page.getByLabel('Club address').fill(club.slug)
    await page.getByLabel('Description').fill(club.description)
    await page.getByRole('radio', { name: /^Private/ }).check()
    await page.getByRole('button', { name: 'Create club' }).click()
    await page.waitForURL((url) => url.pathname === `/c/${club.slug}` && url.searchParams.get('created') === '1')
    await page.getByRole('heading', { name: club.name }).waitFor()

    // The Admin tab opens the admin's first section; its own navigation leads to the invitations.
    await page.getByRole('navigation', { name: 'Club' }).getByRole('link', { name: 'Admin' }).click()
    await page.waitForURL(`**/c/${club.slug}/admin/members`)
    const sections = page.getByRole('navigation', { name: 'Admin sections' })
    expect(await sections.getByRole('link', { name: 'Members' }).getAttribute('aria-current')).toBe('page')
    await sections.getByRole('link', { name: 'Invitations' }).click()
    await page.waitForURL(`**/c/${club.slug}/admin/invites`)
    // The address changes as the navigation commits; the section links are marked as it renders.
    await expect.poll(() => sections.getByRole('link', { name: 'Invitations' }).getAttribute('aria-current')).toBe('page')
    await expect.poll(() => sections.getByRole('link', { name: 'Members' }).getAttribute('aria-current')).toBeNull()
    const links = page.locator('#invite-links')
    await links.getByRole('button', { name: 'Create invite link' }).click()
    await links.getByText('Invite link created. Copy it from the list below.').waitFor()
    const row = links.locator('[data-testid="invite-link-row"][data-state="active"]')
    await expect.poll(() => row.count()).toBe(1)

    const shown = await row.getByTestId('invite-link-url').inputValue()
    expect(shown).toMatch(new RegExp(`^${baseUrl}/join/[A-Za-z0-9_-]{32}$`))
    await row.getByRole('button', { name: 'Copy' }).click()
    await row.getByRole('button', { name: 'Copied' }).waitFor()
    const copied = await page.evaluate(() => navigator.clipboard.readText())
    expect(copied).toBe(shown)

    adminPage = page
    inviteUrl = copied
  })

  test('a second doctor opens the link, joins and appears in the member list', async () => {
    const { adminPage, inviteUrl } = requireSetUp()
    const { page } = await newUserContext()
    await signUpAndVerify(page, newDoctor('Nadia Haddad'))
    const handle = await ownHandle(page)

    // Before joining, the club's own address shows nothing: it is private.
    expectBrowserErrors(/status of 404/)
    const hidden = await page.goto(`/c/${club.slug}`)
    expect(hidden?.status()).toBe(404)
    expect(await visibleText(page)).not.toContain(club.name)

    await page.goto(inviteUrl)
    await page.getByRole('heading', { name: club.name }).waitFor()
    expect(await visibleText(page)).toContain(club.description)
    await page.getByRole('button', { name: `Join ${club.name}` }).click()
    await page.waitForURL((url) => url.pathname === `/c/${club.slug}` && url.searchParams.get('joined') === '1')
    await page.getByText('Welcome — you are now a member of this club.').waitFor()

    expect(await memberHandles(page)).toContain(handle)
    expect(await memberHandles(adminPage)).toContain(handle)
  })

  test('the admin revokes the link; a third doctor holding it is refused with a clear message', async () => {
    const { adminPage, inviteUrl } = requireSetUp()
    await adminPage.goto(`/c/${club.slug}/admin/invites`)
    const links = adminPage.locator('#invite-links')
    const active = links.locator('[data-testid="invite-link-row"][data-state="active"]')
    expect(await active.getByTestId('invite-link-url').inputValue()).toBe(inviteUrl)
    await active.getByRole('button', { name: 'Revoke' }).click()
    await links.getByText('Invite link revoked. It no longer works.').waitFor()
    const revoked = links.locator('[data-testid="invite-link-row"][data-state="revoked"]')
    await expect.poll(() => revoked.count()).toBe(1)
    expect(await revoked.getByTestId('invite-link-url').inputValue()).toBe(inviteUrl)
    expect(await links.locator('[data-testid="invite-link-row"][data-state="active"]').count()).toBe(0)

    const { page } = await newUserContext()
    await signUpAndVerify(page, newDoctor('Karl Lindqvist'))
    const handle = await ownHandle(page)

    // Chromium logs the 410 document it loaded; that is the refusal under test.
    expectBrowserErrors(/status of 410/)
    const refused = await page.goto(inviteUrl)
    expect(refused?.status()).toBe(410)
    await page.getByRole('heading', { name: 'This invite link does not work' }).waitFor()
    expect(await page.getByTestId('invite-error').textContent()).toBe('This invite link has been revoked. Ask the club’s admins for a new one.')
    // Refused, and told nothing about the club behind the link.
    const text = await visibleText(page)
    expect(text).not.toContain(club.name)
    expect(text).not.toContain(club.description)
    expect(await page.getByRole('button', { name: /^Join/ }).count()).toBe(0)
    expect(await page.content()).not.toContain(club.description)

    expect(await memberHandles(adminPage)).not.toContain(handle)
  })
})
