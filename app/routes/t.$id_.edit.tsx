import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useState } from 'react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { cancelTalk, getTalkForViewer, listTalkRoles, mayEditTalk, updateTalk } from '#db/talks'
import { mayManageCertificates } from '#db/certificates'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Field, FieldErrors, SubmitButton, inputClass } from '~/components/forms'
import { talkTypeLabel } from '~/components/talk-card'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { TalkFieldsSchema, startPreview, talkFormFieldFor, talkScheduleSchema } from '~/utils/talk-form'
import { isUtc, wallClock, zoneName } from '~/utils/time'
import { useTimeZone } from '~/utils/time-zone'
import { optionalText } from '~/utils/validation'

export const meta: MetaFunction = () => [{ title: 'Change a talk — Rounds' }, { name: 'robots', content: 'noindex' }]

const NOT_FOUND = 'We could not find that talk. It may be in a private club, or the link may be wrong.'

const editSchema = (keepStart?: Date) => talkScheduleSchema(keepStart)

const CancelSchema = z.object({
  intent: z.literal('cancel'),
  reason: optionalText('reason', { max: 500, multiline: true }),
  confirm: z.literal('on', { errorMap: () => ({ message: 'Tick “Yes, cancel this talk” to confirm.' }) }),
})

/** Why the talk can no longer be changed, or null while it can. */
function lockedReason(talk: { status: string; cancelled: boolean }) {
  if (talk.cancelled) return 'This talk is cancelled, so it can no longer be changed.'
  if (talk.status === 'live') return 'This talk is live, so it can no longer be changed or rescheduled.'
  if (talk.status === 'ended') return 'This talk has ended, so it can no longer be changed.'
  return null
}

async function editableTalk(viewer: Parameters<typeof getTalkForViewer>[0], id: string) {
  const talk = await getTalkForViewer(viewer, id)
  if (!talk) throw new Response(NOT_FOUND, { status: 404 })
  if (!(await mayEditTalk(viewer, talk.id))) throw new Response('Only the talk’s host and the club’s admins can change it.', { status: 403 })
  return talk
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const talk = await editableTalk(viewer, params.id ?? '')
  const [roles, manageCertificates] = await Promise.all([listTalkRoles(talk.id), mayManageCertificates(viewer, talk.id)])
  const handles = (role: 'cohost' | 'speaker') =>
    roles
      .filter((r) => r.role === role)
      .map((r) => r.handle)
      .join(', ')
  return json({
    talk: {
      id: talk.id,
      type: talk.type,
      title: talk.title,
      description: talk.description,
      startsAt: talk.startsAt,
      durationMinutes: talk.durationMinutes,
      recorded: talk.recorded,
      rsvpCount: talk.rsvpCount,
      cohostHandles: handles('cohost'),
      speakerHandles: handles('speaker'),
    },
    locked: lockedReason(talk),
    manageCertificates,
  })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const talk = await editableTalk(viewer, params.id ?? '')
  const form = await readForm(request)
  const intent = form.get('intent')
  if (intent === 'cancel') {
    const submission = parseWithZod(form, { schema: CancelSchema })
    if (submission.status !== 'success') return json({ cancel: submission.reply() }, { status: 400 })
    try {
      await cancelTalk(viewer, talk.id, submission.value.reason)
    } catch (error) {
      if (!(error instanceof PublicError)) throw error
      const reply = error.field === 'reason' ? submission.reply({ fieldErrors: { reason: [error.message] } }) : submission.reply({ formErrors: [error.message] })
      return json({ cancel: reply }, { status: error.status })
    }
    return redirect(`/t/${talk.id}`)
  }
  const submission = parseWithZod(form, { schema: editSchema(new Date(talk.startsAt)) })
  if (submission.status !== 'success') return json({ edit: submission.reply() }, { status: 400 })
  try {
    await updateTalk(viewer, talk.id, submission.value)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    const field = error.field ? (talkFormFieldFor[error.field] ?? error.field) : null
    const reply =
      field && field in TalkFieldsSchema.shape ? submission.reply({ fieldErrors: { [field]: [error.message] } }) : submission.reply({ formErrors: [error.message] })
    return json({ edit: reply }, { status: error.status })
  }
  return redirect(`/t/${talk.id}`)
}

