import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { deactivateAccount, isDeactivated, reactivateAccount } from '#db/privacy/index'
import { disconnectSessions } from '#server/realtime/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Field, FieldErrors, SubmitButton, inputClass } from '~/components/forms'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { PASSWORD_MAX } from '~/utils/password-rules'
import { checkPasswordAgain } from '~/utils/reauth.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Deactivate account — Rounds' }]

const DeactivateSchema = z.discriminatedUnion(
  'intent',
  [
    z.object({
      intent: z.literal('deactivate'),
      password: z
        .string({ required_error: 'Enter your password.', invalid_type_error: 'Enter your password.' })
        .max(PASSWORD_MAX, 'That password is longer than any Rounds accepts.'),
    }),
    z.object({ intent: z.literal('reactivate') }),
  ],
  { errorMap: () => ({ message: 'Choose Deactivate or Reactivate.' }) },
)

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId } = requireUser(context, request)
  return json({ deactivated: await isDeactivated(userId) })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId, sessionId } = requireUser(context, request)
  const submission = parseWithZod(await readForm(request), { schema: DeactivateSchema })
  if (submission.status !== 'success') return json(submission.reply({ hideFields: ['password'] }), { status: 400 })
  if (submission.value.intent === 'reactivate') {
    await reactivateAccount(userId)
    return redirect('/settings/deactivate?reactivated=1')
  }
  const refused = await checkPasswordAgain(context, userId, submission.value.password)
  if (refused) {
    const errors = refused.field ? { fieldErrors: { password: [refused.message] } } : { formErrors: [refused.message] }
    return json(submission.reply({ ...errors, hideFields: ['password'] }), { status: refused.status })
  }
  const { endedSessions } = await deactivateAccount(userId, sessionId)
  disconnectSessions(endedSessions)
  return redirect('/settings/deactivate?deactivated=1')
}

export default function DeactivateRoute() {
  const { deactivated } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const [form, fields] = useForm({
    id: 'deactivate',
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: DeactivateSchema }),
  })
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      {searchParams.get('reactivated') && !deactivated ? (
        <p role="status" className="mb-4 rounded-md bg-brand-50 p-3 text-brand-900">
          Welcome back. Your profile is visible again.
        </p>
      ) : null}
      <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        {deactivated ? (
          <>
            <h1 className="text-2xl font-semibold">Your account is deactivated</h1>
            <p className="text-slate-600">
              Other doctors cannot see your profile, and you do not appear in any list or feed. Everything is kept, so you can come back.
            </p>
            <Form method="post">
              <input type="hidden" name="intent" value="reactivate" />
              <SubmitButton pending={navigation.state === 'submitting'}>Reactivate my account</SubmitButton>
            </Form>
          </>
        ) : (
          <>
            <h1 className="text-2xl font-semibold">Deactivate your account</h1>
            <p className="text-slate-600">
              Take a break without losing anything. While your account is deactivated, your profile answers “not found” to everyone else,
              you disappear from follower, following and member lists and from feeds, and every other device is signed out. Sign in again
              at any time to reactivate.
            </p>
            <Form method="post" {...getFormProps(form)} className="space-y-4">
              <input type="hidden" name="intent" value="deactivate" />
              <Field label="Your password" hint="To confirm it is you." errorId={fields.password.errorId} errors={fields.password.errors}>
                <input {...getInputProps(fields.password, { type: 'password' })} autoComplete="current-password" className={inputClass} />
              </Field>
              <FieldErrors id={form.errorId} errors={form.errors} />
              <button
                type="submit"
                disabled={navigation.state === 'submitting'}
                className="rounded-md bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800 disabled:opacity-60"
              >
                Deactivate my account
              </button>
            </Form>
          </>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
