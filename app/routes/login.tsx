import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { findAccountByEmail } from '#db/accounts'
import { isDeactivated } from '#db/privacy/index'
import { startSession } from '#server/auth'
import { googleSignInEnabled } from '#server/oauth/google'
import { spendPasswordCheck, verifyPassword } from '#server/passwords'
import { ContinueWithGoogle } from '~/components/continue-with-google'
import { Field, FieldErrors, FormCard, SubmitButton, inputClass } from '~/components/forms'
import { deviceOf, requireSignedOut, safeRedirectPath } from '~/utils/auth.server'
import { sendVerificationCode } from '~/utils/email-code.server'
import { resetTries, spendTry } from '~/utils/rate-limit.server'
import { PASSWORD_MAX } from '~/utils/password-rules'
import { emailField } from '~/utils/validation'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Sign in — Rounds' }]

const LoginSchema = z.object({
  email: emailField,
  password: z
    .string({ required_error: 'Enter your password.' })
    .max(PASSWORD_MAX, 'That password is longer than any Rounds accepts.'),
  redirectTo: z.string().max(2000).optional(),
})

export async function loader({ context }: LoaderFunctionArgs) {
  requireSignedOut(context)
  return json({ googleSignIn: googleSignInEnabled() })
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSignedOut(context)
  const submission = parseWithZod(await readForm(request), { schema: LoginSchema })
  if (submission.status !== 'success') return json(submission.reply({ hideFields: ['password'] }), { status: 400 })
  const { email, password, redirectTo } = submission.value
  const limitKey = `${context.clientAddress ?? 'unknown'}:${email}`
  const wait = await spendTry('signIn', limitKey)
  if (wait) {
    return json(
      submission.reply({ formErrors: [`Too many sign-in attempts. Try again in ${wait} minutes.`], hideFields: ['password'] }),
      { status: 429 },
    )
  }
  const account = await findAccountByEmail(email)
  const valid = account ? await verifyPassword(account.passwordHash, password) : (await spendPasswordCheck(password), false)
  if (!account || !valid) {
    return json(submission.reply({ formErrors: ['That email and password do not match an account.'], hideFields: ['password'] }), {
      status: 400,
    })
  }
  await resetTries('signIn', limitKey)
  if (!account.emailVerified) {
    await sendVerificationCode(account.id, account.email)
    return redirect(`/verify?email=${encodeURIComponent(account.email)}`)
  }
  const { cookie } = await startSession(account.id, deviceOf(request, context))
  // A deactivated account signs in to a page that offers to reactivate it.
  const to = (await isDeactivated(account.id)) ? '/settings/deactivate' : safeRedirectPath(redirectTo, '/', context.publicUrl)
  return redirect(to, { headers: { 'Set-Cookie': cookie } })
}

export default function LoginRoute() {
  const { googleSignIn } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const navigation = useNavigation()
  const [form, fields] = useForm({
    id: 'login',
    lastResult,
    defaultValue: { redirectTo: searchParams.get('redirectTo') ?? '/' },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: LoginSchema }),
  })
  return (
    <FormCard
      title="Sign in"
      intro={
        <p>
          New to Rounds?{' '}
          <Link to="/signup" className="font-medium text-brand-700 underline">
            Join here
          </Link>
          .
        </p>
      }
    >
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <input {...getInputProps(fields.redirectTo, { type: 'hidden' })} />
        <Field label="Email" errorId={fields.email.errorId} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="email" className={inputClass} />
        </Field>
        <Field label="Password" errorId={fields.password.errorId} errors={fields.password.errors}>
          <input {...getInputProps(fields.password, { type: 'password' })} autoComplete="current-password" className={inputClass} />
        </Field>
        <p className="text-sm">
          <Link to="/forgot-password" className="font-medium text-brand-700 underline">
            Forgot password?
          </Link>
        </p>
        <FieldErrors id={form.errorId} errors={form.errors} focus />
        <SubmitButton pending={navigation.state === 'submitting'}>Sign in</SubmitButton>
      </Form>
      {googleSignIn ? <ContinueWithGoogle redirectTo={searchParams.get('redirectTo')} /> : null}
    </FormCard>
  )
}
