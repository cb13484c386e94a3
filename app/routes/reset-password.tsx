import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { resetLinkState, resetPassword } from '#db/account-recovery'
import { PublicError } from '#db/errors'
import { startSession } from '#server/auth'
import { sendPasswordChangedNotice } from '#server/mail/account-notices'
import { hashPassword, isCommonPassword } from '#server/passwords'
import { disconnectSessions } from '#server/realtime/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { CodeField, oneTimeCodeField } from '~/components/code-field'
import { Field, FieldErrors, FormCard, SubmitButton, inputClass } from '~/components/forms'
import { deviceOf, requireSignedOut } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { newPasswordField } from '~/utils/new-password'
import { PASSWORD_MIN } from '~/utils/password-rules'
import { spendTry } from '~/utils/rate-limit.server'
import { emailField } from '~/utils/validation'

export const meta: MetaFunction = () => [{ title: 'Choose a new password — Rounds' }]

const RESET_TOKEN = /^[\w-]{43}$/

function resetSchema(options: { isCommonPassword?: (password: string) => boolean } = {}) {
  return z.discriminatedUnion(
    'method',
    [
      z.object({
        method: z.literal('code'),
        email: emailField,
        code: oneTimeCodeField,
        password: newPasswordField(options),
      }),
      z.object({
        method: z.literal('link'),
        token: z.string({ required_error: 'This link is not valid. Ask for a new one.' }).regex(RESET_TOKEN, 'This link is not valid. Ask for a new one.'),
        password: newPasswordField(options),
      }),
    ],
    { errorMap: () => ({ message: 'That request was not understood. Open the link or enter the code again.' }) },
  )
}

const ResetSchema = resetSchema()

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireSignedOut(context)
  const url = new URL(request.url)
  const token = url.searchParams.get('token')
  const email = (url.searchParams.get('email') ?? '').slice(0, 254)
  const sent = url.searchParams.get('sent') === '1'
  if (token === null) return json({ email, sent, token: null, link: null })
  const link = RESET_TOKEN.test(token) ? await resetLinkState(token) : 'invalid'
  return json({ email, sent, token: link === 'valid' ? token : null, link })
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSignedOut(context)
  const submission = parseWithZod(await readForm(request), { schema: resetSchema({ isCommonPassword }) })
  if (submission.status !== 'success') return json(submission.reply({ hideFields: ['password'] }), { status: 400 })
  const wait = await spendTry('verify', context.clientAddress ?? 'unknown')
  if (wait) {
    return json(submission.reply({ formErrors: [`Too many tries. Try again in ${wait} minutes.`], hideFields: ['password'] }), { status: 429 })
  }
  const { password, ...proof } = submission.value
  const passwordHash = await hashPassword(password)
  try {
    const changed = await resetPassword(proof.method === 'code' ? { email: proof.email, code: proof.code } : { token: proof.token }, passwordHash)
    disconnectSessions(changed.endedSessions)
    await sendPasswordChangedNotice(changed.email)
    const { cookie } = await startSession(changed.userId, deviceOf(request, context))
    return redirect('/settings/password?reset=1', { headers: { 'Set-Cookie': cookie } })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    const errors = error.field === 'code' ? { fieldErrors: { code: [error.message] } } : { formErrors: [error.message] }
    return json(submission.reply({ ...errors, hideFields: ['password'] }), { status: error.status })
  }
}

export default function ResetPasswordRoute() {
  const { email, sent, token, link } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [form, fields] = useForm({
    id: 'reset-password',
    lastResult,
    defaultValue: token ? { method: 'link', token } : { method: 'code', email },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ResetSchema }),
  })
  if (link && link !== 'valid') {
    return (
      <FormCard title="This link no longer works">
        <p role="alert" className="text-slate-700">
          {link === 'expired' ? 'The link has expired: links work for 15 minutes.' : 'The link has been used, replaced by a newer one, or is not complete.'}
        </p>
        <Link to="/forgot-password" className="mt-4 inline-block font-medium text-brand-700 underline">
          Ask for a new code and link
        </Link>
      </FormCard>
    )
  }
  const passwordField = (
    <Field
      label="New password"
      hint={`At least ${PASSWORD_MIN} characters. A short sentence works well.`}
      errorId={fields.password.errorId}
      errors={fields.password.errors}
    >
      <input {...getInputProps(fields.password, { type: 'password' })} autoComplete="new-password" className={inputClass} />
    </Field>
  )
  return (
    <FormCard
      title="Choose a new password"
      intro={
        token ? (
          <p>Choose the password you will sign in with from now on. Every device signed in to your account will be signed out.</p>
        ) : (
          <p>Enter the 6-digit code from the email we sent and choose a new password. The code works once, for 15 minutes.</p>
        )
      }
    >
      {sent && !token ? (
        <p role="status" className="mb-4 rounded-md bg-brand-50 p-3 text-sm text-brand-900">
          If that email has a Rounds account, a code and a link are on their way. Check your spam folder if nothing arrives in a few minutes.
        </p>
      ) : null}
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <input {...getInputProps(fields.method, { type: 'hidden' })} />
        {token ? (
          <input {...getInputProps(fields.token, { type: 'hidden' })} />
        ) : (
          <>
            <Field label="Email" errorId={fields.email.errorId} errors={fields.email.errors}>
              <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="email" className={inputClass} />
            </Field>
            <CodeField meta={fields.code} />
          </>
        )}
        {passwordField}
        <FieldErrors id={form.errorId} errors={form.errors} />
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton pending={navigation.state === 'submitting'}>Set the new password</SubmitButton>
          <Link to="/forgot-password" className="text-sm font-medium text-brand-700 underline">
            Send a new code
          </Link>
        </div>
      </Form>
    </FormCard>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
