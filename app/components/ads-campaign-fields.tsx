/*
 * The fields of a campaign's form, shared by "New campaign" and a campaign's "Edit". The rules
 * they are checked by live in db/ads/campaign-input.ts.
 */

/** What the fields start with: a campaign's current values, or what was just sent and refused. */
export type CampaignFormValues = {
  name?: string
  sponsorName?: string
  headline?: string
  body?: string
  imageAlt?: string
  landingUrl?: string
  startsOn?: string
  endsOn?: string
  dailyCap?: string | number
  targetClubSlugs?: string
  targetPageSpecialities?: string
  targetTopics?: string
  audienceSpecialities?: string
  targetInterests?: string
  verifiedOnly?: boolean
  prescriptionDrug?: boolean
}

const input = 'mt-1 w-full rounded-md border border-slate-300 px-3 py-2'

function Field({ name, label, hint, error, ...rest }: { name: string; label: string; hint?: string; error?: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="block">
      <span className="text-sm font-medium">{label}</span>
      {hint ? <span className="block text-xs text-slate-500">{hint}</span> : null}
      <input name={name} className={input} aria-invalid={error ? true : undefined} {...rest} />
      {error ? <span className="mt-1 block text-sm text-red-700">{error}</span> : null}
    </label>
  )
}

export function CampaignFields({
  values,
  errorFor,
  image,
}: {
  values: CampaignFormValues
  errorFor: (field: string) => string | undefined
  /** A new campaign needs an image; an edit keeps the current one unless another is chosen. */
  image: 'required' | 'replace'
}) {
  return (
    <>
      <Field name="name" label="Campaign name (only you see it)" required maxLength={80} defaultValue={values.name} error={errorFor('name')} />
      <fieldset className="space-y-3">
        <legend className="font-semibold">The ad</legend>
        <Field
          name="sponsorName"
          label="Sponsored by"
          hint="Shown on the ad as “Sponsored by …”."
          required
          maxLength={80}
          defaultValue={values.sponsorName}
          error={errorFor('sponsorName')}
        />
        <Field name="headline" label="Headline" required maxLength={80} defaultValue={values.headline} error={errorFor('headline')} />
        <label className="block">
          <span className="text-sm font-medium">Text</span>
          <textarea name="body" required maxLength={300} rows={3} className={input} defaultValue={values.body} />
          {errorFor('body') ? <span className="mt-1 block text-sm text-red-700">{errorFor('body')}</span> : null}
        </label>
        {image === 'required' ? (
          <Field name="image" label="Image (JPEG, PNG, WebP or GIF, up to 5 MB)" type="file" accept="image/*" required error={errorFor('image')} />
        ) : (
          <Field
            name="image"
            label="New image (JPEG, PNG, WebP or GIF, up to 5 MB)"
            hint="Leave empty to keep the current image."
            type="file"
            accept="image/*"
            error={errorFor('image')}
          />
        )}
        <Field
          name="imageAlt"
          label="Image description"
          hint="Read aloud to doctors who cannot see the image."
          required
          maxLength={200}
          defaultValue={values.imageAlt}
          error={errorFor('imageAlt')}
        />
        <Field name="landingUrl" label="Landing page (https://…)" type="url" required defaultValue={values.landingUrl} error={errorFor('landingUrl')} />
      </fieldset>
      <fieldset className="grid gap-3 sm:grid-cols-3">
        <legend className="font-semibold">Schedule</legend>
        <Field name="startsOn" label="First day" type="date" defaultValue={values.startsOn} required error={errorFor('startsOn')} />
        <Field name="endsOn" label="Last day" type="date" defaultValue={values.endsOn} required error={errorFor('endsOn')} />
        <Field name="dailyCap" label="Most impressions a day" type="number" min={1} defaultValue={values.dailyCap} required error={errorFor('dailyCap')} />
      </fieldset>
      <fieldset className="space-y-3">
        <legend className="font-semibold">Who sees it</legend>
        <p className="text-sm text-slate-600">Separate several with commas. Leave everything empty to show it to every doctor.</p>
        <Field
          name="targetClubSlugs"
          label="Clubs (their addresses, e.g. cardiology-grand-rounds)"
          defaultValue={values.targetClubSlugs}
          error={errorFor('targetClubSlugs')}
        />
        <Field name="targetPageSpecialities" label="Speciality of the page" defaultValue={values.targetPageSpecialities} error={errorFor('targetPageSpecialities')} />
        <Field name="targetTopics" label="Talk topics on the page" defaultValue={values.targetTopics} error={errorFor('targetTopics')} />
        <Field
          name="audienceSpecialities"
          label="Only doctors of these specialities (from their profile)"
          defaultValue={values.audienceSpecialities}
          error={errorFor('audienceSpecialities')}
        />
        <Field
          name="targetInterests"
          label="Interests"
          hint="Reaches only doctors who turned on personalised ads and accepted targeting cookies."
          defaultValue={values.targetInterests}
          error={errorFor('targetInterests')}
        />
        <label className="flex items-start gap-2">
          <input type="checkbox" name="verifiedOnly" className="mt-1" defaultChecked={values.verifiedOnly} />
          <span>Only verified doctors</span>
        </label>
        <label className="flex items-start gap-2">
          <input type="checkbox" name="prescriptionDrug" className="mt-1" defaultChecked={values.prescriptionDrug} />
          <span>This ad promotes a prescription medicine (shown to verified doctors only)</span>
        </label>
      </fieldset>
    </>
  )
}
