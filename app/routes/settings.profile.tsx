import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { getOwnProfile, updateProfile } from '#db/profiles'
import { specialities } from '#db/specialities'
import { PHOTO_MAX_BYTES, deleteUpload, storeProfilePhoto } from '#server/uploads'
import { Avatar } from '~/components/avatar'
import { Field, FieldErrors, SubmitButton, inputClass } from '~/components/forms'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { FormPartTooLargeError, readUploadForm } from '~/utils/form.server'
import { optionalText, text } from '~/utils/validation'
import { myPendingText } from '#db/moderation/index'
import { PendingReviewNotice } from '~/components/pending-review'

export const meta: MetaFunction = () => [{ title: 'Your profile — Rounds' }]

const MAX_INTERESTS = 10

export const ProfileSchema = z.object({
  name: text('name', { min: 2, max: 80 }).refine((v) => /\p{L}/u.test(v), 'Your name needs at least one letter.'),
  handle: z
    .string({ required_error: 'Choose a handle.' })
    .trim()
    .toLowerCase()
    .max(30, 'A handle can be at most 30 characters.')
    .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'Use letters, digits and single hyphens, such as asha-rao.')
    .min(3, 'A handle needs at least 3 characters.'),
  speciality: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .enum(specialities, { errorMap: () => ({ message: 'Choose a speciality from the list.' }) })
      .optional()
      .transform((v) => v ?? null),
  ),
  city: optionalText('city', { max: 80 }),
  interests: optionalText('interests', { max: 400 })
    .transform((v) =>
      v
        ? [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))]
        : [],
    )
    .refine((list) => list.length <= MAX_INTERESTS, `List at most ${MAX_INTERESTS} interests.`)
    .refine((list) => list.every((i) => i.length <= 40), 'Keep each interest under 40 characters.'),
  bio: optionalText('bio', { max: 1000, multiline: true }),
  registrationNumber: optionalText('registration number', { max: 40 }),
  visibility: z.enum(['public', 'private'], { errorMap: () => ({ message: 'Choose who can see your profile.' }) }),
  photo: z.any().optional(),
  removePhoto: z.literal('on').optional(),
})

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId } = requireUser(context, request)
  const [profile, pendingBio] = await Promise.all([getOwnProfile(userId), myPendingText(userId, 'person', userId)])
  return json({ profile, specialities, pendingBio })
}


export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  // Multipart when it carries a photo; the photo is read only up to its limit.
  const formData = await readUploadForm(request, { photo: PHOTO_MAX_BYTES })
  if (formData instanceof FormPartTooLargeError) {
    const field = formData.isFile ? 'photo' : formData.field
    const message = formData.isFile ? 'The photo must be 5 MB or smaller.' : 'That is far more text than this field can hold.'
    return json({ status: 'error' as const, initialValue: null, error: { [field]: [message] } }, { status: 413 })
  }
  const submission = parseWithZod(formData, { schema: ProfileSchema })
  if (submission.status !== 'success') return json(submission.reply(), { status: 400 })
  const { photo, removePhoto, ...update } = submission.value
  let newPhoto: string | null = null
  try {
    if (photo instanceof Blob && photo.size > 0) {
      newPhoto = await storeProfilePhoto(new Uint8Array(await photo.arrayBuffer()))
    }
    const photoChange = newPhoto ? { photoPath: newPhoto } : removePhoto ? { photoPath: null } : undefined
    const { replacedPhoto } = await updateProfile(userId, update, photoChange)
    await deleteUpload(replacedPhoto)
  } catch (error) {
    await deleteUpload(newPhoto)
    if (!(error instanceof PublicError)) throw error
    const reply = error.field
      ? submission.reply({ fieldErrors: { [error.field]: [error.message] } })
      : submission.reply({ formErrors: [error.message] })
    return json(reply, { status: error.status })
  }
  // A new value each save gives the form a fresh key, so it shows what was stored.
  return redirect(`/settings/profile?saved=${Date.now().toString(36)}`)
}

