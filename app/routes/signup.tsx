import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { getZodConstraint, parseWithZod } from '@conform-to/zod'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { createAccount, findAccountByEmail } from '#db/accounts'
import { googleSignInEnabled } from '#server/oauth/google'
import { hashPassword, isCommonPassword } from '#server/passwords'
import { ContinueWithGoogle } from '~/components/continue-with-google'
import { Field, FieldErrors, FormCard, SubmitButton, inputClass } from '~/components/forms'
import { requireSignedOut } from '~/utils/auth.server'
import { sendAccountExistsNotice, sendVerificationCode } from '~/utils/email-code.server'
import { spendTry } from '~/utils/rate-limit.server'
import { newPasswordField } from '~/utils/new-password'
import { PASSWORD_MIN } from '~/utils/password-rules'
import { emailField, text } from '~/utils/validation'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Join Rounds' }]

function ageOn(dateOfBirth: Date, today: Date) {
  let age = today.getUTCFullYear() - dateOfBirth.getUTCFullYear()
  const beforeBirthday =
    today.getUTCMonth() < dateOfBirth.getUTCMonth() ||
    (today.getUTCMonth() === dateOfBirth.getUTCMonth() && today.getUTCDate() < dateOfBirth.getUTCDate())
  if (beforeBirthday) age--
  return age
}

/** The browser checks the shape; the server also refuses common passwords. */
function signupSchema(options: { isCommonPassword?: (password: string) => boolean } = {}) {
  return z.object({
  name: text('name', { min: 2, max: 80 }).refine((v) => /\p{L}/u.test(v), 'Your name needs at least one letter.'),
  email: emailField,
  password: newPasswordField(options),
  dateOfBirth: z
    .string({ required_error: 'Enter your date of birth.' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter your date of birth as a date, such as 1988-04-21.')
    .refine((v) => {
      const d = new Date(`${v}T00:00:00Z`)
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v) && d.getUTCFullYear() >= 1900 && d < new Date()
    }, 'That is not a real date of birth.')
    .refine((v) => ageOn(new Date(`${v}T00:00:00Z`), new Date()) >= 18, 'Rounds is for doctors aged 18 and over.'),
  })
}

export const SignupSchema = signupSchema()

/**
 * A sign-up that passes the checks is answered no sooner than this after they pass. Both kinds of
 * address pay for the password hash; this hides the little that still differs (writing a new
 * account and its code), so the time taken does not reveal who has an account.
 */
export const SIGNUP_ANSWER_MS = 350

export async function loader({ context }: LoaderFunctionArgs) {
  requireSignedOut(context)
  return json({ googleSignIn: googleSignInEnabled() })
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSignedOut(context)
  const formData = await readForm(request)
  const submission = parseWithZod(formData, { schema: signupSchema({ isCommonPassword }) })
  if (submission.status !== 'success') {
    return json(submission.reply({ hideFields: ['password'] }), { status: 400 })
  }
  const wait = await spendTry('signUp', context.clientAddress ?? 'unknown')
  if (wait) {
    return json(submission.reply({ formErrors: [`Too many sign-ups from here. Try again in ${wait} minutes.`], hideFields: ['password'] }), { status: 429 })
  }
  const { name, email, password, dateOfBirth } = submission.value
  const answerAt = performance.now() + SIGNUP_ANSWER_MS
  // The password is hashed for a known address too: hashing is nearly all of the work.
  const passwordHash = await hashPassword(password)
  const existing = await findAccountByEmail(email)
  if (existing) {
    // Same answer as for a new address, so the form does not reveal who has an account.
    if (existing.emailVerified) await sendAccountExistsNotice(email)
    else await sendVerificationCode(existing.id, existing.email)
  } else {
    const created = await createAccount({ name, email, dateOfBirth, passwordHash })
    if (created) await sendVerificationCode(created.userId, email)
  }
  await sleep(Math.max(0, answerAt - performance.now()))
  return redirect(`/verify?email=${encodeURIComponent(email)}`)
}

export default function SignupRoute() {
  const { googleSignIn } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [form, fields] = useForm({
    id: 'signup',
    lastResult,
    constraint: getZodConstraint(SignupSchema),
    shouldValidate: 'onBlur',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SignupSchema }),
  })
  return (
    <FormCard
      title="Join Rounds"
      intro={
        <p>
          For doctors: clubs in your speciality, live talks and case discussions. Already a member?{' '}
          <Link to="/login" className="font-medium text-brand-700 underline">
            Sign in
          </Link>
          .
        </p>
      }
    >
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <Field label="Full name" errorId={fields.name.errorId} errors={fields.name.errors}>
          <input {...getInputProps(fields.name, { type: 'text' })} autoComplete="name" className={inputClass} />
        </Field>
        <Field label="Email" errorId={fields.email.errorId} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="email" className={inputClass} />
        </Field>
        <Field
          label="Password"
          hint={`At least ${PASSWORD_MIN} characters. A short sentence works well.`}
          errorId={fields.password.errorId}
          errors={fields.password.errors}
        >
          <input {...getInputProps(fields.password, { type: 'password' })} autoComplete="new-password" className={inputClass} />
        </Field>
        <Field
          label="Date of birth"
          hint="Rounds is for adults; we use this to keep ads appropriate."
          errorId={fields.dateOfBirth.errorId}
          errors={fields.dateOfBirth.errors}
        >
          <input {...getInputProps(fields.dateOfBirth, { type: 'date' })} autoComplete="bday" className={inputClass} />
        </Field>
        <FieldErrors id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Create account</SubmitButton>
      </Form>
      {googleSignIn ? <ContinueWithGoogle /> : null}
    </FormCard>
  )
}
