import type { LoaderFunctionArgs } from '@remix-run/node'
import { exportQuizCsv } from '#db/quizzes'
import { requireUser } from '~/utils/auth.server'
import { orErrorPage } from '~/utils/club-forms'

/** Every answer of a quiz, poll or survey as CSV: creators only (db/quizzes.ts decides, and leaves names out of anonymous ones). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const { filename, csv } = await orErrorPage(exportQuizCsv(viewer, params.id ?? ''))
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename}"`,
      // Answers are personal data: never in a shared cache.
      'Cache-Control': 'private, no-store',
    },
  })
}
