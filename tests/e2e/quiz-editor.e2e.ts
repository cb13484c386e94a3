import sharp from 'sharp'
import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { asha, CLUB, screenshot, setUpBrowser, signIn } from './support'

const { newUserContext, expectBrowserErrors } = setUpBrowser()

const pageHeight = (page: Page) => page.evaluate(() => document.documentElement.scrollHeight)

async function addQuestion(page: Page, kind: string) {
  await page.getByLabel('Kind of new question').selectOption(kind)
  const before = page.url()
  await page.getByRole('button', { name: 'Add question' }).click()
  await page.waitForURL((url) => url.href !== before && url.searchParams.has('question'))
  return page.getByTestId('question-form')
}

async function save(page: Page) {
  await page.getByRole('button', { name: 'Save question' }).click()
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
}

describe('writing a quiz one question at a time', () => {
  test('without JavaScript, on a phone: three questions with an image, reordered, checked, then published', async () => {
    const { page } = await newUserContext({ javaScriptEnabled: false })
    await signIn(page, asha)
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`/c/${CLUB}/quizzes/new`)
    await page.getByLabel('Title').fill('Murmers at the bedside')
    await page.getByRole('button', { name: 'Write the questions' }).click()
    await page.waitForURL((url) => /^\/q\/[0-9a-f-]{36}\/edit$/.test(url.pathname))
    const quizPath = new URL(page.url()).pathname.replace(/\/edit$/, '')

    // A typo in the title is put right in the editor, without starting again.
    await page.getByText('Title and settings', { exact: true }).click()
    await page.getByTestId('quiz-details').getByLabel('Title').fill('Murmurs at the bedside')
    await page.getByRole('button', { name: 'Save title and settings' }).click()
    await page.getByRole('status').filter({ hasText: 'Title and settings saved.' }).waitFor()
    await page.getByRole('heading', { level: 1, name: 'Murmurs at the bedside' }).waitFor()
    // A draft left for later is found again on the club's page, by its author only.
    await page.goto(`/c/${CLUB}`)
    await page.getByTestId('draft-quiz-list').getByRole('link', { name: 'Go on writing Murmurs at the bedside' }).click()
    await page.waitForURL((url) => url.pathname === `${quizPath}/edit`)

    // 1: one answer, with an image and its alt text.
    let form = await addQuestion(page, 'single')
    await form.getByLabel('Question', { exact: true }).fill('Which murmur is loudest at the apex, radiating to the axilla?')
    await form.getByLabel('Option 1', { exact: true }).fill('Mitral regurgitation')
    await form.getByLabel('Option 2', { exact: true }).fill('Aortic stenosis')
    await form.getByLabel('Correct, option 1').check()
    const png = await sharp({ create: { width: 120, height: 60, channels: 3, background: '#246' } }).png().toBuffer()
    await form.getByLabel(/^Upload/).setInputFiles({ name: 'phonocardiogram.png', mimeType: 'image/png', buffer: png })
    await form.getByLabel(/^Alt text/).fill('Phonocardiogram with a pansystolic murmur')
    await save(page)
    expect(await page.getByTestId('question-form').getByRole('img').getAttribute('alt')).toBe('Phonocardiogram with a pansystolic murmur')

    // 2: one answer, its correct mark forgotten for now.
    form = await addQuestion(page, 'single')
    expect(await pageHeight(page), 'the page while writing one question').toBeLessThan(2000)
    // Only the fields a quiz's one-answer question uses: no rating scale, no true/false choice.
    expect(await form.getByLabel('Scale from 1 to').count()).toBe(0)
    expect(await form.getByLabel('The statement is').count()).toBe(0)
    await form.getByLabel('Question', { exact: true }).fill('A slow-rising pulse suggests?')
    await form.getByLabel('Option 1', { exact: true }).fill('Aortic regurgitation')
    await form.getByLabel('Option 2', { exact: true }).fill('Aortic stenosis')
    await save(page)

    // 3: true or false.
    form = await addQuestion(page, 'true_false')
    expect(await form.getByLabel('Option 1', { exact: true }).count()).toBe(0)
    await form.getByLabel('Question', { exact: true }).fill('A diastolic murmur is always pathological.')
    await form.getByLabel('The statement is').selectOption('true')
    await save(page)
    await screenshot(page, 'quiz-editor-phone')

    // Move the true/false question to the front, copy it, then remove the copy.
    await page.getByRole('button', { name: 'Move question 3 up' }).click()
    await page.getByRole('button', { name: 'Move question 2 up' }).click()
    await page.getByRole('button', { name: 'Duplicate question 1' }).click()
    expect(await page.getByTestId('question-row').count()).toBe(4)
    await page.getByRole('button', { name: 'Remove question 2' }).click()
    await expect.poll(() => page.getByTestId('question-row').allInnerTexts()).toEqual([
      expect.stringMatching(/^1\. True or false A diastolic murmur/),
      expect.stringMatching(/^2\. One answer Which murmur is loudest/),
      expect.stringMatching(/^3\. One answer A slow-rising pulse suggests\?/),
    ])

    // Publishing names what is missing; fixing it there lets it through.
    expectBrowserErrors(/status of 400 \(Bad Request\)/)
    await page.getByRole('button', { name: 'Publish' }).click()
    await page.getByTestId('publish-problems').getByText('Question 3: mark exactly one correct answer.').waitFor()
    await page.getByRole('link', { name: /^3\. One answer/ }).click()
    await page.getByTestId('question-form').getByLabel('Correct, option 2').check()
    await save(page)
    await page.getByRole('button', { name: 'Publish' }).click()
    await page.waitForURL((url) => url.pathname === quizPath)
    await page.getByText('Murmurs at the bedside').first().waitFor()
    expect(await page.getByTestId('question-image').getAttribute('alt')).toBe('Phonocardiogram with a pansystolic murmur')
    const image = await page.request.get((await page.getByTestId('question-image').getAttribute('src'))!)
    expect([image.status(), image.headers()['content-type']]).toEqual([200, 'image/webp'])
    // The accessibility check waits on script in the page, which this context runs none of; closing it ends that wait.
    await page.close()
  })
})
