import type { LoaderFunctionArgs } from '@remix-run/node'
import { formatCertificateId, listMyLearning, type MyLearning } from '#db/certificates'
import { requireUser } from '~/utils/auth.server'
import { csvDocument, csvResponse } from '~/utils/csv'

/** My learning as CSV: one line per talk attended, for a doctor's own records or a CPD portfolio. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  return csvResponse(learningCsv(await listMyLearning(viewer)), 'my-learning.csv')
}

const STANDING = {
  issued: 'issued',
  available: 'available to download',
  'not-ended': 'talk not ended',
  'too-short': 'below the share needed',
  'not-offered': 'not offered',
  revoked: 'revoked',
} as const

function learningCsv({ entries }: MyLearning): string {
  const header = ['date', 'year', 'talk', 'club', 'minutes', 'certificate', 'certificate_number', 'credits', 'credit_provider']
  return csvDocument(
    header,
    entries.map((e) => [
      e.heldAt.slice(0, 10),
      e.heldAt.slice(0, 4),
      e.title,
      e.club.name,
      e.minutes,
      STANDING[e.standing],
      e.certificate ? formatCertificateId(e.certificate.id) : '',
      e.credits ?? '',
      e.creditProvider ?? '',
    ]),
  )
}
