import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { findAccountByEmail, verifyEmailCode } from '#db/accounts'
import { PublicError } from '#db/errors'
import { startSession } from '#server/auth'
import { CodeField, oneTimeCodeField } from '~/components/code-field'
import { Field, FieldErrors, FormCard, SubmitButton, inputClass } from '~/components/forms'
import { deviceOf, requireSignedOut } from '~/utils/auth.server'
import { sendVerificationCode } from '~/utils/email-code.server'
import { spendTry } from '~/utils/rate-limit.server'
import { emailField } from '~/utils/validation'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Confirm your email — Rounds' }]

const VerifySchema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('verify'),
    email: emailField,
    code: oneTimeCodeField,
  }),
  z.object({ intent: z.literal('resend'), email: emailField }),
])

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireSignedOut(context)
  const email = new URL(request.url).searchParams.get('email') ?? ''
  return json({ email: email.slice(0, 254) })
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSignedOut(context)
  const formData = await readForm(request)
  const submission = parseWithZod(formData, { schema: VerifySchema })
  if (submission.status !== 'success') return json({ result: submission.reply(), notice: null }, { status: 400 })

  const wait = await spendTry('verify', context.clientAddress ?? 'unknown')
  if (wait) {
    return json(
      { result: submission.reply({ formErrors: [`Too many tries. Try again in ${wait} minutes.`] }), notice: null },
      { status: 429 },
    )
  }
  const { email } = submission.value
  if (submission.value.intent === 'resend') {
    const account = await findAccountByEmail(email)
    if (account && !account.emailVerified) await sendVerificationCode(account.id, account.email)
    // The same words whether or not the email has an account, or was throttled.
    return json({
      result: submission.reply({ resetForm: false }),
      notice: 'If that email is waiting for a code, a new one is on its way. Codes can be resent once a minute.',
    })
  }
  try {
    const { userId } = await verifyEmailCode(email, submission.value.code)
    const { cookie } = await startSession(userId, deviceOf(request, context))
    return redirect('/welcome', { headers: { 'Set-Cookie': cookie } })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json(
      { result: submission.reply({ fieldErrors: { code: [error.message] } }), notice: null },
      { status: error.status },
    )
  }
}

export default function VerifyRoute() {
  const { email } = useLoaderData<typeof loader>()
  const data = useActionData<typeof action>()
  const navigation = useNavigation()
  const [form, fields] = useForm({
    id: 'verify',
    lastResult: data?.result,
    defaultValue: { email },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: VerifySchema }),
  })
  return (
    <FormCard
      title="Confirm your email"
      intro={<p>We sent a 6-digit code to your email. It works once, for 10 minutes.</p>}
    >
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <Field label="Email" errorId={fields.email.errorId} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="email" className={inputClass} />
        </Field>
        <CodeField meta={fields.code} />
        <FieldErrors id={form.errorId} errors={form.errors} />
        {data?.notice ? (
          <p role="status" className="rounded-md bg-brand-50 p-3 text-sm text-brand-900">
            {data.notice}
          </p>
        ) : null}
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton pending={navigation.state === 'submitting'}>
            <input type="hidden" name="intent" value="verify" />
            Confirm
          </SubmitButton>
          <button
            type="submit"
            name="intent"
            value="resend"
            formNoValidate
            className="rounded-md px-3 py-2 text-sm font-medium text-brand-700 underline"
          >
            Send a new code
          </button>
        </div>
      </Form>
    </FormCard>
  )
}
