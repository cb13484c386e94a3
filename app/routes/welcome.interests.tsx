import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { MAX_INTEREST_LENGTH, MAX_INTERESTS, interestVocabulary } from '#db/interests'
import { getOnboardingAnswers, saveInterests } from '#db/onboarding'
import { Field, FieldErrors, SubmitButton, inputClass } from '~/components/forms'
import { StepCard, type WelcomeStep } from '~/components/welcome-step'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { optionalText } from '~/utils/validation'

export const handle: WelcomeStep = { step: 2 }

const NEXT = '/welcome/suggestions'

const InterestsSchema = z
  .object({
    chosen: z
      .array(z.enum(interestVocabulary, { errorMap: () => ({ message: 'Choose interests from the list, or type your own below.' }) }))
      .optional()
      .transform((v) => v ?? []),
    more: optionalText('your own interests', { max: 400 }).transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    ),
  })
  .transform(({ chosen, more }, ctx) => {
    const seen = new Set<string>()
    const interests = [...chosen, ...more].filter((i) => !seen.has(i.toLowerCase()) && seen.add(i.toLowerCase()))
    if (more.some((i) => i.length > MAX_INTEREST_LENGTH)) {
      ctx.addIssue({ code: 'custom', path: ['more'], message: `Keep each interest under ${MAX_INTEREST_LENGTH} characters.` })
    }
    if (interests.length > MAX_INTERESTS) {
      ctx.addIssue({ code: 'custom', path: ['more'], message: `Choose at most ${MAX_INTERESTS} interests in all; you have ${interests.length}.` })
    }
    return interests
  })

const inVocabulary = (interest: string) => (interestVocabulary as readonly string[]).includes(interest)

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const { interests } = await getOnboardingAnswers(viewer)
  return json({ interests, vocabulary: interestVocabulary })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const submission = parseWithZod(await readForm(request), { schema: InterestsSchema })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  try {
    await saveInterests(viewer, submission.value)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json(submission.reply({ fieldErrors: { more: [error.message] } }), { status: error.status })
  }
  return redirect(NEXT)
}

export default function WelcomeInterestsStep() {
  const { interests, vocabulary } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [form, fields] = useForm({
    lastResult,
    defaultValue: {
      chosen: interests.filter(inVocabulary),
      more: interests.filter((i) => !inVocabulary(i)).join(', '),
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: InterestsSchema }),
  })
  const initial = fields.chosen.initialValue
  const checked = new Set(Array.isArray(initial) ? initial : initial ? [initial] : [])
  return (
    <StepCard
      title="What interests you?"
      intro={`Pick up to ${MAX_INTERESTS}. Clubs and colleagues who share them are suggested next.`}
      skipTo={NEXT}
    >
      <Form method="post" {...getFormProps(form)} className="space-y-5">
        <fieldset aria-describedby={fields.chosen.errorId}>
          <legend className="text-sm font-medium text-slate-800">Interests</legend>
          <div className="mt-2 flex flex-wrap gap-2">
            {vocabulary.map((interest) => (
              <label key={interest} className="cursor-pointer">
                <input type="checkbox" name={fields.chosen.name} value={interest} defaultChecked={checked.has(interest)} className="peer sr-only" />
                <span className="inline-block rounded-full border border-slate-300 bg-white px-3 py-1 text-sm text-slate-800 peer-checked:border-brand-600 peer-checked:bg-brand-600 peer-checked:text-white peer-focus-visible:ring-2 peer-focus-visible:ring-brand-500 peer-focus-visible:ring-offset-2">
                  {interest}
                </span>
              </label>
            ))}
          </div>
          <FieldErrors id={fields.chosen.errorId} errors={fields.chosen.errors} />
        </fieldset>
        <Field
          label="Your own"
          hint={`Separate with commas, such as lipidology, cardio-obstetrics. Each under ${MAX_INTEREST_LENGTH} characters.`}
          errorId={fields.more.errorId}
          errors={fields.more.errors}
        >
          <input {...getInputProps(fields.more, { type: 'text' })} className={inputClass} />
        </Field>
        <FieldErrors id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Save and continue</SubmitButton>
      </Form>
    </StepCard>
  )
}
