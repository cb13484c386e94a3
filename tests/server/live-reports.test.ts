import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import type { LiveComment, LiveQuestion, RoomState } from '../../db/live'
import { decideItem } from '../../db/moderation/index'
import { createDoctor, viewerOf } from '../support/factories'
import { liveRoomSteps, type Person } from '../support/live-room'
import { startRealtimeServer, type RealtimeServer } from '../support/live-server'

let server: RealtimeServer

beforeAll(async () => {
  server = await startRealtimeServer()
})

afterAll(async () => {
  await server.close()
})

const { joinAs, joinedState, liveTalk } = liveRoomSteps(() => server)

async function room(person: Person, talkId: string) {
  return (await person.ok<{ state: RoomState }>('talk:sync', { talkId })).state
}

type Held = { talkId: string; kind: 'comment' | 'question'; id: string }

describe('reports in the live room', () => {
  it('a report that a comment identifies a patient takes it off two other open screens within a second, and the room state keeps it for its author only', async () => {
    const { talkId, host } = await liveTalk()
    const [author, reporter, other] = await Promise.all(
      ['Dr Author', 'Dr Reporter', 'Dr Other'].map(async (name) => joinAs(await createDoctor({ name }), talkId)),
    )
    const { comment } = await author.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'Bed 4, Mrs J. Smith, DOB 01/02/1950' })
    await Promise.all([reporter, other].map((p) => p.next<{ comment: LiveComment }>('comment:new', (x) => x.comment.id === comment.id)))

    const started = Date.now()
    const gone = [other, host].map((p) => p.next<Held>('item:held', (x) => x.id === comment.id))
    const ack = await reporter.send('item:report', { talkId, kind: 'comment', itemId: comment.id, reason: 'patient_information' })
    expect(ack).toEqual({ ok: true, held: true })
    const received = await Promise.all(gone)
    expect(Date.now() - started).toBeLessThan(1000)
    for (const payload of received) expect(payload).toEqual({ talkId, kind: 'comment', id: comment.id })

    // Room state: gone for everyone but its author, the host included.
    for (const p of [reporter, other, host]) expect((await room(p, talkId)).comments.map((c) => c.id)).not.toContain(comment.id)
    expect((await room(author, talkId)).comments.map((c) => c.id)).toContain(comment.id)
    // A fresh join reads the shared tail: the author still finds their own comment there.
    expect((await joinedState(author.doctor, talkId)).comments.map((c) => c.id)).toContain(comment.id)
    expect((await joinedState(other.doctor, talkId)).comments.map((c) => c.id)).not.toContain(comment.id)
    // The author's own sockets were not told to drop it.
    expect(author.all<Held>('item:held')).toEqual([])
  })

  it('a held question leaves hosts’ screens too; a second report of it is refused', async () => {
    const { talkId, host } = await liveTalk()
    const [author, reporter, second] = await Promise.all(
      ['Dr Asker', 'Dr Reporter', 'Dr Second'].map(async (name) => joinAs(await createDoctor({ name }), talkId)),
    )
    const { question } = await author.ok<{ question: LiveQuestion }>('question:ask', { talkId, body: 'About the patient in bay 3, Mr K…' })
    const hostGone = host.next<Held>('item:held', (x) => x.id === question.id)
    expect(await reporter.send('item:report', { talkId, kind: 'question', itemId: question.id, reason: 'patient_information' })).toEqual({ ok: true, held: true })
    await hostGone
    expect((await room(host, talkId)).questions.map((q) => q.id)).not.toContain(question.id)
    expect((await room(author, talkId)).questions.map((q) => q.id)).toContain(question.id)
    // The same reporter again, and someone who can no longer see it.
    expect(await reporter.send('item:report', { talkId, kind: 'question', itemId: question.id, reason: 'spam' })).toMatchObject({ ok: false })
    expect(await second.send('item:report', { talkId, kind: 'question', itemId: question.id, reason: 'spam' })).toEqual({
      ok: false,
      error: 'We could not find that question.',
    })
  })

  it('other reasons leave the comment up; bad input gets an error ack and writes nothing', async () => {
    const { talkId } = await liveTalk()
    const [author, reporter] = await Promise.all(['Dr Author', 'Dr Reporter'].map(async (name) => joinAs(await createDoctor({ name }), talkId)))
    const { comment } = await author.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'Buy my supplements' })
    const count = async () => (await rawSql()`select count(*)::int as n from moderation_reports where item_id = ${comment.id}`)[0].n as number
    for (const payload of [
      { talkId, kind: 'comment', itemId: comment.id, reason: 'because' },
      { talkId, kind: 'comment', itemId: comment.id, reason: 'other' },
      { talkId, kind: 'comment', itemId: comment.id, reason: 'spam', details: 'x'.repeat(1001) },
      { talkId, kind: 'talk', itemId: comment.id, reason: 'spam' },
      { talkId, kind: 'comment', itemId: 'nope', reason: 'spam' },
    ]) {
      const ack = (await reporter.send('item:report', payload)) as { ok: boolean; error?: string }
      expect(ack.ok, JSON.stringify(payload)).toBe(false)
      expect(ack.error).toMatch(/^[A-Z].+\.$/)
    }
    expect(await author.send('item:report', { talkId, kind: 'comment', itemId: comment.id, reason: 'spam' })).toEqual({
      ok: false,
      error: 'You cannot report your own comment.',
    })
    expect(await count()).toBe(0)
    expect(await reporter.send('item:report', { talkId, kind: 'comment', itemId: comment.id, reason: 'undisclosed_promotion' })).toEqual({ ok: true, held: false })
    expect(await count()).toBe(1)
    expect((await room(reporter, talkId)).comments.map((c) => c.id)).toContain(comment.id)
  })

  it('a moderator’s removal from the moderation page takes the comment off open screens', async () => {
    const { talkId, host, hostDoctor } = await liveTalk()
    const [author, reporter] = await Promise.all(['Dr Author', 'Dr Reporter'].map(async (name) => joinAs(await createDoctor({ name }), talkId)))
    const { comment } = await author.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'You are all idiots' })
    expect(await reporter.send('item:report', { talkId, kind: 'comment', itemId: comment.id, reason: 'harassment' })).toEqual({ ok: true, held: false })
    const gone = reporter.next<Held>('item:held', (x) => x.id === comment.id)
    // The club's owner moderates its items.
    await decideItem(viewerOf(hostDoctor), 'comment', comment.id, { action: 'remove', reason: 'Abuse of other members.' })
    await gone
    expect((await room(host, talkId)).comments.map((c) => c.id)).not.toContain(comment.id)
  })

  it('a comment restored by a moderator comes back to open screens', async () => {
    const { talkId, hostDoctor } = await liveTalk()
    const [author, reporter, other] = await Promise.all(
      ['Dr Author', 'Dr Reporter', 'Dr Other'].map(async (name) => joinAs(await createDoctor({ name }), talkId)),
    )
    const { comment } = await author.ok<{ comment: LiveComment }>('comment:send', { talkId, body: 'My own grandmother, Mrs P., taught me this' })
    const gone = other.next<Held>('item:held', (x) => x.id === comment.id)
    await reporter.send('item:report', { talkId, kind: 'comment', itemId: comment.id, reason: 'patient_information' })
    await gone
    const back = other.next<{ comment: LiveComment }>('comment:new', (x) => x.comment.id === comment.id)
    await decideItem(viewerOf(hostDoctor), 'comment', comment.id, { action: 'restore', reason: 'Names a relative, not a patient.' })
    expect((await back).comment).toMatchObject({ id: comment.id, body: comment.body })
    expect((await room(other, talkId)).comments.map((c) => c.id)).toContain(comment.id)
  })
})
