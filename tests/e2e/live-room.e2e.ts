import type { WebSocketRoute } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { asha, CLUB, dayAhead, newDoctor, screenshot, setUpBrowser, signIn, signUpAndVerify, talkIdOf } from './support'

const { newUserContext, expectBrowserErrors } = setUpBrowser()





describe('scheduling a talk', () => {
  test('without JavaScript the start is read as UTC, and a past start is refused beside the field', async () => {
    const { page } = await newUserContext({ javaScriptEnabled: false, timezoneId: 'Asia/Kolkata' })
    await signIn(page, asha)
    await page.goto(`/c/${CLUB}/talks/new`)
    expect(await page.getByTestId('start-zone').innerText()).toBe('UTC')

    await page.getByLabel('Title').fill('Lipoprotein(a): who to test')
    await page.getByLabel('Date').fill('2020-01-01')
    await page.getByLabel('Time').fill('09:00')
    expectBrowserErrors(/status of 400 \(Bad Request\)/)
    await page.getByRole('button', { name: 'Schedule talk' }).click()
    await page.getByText('That start is in the past. Choose a time from now on.').waitFor()
    const date = page.getByLabel('Date')
    expect(await date.getAttribute('aria-invalid')).toBe('true')
    expect(await page.getByLabel('Title').inputValue()).toBe('Lipoprotein(a): who to test')

    const day = dayAhead(3)
    await date.fill(day)
    await page.getByLabel('Time').fill('09:00')
    await page.getByRole('button', { name: 'Schedule talk' }).click()
    await page.waitForURL((url) => /^\/t\/[0-9a-f-]{36}$/.test(url.pathname) && url.searchParams.get('scheduled') === '1')
    expect(await page.locator('article time').first().getAttribute('datetime')).toBe(`${day}T09:00:00.000Z`)
  })

  test('only those who may schedule see the link and the form', async () => {
    const { page } = await newUserContext()
    await signUpAndVerify(page, newDoctor('Leela Menon'))
    await page.goto(`/c/${CLUB}`)
    await page.getByRole('heading', { name: 'Upcoming talks' }).waitFor()
    expect(await page.getByRole('link', { name: 'Schedule a talk' }).count()).toBe(0)
    expectBrowserErrors(/status of 403 \(Forbidden\)/)
    const response = await page.goto(`/c/${CLUB}/talks/new`)
    expect(response?.status()).toBe(403)
  })
})

