import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { getNominee, removeNominee, saveNominee } from '#db/privacy/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Field, FieldErrors, SubmitButton, inputClass } from '~/components/forms'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { text } from '~/utils/validation'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Nominee — Rounds' }]

const NomineeSchema = z.discriminatedUnion(
  'intent',
  [
    z.object({
      intent: z.literal('save'),
      name: text('nominee’s name', { min: 2, max: 80 }).refine((v) => /\p{L}/u.test(v), 'A name needs at least one letter.'),
      email: z
        .string({ required_error: 'Enter their email address.', invalid_type_error: 'Enter their email address.' })
        .trim()
        .max(254, 'That email address is too long.')
        .email('Enter an email address such as name@example.org.')
        .transform((v) => v.toLowerCase()),
      relationship: text('nominee’s relationship to you', { min: 2, max: 60 }),
    }),
    z.object({ intent: z.literal('remove') }),
  ],
  { errorMap: () => ({ message: 'Choose Save or Remove.' }) },
)

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId } = requireUser(context, request)
  const nominee = await getNominee(userId)
  return json({ nominee: nominee ? { ...nominee, updatedAt: nominee.updatedAt.toISOString() } : null })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  const submission = parseWithZod(await readForm(request), { schema: NomineeSchema })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  const value = submission.value
  try {
    if (value.intent === 'remove') await removeNominee(userId)
    else await saveNominee(userId, { name: value.name, email: value.email, relationship: value.relationship })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    const reply = error.field
      ? submission.reply({ fieldErrors: { [error.field]: [error.message] } })
      : submission.reply({ formErrors: [error.message] })
    return json(reply, { status: error.status })
  }
  return redirect(`/settings/nominee?${value.intent === 'remove' ? 'removed' : 'saved'}=${Date.now().toString(36)}`)
}

export default function NomineeRoute() {
  const { nominee } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const key = searchParams.get('saved') ?? searchParams.get('removed') ?? 'initial'
  const [form, fields] = useForm({
    id: `nominee-${key}`,
    lastResult,
    defaultValue: nominee ?? { name: '', email: '', relationship: '' },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: NomineeSchema }),
  })
  const settled = navigation.state === 'idle' && !lastResult
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      {settled && searchParams.get('saved') ? (
        <p role="status" className="mb-4 rounded-md bg-brand-50 p-3 text-brand-900">
          Nominee saved.
        </p>
      ) : null}
      {settled && searchParams.get('removed') ? (
        <p role="status" className="mb-4 rounded-md bg-brand-50 p-3 text-brand-900">
          Nominee removed.
        </p>
      ) : null}
      <section className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Nominee</h1>
        <p className="text-slate-600">
          Name someone you trust to exercise your data rights — export, correction, erasure — if you die or can no longer act yourself.
          We contact them only then, after checking the circumstances.
        </p>
        <Form key={key} method="post" {...getFormProps(form)} className="space-y-4">
          <Field label="Their full name" errorId={fields.name.errorId} errors={fields.name.errors}>
            <input {...getInputProps(fields.name, { type: 'text' })} autoComplete="off" className={inputClass} />
          </Field>
          <Field label="Their email address" errorId={fields.email.errorId} errors={fields.email.errors}>
            <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="off" className={inputClass} />
          </Field>
          <Field label="Relationship to you" hint="Such as spouse, daughter, colleague." errorId={fields.relationship.errorId} errors={fields.relationship.errors}>
            <input {...getInputProps(fields.relationship, { type: 'text' })} className={inputClass} />
          </Field>
          <FieldErrors id={form.errorId} errors={form.errors} />
          <div className="flex flex-wrap gap-3">
            <input type="hidden" name="intent" value="save" />
            <SubmitButton pending={navigation.state === 'submitting'}>{nominee ? 'Save changes' : 'Name this nominee'}</SubmitButton>
          </div>
        </Form>
        {nominee ? (
          <Form method="post">
            <input type="hidden" name="intent" value="remove" />
            <button type="submit" className="rounded-md border border-slate-300 px-4 py-2 text-sm hover:bg-slate-50">
              Remove my nominee
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
