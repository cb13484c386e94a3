import { describe, expect, it } from 'vitest'
import * as queueRoute from '../../app/routes/moderation._index'
import * as itemRoute from '../../app/routes/moderation.items.$kind.$id'
import * as reportRoute from '../../app/routes/report'
import * as settingsRoute from '../../app/routes/settings.moderation'
import { rawSql } from '../../db/client'
import { postComment } from '../../db/live'
import { createDoctor, createTalk, createTestClub, viewerOf } from '../support/factories'
import { callAction, callLoader, signIn } from '../support/routes'

/* The report form, the moderation pages and Settings → Reports and moderation, as the server calls them. */

type Answer = { ok: boolean; message: string }

async function setup() {
  const owner = await createDoctor({ name: 'Dr Owner' })
  const club = await createTestClub(owner)
  const talk = await createTalk({ clubId: club.id, hostId: owner.id, status: 'live', startsAt: new Date() })
  const author = await createDoctor({ name: 'Dr Author' })
  const reporter = await createDoctor({ name: 'Dr Reporter' })
  const comment = await postComment(viewerOf(author), talk.id, { body: 'Only idiots believe that.' })
  return { owner, club, talk, author, reporter, comment, auth: { owner: await signIn(owner.id), author: await signIn(author.id), reporter: await signIn(reporter.id) } }
}

const report = (auth: Awaited<ReturnType<typeof signIn>> | null, form: Record<string, string>) => callAction(reportRoute, { url: '/report', form, auth })

describe('the report form', () => {
  it('reports a profile by its handle, refuses bad input with a 4xx and a sentence, and asks a visitor to sign in', async () => {
    const x = await setup()
    const ok = await report(x.auth.reporter, { kind: 'person', id: x.author.handle, reason: 'impersonation', back: `/u/${x.author.handle}` })
    expect(ok).toMatchObject({ status: 200, data: { ok: true, back: `/u/${x.author.handle}` } })
    const [row] = await rawSql()`select item_kind, item_id, reason from moderation_reports where reporter_id = ${x.reporter.id}`
    expect(row).toEqual({ item_kind: 'person', item_id: x.author.id, reason: 'impersonation' })

    for (const [form, status] of [
      [{ kind: 'person', id: x.author.handle, reason: 'impersonation' }, 409],
      [{ kind: 'person', id: x.author.handle, reason: 'nonsense' }, 400],
      [{ kind: 'club', id: x.club.id, reason: 'other' }, 400],
      [{ kind: 'person', id: 'nobody-has-this-handle', reason: 'spam' }, 404],
      [{ kind: 'person', id: x.reporter.handle, reason: 'spam' }, 403],
    ] as const) {
      const answer = await report(x.auth.reporter, { ...form })
      expect(answer.status, JSON.stringify(form)).toBe(status)
      expect((answer.data as Answer).message).toMatch(/^[A-Z].+\.$/)
    }
    // An unsafe way back is replaced by the home page.
    const away = await report(x.auth.reporter, { kind: 'club', id: x.club.id, reason: 'spam', back: '//evil.example/' })
    expect(away).toMatchObject({ status: 200, data: { ok: true, back: '/' } })
    expect(await report(null, { kind: 'club', id: x.club.id, reason: 'spam' })).toMatchObject({ status: 302 })
  })
})

