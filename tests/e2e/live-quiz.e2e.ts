import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { seriousViolations } from './accessibility'
import { asha, CLUB, dayAhead, joinLiveTalk, newDoctor, setUpBrowser, signIn } from './support'

const { newUserContext, expectBrowserErrors } = setUpBrowser()

type Question = { prompt: string; kind: 'single' | 'true_false'; options?: string[]; correct: string; points: number }
const questions: Question[] = [
  { prompt: 'First-line rate control in AF with HFrEF?', kind: 'single', options: ['Beta blocker', 'Diltiazem', 'Verapamil'], correct: 'Beta blocker', points: 1000 },
  { prompt: 'Target LDL after an MI (mmol/L)?', kind: 'single', options: ['Below 1.4', 'Below 3.0'], correct: 'Below 1.4', points: 1000 },
  { prompt: 'Sacubitril/valsartan needs a 36-hour ACE inhibitor washout.', kind: 'true_false', correct: 'True', points: 500 },
]


async function scheduleTalk(host: Page, title: string) {
  await host.goto(`/c/${CLUB}/talks/new`)
  await host.getByLabel('Title').fill(title)
  await host.getByLabel('Date').fill(dayAhead(1))
  await host.getByLabel('Time').fill('12:00')
  await host.getByRole('button', { name: 'Schedule talk' }).click()
  await host.waitForURL((url) => url.searchParams.get('scheduled') === '1')
  const id = /\/t\/([0-9a-f-]{36})/.exec(new URL(host.url()).pathname)?.[1]
  if (!id) throw new Error(`Not on a talk page: ${host.url()}`)
  return id
}

async function authorQuiz(host: Page, talkId: string, title: string) {
  await host.goto(`/c/${CLUB}/quizzes/new?talk=${talkId}`)
  await host.getByLabel('Kind', { exact: true }).selectOption('quiz')
  await host.getByLabel('Title').fill(title)
  await host.getByRole('button', { name: 'Write the questions' }).click()
  await host.waitForURL((url) => url.pathname.endsWith('/edit'))
  for (const q of questions) {
    await host.getByLabel('Kind of new question').selectOption(q.kind)
    const before = host.url()
    await host.getByRole('button', { name: 'Add question' }).click()
    await host.waitForURL((url) => url.href !== before && url.searchParams.has('question'))
    const form = host.getByTestId('question-form')
    await form.getByLabel('Question', { exact: true }).fill(q.prompt)
    if (q.kind === 'true_false') {
      await form.getByLabel('The statement is').selectOption(q.correct === 'True' ? 'true' : 'false')
    } else {
      for (const [j, label] of (q.options ?? []).entries()) {
        await form.getByLabel(`Option ${j + 1}`, { exact: true }).fill(label)
        if (label === q.correct) await form.getByLabel(`Correct, option ${j + 1}`).check()
      }
    }
    await form.getByLabel('Seconds to answer').fill('60')
    await form.getByLabel('Points').fill(String(q.points))
    await host.getByRole('button', { name: 'Save question' }).click()
    await host.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
  }
  await host.getByRole('button', { name: 'Publish' }).click()
  await host.waitForURL(`**/t/${talkId}/live`)
}

/** Waits for the question on screen, then picks an option by its label. */
async function answer(page: Page, prompt: string, label: string) {
  await expect.poll(() => page.getByTestId('quiz-prompt').innerText(), { timeout: 15_000 }).toBe(prompt)
  await page.getByTestId('quiz-option').filter({ hasText: new RegExp(`^${label}$`) }).click()
  await page.getByTestId('quiz-answer-sent').waitFor()
}

/**
 * The result bars as drawn: each bar's vote count, rendered width and whether its colour paints
 * (a colour class the stylesheet lacks leaves the bar transparent), and the widest bar's count.
 */
