import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { cancelEmailChange, confirmEmailChange, pendingEmailChange, requestEmailChange } from '#db/account-recovery'
import { PublicError } from '#db/errors'
import { sendEmailChangeCode, sendEmailChangedNotice } from '#server/mail/account-notices'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { CodeField, oneTimeCodeField } from '~/components/code-field'
import { Field, FieldErrors, SubmitButton, inputClass } from '~/components/forms'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { currentPasswordField } from '~/utils/new-password'
import { spendTry } from '~/utils/rate-limit.server'
import { checkPasswordAgain } from '~/utils/reauth.server'
import { emailField } from '~/utils/validation'

export const meta: MetaFunction = () => [{ title: 'Email address — Rounds' }]

const EmailSchema = z.discriminatedUnion(
  'intent',
  [
    z.object({ intent: z.literal('request'), newEmail: emailField, password: currentPasswordField }),
    z.object({
      intent: z.literal('confirm'),
      code: oneTimeCodeField,
    }),
    z.object({ intent: z.literal('cancel') }),
  ],
  { errorMap: () => ({ message: 'That request was not understood. Reload the page and try again.' }) },
)

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId } = requireUser(context, request)
  const pending = await pendingEmailChange(userId)
  return json({ email: context.auth!.user.email, pendingEmail: pending?.newEmail ?? null })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  const submission = parseWithZod(await readForm(request), { schema: EmailSchema })
  const intent = submission.payload.intent === 'confirm' ? 'confirm' : 'request'
  const hidden = { hideFields: ['password'] }
  if (submission.status !== 'success') return json({ intent, result: submission.reply(hidden) }, { status: 400 })
  const value = submission.value
  try {
    if (value.intent === 'cancel') {
      await cancelEmailChange(userId)
      return redirect('/settings/email')
    }
    if (value.intent === 'request') {
      const refused = await checkPasswordAgain(context, userId, value.password)
      if (refused) {
        const errors = refused.field ? { fieldErrors: { password: [refused.message] } } : { formErrors: [refused.message] }
        return json({ intent, result: submission.reply({ ...errors, ...hidden }) }, { status: refused.status })
      }
      const issued = await requestEmailChange(userId, value.newEmail)
      if (issued.status === 'throttled') {
        const message = `A code was sent a moment ago. You can ask for another in ${issued.retryInSeconds} seconds.`
        return json({ intent, result: submission.reply({ formErrors: [message], ...hidden }) }, { status: 429 })
      }
      await sendEmailChangeCode(issued.newEmail, issued.code)
      return redirect('/settings/email?sent=1')
    }
    const wait = await spendTry('verify', context.clientAddress ?? 'unknown')
    if (wait) {
      return json({ intent, result: submission.reply({ formErrors: [`Too many tries. Try again in ${wait} minutes.`] }) }, { status: 429 })
    }
    const changed = await confirmEmailChange(userId, value.code)
    await sendEmailChangedNotice(changed)
    return redirect('/settings/email?changed=1')
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    const errors = error.field ? { fieldErrors: { [error.field]: [error.message] } } : { formErrors: [error.message] }
    return json({ intent, result: submission.reply({ ...errors, ...hidden }) }, { status: error.status })
  }
}

export default function EmailRoute() {
  const { email, pendingEmail } = useLoaderData<typeof loader>()
  const data = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const [requestForm, requestFields] = useForm({
    id: 'email-request',
    lastResult: data?.intent === 'request' ? data.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: EmailSchema }),
  })
  const [confirmForm, confirmFields] = useForm({
    id: 'email-confirm',
    lastResult: data?.intent === 'confirm' ? data.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: EmailSchema }),
  })
  const submitting = navigation.state === 'submitting'
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      {searchParams.get('changed') === '1' ? (
        <p role="status" className="mb-4 rounded-md bg-brand-50 p-3 text-brand-900">
          Your sign-in email is now {email}. We told your old address, which can undo the change for 7 days.
        </p>
      ) : null}
      <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Email address</h1>
        <p className="text-slate-600">
          You sign in with <strong className="break-all">{email}</strong>. Codes and security notices go there.
        </p>
        {pendingEmail ? (
          <>
            <p role="status" className="rounded-md bg-brand-50 p-3 text-sm text-brand-900">
              We sent a 6-digit code to <strong className="break-all">{pendingEmail}</strong>. Enter it to make that your sign-in email. It works
              once, for 10 minutes.
            </p>
            <Form method="post" {...getFormProps(confirmForm)} className="space-y-4">
              <input type="hidden" name="intent" value="confirm" />
              <CodeField meta={confirmFields.code} />
              <FieldErrors id={confirmForm.errorId} errors={confirmForm.errors} />
              <div className="flex flex-wrap items-center gap-3">
                <SubmitButton pending={submitting}>Confirm the new address</SubmitButton>
                <button type="submit" name="intent" value="cancel" formNoValidate className="text-sm font-medium text-brand-700 underline">
                  Keep my current address
                </button>
              </div>
            </Form>
          </>
        ) : null}
        <h2 className="pt-2 text-lg font-semibold">{pendingEmail ? 'Use another address' : 'Change your email'}</h2>
        <Form method="post" {...getFormProps(requestForm)} className="space-y-4">
          <input type="hidden" name="intent" value="request" />
          <Field label="New email" errorId={requestFields.newEmail.errorId} errors={requestFields.newEmail.errors}>
            <input {...getInputProps(requestFields.newEmail, { type: 'email' })} autoComplete="email" className={inputClass} />
          </Field>
          <Field label="Your password" hint="To confirm it is you." errorId={requestFields.password.errorId} errors={requestFields.password.errors}>
            <input {...getInputProps(requestFields.password, { type: 'password' })} autoComplete="current-password" className={inputClass} />
          </Field>
          <FieldErrors id={requestForm.errorId} errors={requestForm.errors} />
          <SubmitButton pending={submitting}>Send a code to the new address</SubmitButton>
        </Form>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
