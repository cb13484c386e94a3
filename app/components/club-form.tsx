import { getFormProps, getInputProps, getTextareaProps, useForm, type SubmissionResult } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import { Form } from '@remix-run/react'
import { useRef } from 'react'
import { CLUB_MAX_SPECIALITIES, ClubSchema, slugFromName } from '~/utils/club-forms'
import { Field, FieldErrors, SubmitButton, inputClass } from './forms'

export type ClubFormValues = {
  name: string
  slug: string
  description: string
  specialities: string[]
  visibility: 'public' | 'private'
}

type ClubFormFields = ClubFormValues & { cover?: File; removeCover?: 'on' }

/**
 * The club form for /clubs/new and the admin page. A plain multipart POST, so
 * it works without JavaScript; with it, fields are checked as you go and the
 * address is suggested from the name.
 */
export function ClubForm({
  id,
  lastResult,
  defaultValue,
  specialities,
  coverUrl,
  intent,
  submitLabel,
  pending,
  suggestSlug,
}: {
  id: string
  lastResult?: SubmissionResult<string[]> | null
  defaultValue?: ClubFormValues
  specialities: readonly string[]
  coverUrl?: string | null
  /** Sent as `intent`, for routes whose action handles several forms. */
  intent?: string
  submitLabel: string
  pending: boolean
  suggestSlug?: boolean
}) {
  const [form, fields] = useForm<ClubFormFields>({
    id,
    lastResult,
    defaultValue: defaultValue ?? { visibility: 'public', specialities: [] },
    shouldValidate: 'onBlur',
    shouldRevalidate: 'onInput',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ClubSchema }),
  })
  const slugInput = useRef<HTMLInputElement>(null)
  const slugEdited = useRef(false)
  const chosen = new Set(
    Array.isArray(fields.specialities.initialValue)
      ? fields.specialities.initialValue
      : fields.specialities.initialValue
        ? [fields.specialities.initialValue]
        : [],
  )
  return (
    <Form method="post" encType="multipart/form-data" {...getFormProps(form)} className="space-y-5">
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      <Field label="Club name" hint="3 to 80 characters." errorId={fields.name.errorId} errors={fields.name.errors}>
        <input
          {...getInputProps(fields.name, { type: 'text' })}
          className={inputClass}
          onInput={(e) => {
            if (!suggestSlug || slugEdited.current || !slugInput.current) return
            slugInput.current.value = slugFromName(e.currentTarget.value)
          }}
        />
      </Field>
      <Field
        label="Club address"
        hint="The end of the club’s link, /c/your-address: lowercase letters, digits and hyphens, 3 to 40 characters."
        errorId={fields.slug.errorId}
        errors={fields.slug.errors}
      >
        <span className="mt-1 flex items-center gap-1">
          <span className="text-sm text-slate-500" aria-hidden="true">
            /c/
          </span>
          <input
            {...getInputProps(fields.slug, { type: 'text' })}
            ref={slugInput}
            autoCapitalize="none"
            spellCheck={false}
            className={inputClass.replace('mt-1 ', '')}
            onInput={() => {
              slugEdited.current = true
            }}
          />
        </span>
      </Field>
      <Field label="Description" hint="What the club is for and who should join. Up to 2000 characters." errorId={fields.description.errorId} errors={fields.description.errors}>
        <textarea {...getTextareaProps(fields.description)} rows={5} className={inputClass} />
      </Field>
      <fieldset aria-describedby={fields.specialities.errorId}>
        <legend className="text-sm font-medium text-slate-800">Specialities</legend>
        <p className="mt-1 text-xs text-slate-500">Choose up to {CLUB_MAX_SPECIALITIES}. They help doctors find the club.</p>
        <div className="mt-2 grid grid-cols-1 gap-x-4 gap-y-1 sm:grid-cols-2 lg:grid-cols-3">
          {specialities.map((s) => (
            <label key={s} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name={fields.specialities.name} value={s} defaultChecked={chosen.has(s)} />
              {s}
            </label>
          ))}
        </div>
        <FieldErrors id={fields.specialities.errorId} errors={fields.specialities.errors} />
      </fieldset>
      <div>
        {coverUrl ? <img src={coverUrl} alt="" className="mb-2 aspect-[3/1] w-full max-w-md rounded-md object-cover" /> : null}
        <Field
          label="Cover image (optional)"
          hint="JPEG, PNG, WebP or GIF, up to 5 MB. We crop it to a wide banner, 1200 × 400."
          errorId={fields.cover.errorId}
          errors={fields.cover.errors}
        >
          <input
            type="file"
            name={fields.cover.name}
            accept="image/jpeg,image/png,image/webp,image/gif"
            className="mt-1 block text-sm"
            aria-describedby={fields.cover.errorId}
          />
        </Field>
        {coverUrl ? (
          <label className="mt-2 flex items-center gap-2 text-sm">
            <input type="checkbox" name={fields.removeCover.name} /> Remove the cover image
          </label>
        ) : null}
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Who can see the club</legend>
        <div className="mt-2 space-y-2">
          <label className="flex items-start gap-2">
            <input type="radio" name={fields.visibility.name} value="public" defaultChecked={fields.visibility.initialValue === 'public'} className="mt-1" />
            <span>
              <strong>Public</strong> — listed in the clubs directory. Any doctor can see the club and its talks, follow it and join.
            </span>
          </label>
          <label className="flex items-start gap-2">
            <input type="radio" name={fields.visibility.name} value="private" defaultChecked={fields.visibility.initialValue === 'private'} className="mt-1" />
            <span>
              <strong>Private</strong> — not listed, and its link previews show nothing about it. Only doctors you invite, by
              handle or with an invite link, can see the club and join. Talks and members are for members only.
            </span>
          </label>
        </div>
        <FieldErrors id={fields.visibility.errorId} errors={fields.visibility.errors} />
      </fieldset>
      <FieldErrors id={form.errorId} errors={form.errors} />
      <SubmitButton pending={pending}>{submitLabel}</SubmitButton>
    </Form>
  )
}
