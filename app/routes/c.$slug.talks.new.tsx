import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useState } from 'react'
import { getClubPage } from '#db/clubs'
import { PublicError } from '#db/errors'
import { scheduleTalk } from '#db/talks'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Field, FieldErrors, SubmitButton, inputClass } from '~/components/forms'
import { talkTypeLabel } from '~/components/talk-card'
import { requireUser } from '~/utils/auth.server'
import { orErrorPage } from '~/utils/club-forms'
import { readForm } from '~/utils/form.server'
import { TalkFieldsSchema, startPreview, talkFormFieldFor, talkScheduleSchema } from '~/utils/talk-form'
import { isUtc, zoneName } from '~/utils/time'
import { useTimeZone } from '~/utils/time-zone'

export const meta: MetaFunction = () => [{ title: 'Schedule a talk — Rounds' }, { name: 'robots', content: 'noindex' }]

const ScheduleSchema = talkScheduleSchema()

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const page = await orErrorPage(getClubPage(viewer, params.slug ?? ''))
  if (!page.permissions.includes('schedule:talks')) {
    throw new Response('Only the club’s owner and admins can schedule talks here.', { status: 403 })
  }
  return json({ club: { slug: page.club.slug, name: page.club.name } })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const submission = parseWithZod(await readForm(request), { schema: ScheduleSchema })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  try {
    const talk = await scheduleTalk(viewer, params.slug ?? '', submission.value)
    return redirect(`/t/${talk.id}?scheduled=1`)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    const field = error.field ? (talkFormFieldFor[error.field] ?? error.field) : null
    const reply =
      field && field in TalkFieldsSchema.shape
        ? submission.reply({ fieldErrors: { [field]: [error.message] } })
        : submission.reply({ formErrors: [error.message] })
    return json(reply, { status: error.status })
  }
}

export default function ScheduleTalkRoute() {
  const { club } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const zone = useTimeZone()
  const [form, fields] = useForm({
    id: 'schedule-talk',
    lastResult,
    defaultValue: { type: 'talk', durationMinutes: '60' },
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ScheduleSchema }),
  })
  const [date, setDate] = useState(String(fields.date.initialValue ?? ''))
  const [time, setTime] = useState(String(fields.time.initialValue ?? ''))
  const preview = startPreview(date, time, zone)
  const zoneLabel = isUtc(zone) ? 'UTC' : `your time, ${zoneName(zone)}`

  return (
    <div className="mx-auto max-w-2xl">
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <h1 className="text-2xl font-semibold">Schedule a talk</h1>
        <p className="mt-2 text-slate-600">
          In {club.name}. Members see it on the club page and can say they are going; you open the room when it starts.
        </p>
        <Form method="post" {...getFormProps(form)} className="mt-6 space-y-5">
          <Field label="Kind of session" errorId={fields.type.errorId} errors={fields.type.errors}>
            <select {...getSelectProps(fields.type)} className={inputClass}>
              {Object.entries(talkTypeLabel).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Title" hint="3 to 120 characters." errorId={fields.title.errorId} errors={fields.title.errors}>
            <input {...getInputProps(fields.title, { type: 'text' })} className={inputClass} />
          </Field>
          <Field
            label="Description (optional)"
            hint="What you will cover and who it is for. Up to 5000 characters."
            errorId={fields.description.errorId}
            errors={fields.description.errors}
          >
            <textarea {...getTextareaProps(fields.description)} rows={5} className={inputClass} />
          </Field>

          <fieldset aria-describedby={`${fields.date.errorId} start-hint`}>
            <legend className="text-sm font-medium text-slate-800">
              Starts (<span data-testid="start-zone">{zoneLabel}</span>)
            </legend>
            <div className="mt-1 grid gap-3 sm:grid-cols-2">
              <label className="block text-sm text-slate-700">
                Date
                <input
                  {...getInputProps(fields.date, { type: 'date' })}
                  className={inputClass}
                  onInput={(e) => setDate(e.currentTarget.value)}
                />
              </label>
              <label className="block text-sm text-slate-700">
                Time
                <input
                  {...getInputProps(fields.time, { type: 'time' })}
                  className={inputClass}
                  onInput={(e) => setTime(e.currentTarget.value)}
                />
              </label>
            </div>
            <input type="hidden" name={fields.timeZone.name} value={zone} readOnly />
            <p id="start-hint" className="mt-1 text-xs text-slate-500" data-testid="start-preview">
              {preview ??
                (isUtc(zone) ? 'Enter the date and time in UTC (London in winter).' : `Enter the date and time as clocks in ${zoneName(zone)} show it.`)}
            </p>
            <FieldErrors id={fields.date.errorId} errors={fields.date.errors} />
            <FieldErrors id={fields.time.errorId} errors={fields.time.errors} />
          </fieldset>

          <Field
            label="Duration in minutes"
            hint="From 10 minutes to 8 hours."
            errorId={fields.durationMinutes.errorId}
            errors={fields.durationMinutes.errors}
          >
            <input {...getInputProps(fields.durationMinutes, { type: 'number' })} min={10} max={480} step={5} className={inputClass} />
          </Field>
          <Field
            label="Co-hosts (optional)"
            hint="Handles separated by commas, such as asha-rao, ben-okafor; each must be a member of the club. Co-hosts can open and end the talk and run the stage."
            errorId={fields.cohostHandles.errorId}
            errors={fields.cohostHandles.errors}
          >
            <input {...getInputProps(fields.cohostHandles, { type: 'text' })} autoCapitalize="none" spellCheck={false} className={inputClass} />
          </Field>
          <Field
            label="Invited speakers (optional)"
            hint="Handles separated by commas; each must be a member of the club. They are named as speakers on the talk page."
            errorId={fields.speakerHandles.errorId}
            errors={fields.speakerHandles.errors}
          >
            <input {...getInputProps(fields.speakerHandles, { type: 'text' })} autoCapitalize="none" spellCheck={false} className={inputClass} />
          </Field>
          <div>
            <label className="flex items-start gap-2 text-sm font-medium text-slate-800">
              <input
                {...getInputProps(fields.recorded, { type: 'checkbox' })}
                aria-describedby={`recorded-hint ${fields.recorded.errorId}`}
                className="mt-0.5 size-4"
              />
              <span>Record this talk</span>
            </label>
            <p id="recorded-hint" className="mt-1 text-xs text-slate-500">
              Everyone who joins is told it is recorded, and each speaker agrees before going on stage. After the talk you choose who may
              listen to the recording.
            </p>
            <FieldErrors id={fields.recorded.errorId} errors={fields.recorded.errors} />
          </div>
          <FieldErrors id={form.errorId} errors={form.errors} />
          <SubmitButton pending={navigation.state === 'submitting'}>Schedule talk</SubmitButton>
        </Form>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
