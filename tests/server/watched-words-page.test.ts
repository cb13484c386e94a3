import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as wordsRoute from '../../app/routes/staff.moderation.words'
import { rawSql } from '../../db/client'
import { forgetWatchedWords } from '../../db/moderation/watched-words'
import { createDoctor, type TestDoctor } from '../support/factories'
import { callAction, callLoader, signIn } from '../support/routes'

const url = '/staff/moderation/words'

let keeper: TestDoctor

beforeAll(async () => {
  keeper = await createDoctor({ name: 'Dr Keeper' })
  await rawSql()`update users set role = 'staff' where id = ${keeper.id}`
  await rawSql()`insert into staff_duties (user_id, duty) values (${keeper.id}, 'moderator')`
})

beforeEach(async () => {
  await rawSql()`delete from watched_words`
  forgetWatchedWords()
})

async function patterns() {
  const rows = await rawSql()<{ pattern: string; action: string }[]>`select pattern, action::text as action from watched_words order by pattern`
  return rows.map((r) => `${r.pattern}:${r.action}`)
}

describe('Staff → Watched words (/staff/moderation/words)', () => {
  it('is not found for anyone but staff with the moderator duty, and their posts change nothing', async () => {
    const member = await createDoctor()
    const otherStaff = await createDoctor()
    await rawSql()`update users set role = 'staff' where id = ${otherStaff.id}`
    for (const auth of [null, await signIn(member.id), await signIn(otherStaff.id)]) {
      expect(await callLoader(wordsRoute, { url, auth })).toMatchObject({ status: 404, thrown: true })
      expect(await callAction(wordsRoute, { url, auth, form: { intent: 'add', pattern: 'quack', action: 'block' } })).toMatchObject({
        status: 404,
        thrown: true,
      })
    }
    expect(await patterns()).toEqual([])
  })

  it('lists, adds and removes words for a moderator', async () => {
    const auth = await signIn(keeper.id)
    const added = await callAction(wordsRoute, { url, auth, form: { intent: 'add', pattern: 'धोखा*', action: 'hold' } })
    expect(added).toMatchObject({ status: 200, data: { ok: true, message: 'Added “धोखा*”.' } })
    const page = await callLoader(wordsRoute, { url, auth })
    const words = (page.data as { words: { id: string; pattern: string; action: string; addedBy: string }[] }).words
    expect(words).toEqual([expect.objectContaining({ pattern: 'धोखा*', action: 'hold', addedBy: keeper.handle })])
    const removed = await callAction(wordsRoute, { url, auth, form: { intent: 'remove', id: words[0].id } })
    expect(removed).toMatchObject({ status: 200, data: { ok: true, message: 'Removed “धोखा*”.' } })
    expect(await patterns()).toEqual([])
  })

  it('answers a bad pattern, a duplicate or a malformed form with a 4xx and a sentence, writing nothing', async () => {
    const auth = await signIn(keeper.id)
    await callAction(wordsRoute, { url, auth, form: { intent: 'add', pattern: 'quack', action: 'flag' } })
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ intent: 'add', pattern: '*', action: 'block' }, 400, /only \* would match every word/],
      [{ intent: 'add', pattern: 'a*', action: 'block' }, 400, /at least 2 letters/],
      [{ intent: 'add', pattern: '', action: 'block' }, 400, /Write the word/],
      [{ intent: 'add', pattern: 'x'.repeat(101), action: 'block' }, 400, /at most 100 characters/],
      [{ intent: 'add', pattern: 'QUACK', action: 'block' }, 409, /already on the list/],
      [{ intent: 'add', pattern: 'scam', action: 'delete' }, 400, /Choose what happens on a match/],
      [{ intent: 'remove', id: 'nope' }, 404, /not on the list/],
      [{ intent: 'rename' }, 400, /not understood/],
    ]
    for (const [form, status, message] of cases) {
      const result = await callAction(wordsRoute, { url, auth, form })
      expect(result, JSON.stringify(form)).toMatchObject({ status, data: { ok: false, message: expect.stringMatching(message) } })
    }
    expect(await patterns()).toEqual(['quack:flag'])
  })
})
