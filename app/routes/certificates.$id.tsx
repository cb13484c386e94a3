import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { checkCertificate, formatCertificateId } from '#db/certificates'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { orErrorPage } from '~/utils/club-forms'
import { formatTime } from '~/utils/time'
import { timeZoneOf } from '~/utils/time.server'

export const meta: MetaFunction = () => [{ title: 'Check a certificate — Rounds' }, { name: 'robots', content: 'noindex' }]

/**
 * The public check of a certificate number, opened from its QR code: no sign-in. It says whether
 * the certificate is valid or revoked and repeats what is printed on it; nothing else about the
 * doctor (db/certificates.ts checkCertificate).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const check = await orErrorPage(checkCertificate(params.id ?? ''))
  const { timeZone } = await timeZoneOf(request, context.viewer?.userId ?? null)
  const day = (at: string) => formatTime(at, timeZone, 'day')
  if (check.state === 'unavailable') return json({ state: check.state, number: formatCertificateId(check.id) } as const)
  return json({
    state: check.state,
    number: formatCertificateId(check.id),
    holderName: check.holderName,
    talkTitle: check.talkTitle,
    clubName: check.clubName,
    heldOn: day(check.heldAt),
    minutes: check.minutes,
    credits: check.credits && check.creditProvider ? { credits: check.credits, provider: check.creditProvider } : null,
    issuedOn: day(check.issuedAt),
    revokedOn: check.state === 'revoked' ? day(check.revokedAt) : null,
  } as const)
}

export default function CheckCertificateRoute() {
  const data = useLoaderData<typeof loader>()
  return (
    <section className="mx-auto max-w-xl rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8" data-testid="certificate-check">
      <p className="text-sm text-slate-500">Certificate No. {data.number}</p>
      {data.state === 'unavailable' ? (
        <>
          <h1 className="mt-2 text-2xl font-semibold">This certificate is no longer available</h1>
          <p className="mt-3 text-slate-600">The doctor it was issued to has closed or hidden their account, so Rounds no longer shows it.</p>
        </>
      ) : (
        <>
          {data.state === 'valid' ? (
            <h1 className="mt-2 text-2xl font-semibold text-emerald-800" data-testid="certificate-state">
              Valid certificate of attendance
            </h1>
          ) : (
            <h1 className="mt-2 text-2xl font-semibold text-red-800" data-testid="certificate-state">
              Revoked on {data.revokedOn}
            </h1>
          )}
          {data.state === 'revoked' ? <p className="mt-2 text-slate-600">The club’s admins revoked this certificate. It no longer certifies the attendance below.</p> : null}
          <dl className="mt-5 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-2 text-sm">
            <dt className="text-slate-500">Doctor</dt>
            <dd className="font-semibold break-words" data-testid="certificate-holder">{data.holderName}</dd>
            <dt className="text-slate-500">Talk</dt>
            <dd className="break-words">{data.talkTitle}</dd>
            <dt className="text-slate-500">Club</dt>
            <dd className="break-words">{data.clubName}</dd>
            <dt className="text-slate-500">Date</dt>
            <dd>{data.heldOn}</dd>
            <dt className="text-slate-500">Time attended</dt>
            <dd>{data.minutes} minutes</dd>
            {data.credits ? (
              <>
                <dt className="text-slate-500">Credits</dt>
                <dd>
                  {data.credits.credits}, designated by {data.credits.provider}
                </dd>
              </>
            ) : null}
            <dt className="text-slate-500">Issued</dt>
            <dd>{data.issuedOn}</dd>
          </dl>
        </>
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
