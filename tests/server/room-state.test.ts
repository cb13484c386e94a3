import { describe, expect, it } from 'vitest'
import type { LiveComment, RoomState } from '../../db/live'
import { roomReducer } from '../../app/live/room-state'

const person = { userId: 'u1', handle: 'asha-rao', name: 'Dr Asha Rao', photoUrl: null, verified: null }

function comment(id: string, second: number): LiveComment {
  return { id, talkId: 't1', author: person, body: `comment ${id}`, createdAt: new Date(Date.UTC(2026, 10, 23, 19, 0, second)).toISOString(), pinned: false }
}

function room(comments: LiveComment[], talkId = 't1'): RoomState {
  return {
    talk: {
      id: talkId,
      title: 'Heart failure rounds',
      type: 'talk',
      status: 'live',
      startsAt: '2026-11-23T19:00:00.000Z',
      durationMinutes: 60,
      club: { slug: 'cardiology', name: 'Cardiology', visibility: 'public' },
      hostId: 'u9',
    },
    me: { userId: 'u1', role: 'audience', onStage: false, hand: null, handPosition: null },
    stage: [],
    hands: [],
    handCount: 0,
    invited: [],
    audienceCount: 3,
    comments,
    pinned: null,
    questions: [],
    reactions: {},
    recording: { recorded: false, active: false, startedAt: null, policyVersion: '1', consented: false, missingConsent: [] },
  }
}

const ids = (state: RoomState | null) => state?.comments.map((c) => c.id)

describe('the room on screen when a fresh room state arrives', () => {
  it('keeps a comment broadcast after the server read the room, while its reply was on the way', () => {
    const onScreen = room([comment('a', 1), comment('b', 2), comment('late', 5)])
    const read = room([comment('a', 1), comment('b', 2), comment('c', 3)])
    expect(ids(roomReducer(onScreen, { type: 'state', state: read }))).toEqual(['a', 'b', 'c', 'late'])
  })

  it('takes the server’s word for everything up to its newest comment: one deleted meanwhile goes', () => {
    const onScreen = room([comment('a', 1), comment('deleted', 2), comment('c', 3)])
    const read = room([comment('a', 1), comment('c', 3)])
    expect(ids(roomReducer(onScreen, { type: 'state', state: read }))).toEqual(['a', 'c'])
  })

  it('replaces the room outright when it is another talk or nothing was on screen', () => {
    const read = room([comment('x', 1)], 't2')
    expect(ids(roomReducer(room([comment('late', 9)]), { type: 'state', state: read }))).toEqual(['x'])
    expect(ids(roomReducer(null, { type: 'state', state: room([comment('a', 1)]) }))).toEqual(['a'])
  })
})
