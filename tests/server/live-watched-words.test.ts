import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import type { LiveComment, LiveQuestion } from '../../db/live'
import { addWatchedWord } from '../../db/moderation/watched-words'
import { createDoctor, viewerOf } from '../support/factories'
import { liveRoomSteps } from '../support/live-room'
import { startRealtimeServer, type RealtimeServer } from '../support/live-server'

let server: RealtimeServer

beforeAll(async () => {
  server = await startRealtimeServer()
  const keeper = await createDoctor({ name: 'Dr Word Keeper' })
  await rawSql()`update users set role = 'staff' where id = ${keeper.id}`
  await rawSql()`insert into staff_duties (user_id, duty) values (${keeper.id}, 'moderator')`
  await addWatchedWord(viewerOf(keeper, 'staff'), { pattern: 'bakwaas', action: 'hold' })
  await addWatchedWord(viewerOf(keeper, 'staff'), { pattern: 'scam*', action: 'block' })
})

afterAll(async () => {
  await server.close()
})

const { joinAs, liveTalk } = liveRoomSteps(() => server)


describe('watched words and posting limits in the live room', () => {
  it('tells only the author that a held comment or question awaits review, and broadcasts nothing', async () => {
    const { talkId, host } = await liveTalk()
    const author = await joinAs(await createDoctor({ name: 'Dr Author' }), talkId)
    const listener = await joinAs(await createDoctor({ name: 'Dr Listener' }), talkId)

    const held = await author.ok<{ comment: LiveComment & { held?: true } }>('comment:send', { talkId, body: 'All bakwaas, this' })
    expect(held.comment).toMatchObject({ body: 'All bakwaas, this', held: true })
    const asked = await author.ok<{ question: LiveQuestion & { held?: true } }>('question:ask', { talkId, body: 'Is it bakwaas?' })
    expect(asked.question).toMatchObject({ held: true })

    // A comment sent after them reaches everyone; the held ones, sent before it, never came.
    const marker = await author.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'A fair point' })
    for (const person of [host, listener]) {
      await person.next<{ comment: LiveComment }>('comment:new', (p) => p.comment.id === marker.comment.id)
      expect(person.all<{ comment: LiveComment }>('comment:new').map((p) => p.comment.body)).toEqual(['A fair point'])
      expect(person.all('question:new')).toEqual([])
    }
  })

  it('refuses a blocked word and a new account’s burst with the sentence, writing nothing', async () => {
    const { talkId } = await liveTalk()
    const newcomer = await createDoctor({ name: 'Dr Newcomer', newAccount: true })
    const person = await joinAs(newcomer, talkId)
    expect(await person.send('comment:send', { talkId, body: 'Scammers everywhere' })).toEqual({
      ok: false,
      error: 'This contains a word Rounds does not allow: “Scammers”.',
    })
    for (let i = 0; i < 3; i++) await person.ok('comment:send', { talkId, body: `Hello ${i}` })
    const refused = await person.send('comment:send', { talkId, body: 'One more' })
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/^New accounts can post 3 comments a minute for their first 3 days\./) })
    const [row] = await rawSql()<{ n: number }[]>`select count(*)::int as n from talk_comments where user_id = ${newcomer.id}`
    expect(row.n).toBe(3)
  })
})