export default function ProfileSettingsRoute() {
  const { profile, specialities, pendingBio } = useLoaderData<typeof loader>()
  const lastResult = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const navigation = useNavigation()
  const savedKey = searchParams.get('saved')
  const [form, fields] = useForm({
    id: `profile-${savedKey ?? 'initial'}`,
    lastResult,
    defaultValue: {
      ...profile,
      speciality: profile.speciality ?? '',
      interests: profile.interests.join(', '),
      // A bio awaiting approval is the one its author goes on editing.
      bio: pendingBio?.state === 'hidden' ? pendingBio.text : (profile.bio ?? ''),
      city: profile.city ?? '',
      registrationNumber: profile.registrationNumber ?? '',
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ProfileSchema }),
  })
  const saved = savedKey !== null && navigation.state === 'idle' && !lastResult
  const welcome = searchParams.get('welcome') === '1'
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      {welcome ? (
        <p role="status" className="mb-4 rounded-md bg-brand-50 p-3 text-brand-900">
          Your email is confirmed — welcome to Rounds. Tell colleagues who you are.
        </p>
      ) : null}
      {saved ? (
        <p role="status" className="mb-4 rounded-md bg-brand-50 p-3 text-brand-900">
          Profile saved.
        </p>
      ) : null}
      <div className="mb-4">
        <PendingReviewNotice pending={pendingBio} what="bio" />
      </div>
      <Form key={savedKey ?? 'initial'} method="post" encType="multipart/form-data" {...getFormProps(form)} className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Your profile</h1>
        <div className="flex items-center gap-4">
          <Avatar name={profile.name} photoUrl={profile.photoUrl} size={72} />
          <div className="flex-1">
            <Field
              label="Photo"
              hint="JPEG, PNG, WebP or GIF, up to 5 MB. We crop it to a square."
              errorId={fields.photo.errorId}
              errors={fields.photo.errors}
            >
              <input type="file" name="photo" accept="image/jpeg,image/png,image/webp,image/gif" className="mt-1 block text-sm" aria-describedby={fields.photo.errorId} />
            </Field>
            {profile.photoUrl ? (
              <label className="mt-2 flex items-center gap-2 text-sm">
                <input type="checkbox" name="removePhoto" /> Remove my photo
              </label>
            ) : null}
          </div>
        </div>
        <Field label="Full name" errorId={fields.name.errorId} errors={fields.name.errors}>
          <input {...getInputProps(fields.name, { type: 'text' })} className={inputClass} />
        </Field>
        <Field label="Handle" hint={`Your profile address: /u/${profile.handle}`} errorId={fields.handle.errorId} errors={fields.handle.errors}>
          <input {...getInputProps(fields.handle, { type: 'text' })} className={inputClass} />
        </Field>
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
        <Field label="Interest areas" hint="Separate with commas, such as heart failure, echocardiography." errorId={fields.interests.errorId} errors={fields.interests.errors}>
          <input {...getInputProps(fields.interests, { type: 'text' })} className={inputClass} />
        </Field>
        <Field label="Bio" errorId={fields.bio.errorId} errors={fields.bio.errors}>
          <textarea {...getTextareaProps(fields.bio)} rows={4} className={inputClass} />
        </Field>
        <Field
          label="Medical registration number"
          hint="Only you can see this."
          errorId={fields.registrationNumber.errorId}
          errors={fields.registrationNumber.errors}
        >
          <input {...getInputProps(fields.registrationNumber, { type: 'text' })} className={inputClass} />
        </Field>
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">Who can see your profile</legend>
          <div className="mt-2 space-y-2">
            <label className="flex items-start gap-2">
              <input type="radio" name={fields.visibility.name} value="public" defaultChecked={fields.visibility.initialValue === 'public'} />
              <span>
                <strong>Public</strong> — any signed-in doctor sees your full profile.
              </span>
            </label>
            <label className="flex items-start gap-2">
              <input type="radio" name={fields.visibility.name} value="private" defaultChecked={fields.visibility.initialValue === 'private'} />
              <span>
                <strong>Private</strong> — others see only your name, photo and speciality.
              </span>
            </label>
          </div>
          <FieldErrors id={fields.visibility.errorId} errors={fields.visibility.errors} />
        </fieldset>
        <FieldErrors id={form.errorId} errors={form.errors} />
        <SubmitButton pending={navigation.state === 'submitting'}>Save profile</SubmitButton>
      </Form>
    </div>
  )
}