describe('a live talk', () => {
  test('a member raises a hand, joins the stage, chats and asks; the host removes them and they stay out', async () => {
    // The host in India: the form takes her local time and stores UTC.
    const { page: host } = await newUserContext({ timezoneId: 'Asia/Kolkata' })
    // The host's sockets pass through here, so the test can cut them like a bad network. Routed
    // before the first page: a page's socket library keeps the WebSocket it found when it loaded.
    let networkDown = false
    const hostSockets = new Set<WebSocketRoute>()
    await host.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (networkDown) return ws.close({ code: 1006, reason: 'network down' })
      hostSockets.add(ws)
      ws.connectToServer()
    })
    await signIn(host, asha)
    await host.goto(`/c/${CLUB}`)
    await host.getByRole('link', { name: 'Schedule a talk' }).click()
    await host.waitForURL(`**/c/${CLUB}/talks/new`)
    // Chromium names the zone Asia/Calcutta.
    await expect.poll(() => host.getByTestId('start-zone').innerText()).toMatch(/^your time, Asia\/(Kolkata|Calcutta)$/)

    const title = `Heart failure clinic, live ${Date.now().toString(36)}`
    const day = dayAhead(2)
    await host.getByLabel('Kind of session').selectOption('case_discussion')
    await host.getByLabel('Title').fill(title)
    await host.getByLabel('Description (optional)').fill('Three HFrEF cases and what we changed.')
    await host.getByLabel('Date').fill(day)
    await host.getByLabel('Time').fill('18:30')
    await host.getByLabel('Duration in minutes').fill('45')
    await expect.poll(() => host.getByTestId('start-preview').innerText()).toContain('13:00 UTC')
    await screenshot(host, 'schedule-talk-form')
    await host.getByRole('button', { name: 'Schedule talk' }).click()
    await host.waitForURL((url) => url.searchParams.get('scheduled') === '1')
    const talkId = talkIdOf(host)
    // 18:30 in India is 13:00 UTC.
    expect(await host.locator('article time').first().getAttribute('datetime')).toBe(`${day}T13:00:00.000Z`)


    await host.getByRole('link', { name: 'Open the room' }).click()
    await host.waitForURL(`**/t/${talkId}/live`)
    await host.getByTestId('media-off').waitFor()
    await expect.poll(() => host.getByTestId('room-status').innerText()).toMatch(/scheduled/i)
    await host.getByRole('button', { name: 'Open the room' }).click()
    await expect.poll(() => host.getByTestId('room-status').innerText()).toMatch(/live/i)
    await host.getByTestId('stage-person').filter({ hasText: asha.name }).waitFor()

    // A new doctor on a phone signs up, joins the public club and enters the room.
    const member = newDoctor('Kabir Shah')
    const { page: guest } = await newUserContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    await signUpAndVerify(guest, member)
    await guest.goto(`/c/${CLUB}`)
    await guest.getByRole('button', { name: 'Join club' }).click()
    await guest.getByText('Welcome — you are now a member of this club.').waitFor()
    // The live page holds one connection, which carries the room and its quizzes alike.
    const guestSockets: string[] = []
    guest.on('websocket', (ws) => {
      ws.on('framesent', ({ payload }) => {
        if (String(payload).startsWith('40/live')) guestSockets.push(ws.url())
      })
    })
    await guest.goto(`/t/${talkId}`)
    await guest.getByRole('link', { name: 'Join the live room' }).click()
    await guest.waitForURL(`**/t/${talkId}/live`)
    await expect.poll(() => guest.getByTestId('room-status').innerText()).toMatch(/live/i)
    await guest.getByTestId('stage-person').filter({ hasText: asha.name }).waitFor()
    await expect.poll(() => host.getByTestId('audience-count').innerText()).toContain('2 in the room')

    // The hand is one toggle: pressed when up, and focus stays on it from the keyboard.
    const handToggle = guest.getByRole('button', { name: 'Raise hand' })
    expect(await handToggle.getAttribute('aria-pressed')).toBe('false')
    await handToggle.focus()
    await guest.keyboard.press('Enter')
    await expect.poll(() => handToggle.getAttribute('aria-pressed')).toBe('true')
    expect(await handToggle.evaluate((el) => el === document.activeElement)).toBe(true)
    await guest.keyboard.press('Enter')
    await expect.poll(() => handToggle.getAttribute('aria-pressed')).toBe('false')
    expect(await handToggle.evaluate((el) => el === document.activeElement)).toBe(true)
    await expect.poll(() => host.getByTestId('hand').count()).toBe(0)

    // Hand up; the host sees it and invites; the member accepts and is on stage for both.
    await guest.getByRole('button', { name: 'Raise hand' }).click()
    await expect.poll(() => guest.getByTestId('hand-position').innerText()).toContain('number 1 in the queue')
    const hand = host.getByTestId('hand').filter({ hasText: member.name })
    await hand.waitFor()
    await screenshot(host, 'live-room-host-hand-queue')
    await hand.getByRole('button', { name: /^Invite to stage/ }).click()

    const invitation = guest.getByRole('dialog', { name: 'You are invited to the stage' })
    await invitation.waitFor()
    await screenshot(guest, 'live-room-member-invited')
    await invitation.getByRole('button', { name: 'Accept', exact: true }).click()
    await invitation.waitFor({ state: 'hidden' })
    await guest.getByTestId('stage-person').filter({ hasText: member.name }).waitFor()
    await host.getByTestId('stage-person').filter({ hasText: member.name }).waitFor()
    expect(await host.getByTestId('hand').count()).toBe(0)

    // Comments and questions travel both ways.
    const comment = 'Great first case — what was the ejection fraction at follow-up?'
    await guest.getByLabel('Write a comment').fill(comment)
    expect(await guest.getByTestId('comment-count').innerText()).toBe(`${comment.length}/500`)
    await guest.getByRole('button', { name: 'Send', exact: true }).click()
    await host.getByTestId('comment').filter({ hasText: 'what was the ejection fraction at follow-up?' }).waitFor()
    await host.getByLabel('Write a comment').fill('It went from 25% to 40% on quadruple therapy.')
    await host.getByLabel('Write a comment').press('Enter')
    await guest.getByTestId('comment').filter({ hasText: 'It went from 25% to 40%' }).waitFor()

    await guest.getByLabel('Ask a question').fill('Would you start an SGLT2 inhibitor in hospital?')
    await guest.getByRole('button', { name: 'Ask', exact: true }).click()
    const guestQuestion = host.getByTestId('question').filter({ hasText: 'SGLT2 inhibitor in hospital' })
    await guestQuestion.waitFor()
    await host.getByLabel('Ask a question').fill('Poll for the room: who titrates weekly?')
    await host.getByRole('button', { name: 'Ask', exact: true }).click()
    await guest.getByTestId('question').filter({ hasText: 'who titrates weekly?' }).waitFor()
    // The host answers the member's question; the member sees it marked.
    await guestQuestion.getByRole('button', { name: 'Mark answered' }).click()
    await guest.getByTestId('question').filter({ hasText: 'SGLT2 inhibitor in hospital' }).getByText('Answered').waitFor()

    expect(guestSockets).toHaveLength(1)

    // Reactions reach everyone, counted together.
    await guest.getByRole('button', { name: /Clap/ }).click()
    await guest.getByRole('button', { name: /Clap/ }).click()
    await expect.poll(() => host.getByTestId('reaction-clap').innerText()).toBe('2')

    await screenshot(host, 'live-room-host')
    await screenshot(guest, 'live-room-member-phone')

    // The host removes the member: they are told, and cannot come back.
    const tile = host.getByTestId('stage-person').filter({ hasText: member.name })
    await tile.getByText('Manage').click()
    await tile.getByRole('button', { name: 'Remove from talk' }).click()
    await tile.getByRole('button', { name: 'Yes, remove' }).click()
    await expect.poll(() => host.getByTestId('stage-person').filter({ hasText: member.name }).count()).toBe(0)
    await guest.getByTestId('room-refusal').getByText('The hosts removed you from this talk.').waitFor()
    await screenshot(guest, 'live-room-member-removed')

    await guest.reload()
    await guest.getByTestId('room-refusal').waitFor()
    expect(await guest.getByTestId('room-refusal').innerText()).toContain('You cannot enter this room')
    expect(await guest.getByTestId('stage').count()).toBe(0)
    await expect.poll(() => host.getByTestId('audience-count').innerText()).toContain('1 in the room')

    // The host's connection drops: the page says so, and says when it is back.
    networkDown = true
    await Promise.all([...hostSockets].map((ws) => ws.close({ code: 1006, reason: 'network down' })))
    await host.getByTestId('connection-lost').waitFor()
    await screenshot(host, 'live-room-host-offline')
    networkDown = false
    await host.getByTestId('connection-back').waitFor({ timeout: 20_000 })
    await host.getByLabel('Write a comment').fill('Back after a wobble.')
    await host.getByRole('button', { name: 'Send', exact: true }).click()
    await host.getByTestId('comment').filter({ hasText: 'Back after a wobble.' }).waitFor()

    // The host ends the talk and reads who came.
    await host.getByRole('button', { name: 'End the talk' }).click()
    await host.getByRole('button', { name: 'End now' }).click()
    await expect.poll(() => host.getByTestId('room-status').innerText()).toMatch(/ended/i)
    await host.getByRole('link', { name: 'Attendance report' }).click()
    await host.waitForURL(`**/t/${talkId}/report`)
    expect(await host.getByTestId('report-people').innerText()).toBe('2')
    expect(await host.getByTestId('report-peak').innerText()).toBe('2')
    expect(await host.getByTestId('report-comments').innerText()).toBe('3')
    expect(await host.getByTestId('report-questions').innerText()).toBe('2')
    const rows = host.getByTestId('report-person')
    expect(await rows.count()).toBe(2)
    expect(await rows.filter({ hasText: member.name }).innerText()).toMatch(/\d{2}:\d{2}:\d{2} – \d{2}:\d{2}:\d{2}/)
    // The member's one visit is one stay, not one per connection.
    expect(await rows.filter({ hasText: member.name }).locator('li').count()).toBe(1)
    await screenshot(host, 'attendance-report')
  })
})
