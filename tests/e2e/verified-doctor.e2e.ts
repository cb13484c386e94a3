import { describe, expect, test } from 'vitest'
import { asha, newDoctor, openLiveTalk, setUpBrowser, signIn, signUpAndVerify, type Doctor } from './support'

const { newUserContext } = setUpBrowser()

// The demo's staff member holds the verifier duty (db/seed.ts).
const verifier: Doctor = { name: 'Privacy Officer', email: 'privacy.officer@demo.rounds.local', password: 'rounds-demo-2026', dateOfBirth: '' }

// A PDF's first bytes are all the upload checks; the verifier reads the rest.
const REGISTRATION_PDF = Buffer.from('%PDF-1.4\n% Registration certificate\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')

describe('a verified doctor', () => {
  test('applies, a verifier approves, and the badge shows on the profile, in search and in a live room', async () => {
    // A surname no other run shares, letters only, so search finds this doctor alone.
    const surname = `Vaidya${Date.now().toString(36).replace(/[^a-z]/g, '')}`
    const doctor = newDoctor(`Kavya ${surname}`)
    const { page } = await newUserContext()
    await signUpAndVerify(page, doctor)

    await page.goto('/settings/verification')
    await page.getByLabel('Council that registered you').selectOption('nmc')
    await page.getByLabel('Year of registration').fill('2012')
    await page.getByLabel('Registration number').fill('MMC-45678')
    await page.getByLabel('Registration certificate or council ID').setInputFiles({
      name: 'registration.pdf',
      mimeType: 'application/pdf',
      buffer: REGISTRATION_PDF,
    })
    await page.getByRole('button', { name: 'Apply to be verified' }).click()
    await page.getByText('Your application is waiting for a verifier.').waitFor()
    // The owner sees the number masked, never whole.
    expect(await page.locator('main').innerText()).not.toContain('45678')

    const { page: staff } = await newUserContext()
    await signIn(staff, verifier)
    await staff.goto('/staff/verification')
    await staff.getByRole('link', { name: doctor.name }).click()
    await staff.getByRole('button', { name: 'Approve' }).click()
    await staff.getByRole('button', { name: 'Approve' }).waitFor({ state: 'detached' })

    // The profile.
    await page.goto('/')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My profile' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/u/'))
    await expect.poll(() => page.getByTestId('verified-badge').first().textContent()).toContain('Verified doctor · National Medical Commission · since 2012')

    // Search: the badge on the result, and "verified doctors only" keeps this doctor.
    await staff.goto(`/search?q=${surname}&verified=1`)
    const result = staff.getByTestId('search-doctor').filter({ hasText: doctor.name })
    await result.getByTestId('verified-badge').waitFor()
    await staff.getByLabel('Verified doctors only').waitFor()
    expect(await staff.getByLabel('Verified doctors only').isChecked()).toBe(true)

    // A live room: the host sees the badge beside the doctor's comment.
    const { page: host } = await newUserContext()
    await signIn(host, asha)
    const talkId = await openLiveTalk(host, `Verified voices ${Date.now().toString(36)}`)

    await page.goto(`/t/${talkId}/live`)
    await expect.poll(() => page.getByTestId('room-status').innerText()).toMatch(/live/i)
    await page.getByLabel('Write a comment').fill('Check the QT interval before starting it.')
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    const comment = host.getByTestId('comment').filter({ hasText: 'QT interval' })
    await comment.getByTestId('verified-mark').waitFor()
    expect(await comment.getByTestId('verified-mark').getAttribute('title')).toBe('Verified doctor · National Medical Commission · since 2012')
    // Asha is not verified: her own comment carries no mark.
    await host.getByLabel('Write a comment').fill('Agreed.')
    await host.getByRole('button', { name: 'Send', exact: true }).click()
    const own = host.getByTestId('comment').filter({ hasText: 'Agreed.' })
    await own.waitFor()
    expect(await own.getByTestId('verified-mark').count()).toBe(0)
  })
})
