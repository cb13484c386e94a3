import type { LiveQuizState, PublicQuestion, Tally } from '#db/quizzes'

/*
 * A quiz's state reaches a page two ways: broadcast as the host steps on, and in the answer to
 * the page's own `quiz:results` request. An answer read before the host's step can arrive after
 * its broadcast; without an order, the page would go back to the question it has left.
 */

const PHASE_ORDER = { lobby: 0, question: 1, reveal: 2, finished: 3 } as const

/** How far a run of a quiz has got: later questions, and later phases of one question, are further. */
function progress(state: LiveQuizState) {
  if (state.phase === 'finished') return Number.MAX_SAFE_INTEGER
  return (state.question?.position ?? 0) * 4 + PHASE_ORDER[state.phase]
}

/**
 * Whether `next` should replace `prev` on screen. Within one quiz a state never goes back; the
 * same step read again replaces it (a fresher clock, the reveal's details). A different quiz
 * replaces it when it was read no earlier.
 */
export function isCurrentQuizState(prev: LiveQuizState | null, next: LiveQuizState) {
  if (!prev) return true
  if (prev.quizId === next.quizId) return progress(next) >= progress(prev)
  return new Date(next.serverNow).getTime() >= new Date(prev.serverNow).getTime()
}

/*
 * While a question is open, players see how many have answered and not what they answered, so
 * nobody answers late by copying the crowd: the host sees the counts, and a poll's voters see
 * them once they have voted. The tally they get has its counts withheld: no options, no ratings.
 */

/** The tally with only its total: what a player sees before the reveal. */
export function withheldTally(tally: Tally): Tally {
  return { questionId: tally.questionId, total: tally.total, options: [], ratings: null, asOf: tally.asOf }
}

/** Whether the tally's counts were withheld (a text question has none to show either). */
export function countsWithheld(tally: Tally) {
  return tally.options.length === 0 && tally.ratings === null
}

/** One bar of a question's results: an option (the correct ones marked after a quiz's reveal) or a step of a rating. */
export type TallyRow = { key: string; label: string; count: number; right: boolean }

/** The question's tally as the bars to draw, in the question's order. */
export function tallyRows(question: PublicQuestion, tally: Tally, correct: string[] | null): TallyRow[] {
  if (question.kind === 'rating') return (tally.ratings ?? []).map((count, i) => ({ key: String(i), label: String(i + 1), count, right: false }))
  return question.options.map((o) => ({ key: o.id, label: o.label, count: tally.options.find((t) => t.id === o.id)?.count ?? 0, right: correct?.includes(o.id) ?? false }))
}