export default function EditTalkRoute() {
  const { talk, locked, manageCertificates } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  const zone = useTimeZone()
  const startsAt = new Date(talk.startsAt)
  const start = wallClock(startsAt, zone)
  const [form, fields] = useForm({
    id: 'edit-talk',
    lastResult: result && 'edit' in result ? result.edit : undefined,
    defaultValue: {
      type: talk.type,
      title: talk.title,
      description: talk.description,
      date: start.date,
      time: start.time,
      durationMinutes: String(talk.durationMinutes),
      cohostHandles: talk.cohostHandles,
      speakerHandles: talk.speakerHandles,
      recorded: talk.recorded ? 'on' : undefined,
    },
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: editSchema(startsAt) }),
  })
  const [cancelForm, cancelFields] = useForm({
    id: 'cancel-talk',
    lastResult: result && 'cancel' in result ? result.cancel : undefined,
    shouldValidate: 'onSubmit',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: CancelSchema }),
  })
  const [date, setDate] = useState(String(fields.date.initialValue ?? ''))
  const [time, setTime] = useState(String(fields.time.initialValue ?? ''))
  const preview = startPreview(date, time, zone)
  const zoneLabel = isUtc(zone) ? 'UTC' : `your time, ${zoneName(zone)}`
  const told = `${talk.rsvpCount} ${talk.rsvpCount === 1 ? 'doctor is' : 'doctors are'} going`

  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <p>
        <Link to={`/t/${talk.id}`} className="text-sm text-brand-700 underline">
          Back to the talk
        </Link>
        {manageCertificates ? (
          <>
            {' · '}
            <Link to={`/t/${talk.id}/certificates`} className="text-sm text-brand-700 underline" data-testid="certificates-link">
              Certificates of attendance
            </Link>
          </>
        ) : null}
      </p>
      {locked ? (
        <p role="alert" className="rounded-md bg-amber-50 p-3 text-amber-900" data-testid="edit-locked">
          {locked}
        </p>
      ) : (
        <>
          <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
            <h1 className="text-2xl font-semibold">Change the talk</h1>
            <p className="mt-2 text-slate-600">
              {told}. They and the co-hosts are told about a change, and calendars that hold the talk update when the file is added again.
            </p>
            <Form method="post" {...getFormProps(form)} className="mt-6 space-y-5">
              <input type="hidden" name="intent" value="edit" />
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
              <Field label="Description (optional)" hint="Up to 5000 characters." errorId={fields.description.errorId} errors={fields.description.errors}>
                <textarea {...getTextareaProps(fields.description)} rows={5} className={inputClass} />
              </Field>
              <fieldset aria-describedby={`${fields.date.errorId} start-hint`}>
                <legend className="text-sm font-medium text-slate-800">
                  Starts (<span data-testid="start-zone">{zoneLabel}</span>)
                </legend>
                <div className="mt-1 grid gap-3 sm:grid-cols-2">
                  <label className="block text-sm text-slate-700">
                    Date
                    <input {...getInputProps(fields.date, { type: 'date' })} className={inputClass} onInput={(e) => setDate(e.currentTarget.value)} />
                  </label>
                  <label className="block text-sm text-slate-700">
                    Time
                    <input {...getInputProps(fields.time, { type: 'time' })} className={inputClass} onInput={(e) => setTime(e.currentTarget.value)} />
                  </label>
                </div>
                <input type="hidden" name={fields.timeZone.name} value={zone} readOnly />
                <p id="start-hint" className="mt-1 text-xs text-slate-500" data-testid="start-preview">
                  {preview ?? `Enter the date and time as clocks in ${isUtc(zone) ? 'UTC' : zoneName(zone)} show it.`}
                </p>
                <FieldErrors id={fields.date.errorId} errors={fields.date.errors} />
                <FieldErrors id={fields.time.errorId} errors={fields.time.errors} />
              </fieldset>
              <Field label="Duration in minutes" hint="From 10 minutes to 8 hours." errorId={fields.durationMinutes.errorId} errors={fields.durationMinutes.errors}>
                <input {...getInputProps(fields.durationMinutes, { type: 'number' })} min={10} max={480} step={5} className={inputClass} />
              </Field>
              <Field label="Co-hosts (optional)" hint="Handles separated by commas; each must be a member of the club." errorId={fields.cohostHandles.errorId} errors={fields.cohostHandles.errors}>
                <input {...getInputProps(fields.cohostHandles, { type: 'text' })} autoCapitalize="none" spellCheck={false} className={inputClass} />
              </Field>
              <Field label="Invited speakers (optional)" hint="Handles separated by commas; each must be a member of the club." errorId={fields.speakerHandles.errorId} errors={fields.speakerHandles.errors}>
                <input {...getInputProps(fields.speakerHandles, { type: 'text' })} autoCapitalize="none" spellCheck={false} className={inputClass} />
              </Field>
              <div>
                <label className="flex items-start gap-2 text-sm font-medium text-slate-800">
                  <input {...getInputProps(fields.recorded, { type: 'checkbox' })} aria-describedby={fields.recorded.errorId} className="mt-0.5 size-4" />
                  <span>Record this talk</span>
                </label>
                <FieldErrors id={fields.recorded.errorId} errors={fields.recorded.errors} />
              </div>
              <FieldErrors id={form.errorId} errors={form.errors} />
              <SubmitButton pending={busy}>Save changes</SubmitButton>
            </Form>
          </section>

          <section className="rounded-xl border border-red-200 bg-white p-6 shadow-sm sm:p-8">
            <h2 className="text-xl font-semibold">Cancel the talk</h2>
            <p className="mt-2 text-slate-600">{told}. They are told it is cancelled; the talk page stays and says so.</p>
            <Form method="post" {...getFormProps(cancelForm)} className="mt-4 space-y-4">
              <input type="hidden" name="intent" value="cancel" />
              <Field label="Reason (optional)" hint="Shown on the talk page and in the notice. Up to 500 characters." errorId={cancelFields.reason.errorId} errors={cancelFields.reason.errors}>
                <textarea {...getTextareaProps(cancelFields.reason)} rows={3} className={inputClass} />
              </Field>
              <div>
                <label className="flex items-start gap-2 text-sm font-medium text-slate-800">
                  <input {...getInputProps(cancelFields.confirm, { type: 'checkbox' })} aria-describedby={cancelFields.confirm.errorId} className="mt-0.5 size-4" />
                  <span>Yes, cancel this talk</span>
                </label>
                <FieldErrors id={cancelFields.confirm.errorId} errors={cancelFields.confirm.errors} />
              </div>
              <FieldErrors id={cancelForm.errorId} errors={cancelForm.errors} />
              <button type="submit" disabled={busy} className="rounded-md bg-red-600 px-4 py-2 font-semibold text-white hover:bg-red-700 disabled:opacity-60">
                Cancel talk
              </button>
            </Form>
          </section>
        </>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
