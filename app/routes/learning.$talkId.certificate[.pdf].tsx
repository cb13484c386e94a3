import type { LoaderFunctionArgs } from '@remix-run/node'
import { formatCertificateId, issueMyCertificate } from '#db/certificates'
import { renderCertificatePdf } from '#server/certificates/pdf'
import { requireUser } from '~/utils/auth.server'
import { orErrorPage } from '~/utils/club-forms'
import { timeZoneOf } from '~/utils/time.server'

/**
 * The signed-in doctor's certificate for a talk, as a PDF. The first download issues it
 * (db/certificates.ts decides who qualifies); later ones print the same certificate again.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer, userId } = requireUser(context, request)
  const facts = await orErrorPage(issueMyCertificate(viewer, params.talkId ?? ''))
  const { timeZone } = await timeZoneOf(request, userId)
  const pdf = await renderCertificatePdf({
    ...facts,
    number: formatCertificateId(facts.id),
    verifyUrl: `${context.publicUrl}/certificates/${facts.id}`,
    timeZone,
  })
  return new Response(new Uint8Array(pdf), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="rounds-certificate-${facts.id}.pdf"`,
      'Cache-Control': 'private, no-store',
    },
  })
}
