import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { closeDatabase, openDatabase } from '../../db/client'
import { createQuiz } from '../../db/quizzes'
import { addClubMember, createDoctor, createTestClub, viewerOf } from '../support/factories'
import { screenshot, setUpBrowser, signIn } from './support'

const { newUserContext } = setUpBrowser()

beforeAll(async () => {
  await openDatabase({ url: inject('databaseUrl'), runMigrations: false, maxConnections: 2 })
})
afterAll(async () => {
  await closeDatabase()
})

/** A club with a week-long self-paced challenge of two questions, and a member who has not answered it. */
async function clubWithChallenge() {
  const owner = await createDoctor({ name: 'Dr Meera Iyer' })
  const club = await createTestClub(owner, { name: 'Emergency Medicine Circle' })
  const member = await createDoctor({ name: 'Dr Joel Mathew' })
  await addClubMember(club, member)
  const title = 'Hyperkalaemia ECG challenge'
  const { id } = await createQuiz(viewerOf(owner), club.slug, {
    kind: 'quiz',
    title,
    deadline: new Date(Date.now() + 7 * 24 * 60 * 60 * 1000),
    questions: [
      { kind: 'single', prompt: 'Peaked T waves suggest?', timeLimitSeconds: 20, points: 1000, options: [{ label: 'Hyperkalaemia', correct: true }, { label: 'Hypokalaemia' }] },
      { kind: 'true_false', prompt: 'Calcium gluconate lowers serum potassium.', timeLimitSeconds: 20, points: 500, options: [{ label: 'False', correct: true }] },
    ],
  })
  return { club, member, quizId: id, title }
}

describe('challenges on the club page', () => {
  test('a member finds a challenge on their club’s page, answers it, and sees it marked answered there and in My challenges', async () => {
    const { club, member, quizId, title } = await clubWithChallenge()
    const { page } = await newUserContext()
    await signIn(page, { ...member, dateOfBirth: '' })

    await page.goto(`/c/${club.slug}`)
    const section = page.getByTestId('club-quizzes')
    await section.getByRole('heading', { name: 'Challenges and quizzes' }).waitFor()
    const entry = section.getByTestId('challenge').filter({ hasText: title })
    expect(await entry.innerText()).toMatch(/2 questions · Closes /)
    expect(await entry.getByTestId('challenge-answered').count()).toBe(0)
    await screenshot(page, 'club-challenges')
    await entry.getByRole('link', { name: title }).click()
    await page.waitForURL((url) => url.pathname === `/q/${quizId}`)

    for (const [prompt, option] of [
      ['Peaked T waves suggest?', 'Hyperkalaemia'],
      ['Calcium gluconate lowers serum potassium.', 'False'],
    ]) {
      const question = page.getByTestId('quiz-question').filter({ hasText: prompt })
      await question.getByLabel(option, { exact: true }).check()
      await question.getByRole('button', { name: 'Send answer' }).click()
      await question.getByTestId('my-answer').waitFor()
    }
    await expect.poll(() => page.getByTestId('my-answer').count()).toBe(2)

    await page.goto(`/c/${club.slug}`)
    await page.getByTestId('club-quizzes').getByTestId('challenge').filter({ hasText: title }).getByTestId('challenge-answered').waitFor()

    await page.goto('/learning')
    const mine = page.getByTestId('my-challenges').getByTestId('challenge').filter({ hasText: title })
    expect(await mine.innerText()).toContain('Emergency Medicine Circle')
    expect(await mine.getByTestId('challenge-answered').innerText()).toBe('Answered')
  })
})