async function drawnBars(page: Page) {
  return page.getByTestId('quiz-bar').evaluateAll((bars) =>
    bars.map((bar) => {
      const colour = getComputedStyle(bar).backgroundColor
      return { count: Number(bar.getAttribute('data-count')), width: bar.getBoundingClientRect().width, painted: colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent' }
    }),
  )
}

/** Every bar with votes is drawn, with a width proportional to its votes. */
async function expectBarsDrawn(page: Page, votes: number[]) {
  await expect.poll(async () => (await drawnBars(page)).map((b) => b.count)).toEqual(votes)
  const bars = await drawnBars(page)
  const widest = Math.max(...bars.map((b) => b.width))
  const most = Math.max(...votes)
  for (const bar of bars) {
    expect(bar.painted).toBe(true)
    if (bar.count === 0) expect(bar.width).toBe(0)
    else {
      expect(bar.width).toBeGreaterThan(0)
      expect(bar.width / widest).toBeCloseTo(bar.count / most, 1)
    }
  }
}

/** A leaderboard row, "1. Meera Iyer\n2497" → { rank: 1, name: 'Meera Iyer', points: 2497 }. */
function parseRow(text: string) {
  const match = /^(\d+)\. (.+?)\s+(\d+)$/s.exec(text.trim())
  if (!match) throw new Error(`Unexpected leaderboard row: ${JSON.stringify(text)}`)
  return { rank: Number(match[1]), name: match[2], points: Number(match[3]) }
}

describe('a live quiz in a talk', () => {
  test('the host authors and runs a 3-question quiz; two members answer; the leaderboard ranks them', async () => {
    const tag = Date.now().toString(36)
    const { page: host } = await newUserContext()
    await signIn(host, asha)
    // The club page offers the form to those who may schedule.
    await host.goto(`/c/${CLUB}`)
    await host.getByRole('link', { name: 'New quiz or poll' }).waitFor()
    const talkId = await scheduleTalk(host, `ECG and heart failure quiz night ${tag}`)
    const quizTitle = `Heart failure quiz ${tag}`
    await authorQuiz(host, talkId, quizTitle)

    await expect.poll(() => host.getByTestId('room-status').innerText()).toMatch(/scheduled/i)
    await host.getByRole('button', { name: 'Open the room' }).click()
    await expect.poll(() => host.getByTestId('room-status').innerText()).toMatch(/live/i)

    const { page: fast } = await newUserContext()
    const { page: slow } = await newUserContext()
    const fastDoctor = newDoctor('Meera Iyer')
    const slowDoctor = newDoctor('Tom Okafor')
    await joinLiveTalk(fast, fastDoctor, talkId)
    await joinLiveTalk(slow, slowDoctor, talkId)
    await expect.poll(() => host.getByTestId('audience-count').innerText()).toContain('3 in the room')

    const controls = host.getByTestId('quiz-host-controls')
    const choice = `${quizTitle} (quiz, 3 questions)`
    await expect.poll(() => controls.locator('option').allTextContents()).toContain(choice)
    await controls.getByLabel('Quiz to launch').selectOption({ label: choice })
    await controls.getByRole('button', { name: 'Launch' }).click()
    await fast.getByText('Get ready: the first question is coming up.').waitFor()
    await slow.getByText('Get ready: the first question is coming up.').waitFor()

    // Meera is right every time and answers first; Tom is right only on question 2, after her.
    const tomsPicks = ['Diltiazem', 'Below 1.4', 'False']
    for (const [i, q] of questions.entries()) {
      await controls.getByRole('button', { name: i === 0 ? 'First question' : 'Next question' }).click()
      await answer(fast, q.prompt, q.correct)
      await answer(slow, q.prompt, tomsPicks[i])
      await expect.poll(() => host.getByTestId('quiz-results').innerText()).toContain('2 answered')
      await controls.getByRole('button', { name: 'Reveal answer' }).click()
      await fast.getByTestId('quiz-leaderboard').waitFor()
      // Both answers show as bars, the right one's and the wrong one's alike.
      const options = q.options ?? ['True', 'False']
      const votes = options.map((label) => [q.correct, tomsPicks[i]].filter((pick) => pick === label).length)
      for (const page of [host, fast]) await expectBarsDrawn(page, votes)
      // The revealed question and its leaderboard, as the room and the host see them: not a page load,
      // so checked here.
      if (i === 0) for (const page of [host, fast]) expect(await seriousViolations(page)).toEqual([])
    }

    await controls.getByRole('button', { name: 'Finish' }).click()
    for (const page of [host, fast, slow]) {
      await page.getByText('That’s the end of the quiz.').waitFor()
      await page.getByTestId('quiz-podium').waitFor()
    }

    // Meera's total includes question 3 only once the final board is in: more than questions 1 and 2 could give.
    const rows = host.getByTestId('leaderboard-row')
    await expect.poll(async () => (await rows.allInnerTexts()).map(parseRow), { timeout: 15_000 }).toEqual([
      { rank: 1, name: fastDoctor.name, points: expect.any(Number) as number },
      { rank: 2, name: slowDoctor.name, points: expect.any(Number) as number },
    ])
    await expect.poll(async () => parseRow((await rows.allInnerTexts())[0]).points).toBeGreaterThan(2000)
    const [meera, tom] = (await rows.allInnerTexts()).map(parseRow)
    // Speed scoring: a correct answer earns between half and all of its points; a wrong one earns none.
    expect(meera.points).toBeLessThanOrEqual(2500)
    expect(tom.points).toBeGreaterThan(1000 / 2)
    expect(tom.points).toBeLessThanOrEqual(1000)
    // Each participant sees the same board and their own place on it.
    for (const page of [fast, slow]) {
      await expect.poll(async () => (await page.getByTestId('leaderboard-row').allInnerTexts()).map(parseRow)).toEqual([meera, tom])
    }
    await expect.poll(() => fast.getByTestId('quiz-my-rank').innerText()).toBe(`You are 1st of 2 with ${meera.points} points.`)
    await expect.poll(() => slow.getByTestId('quiz-my-rank').innerText()).toBe(`You are 2nd of 2 with ${tom.points} points.`)
  })

  test('without JavaScript a refused question keeps what was typed and shows the message beside it', async () => {
    const { page } = await newUserContext({ javaScriptEnabled: false })
    await signIn(page, asha)
    await page.goto(`/c/${CLUB}/quizzes/new`)
    await page.getByLabel('Title').fill('Murmurs, self-paced')
    await page.getByRole('button', { name: 'Write the questions' }).click()
    await page.getByRole('button', { name: 'Add question' }).click()
    const form = page.getByTestId('question-form')
    await form.getByLabel('Question', { exact: true }).fill('A slow-rising pulse suggests?')
    await form.getByLabel('Option 1', { exact: true }).fill('Aortic stenosis')
    await form.getByLabel('Option 2', { exact: true }).fill('aortic stenosis')
    expectBrowserErrors(/status of 400 \(Bad Request\)/)
    await page.getByRole('button', { name: 'Save question' }).click()
    await form.getByText('Two options say the same thing.').waitFor()
    expect(await form.getByLabel('Question', { exact: true }).inputValue()).toBe('A slow-rising pulse suggests?')

    await form.getByLabel('Option 2', { exact: true }).fill('Aortic regurgitation')
    await form.getByLabel('Correct, option 1').check()
    await page.getByRole('button', { name: 'Save question' }).click()
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
    await page.getByRole('button', { name: 'Publish' }).click()
    await page.waitForURL((url) => /^\/q\/[0-9a-f-]{36}$/.test(url.pathname))
    await page.getByText('Murmurs, self-paced').first().waitFor()
    // The accessibility check waits on script in the page, which this context runs none of; closing it ends that wait.
    await page.close()
  })
})
