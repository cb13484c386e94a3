import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { PublicError } from '#db/errors'
import { applyForVerification, getMyVerification, REVERIFY_AFTER_YEARS, withdrawApplication } from '#db/verification'
import { COUNCILS } from '#db/verification-councils'
import { DOCUMENT_MAX_BYTES } from '#server/verification-documents'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Field, inputClass } from '~/components/forms'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { FormPartTooLargeError, readUploadForm } from '~/utils/form.server'
import { LocalTime } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Verification — Rounds' }]

type ActionResult = { ok: false; field: string | null; message: string }

const STATE_TEXT = {
  unverified: 'You are not verified yet.',
  pending: 'Your application is waiting for a verifier.',
  verified: 'You are a verified doctor.',
  reverification_due: `Your verification is ${REVERIFY_AFTER_YEARS} years old: apply again to keep the badge.`,
  lapsed: 'Your verification has lapsed. Apply again to get the badge back.',
  rejected: 'We could not verify your registration.',
  revoked: 'Your verification was revoked.',
} as const

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const mine = await getMyVerification(viewer)
  return json({
    ...mine,
    statusText: STATE_TEXT[mine.state],
    appliedAt: mine.appliedAt?.toISOString() ?? null,
    verifiedAt: mine.verifiedAt?.toISOString() ?? null,
    reverifyDueAt: mine.reverifyDueAt?.toISOString() ?? null,
    councils: COUNCILS.map(({ code, name }) => ({ code, name })),
    year: new Date().getUTCFullYear(),
  })
}

const field = (form: FormData, name: string) => {
  const value = form.get(name)
  return typeof value === 'string' ? value : ''
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer: me } = requireUser(context, request)
  const form = await readUploadForm(request, { document: DOCUMENT_MAX_BYTES })
  if (form instanceof FormPartTooLargeError) {
    const message = form.isFile ? 'The document must be 5 MB or smaller.' : 'That is far more text than this form can hold.'
    return json<ActionResult>({ ok: false, field: form.isFile ? 'document' : null, message }, { status: 413 })
  }
  try {
    if (field(form, 'intent') === 'withdraw') {
      await withdrawApplication(me)
      return redirect('/settings/verification?done=withdrawn')
    }
    const document = form.get('document')
    await applyForVerification(me, {
      council: field(form, 'council'),
      regulatorName: field(form, 'regulatorName'),
      registrationYear: field(form, 'registrationYear'),
      registrationNumber: field(form, 'registrationNumber'),
      document: document instanceof Blob ? new Uint8Array(await document.arrayBuffer()) : new Uint8Array(),
    })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json<ActionResult>({ ok: false, field: error.field ?? null, message: error.message }, { status: error.status })
  }
  return redirect('/settings/verification?done=applied')
}

export default function VerificationSettingsRoute() {
  const v = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const done = searchParams.get('done')
  const canApply = !['pending', 'verified'].includes(v.state)
  const errorFor = (name: string) => (result && !result.ok && result.field === name ? [result.message] : null)
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Verification</h1>
        <p className="text-slate-600">
          Verified doctors show a badge with their council and year of registration. Nobody else ever sees your registration number or
          document; the document is deleted once a verifier has decided.
        </p>
        {done ? (
          <p role="status" className="rounded-md bg-brand-50 p-3 text-brand-900">
            {done === 'applied' ? 'Application sent. We will let you know when a verifier has decided.' : 'Application withdrawn.'}
          </p>
        ) : null}
        <div data-testid="verification-status" className="rounded-md bg-slate-50 p-3">
          <p className="font-medium">{v.statusText}</p>
          {v.council ? (
            <p className="text-sm text-slate-700">
              {v.council} · registered {v.registrationYear} · number {v.numberMasked}
            </p>
          ) : null}
          {v.verifiedAt && v.reverifyDueAt && (v.state === 'verified' || v.state === 'reverification_due') ? (
            <p className="text-sm text-slate-700">
              Verified <LocalTime at={v.verifiedAt} style="day" />; due again <LocalTime at={v.reverifyDueAt} style="day" />.
            </p>
          ) : null}
          {v.reason && v.state !== 'verified' ? <p className="text-sm text-slate-700">Reason: {v.reason}</p> : null}
        </div>
        {v.state === 'pending' ? (
          <Form method="post">
            <input type="hidden" name="intent" value="withdraw" />
            <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
              Withdraw my application
            </button>
          </Form>
        ) : null}
        {result && !result.ok && !result.field ? (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800">
            {result.message}
          </p>
        ) : null}
        {canApply ? (
          <Form method="post" encType="multipart/form-data" className="space-y-4">
            <input type="hidden" name="intent" value="apply" />
            <Field label="Council that registered you" errorId="council-error" errors={errorFor('council')}>
              <select name="council" required className={inputClass} aria-describedby="council-error">
                {v.councils.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Regulator (only for another country)" errorId="regulator-error" errors={errorFor('regulatorName')}>
              <input name="regulatorName" maxLength={200} className={inputClass} aria-describedby="regulator-error" />
            </Field>
            <Field label="Year of registration" errorId="year-error" errors={errorFor('registrationYear')}>
              <input name="registrationYear" type="number" min={1940} max={v.year} required className={inputClass} aria-describedby="year-error" />
            </Field>
            <Field
              label="Registration number"
              hint="In India: 3 to 8 digits, optionally after up to 5 letters and a dash, such as 45678 or MMC-45678."
              errorId="number-error"
              errors={errorFor('registrationNumber')}
            >
              <input name="registrationNumber" required maxLength={40} autoComplete="off" className={inputClass} aria-describedby="number-error" />
            </Field>
            <Field label="Registration certificate or council ID" hint="PDF, JPEG, PNG or WebP, up to 5 MB." errorId="document-error" errors={errorFor('document')}>
              <input type="file" name="document" required accept="application/pdf,image/jpeg,image/png,image/webp" className="mt-1 block text-sm" aria-describedby="document-error" />
            </Field>
            <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
              Apply to be verified
            </button>
          </Form>
        ) : null}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
