import { describe, expect, test } from 'vitest'
import { isCurrentQuizState } from '../../app/live/quiz-state'
import type { LiveQuizState } from '../../db/quizzes'

function state(quizId: string, phase: LiveQuizState['phase'], position: number | null, serverNow: string): LiveQuizState {
  return {
    quizId,
    talkId: 't',
    title: 'Quiz',
    kind: 'quiz',
    anonymous: false,
    phase,
    questionCount: 3,
    question: position === null ? null : ({ id: `q${position}`, position } as LiveQuizState['question']),
    openedAt: null,
    closesAt: null,
    serverNow,
    reveal: null,
  }
}

describe('which quiz state a page shows', () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString()

  test('an answer read before the host stepped on does not take the page back', () => {
    const third = state('a', 'question', 3, t(10))
    expect(isCurrentQuizState(third, state('a', 'reveal', 2, t(9)))).toBe(false)
    expect(isCurrentQuizState(third, state('a', 'lobby', null, t(9)))).toBe(false)
    expect(isCurrentQuizState(state('a', 'finished', 3, t(20)), state('a', 'reveal', 3, t(19)))).toBe(false)
  })

  test('a step on, or the same step read again, is shown', () => {
    const second = state('a', 'reveal', 2, t(9))
    expect(isCurrentQuizState(second, state('a', 'question', 3, t(10)))).toBe(true)
    expect(isCurrentQuizState(second, state('a', 'reveal', 2, t(12)))).toBe(true)
    expect(isCurrentQuizState(state('a', 'question', 1, t(1)), state('a', 'reveal', 1, t(2)))).toBe(true)
    expect(isCurrentQuizState(state('a', 'reveal', 3, t(2)), state('a', 'finished', 3, t(3)))).toBe(true)
    expect(isCurrentQuizState(null, second)).toBe(true)
  })

  test('another quiz replaces the one on screen unless it was read earlier', () => {
    const done = state('a', 'finished', 3, t(30))
    expect(isCurrentQuizState(done, state('b', 'lobby', null, t(31)))).toBe(true)
    expect(isCurrentQuizState(state('b', 'lobby', null, t(31)), state('a', 'finished', 3, t(30)))).toBe(false)
  })
})
