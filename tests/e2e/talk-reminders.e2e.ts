import { describe, expect, test } from 'vitest'
import { asha, CLUB, newDoctor, setUpBrowser, signIn, signUpAndVerify, talkIdOf } from './support'

const { newUserContext } = setUpBrowser()

const MINUTE = 60_000

describe('talk reminders', () => {
  test('a member going to a talk that starts soon gets the 10-minute reminder in Notifications and by email', { timeout: 240_000 }, async () => {
    // A fresh member first, so the talk's 10-minute reminder falls due while the test waits.
    const member = newDoctor('Dr Remi Minder')
    const { page: memberPage } = await newUserContext({ timezoneId: 'UTC' })
    await signUpAndVerify(memberPage, member)

    // Asha schedules a talk 11 to 12 minutes ahead: its 10-minute reminder is due within two minutes.
    const start = new Date(Math.ceil(Date.now() / MINUTE) * MINUTE + 11 * MINUTE)
    const title = `Reminder check ${Date.now().toString(36)}`
    const { page: hostPage } = await newUserContext({ timezoneId: 'UTC' })
    await signIn(hostPage, asha)
    await hostPage.goto(`/c/${CLUB}/talks/new`)
    await hostPage.getByLabel('Title').fill(title)
    await hostPage.getByLabel('Date').fill(start.toISOString().slice(0, 10))
    await hostPage.getByLabel('Time').fill(start.toISOString().slice(11, 16))
    await hostPage.getByRole('button', { name: 'Schedule talk' }).click()
    await hostPage.waitForURL((url) => url.searchParams.get('scheduled') === '1')
    const talkId = talkIdOf(hostPage)

    await memberPage.goto(`/t/${talkId}`)
    await memberPage.getByRole('button', { name: 'Going', exact: true }).click()
    await expect.poll(() => memberPage.getByRole('button', { name: 'Going', exact: true }).getAttribute('aria-pressed')).toBe('true')
    expect(Date.now()).toBeLessThan(start.getTime() - 10 * MINUTE)

    // The job runner sends it at start − 10 minutes (it polls every 2 s).
    const reminder = memberPage.getByTestId('notification').filter({ hasText: `“${title}” starts in` })
    await expect
      .poll(
        async () => {
          await memberPage.goto('/notifications')
          return reminder.count()
        },
        { timeout: 180_000, interval: 3000 },
      )
      .toBe(1)
    expect(await reminder.innerText()).toMatch(/starts in (10|9) minutes/)
    await reminder.getByRole('button', { name: new RegExp(`^“${title}” starts in`) }).click()
    await memberPage.waitForURL((url) => url.pathname === `/t/${talkId}`)

    const mailbox = await memberPage.context().newPage()
    await expect
      .poll(
        async () => {
          await mailbox.goto(`/dev/mailbox?to=${encodeURIComponent(member.email)}`)
          return mailbox.getByTestId('mail-subject').allInnerTexts()
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toContainEqual(expect.stringMatching(new RegExp(`“${title}” starts in (10|9) minutes`)))
  })
})
