import { describe, expect, test } from 'vitest'
import { seriousViolations } from './accessibility'
import { asha, CLUB, newDoctor, openLiveTalk, setUpBrowser, signIn, signUpAndVerify } from './support'

const { newUserContext } = setUpBrowser()

describe('reporting a comment that identifies a patient', () => {
  test('it leaves another member’s screen at once; the club’s owner removes it from the queue; reporter and author see the outcome', async () => {
    // The host, who owns the club and so moderates it, opens a live room.
    const { page: host } = await newUserContext()
    await signIn(host, asha)
    const talkId = await openLiveTalk(host, `Case review, moderated ${Date.now().toString(36)}`)

    // Two members join: one writes what names a patient, the other reports it.
    const enter = async (name: string) => {
      const { page } = await newUserContext()
      const doctor = newDoctor(name)
      await signUpAndVerify(page, doctor)
      await page.goto(`/t/${talkId}/live`)
      await expect.poll(() => page.getByTestId('room-status').innerText()).toMatch(/live/i)
      return { page, doctor }
    }
    const author = await enter('Ravi Kumar')
    const reporter = await enter('Meera Pillai')
    const body = 'Saw Mrs Jane Doe, bed 12, DOB 3 March 1951, this morning'
    await author.page.getByLabel('Write a comment').fill(body)
    await author.page.getByRole('button', { name: 'Send', exact: true }).click()
    const onHost = host.getByTestId('comment').filter({ hasText: 'bed 12' })
    const onReporter = reporter.page.getByTestId('comment').filter({ hasText: 'bed 12' })
    await onHost.waitFor()
    await onReporter.waitFor()

    await onReporter.getByText('Report', { exact: true }).click()
    await onReporter.getByLabel('Why are you reporting this comment?').selectOption('patient_information')
    // The report form open in the live room.
    expect(await seriousViolations(reporter.page)).toEqual([])
    await onReporter.getByRole('button', { name: 'Send report' }).click()
    // Gone from the other screens within a second; its author still sees it.
    await onHost.waitFor({ state: 'detached', timeout: 1000 })
    await onReporter.waitFor({ state: 'detached', timeout: 1000 })
    expect(await author.page.getByTestId('comment').filter({ hasText: 'bed 12' }).count()).toBe(1)

    // The owner decides from the queue.
    await host.goto('/moderation')
    const entry = host.getByTestId('queue-entry').filter({ hasText: 'bed 12' })
    await entry.getByText('Identifies a patient').waitFor()
    await entry.getByRole('link').first().click()
    await host.getByTestId('item-text').filter({ hasText: 'bed 12' }).waitFor()
    await host.getByLabel('Remove it').check()
    await host.getByLabel(/^Reason/).fill('It names a patient and her date of birth.')
    await host.getByRole('button', { name: 'Decide' }).click()
    await host.getByText('Removed. Its author and the reporters were told.').waitFor()

    await reporter.page.goto('/settings/moderation')
    await reporter.page.getByTestId('my-report').getByText('A moderator removed it. Thank you for reporting it.').waitFor()
    await author.page.goto('/settings/moderation')
    const decision = author.page.getByTestId('action-on-me').filter({ hasText: 'Removed' })
    await decision.getByText('Reason: It names a patient and her date of birth.').waitFor()
    expect(await decision.innerText()).not.toContain(reporter.doctor.name)
    await decision.getByText(/^Appeal \(until/).waitFor()
  })

  test('without JavaScript, a club is reported from its page with a plain form', async () => {
    const { page } = await newUserContext({ javaScriptEnabled: false })
    await signUpAndVerify(page, newDoctor('Tara Singh'))
    await page.goto(`/c/${CLUB}`)
    const report = page.getByTestId('report-club')
    await report.getByText('Report club').click()
    await report.getByLabel('Why?').selectOption('undisclosed_promotion')
    await report.getByLabel(/^Details/).fill('Every talk sells one device.')
    await report.getByRole('button', { name: 'Send report' }).click()
    await page.waitForURL((url) => url.pathname === '/report')
    await page.getByText('Thank you. A moderator will look at it; you can follow your report in Settings → Moderation.').waitFor()
    await page.getByRole('link', { name: 'Your reports' }).click()
    await page.getByTestId('my-report').getByText('Waiting for a moderator').waitFor()
  })
})
