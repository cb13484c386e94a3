import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { getPrivacySettings, updatePrivacySettings } from '#db/privacy/index'
import { INVITES_FROM, LISTS_VISIBILITY } from '#db/privacy-choices'
import { ChoiceGroup } from '~/components/choice-group'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { FieldErrors, SubmitButton } from '~/components/forms'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Privacy — Rounds' }]

const PrivacySchema = z.object({
  discoverable: z.enum(['yes', 'no'], { errorMap: () => ({ message: 'Choose whether you appear in search.' }) }),
  listsVisibility: z.enum(LISTS_VISIBILITY, { errorMap: () => ({ message: 'Choose who may see your followers and following.' }) }),
  invitesFrom: z.enum(INVITES_FROM, { errorMap: () => ({ message: 'Choose who may invite you to clubs.' }) }),
  objectPersonalisation: z.boolean({ invalid_type_error: 'Tick the box or leave it empty.' }).default(false),
  objectAnalytics: z.boolean({ invalid_type_error: 'Tick the box or leave it empty.' }).default(false),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId } = requireUser(context, request)
  return json({ settings: await getPrivacySettings(userId) })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  const submission = parseWithZod(await readForm(request), { schema: PrivacySchema })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  const { discoverable, ...rest } = submission.value
  try {
    await updatePrivacySettings(userId, { ...rest, discoverable: discoverable === 'yes' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json(submission.reply({ formErrors: [error.message] }), { status: error.status })
  }
  return redirect(`/settings/privacy?saved=${Date.now().toString(36)}`)
}

export default function PrivacySettingsRoute() {
  const { settings } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const savedKey = searchParams.get('saved')
  const [form, fields] = useForm({
    id: `privacy-${savedKey ?? 'initial'}`,
    lastResult,
    defaultValue: { ...settings, discoverable: settings.discoverable ? 'yes' : 'no' },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: PrivacySchema }),
  })
  const saved = savedKey !== null && navigation.state === 'idle' && !lastResult
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      {saved ? (
        <p role="status" className="mb-4 rounded-md bg-brand-50 p-3 text-brand-900">
          Privacy settings saved.
        </p>
      ) : null}
      <Form key={savedKey ?? 'initial'} method="post" {...getFormProps(form)} className="space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Privacy</h1>
        <section className="rounded-md bg-slate-50 p-4 text-sm">
          <h2 className="font-medium">Who can see your profile</h2>
          <p className="mt-1" data-testid="profile-visibility">
            Your profile is <strong>{settings.profileVisibility}</strong>
            {settings.profileVisibility === 'public'
              ? ': any signed-in doctor sees it in full.'
              : ': others see only your name, photo and speciality until you approve them.'}{' '}
            <Link to="/settings/profile" className="font-medium text-brand-700 underline">
              Change it in Profile
            </Link>
          </p>
        </section>
        <ChoiceGroup
          legend="Search"
          name={fields.discoverable.name}
          defaultValue={fields.discoverable.initialValue as string | undefined}
          errors={fields.discoverable.errors}
          errorId={fields.discoverable.errorId}
          choices={[
            { value: 'yes', label: 'Show me in search results' },
            { value: 'no', label: 'Keep me out of search', hint: 'Doctors can still open your profile from a link or a list.' },
          ]}
        />
        <ChoiceGroup
          legend="Who can see whom you follow and who follows you"
          name={fields.listsVisibility.name}
          defaultValue={fields.listsVisibility.initialValue as string | undefined}
          errors={fields.listsVisibility.errors}
          errorId={fields.listsVisibility.errorId}
          choices={[
            {
              value: 'signed_in',
              label: 'Everyone signed in',
              hint: settings.profileVisibility === 'private' ? 'Your profile is private, so this means your approved followers.' : undefined,
            },
            { value: 'followers', label: 'Only my approved followers' },
            { value: 'only_me', label: 'Only me' },
          ]}
        />
        <ChoiceGroup
          legend="Who can invite you to clubs"
          name={fields.invitesFrom.name}
          defaultValue={fields.invitesFrom.initialValue as string | undefined}
          errors={fields.invitesFrom.errors}
          errorId={fields.invitesFrom.errorId}
          choices={[
            { value: 'anyone', label: 'Any club admin' },
            { value: 'following', label: 'Only admins I follow' },
            { value: 'nobody', label: 'Nobody', hint: 'You can still join clubs yourself or through an invite link.' },
          ]}
        />
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">Your objections</legend>
          <p className="mt-1 text-sm text-slate-500">Each box stops that use of your data as soon as you save.</p>
          <div className="mt-2 space-y-3">
            <label className="flex items-start gap-2">
              <input {...getInputProps(fields.objectPersonalisation, { type: 'checkbox' })} className="mt-1" />
              <span>
                I object to personalisation
                <span className="block text-sm text-slate-500">
                  Your home page stops using your speciality and interests, and no interests are kept for ads.
                </span>
              </span>
            </label>
            <FieldErrors id={fields.objectPersonalisation.errorId} errors={fields.objectPersonalisation.errors} />
            <label className="flex items-start gap-2">
              <input {...getInputProps(fields.objectAnalytics, { type: 'checkbox' })} className="mt-1" />
              <span>
                I object to analytics
                <span className="block text-sm text-slate-500">We stop recording which pages you view, and delete what we recorded.</span>
              </span>
            </label>
            <FieldErrors id={fields.objectAnalytics.errorId} errors={fields.objectAnalytics.errors} />
          </div>
        </fieldset>
        <FieldErrors id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Save privacy settings</SubmitButton>
      </Form>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
