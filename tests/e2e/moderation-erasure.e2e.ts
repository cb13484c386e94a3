import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { closeDatabase, openDatabase, rawSql } from '../../db/client'
import { eraseAccount, requestErasure } from '../../db/data-rights/index'
import { postComment } from '../../db/live'
import { reportItem } from '../../db/moderation/index'
import { addClubMember, createDoctor, createTalk, createTestClub, viewerOf } from '../support/factories'
import { setUpBrowser, signIn } from './support'

const { newUserContext } = setUpBrowser()
const DAY = 24 * 60 * 60 * 1000

beforeAll(async () => {
  await openDatabase({ url: inject('databaseUrl'), runMigrations: false, maxConnections: 2 })
})
afterAll(async () => {
  await closeDatabase()
})

describe('a reported comment whose author erased their account', () => {
  test('a staff moderator reads it in the queue as by an erased account, and dismissing it deletes it and completes the erasure', async () => {
    const owner = await createDoctor({ name: 'Owner Of Erasure Club' })
    const club = await createTestClub(owner, { name: 'Erasure Case Club' })
    const talk = await createTalk({ clubId: club.id, hostId: owner.id, status: 'live', startsAt: new Date() })
    const author = await createDoctor({ name: 'Dr Vantorel Leaving' })
    await addClubMember(club, author)
    const reporter = await createDoctor()
    const body = `Dosing advice ${Date.now().toString(36)} that a colleague questioned`
    const comment = await postComment(viewerOf(author), talk.id, { body })
    await reportItem(viewerOf(reporter), { kind: 'comment', id: comment.id, reason: 'misinformation' })
    const asked = new Date()
    const { id: requestId } = await requestErasure(viewerOf(author), asked)
    await eraseAccount(requestId, { now: new Date(asked.getTime() + 8 * DAY) })

    const moderator = await createDoctor({ name: 'Staff Queue Reader' })
    await rawSql()`update users set role = 'staff' where id = ${moderator.id}`
    await rawSql()`insert into staff_duties (user_id, duty) values (${moderator.id}, 'moderator')`
    const { page } = await newUserContext()
    await signIn(page, { ...moderator, dateOfBirth: '' })

    await page.goto('/moderation')
    const entry = page.getByTestId('queue-entry').filter({ hasText: body })
    await entry.getByText('Erased account').waitFor()
    expect(await entry.innerText()).not.toContain('Vantorel')
    await entry.getByRole('link').first().click()
    await page.getByTestId('item-text').filter({ hasText: body }).waitFor()
    await page.getByTestId('item-author-erased').waitFor()
    expect(await page.locator('main a[href^="/u/"]').count()).toBe(0)
    // No one to warn, limit or suspend: only the item itself is decided.
    expect(await page.getByLabel('Warn its author').count()).toBe(0)
    expect(await page.getByLabel('Suspend its author’s account').count()).toBe(0)
    await page.getByLabel('Dismiss the reports').check()
    await page.getByLabel(/^Reason/).fill('The advice is within the guideline.')
    await page.getByRole('button', { name: 'Decide' }).click()
    await page.getByRole('status').waitFor()

    await page.goto('/moderation')
    expect(await page.getByTestId('queue-entry').filter({ hasText: body }).count()).toBe(0)
    expect(await rawSql()`select 1 from moderation_kept_items where item_id = ${comment.id}`).toHaveLength(0)
    const [request] = await rawSql()`select status from data_requests where id = ${requestId}`
    expect(request.status).toBe('completed')
  })
})
