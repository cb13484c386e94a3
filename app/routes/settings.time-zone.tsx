import { getFormProps, getSelectProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { getTimeZonePreference, setTimeZonePreference } from '#db/time-zone-preference'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { Field, FieldErrors, SubmitButton, inputClass } from '~/components/forms'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'
import { formatTime, zoneName } from '~/utils/time'
import { timeZoneOf } from '~/utils/time.server'

export const meta: MetaFunction = () => [{ title: 'Time zone — Rounds' }]

// An empty choice means "follow my browser".
const TimeZoneSchema = z.object({ timeZone: z.string().max(64).optional() })

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId } = requireUser(context, request)
  const [setting, { browser }] = await Promise.all([getTimeZonePreference(userId), timeZoneOf(request, null)])
  const shown = setting ?? browser
  return json({ setting, browser, now: shown ? formatTime(new Date(), shown, 'hourMinute') : null, zones: Intl.supportedValuesOf('timeZone') })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  const submission = parseWithZod(await readForm(request), { schema: TimeZoneSchema })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  try {
    await setTimeZonePreference(userId, submission.value.timeZone || null)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json(submission.reply({ fieldErrors: { timeZone: [error.message] } }), { status: error.status })
  }
  return redirect(`/settings/time-zone?saved=${Date.now().toString(36)}`)
}

export default function TimeZoneRoute() {
  const { setting, browser, now, zones } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const key = searchParams.get('saved') ?? 'initial'
  const [form, fields] = useForm({
    id: `time-zone-${key}`,
    lastResult,
    defaultValue: { timeZone: setting ?? '' },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: TimeZoneSchema }),
  })
  const shown = setting ?? browser
  // Known zones first as the list offers them; a saved zone the list lacks still shows.
  const options = setting && !zones.includes(setting) ? [setting, ...zones] : zones
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      {navigation.state === 'idle' && !lastResult && searchParams.get('saved') ? (
        <p role="status" className="mb-4 rounded-md bg-brand-50 p-3 text-brand-900">
          Time zone saved.
        </p>
      ) : null}
      <section className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Time zone</h1>
        <p className="text-slate-600">
          Talk times, deadlines and other dates are shown in this zone, and the times you type when you schedule a talk or set a deadline
          are read in it.{' '}
          {shown && now ? (
            <>
              Now: <strong data-testid="time-zone-now">{now}</strong> in {zoneName(shown)}.
            </>
          ) : (
            'Without a choice here, and before your browser has told us its zone, times are shown in UTC.'
          )}
        </p>
        <Form key={key} method="post" {...getFormProps(form)} className="space-y-4">
          <Field label="Show times in" errorId={fields.timeZone.errorId} errors={fields.timeZone.errors}>
            <select {...getSelectProps(fields.timeZone)} className={inputClass}>
              <option value="">{browser ? `My browser’s zone (now ${zoneName(browser)})` : 'My browser’s zone (UTC until it tells us)'}</option>
              {options.map((zone) => (
                <option key={zone} value={zone}>
                  {zoneName(zone)}
                </option>
              ))}
            </select>
          </Field>
          <FieldErrors id={form.errorId} errors={form.errors} />
          <SubmitButton pending={navigation.state === 'submitting'}>Save time zone</SubmitButton>
        </Form>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
