import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { DEFAULT_MIN_SHARE_PERCENT, formatCertificateId, getCertificateAdmin, revokeCertificate, setCertificateSettings } from '#db/certificates'
import { PublicError } from '#db/errors'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Field, inputClass } from '~/components/forms'
import { requireUser } from '~/utils/auth.server'
import { orErrorPage } from '~/utils/club-forms'
import { readForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Certificates — Rounds' }, { name: 'robots', content: 'noindex' }]

const SettingsSchema = z.object({
  intent: z.literal('settings'),
  enabled: z.literal('on').optional(),
  minSharePercent: z.coerce
    .number({ invalid_type_error: 'Enter a share from 1 to 100 percent.' })
    .int('Enter a whole percent.')
    .min(1, 'Enter a share from 1 to 100 percent.')
    .max(100, 'Enter a share from 1 to 100 percent.'),
  credits: z
    .string()
    .trim()
    .max(10, 'Enter credits from 0.01 to 100.')
    .transform((v) => (v === '' ? null : Number(v)))
    .refine((v) => v === null || Number.isFinite(v), 'Enter the credits as a number, such as 1.5.'),
  creditProvider: z.string().trim().max(200, 'Keep the provider’s name under 200 characters.'),
})

const RevokeSchema = z.object({
  intent: z.literal('revoke'),
  certificateId: z.string().max(60),
  reason: z.string().trim().min(3, 'Say why the certificate is revoked; the doctor sees it.').max(500, 'Keep the reason under 500 characters.'),
})

type ActionResult = { form: 'settings' | 'revoke'; certificateId?: string; field: string | null; message: string }

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const page = await orErrorPage(getCertificateAdmin(viewer, params.id ?? ''))
  // Numbers are formatted here: the certificates module stays on the server.
  return json({ ...page, defaultShare: DEFAULT_MIN_SHARE_PERCENT, issued: page.issued.map((c) => ({ ...c, number: formatCertificateId(c.id) })) })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const talkId = params.id ?? ''
  const form = Object.fromEntries(await readForm(request))
  const fail = (result: ActionResult, status: number) => json(result, { status })
  try {
    if (form.intent === 'revoke') {
      const parsed = RevokeSchema.safeParse(form)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        return fail({ form: 'revoke', certificateId: String(form.certificateId ?? ''), field: String(issue.path[0] ?? ''), message: issue.message }, 400)
      }
      await revokeCertificate(viewer, parsed.data.certificateId, parsed.data.reason)
      return redirect(`/t/${talkId}/certificates?done=revoked`)
    }
    const parsed = SettingsSchema.safeParse(form)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      return fail({ form: 'settings', field: String(issue.path[0] ?? ''), message: issue.message }, 400)
    }
    const { enabled, minSharePercent, credits, creditProvider } = parsed.data
    await setCertificateSettings(viewer, talkId, { enabled: enabled === 'on', minSharePercent, credits, creditProvider: creditProvider || null })
    return redirect(`/t/${talkId}/certificates?done=saved`)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    if (error.status === 401 || error.status === 403 || error.status === 404) throw new Response(error.message, { status: error.status })
    const which = form.intent === 'revoke' ? 'revoke' : 'settings'
    return fail({ form: which, certificateId: String(form.certificateId ?? ''), field: error.field ?? null, message: error.message }, error.status)
  }
}

