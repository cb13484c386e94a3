import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { PublicError } from '#db/errors'
import { createAccountWithProvider } from '#db/oauth-accounts'
import { startSession } from '#server/auth'
import { Field, FieldErrors, FormCard, SubmitButton, inputClass } from '~/components/forms'
import { deviceOf, requireSignedOut } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { endPendingAccount, readPendingAccount } from '~/utils/google-auth.server'
import { SignupSchema } from './signup'

export const meta: MetaFunction = () => [{ title: 'Join Rounds with Google' }, { name: 'robots', content: 'noindex' }]

// Google vouches for the address; sign-up's own rules check the name and the age.
const JoinSchema = SignupSchema.pick({ name: true, dateOfBirth: true })

const expired = 'This Google sign-in has expired. Start again from the sign-in page.'

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireSignedOut(context)
  const pending = await readPendingAccount(request)
  if (!pending) return json({ expired, email: null, name: null }, { status: 400 })
  return json({ expired: null, email: pending.email, name: pending.name })
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSignedOut(context)
  const formData = await readForm(request)
  const pending = await readPendingAccount(request)
  const submission = parseWithZod(formData, { schema: JoinSchema })
  if (!pending) return json(submission.reply({ formErrors: [expired] }), { status: 400 })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  try {
    const { userId } = await createAccountWithProvider({ provider: 'google', subject: pending.subject, email: pending.email }, submission.value)
    const headers = new Headers()
    headers.append('Set-Cookie', await endPendingAccount())
    headers.append('Set-Cookie', (await startSession(userId, deviceOf(request, context))).cookie)
    // As after confirming an emailed code: on to the new profile.
    return redirect('/welcome', { headers })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json(submission.reply({ formErrors: [error.message] }), { status: error.status, headers: { 'Set-Cookie': await endPendingAccount() } })
  }
}

export default function JoinWithGoogleRoute() {
  const pending = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [form, fields] = useForm<{ name: string; dateOfBirth: string }>({
    id: 'join-with-google',
    lastResult,
    defaultValue: { name: pending.name ?? '' },
    shouldValidate: 'onBlur',
  })
  if (pending.expired) {
    return (
      <FormCard title="Join Rounds with Google">
        <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800" data-testid="google-problem">
          {pending.expired}
        </p>
        <p className="mt-4">
          <Link to="/login" className="font-medium text-brand-700 underline">
            Back to sign in
          </Link>
        </p>
      </FormCard>
    )
  }
  return (
    <FormCard
      title="Join Rounds with Google"
      intro={
        <p>
          Google confirmed <strong>{pending.email}</strong>. Two more things and your account is ready.
        </p>
      }
    >
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <Field label="Full name" errorId={fields.name.errorId} errors={fields.name.errors}>
          <input {...getInputProps(fields.name, { type: 'text' })} autoComplete="name" className={inputClass} />
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
    </FormCard>
  )
}
