import { getFormProps, getInputProps, getSelectProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { getOnboardingAnswers, saveSpecialityAndCity } from '#db/onboarding'
import { specialities } from '#db/specialities'
import { Field, FieldErrors, SubmitButton, inputClass } from '~/components/forms'
import { StepCard, type WelcomeStep } from '~/components/welcome-step'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { optionalText } from '~/utils/validation'

export const handle: WelcomeStep = { step: 1 }

const NEXT = '/welcome/interests'

const PracticeSchema = z.object({
  speciality: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .enum(specialities, { errorMap: () => ({ message: 'Choose a speciality from the list.' }) })
      .optional()
      .transform((v) => v ?? null),
  ),
  city: optionalText('city', { max: 80 }),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const { speciality, city } = await getOnboardingAnswers(viewer)
  return json({ speciality, city, specialities })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const submission = parseWithZod(await readForm(request), { schema: PracticeSchema })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  try {
    await saveSpecialityAndCity(viewer, submission.value)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json(submission.reply({ formErrors: [error.message] }), { status: error.status })
  }
  return redirect(NEXT)
}

export default function WelcomePracticeStep() {
  const { speciality, city, specialities } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [form, fields] = useForm({
    lastResult,
    defaultValue: { speciality: speciality ?? '', city: city ?? '' },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: PracticeSchema }),
  })
  return (
    <StepCard
      title="Welcome to Rounds"
      intro="Your email is confirmed. Two quick questions help us suggest clubs and colleagues; you can change the answers later in your profile."
      skipTo={NEXT}
    >
      <Form method="post" {...getFormProps(form)} className="space-y-5">
        <Field label="Speciality" errorId={fields.speciality.errorId} errors={fields.speciality.errors}>
          <select {...getSelectProps(fields.speciality)} className={inputClass}>
            <option value="">Not set</option>
            {specialities.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="City" errorId={fields.city.errorId} errors={fields.city.errors}>
          <input {...getInputProps(fields.city, { type: 'text' })} autoComplete="address-level2" className={inputClass} />
        </Field>
        <FieldErrors id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Save and continue</SubmitButton>
      </Form>
    </StepCard>
  )
}