export default function TalkCertificatesRoute() {
  const { talk, settings, issued, defaultShare } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ActionResult | undefined
  const busy = useNavigation().state === 'submitting'
  const [params] = useSearchParams()
  const done = params.get('done')
  const settingsError = result?.form === 'settings' ? result : null
  const errorFor = (field: string) => (settingsError && settingsError.field === field ? [settingsError.message] : undefined)
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <p>
        <Link to={`/t/${talk.talkId}`} className="text-sm text-brand-700 underline">
          Back to the talk
        </Link>
      </p>
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-2xl font-semibold">Certificates</h1>
        <p className="mt-1 text-slate-600 break-words">
          {talk.title} · {talk.clubName}
        </p>
        {done === 'saved' ? (
          <p role="status" className="mt-4 rounded-md bg-emerald-50 p-3 text-emerald-900">
            Saved. Certificates already issued keep what they say.
          </p>
        ) : null}
        <p className="mt-4 text-sm text-slate-600">
          Doctors who attend at least the share below can download a certificate from My learning once the talk has ended. Minutes count their time in the room, in steps of 15 minutes rounded down.
        </p>
        <Form method="post" className="mt-5 space-y-5">
          <input type="hidden" name="intent" value="settings" />
          <label className="flex items-start gap-2 text-sm font-medium text-slate-800">
            <input type="checkbox" name="enabled" defaultChecked={settings.enabled} className="mt-0.5 size-4" />
            <span>This talk gives certificates of attendance</span>
          </label>
          <Field label="Share of the talk to attend (%)" hint={`From 1 to 100; ${defaultShare}% unless you change it.`} errorId="share-error" errors={errorFor('minSharePercent')}>
            <input type="number" name="minSharePercent" min={1} max={100} step={1} required defaultValue={settings.minSharePercent} className={inputClass} />
          </Field>
          <Field label="Credits (optional)" hint="Only the credits an accredited provider designated for this talk, such as 1.5." errorId="credits-error" errors={errorFor('credits')}>
            <input type="text" inputMode="decimal" name="credits" defaultValue={settings.credits ?? ''} className={inputClass} />
          </Field>
          <Field label="Accredited provider (with credits)" hint="The body that designated the credits; printed on the certificate." errorId="provider-error" errors={errorFor('creditProvider')}>
            <input type="text" name="creditProvider" maxLength={200} defaultValue={settings.creditProvider ?? ''} className={inputClass} />
          </Field>
          {settingsError && !['minSharePercent', 'credits', 'creditProvider'].includes(settingsError.field ?? '') ? (
            <p role="alert" className="text-sm text-red-700">
              {settingsError.message}
            </p>
          ) : null}
          <button type="submit" disabled={busy} className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
            Save certificate settings
          </button>
        </Form>
      </section>

      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h2 className="text-xl font-semibold">Issued certificates</h2>
        {done === 'revoked' ? (
          <p role="status" className="mt-3 rounded-md bg-emerald-50 p-3 text-emerald-900">
            Revoked. Its check page now says so.
          </p>
        ) : null}
        {issued.length === 0 ? (
          <p className="mt-2 text-slate-600">None yet. A certificate is issued when a doctor first downloads it.</p>
        ) : (
          <ul className="mt-4 divide-y divide-slate-200" data-testid="issued-certificates">
            {issued.map((c) => (
              <li key={c.id} className="py-3">
                <p className="font-medium break-words">{c.holderName ?? 'A doctor no longer on Rounds'}</p>
                <p className="text-sm text-slate-600">
                  No.{' '}
                  <Link to={`/certificates/${c.id}`} className="underline">
                    {c.number}
                  </Link>{' '}
                  · {c.minutes} minutes · issued <LocalTime at={c.issuedAt} style="day" />
                </p>
                {c.revokedAt ? (
                  <p className="mt-1 text-sm text-red-800">
                    Revoked <LocalTime at={c.revokedAt} style="day" />
                    {c.revokeReason ? `: ${c.revokeReason}` : ''}
                  </p>
                ) : (
                  <details className="mt-2">
                    <summary className="cursor-pointer text-sm font-semibold text-red-700">Revoke…</summary>
                    <Form method="post" className="mt-2 space-y-2">
                      <input type="hidden" name="intent" value="revoke" />
                      <input type="hidden" name="certificateId" value={c.id} />
                      <Field
                        label="Reason (the doctor sees it; the public check shows only that it was revoked)"
                        errorId={`reason-${c.id}`}
                        errors={result?.form === 'revoke' && result.certificateId === c.id ? [result.message] : undefined}
                      >
                        <textarea name="reason" rows={2} required minLength={3} maxLength={500} className={inputClass} />
                      </Field>
                      <button type="submit" disabled={busy} className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-700 disabled:opacity-60">
                        Revoke certificate
                      </button>
                    </Form>
                  </details>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