describe('the moderation pages', () => {
  it('are not found for someone who may moderate nothing', async () => {
    const x = await setup()
    await report(x.auth.reporter, { kind: 'comment', id: x.comment.id, reason: 'harassment' })
    expect(await callLoader(queueRoute, { url: '/moderation', auth: x.auth.reporter })).toMatchObject({ status: 404 })
    const url = `/moderation/items/comment/${x.comment.id}`
    expect(await callLoader(itemRoute, { url, params: { kind: 'comment', id: x.comment.id }, auth: x.auth.reporter })).toMatchObject({ status: 404 })
    expect(
      await callAction(itemRoute, { url, params: { kind: 'comment', id: x.comment.id }, form: { action: 'remove', reason: 'x' }, auth: x.auth.reporter }),
    ).toMatchObject({ status: 404 })
    expect(await rawSql()`select 1 from moderation_actions where item_id = ${x.comment.id}`).toHaveLength(0)
  })

  it('a club owner decides from the queue; reporter and author see the outcome in their settings, and the author appeals', async () => {
    const x = await setup()
    await report(x.auth.reporter, { kind: 'comment', id: x.comment.id, reason: 'harassment', details: 'Insults the audience.' })
    const queue = await callLoader(queueRoute, { url: '/moderation', auth: x.auth.owner })
    expect(queue.status).toBe(200)
    const entries = (queue.data as { entries: { id: string; reports: number; item: { text: string } }[] }).entries
    expect(entries).toEqual([expect.objectContaining({ id: x.comment.id, reports: 1, item: expect.objectContaining({ text: 'Only idiots believe that.' }) })])

    const params = { kind: 'comment', id: x.comment.id }
    const url = `/moderation/items/comment/${x.comment.id}`
    const page = await callLoader(itemRoute, { url, params, auth: x.auth.owner })
    expect(page).toMatchObject({ status: 200, data: { page: { may: { suspend: false, banFromClub: true } } } })
    const noReason = await callAction(itemRoute, { url, params, form: { action: 'remove', reason: '  ' }, auth: x.auth.owner })
    expect(noReason).toMatchObject({ status: 400, data: { ok: false, message: 'Write the reason: the author is told it.' } })
    const suspend = await callAction(itemRoute, { url, params, form: { action: 'suspend', reason: 'x' }, auth: x.auth.owner })
    expect(suspend).toMatchObject({ status: 403 })
    const removed = await callAction(itemRoute, { url, params, form: { action: 'remove', reason: 'Insulting the audience.', days: '7' }, auth: x.auth.owner })
    expect(removed).toMatchObject({ status: 200, data: { ok: true } })

    const reporterView = (await callLoader(settingsRoute, { url: '/settings/moderation', auth: x.auth.reporter })).data as {
      reports: { status: string; outcome: string }[]
    }
    expect(reporterView.reports).toEqual([expect.objectContaining({ status: 'actioned', outcome: 'A moderator removed it. Thank you for reporting it.' })])
    const authorView = (await callLoader(settingsRoute, { url: '/settings/moderation', auth: x.auth.author })).data as {
      actions: { id: string; action: string; reason: string; mayAppeal: boolean; itemText: string }[]
      reports: unknown[]
    }
    expect(authorView.actions).toEqual([
      expect.objectContaining({ action: 'remove', reason: 'Insulting the audience.', mayAppeal: true, itemText: 'Only idiots believe that.' }),
    ])
    // The author is not told who reported them.
    expect(JSON.stringify(authorView)).not.toContain(x.reporter.handle)
    expect(JSON.stringify(authorView)).not.toContain('Dr Reporter')

    const actionId = authorView.actions[0].id
    const empty = await callAction(settingsRoute, { url: '/settings/moderation', form: { intent: 'appeal', actionId, body: '' }, auth: x.auth.author })
    expect(empty).toMatchObject({ status: 400 })
    const notMine = await callAction(settingsRoute, { url: '/settings/moderation', form: { intent: 'appeal', actionId, body: 'Mine' }, auth: x.auth.reporter })
    expect(notMine).toMatchObject({ status: 404 })
    const appealed = await callAction(settingsRoute, { url: '/settings/moderation', form: { intent: 'appeal', actionId, body: 'It was a quote.' }, auth: x.auth.author })
    expect(appealed).toMatchObject({ status: 200, data: { ok: true } })

    const appeals = ((await callLoader(queueRoute, { url: '/moderation', auth: x.auth.owner })).data as { appeals: { id: string }[] }).appeals
    expect(appeals).toHaveLength(1)
    const noChoice = await callAction(queueRoute, { url: '/moderation', form: { appealId: appeals[0].id, reason: 'x' }, auth: x.auth.owner })
    expect(noChoice).toMatchObject({ status: 400 })
    const decided = await callAction(queueRoute, {
      url: '/moderation',
      form: { appealId: appeals[0].id, decision: 'uphold', reason: 'It was not a quote.' },
      auth: x.auth.owner,
    })
    expect(decided).toMatchObject({ status: 200, data: { ok: true } })
    const after = (await callLoader(settingsRoute, { url: '/settings/moderation', auth: x.auth.author })).data as { actions: { appeal: { status: string } }[] }
    expect(after.actions[0].appeal.status).toBe('upheld')
  })
})
