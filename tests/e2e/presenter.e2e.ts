import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { createQuiz } from '../../db/quizzes'
import { viewerOf } from '../support/factories'
import { asha, CLUB, joinLiveTalk, newDoctor, openLiveTalk, setUpBrowser, signIn, siteNav } from './support'

const { newUserContext, expectBrowserErrors } = setUpBrowser()

beforeAll(async () => {
  await openDatabase({ url: inject('databaseUrl'), runMigrations: false, maxConnections: 2 })
})
afterAll(async () => {
  await closeDatabase()
})

// Where the presenter view's screenshots go, for a person to look at.
const SHOTS = process.env.PRESENTER_SCREENSHOTS

const prompt = 'First-line treatment of torsades de pointes?'
const options = ['Magnesium sulfate', 'Amiodarone', 'Sotalol']

/** As Asha, through the data layer (the authoring form has its own tests): a one-question quiz for the talk, its first option right. */
async function createTalkQuiz(talkId: string, title: string) {
  const [host] = await rawSql()<{ id: string }[]>`select id from users where email = ${asha.email}`
  const question = { kind: 'single' as const, prompt, timeLimitSeconds: 120, options: options.map((label, i) => ({ label, correct: i === 0 })) }
  await createQuiz(viewerOf(host), CLUB, { kind: 'quiz', title, talkId, anonymous: false, questions: [question] })
}

async function answer(page: Page, label: string) {
  await expect.poll(() => page.getByTestId('quiz-prompt').innerText(), { timeout: 15_000 }).toBe(prompt)
  await page.getByTestId('quiz-option').filter({ hasText: new RegExp(`^(✓ )?${label}$`) }).click()
  await page.getByTestId('quiz-answer-sent').waitFor()
}

async function shoot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png` })
}

/** Each result bar as rendered: its votes and its drawn width (a bar of no votes has no box). */
async function renderedBars(page: Page) {
  const bars = page.getByTestId('presenter-bar')
  const drawn = []
  for (let i = 0; i < (await bars.count()); i++) {
    const bar = bars.nth(i)
    const box = await bar.boundingBox()
    drawn.push({ count: Number(await bar.getAttribute('data-count')), width: box?.width ?? 0 })
  }
  return drawn
}

describe('the presenter view', () => {
  test('shows the hall how many answered while the question is open, then bars as wide as the votes', async () => {
    const tag = Date.now().toString(36)
    const { page: host } = await newUserContext()
    await signIn(host, asha)
    const talkId = await openLiveTalk(host, `Arrhythmia ward round ${tag}`)
    await createTalkQuiz(talkId, `Torsades quiz ${tag}`)
    await host.reload()

    // Opened from the host controls in a window of its own, without the site's header.
    const link = host.getByRole('link', { name: /Presenter view/ })
    expect(await link.getAttribute('target')).toBe('_blank')
    expect(await link.getAttribute('rel')).toBe('noopener')
    const [presenter] = await Promise.all([host.context().waitForEvent('page'), link.click()])
    await presenter.setViewportSize({ width: 1280, height: 900 })
    await presenter.waitForURL(`**/t/${talkId}/present`)
    await presenter.getByRole('heading', { name: 'Waiting for the next question' }).waitFor()
    expect(await siteNav(presenter).count()).toBe(0)
    await shoot(presenter, 'presenter-waiting-1280')

    const { page: meera } = await newUserContext()
    const { page: tom } = await newUserContext()
    await joinLiveTalk(meera, newDoctor('Meera Iyer'), talkId)
    await joinLiveTalk(tom, newDoctor('Tom Okafor'), talkId)
    // The presenter window is not one more person in the room.
    await expect.poll(() => host.getByTestId('audience-count').innerText()).toContain('3 in the room')

    const controls = host.getByTestId('quiz-host-controls')
    await controls.getByRole('button', { name: 'Launch' }).click()
    await presenter.getByText('the first question is coming up').waitFor()
    await controls.getByRole('button', { name: 'First question' }).click()
    await expect.poll(() => presenter.getByTestId('presenter-prompt').innerText(), { timeout: 15_000 }).toBe(prompt)
    expect(await presenter.getByTestId('presenter-option').allInnerTexts()).toEqual(options.map((o, i) => `${'ABC'[i]}\n${o}`))

    // Two say magnesium, one amiodarone (the host answers too).
    await answer(meera, options[0])
    await answer(tom, options[0])
    await answer(host, options[1])
    await expect.poll(() => presenter.getByTestId('presenter-answered').innerText()).toBe('3 answers so far')
    // Open: the count, never the distribution.
    expect(await presenter.getByTestId('presenter-bar').count()).toBe(0)
    expect(await presenter.locator('body').innerText()).not.toMatch(/%/)
    await expect.poll(() => host.getByTestId('audience-count').innerText()).toContain('3 in the room')
    await shoot(presenter, 'presenter-question-1280')

    await controls.getByRole('button', { name: 'Reveal answer' }).click()
    await expect.poll(async () => (await renderedBars(presenter)).map((b) => b.count)).toEqual([2, 1, 0])
    const [most, fewer, none] = await renderedBars(presenter)
    expect(fewer.width).toBeGreaterThan(0)
    expect(most.width / fewer.width).toBeCloseTo(2, 1)
    expect(none.width).toBe(0)
    expect(await presenter.getByTestId('presenter-count').allInnerTexts()).toEqual(['2 · 67%', '1 · 33%', '0 · 0%'])
    // The right answer is said in words, not only in green.
    const rows = presenter.getByTestId('presenter-row')
    expect(await rows.nth(0).getByTestId('presenter-correct').innerText()).toContain('Correct')
    expect(await presenter.getByTestId('presenter-correct').count()).toBe(1)
    // Between questions, the leaderboard.
    await expect.poll(() => presenter.getByTestId('presenter-leader').count()).toBe(3)
    await shoot(presenter, 'presenter-reveal-1280')
    await presenter.setViewportSize({ width: 390, height: 844 })
    await shoot(presenter, 'presenter-reveal-390')
    // Narrow, the bars keep their proportions.
    const [narrowMost, narrowFewer] = await renderedBars(presenter)
    expect(narrowMost.width / narrowFewer.width).toBeCloseTo(2, 1)

    await controls.getByRole('button', { name: 'Finish' }).click()
    await presenter.getByRole('heading', { name: 'Final leaderboard' }).waitFor()
    const final = await presenter.getByTestId('presenter-leader').allInnerTexts()
    expect(final).toHaveLength(3)
    // The two who were right lead; the host, who was not, comes last.
    expect(final[2]).toMatch(/^3\. Asha Rao\s+0$/)
    await shoot(presenter, 'presenter-final-390')
  })

  test('is not found for a member of the club', async () => {
    const { page: host } = await newUserContext()
    await signIn(host, asha)
    const talkId = await openLiveTalk(host, `Presenter refusal ${Date.now().toString(36)}`)
    const { page: member } = await newUserContext()
    await joinLiveTalk(member, newDoctor('Ravi Menon'), talkId)
    expect(await member.getByRole('link', { name: /Presenter view/ }).count()).toBe(0)
    expectBrowserErrors(/status of 404 \(Not Found\)/)
    const response = await member.goto(`/t/${talkId}/present`)
    expect(response?.status()).toBe(404)
    // The error page keeps the site's header.
    await siteNav(member).waitFor()
  })
})
