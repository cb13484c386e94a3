import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { getZodConstraint, parseWithZod } from '@conform-to/zod'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { requestPasswordReset } from '#db/account-recovery'
import { sendPasswordResetMail, sendResetRefusedNotice } from '#server/mail/account-notices'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Field, FieldErrors, FormCard, SubmitButton, inputClass } from '~/components/forms'
import { requireSignedOut } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { spendTry } from '~/utils/rate-limit.server'
import { emailField } from '~/utils/validation'

export const meta: MetaFunction = () => [{ title: 'Reset your password — Rounds' }]

const ForgotPasswordSchema = z.object({ email: emailField })

/**
 * A request is answered no sooner than this after its checks pass, so the time taken does not
 * tell an address with an account (a code written and mailed) from one without.
 */
export const RESET_REQUEST_ANSWER_MS = 350

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireSignedOut(context)
  return json({ email: (new URL(request.url).searchParams.get('email') ?? '').slice(0, 254) })
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSignedOut(context)
  const submission = parseWithZod(await readForm(request), { schema: ForgotPasswordSchema })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  const { email } = submission.value
  // Per address and per email, known or not, so the limit says nothing about who has an account.
  const wait =
    (await spendTry('passwordReset', `ip:${context.clientAddress ?? 'unknown'}`)) ?? (await spendTry('passwordReset', `email:${email}`))
  if (wait) {
    return json(submission.reply({ formErrors: [`Too many reset requests. Try again in ${wait} minutes.`] }), { status: 429 })
  }
  const answerAt = performance.now() + RESET_REQUEST_ANSWER_MS
  const issued = await requestPasswordReset(email)
  if (issued.status === 'sent') await sendPasswordResetMail(issued.email, issued.code, issued.token)
  else if (issued.status === 'deactivated') await sendResetRefusedNotice(issued.email)
  await sleep(Math.max(0, answerAt - performance.now()))
  // The same answer whether or not the address has an account, or was sent a code a minute ago.
  return redirect(`/reset-password?email=${encodeURIComponent(email)}&sent=1`)
}

export default function ForgotPasswordRoute() {
  const { email } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [form, fields] = useForm({
    id: 'forgot-password',
    lastResult,
    defaultValue: { email },
    constraint: getZodConstraint(ForgotPasswordSchema),
    shouldValidate: 'onBlur',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ForgotPasswordSchema }),
  })
  return (
    <FormCard
      title="Reset your password"
      intro={<p>Enter the email you sign in with. If it has a Rounds account, we will send a code and a link to choose a new password.</p>}
    >
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <Field label="Email" errorId={fields.email.errorId} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="email" className={inputClass} />
        </Field>
        <FieldErrors id={form.errorId} errors={form.errors} />
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton pending={navigation.state === 'submitting'}>Send the code</SubmitButton>
          <Link to="/login" className="text-sm font-medium text-brand-700 underline">
            Back to sign in
          </Link>
        </div>
      </Form>
    </FormCard>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
