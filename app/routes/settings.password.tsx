import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { changePassword } from '#db/account-recovery'
import { sendPasswordChangedNotice } from '#server/mail/account-notices'
import { hashPassword, isCommonPassword } from '#server/passwords'
import { disconnectSessions } from '#server/realtime/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Field, FieldErrors, SubmitButton, inputClass } from '~/components/forms'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { currentPasswordField, newPasswordField } from '~/utils/new-password'
import { PASSWORD_MIN } from '~/utils/password-rules'
import { checkPasswordAgain } from '~/utils/reauth.server'

export const meta: MetaFunction = () => [{ title: 'Password — Rounds' }]

function changePasswordSchema(options: { isCommonPassword?: (password: string) => boolean } = {}) {
  return z.object({ currentPassword: currentPasswordField, newPassword: newPasswordField(options) })
}

const ChangePasswordSchema = changePasswordSchema()

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireUser(context, request)
  return null
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId, sessionId } = requireUser(context, request)
  const submission = parseWithZod(await readForm(request), { schema: changePasswordSchema({ isCommonPassword }) })
  const hidden = { hideFields: ['currentPassword', 'newPassword'] }
  if (submission.status !== 'success') return json(submission.reply(hidden), { status: 400 })
  const refused = await checkPasswordAgain(context, userId, submission.value.currentPassword)
  if (refused) {
    const errors = refused.field ? { fieldErrors: { currentPassword: [refused.message] } } : { formErrors: [refused.message] }
    return json(submission.reply({ ...errors, ...hidden }), { status: refused.status })
  }
  const changed = await changePassword(userId, await hashPassword(submission.value.newPassword), sessionId)
  disconnectSessions(changed.endedSessions)
  await sendPasswordChangedNotice(changed.email)
  return redirect('/settings/password?changed=1')
}

export default function PasswordRoute() {
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const [form, fields] = useForm({
    id: 'change-password',
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ChangePasswordSchema }),
  })
  const notice =
    searchParams.get('reset') === '1'
      ? 'Your new password is set and you are signed in. Every other device was signed out.'
      : searchParams.get('changed') === '1'
        ? 'Your password is changed. Every other device was signed out, and we emailed you a note of the change.'
        : null
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      {notice ? (
        <p role="status" className="mb-4 rounded-md bg-brand-50 p-3 text-brand-900">
          {notice}
        </p>
      ) : null}
      <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Change your password</h1>
        <p className="text-slate-600">Every other device signed in to your account will be signed out.</p>
        <Form method="post" {...getFormProps(form)} className="space-y-4">
          <Field label="Current password" errorId={fields.currentPassword.errorId} errors={fields.currentPassword.errors}>
            <input {...getInputProps(fields.currentPassword, { type: 'password' })} autoComplete="current-password" className={inputClass} />
          </Field>
          <Field
            label="New password"
            hint={`At least ${PASSWORD_MIN} characters. A short sentence works well.`}
            errorId={fields.newPassword.errorId}
            errors={fields.newPassword.errors}
          >
            <input {...getInputProps(fields.newPassword, { type: 'password' })} autoComplete="new-password" className={inputClass} />
          </Field>
          <FieldErrors id={form.errorId} errors={form.errors} />
          <SubmitButton pending={navigation.state === 'submitting'}>Change password</SubmitButton>
        </Form>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
