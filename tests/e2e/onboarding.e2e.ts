import { describe, expect, test } from 'vitest'
import { CLUB, newDoctor, setUpBrowser, signUpAndVerify } from './support'

const { newUserContext } = setUpBrowser()

describe('a new member’s first visit', () => {
  test('answers the welcome steps, joins a suggested club and follows a suggested doctor, then goes home', async () => {
    const { page } = await newUserContext()
    await signUpAndVerify(page, newDoctor('Ines Duarte'))

    await page.getByRole('combobox', { name: /^Speciality/ }).selectOption('Cardiology')
    await page.getByLabel('City').fill('Lisbon')
    await page.getByRole('button', { name: 'Save and continue' }).click()
    await page.waitForURL((url) => url.pathname === '/welcome/interests')
    await page.getByText('Step 2 of 3').waitFor()

    await page.getByText('ECG', { exact: true }).click()
    await page.getByLabel('Your own').fill('Lipidology')
    await page.getByRole('button', { name: 'Save and continue' }).click()
    await page.waitForURL((url) => url.pathname === '/welcome/suggestions')
    await page.getByText('Step 3 of 3').waitFor()

    // Other clubs may share the name: the seeded one is told apart by its address.
    const clubs = page.getByRole('region', { name: 'Clubs to join' })
    const club = clubs.getByRole('listitem').filter({ has: page.locator(`a[href="/c/${CLUB}"]`) })
    expect(await club.innerText()).toContain('In your speciality')
    await club.getByRole('button', { name: 'Join Cardiology Grand Rounds' }).click()
    await page.getByText('You joined the club.').waitFor()
    expect(await clubs.locator(`a[href="/c/${CLUB}"]`).count()).toBe(0)

    // Doctors may share a name: the suggestion is told apart by its profile address.
    const doctors = page.getByRole('region', { name: 'Doctors to follow' })
    const profile = (await doctors.getByRole('listitem').first().getByRole('link').getAttribute('href')) ?? ''
    expect(profile).toMatch(/^\/u\//)
    // Others sign up while this runs and the list may re-sort: follow the one whose address was read.
    const doctor = doctors.getByRole('listitem').filter({ has: page.locator(`a[href="${profile}"]`) })
    await doctor.getByRole('button', { name: /^Follow / }).click()
    await page.getByText('You now follow this doctor.').waitFor()
    expect(await doctors.locator(`a[href="${profile}"]`).count()).toBe(0)

    await page.getByRole('link', { name: 'Done — go to my home page' }).click()
    await page.waitForURL((url) => url.pathname === '/')
    await page.goto(`/c/${CLUB}`)
    await page.getByRole('button', { name: 'Leave club' }).waitFor()
  })
})
