import type { LoaderFunctionArgs } from '@remix-run/node'
import { exportQuizAnswers, type QuizAnswersExport } from '#db/quizzes'
import { requireUser } from '~/utils/auth.server'
import { orErrorPage } from '~/utils/club-forms'
import { csvDocument, csvResponse } from '~/utils/csv'

/** Every answer of a quiz, poll or survey as CSV: creators only (db/quizzes decides, and names no one in anonymous ones). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const { filename, csv } = quizCsv(await orErrorPage(exportQuizAnswers(viewer, params.id ?? '')))
  return csvResponse(csv, filename)
}

/** The handle column of an answer whose person erased or deactivated their account: the answer counts, the person is not named. */
const NO_LONGER_SHOWN = '(account no longer on Rounds)'

/** The export as a CSV file: one line per answer; an anonymous poll or survey has no name columns. */
export function quizCsv(exported: QuizAnswersExport): { filename: string; csv: string } {
  const header = exported.anonymous
    ? ['question', 'prompt', 'answer', 'correct', 'points']
    : ['question', 'prompt', 'handle', 'name', 'answer', 'correct', 'points', 'seconds', 'answered_at']
  const rows = exported.answers.map((a) => {
    const correct = a.correct === null ? '' : a.correct ? 'yes' : 'no'
    return a.person
      ? [a.question, a.prompt, a.person.handle ?? NO_LONGER_SHOWN, a.person.name ?? '', a.answer, correct, a.points, a.person.seconds === null ? '' : a.person.seconds.toFixed(1), a.person.answeredAt]
      : [a.question, a.prompt, a.answer, correct, a.points]
  })
  const slug = exported.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'quiz'
  return { filename: `${slug}-results.csv`, csv: csvDocument(header, rows) }
}
