import { describe, expect, test } from 'vitest'
import { newDoctor, setUpBrowser, signIn, signUpAndVerify, type Doctor } from './support'

const { newUserContext } = setUpBrowser()

const officer: Doctor = { name: 'Privacy Officer', email: 'privacy.officer@demo.rounds.local', password: 'rounds-demo-2026', dateOfBirth: '' }

describe('the privacy office tells members of a policy change and of an incident', () => {
  test('a significant change asks the member to confirm on the next page they open; an incident shows in their privacy centre', async () => {
    const { page: member } = await newUserContext()
    const doctor = newDoctor('Nisha Menon')
    await signUpAndVerify(member, doctor)

    // The officer edits the policy, previews the difference and publishes it as significant.
    const { page: office } = await newUserContext()
    await signIn(office, officer)
    await office.goto('/staff/privacy/policy')
    const text = office.getByLabel(/^Policy text/)
    const tag = Date.now().toString(36)
    await text.fill(`${await text.inputValue()}\n\n# Recordings\nWe keep recordings of talks for 90 days (${tag}).`)
    await office.getByRole('button', { name: 'Preview changes' }).click()
    const added = office.getByTestId('policy-diff').locator('[data-kind="added"]').filter({ hasText: `90 days (${tag})` })
    await added.waitFor()
    await office.getByLabel(/^What changes, for members/).fill(`Recordings are kept for 90 days (${tag}).`)
    await office.locator('input[name="change"][value="significant"]').check()
    await office.getByRole('button', { name: 'Publish', exact: true }).click()
    await office.getByText(/is published\. \d+ members? (was|were) told/).waitFor()

    // The member, on any page, is asked to confirm; confirming keeps them where they were.
    await member.goto('/clubs')
    const banner = member.getByTestId('policy-banner')
    await banner.getByText(`Recordings are kept for 90 days (${tag}).`).waitFor()
    await banner.getByRole('button', { name: 'I have read it' }).click()
    await member.waitForURL((url) => url.pathname === '/clubs')
    await expect.poll(() => member.getByTestId('policy-banner').count()).toBe(0)
    await member.goto('/settings/profile')
    expect(await member.getByTestId('policy-banner').count()).toBe(0)

    // The officer records an incident that concerns the member, counting first.
    await office.goto('/staff/privacy/incidents/new')
    await office.getByLabel(/^Short title/).fill(`Export link forwarded ${tag}`)
    await office.getByLabel('What happened', { exact: true }).fill('A download link for a copy of member data was forwarded outside the hospital.')
    await office.getByLabel('Email address', { exact: true }).check()
    await office.getByLabel('What we did', { exact: true }).fill('We expired the link within the hour and checked who opened it.')
    await office.getByLabel('What people can do', { exact: true }).fill('Ask for a new copy from Settings → Your data if you need one.')
    await office.getByLabel('A list of email addresses').check()
    await office.getByLabel('Email addresses, one a line').fill(doctor.email)
    await office.getByRole('button', { name: 'Count affected people' }).click()
    await office.getByTestId('incident-count').getByText(/reaches 1 person/).waitFor()
    await office.getByRole('button', { name: 'Record and notify 1 person' }).click()
    await office.getByText('Recorded. 1 person was told in the app and by email.').waitFor()
    await office.getByTestId('board-deadline').getByText(/Report to the Data Protection Board due/).waitFor()

    // The member sees it in their privacy centre.
    await member.goto('/privacy')
    const mine = member.getByTestId('my-incident').filter({ hasText: `Export link forwarded ${tag}` })
    await mine.getByText('We expired the link within the hour and checked who opened it.').waitFor()
    await mine.getByText('Email address').waitFor()
  })
})
