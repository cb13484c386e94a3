import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { PublicError } from '#db/errors'
import { getAdPreferences, inferAdInterests, removeAdInterest, setPersonalisedAds } from '#db/privacy/index'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { SettingsNav } from '~/components/settings-nav'
import { requireUser } from '~/utils/auth.server'
import { readConsentId } from '~/utils/consent.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Ad preferences — Rounds' }]

const AdsAction = z.discriminatedUnion(
  'intent',
  [
    z.object({
      intent: z.literal('set-ads'),
      personalisedAds: z.enum(['on', 'off'], { errorMap: () => ({ message: 'Choose on or off.' }) }),
    }),
    z.object({
      intent: z.literal('remove-interest'),
      key: z.string({ invalid_type_error: 'Choose an interest to remove.' }).min(1, 'Choose an interest to remove.').max(60, 'That interest is not on your list.'),
    }),
  ],
  { errorMap: () => ({ message: 'Choose what to change.' }) },
)

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { userId } = requireUser(context, request)
  const consentId = readConsentId(request)
  // Inference runs only when every condition holds; otherwise it records nothing.
  await inferAdInterests(userId, { consentId })
  return json({ prefs: await getAdPreferences(userId, consentId) })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { userId } = requireUser(context, request)
  const parsed = AdsAction.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  try {
    if (parsed.data.intent === 'set-ads') {
      const on = parsed.data.personalisedAds === 'on'
      await setPersonalisedAds(userId, on)
      return json({ ok: true, message: on ? 'Personalised ads are on.' : 'Personalised ads are off. We removed the interests we had inferred.' })
    }
    await removeAdInterest(userId, parsed.data.key)
    return json({ ok: true, message: 'Removed. We will not use it again.' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

export default function AdPreferencesRoute() {
  const { prefs } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const blockers = [
    !prefs.adult ? 'Personalised ads are never shown to doctors under 18.' : null,
    prefs.adult && prefs.personalisedAds && !prefs.targetingConsent ? 'targeting cookies are off' : null,
    prefs.adult && prefs.personalisedAds && prefs.objectedToPersonalisation ? 'you objected to personalisation' : null,
  ].filter(Boolean)
  return (
    <div className="mx-auto max-w-2xl">
      <SettingsNav />
      <section className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">Ad preferences</h1>
        <p className="text-slate-600">
          Without your consent, ads on Rounds match only the page they are on. Advertisers see totals, never who you are.
        </p>
        {result ? (
          <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
            {result.message}
          </p>
        ) : null}
        <Form method="post" className="space-y-3">
          <input type="hidden" name="intent" value="set-ads" />
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">Personalised ads</legend>
            <div className="mt-2 space-y-2">
              <label className="flex items-start gap-2">
                <input type="radio" name="personalisedAds" value="off" defaultChecked={!prefs.personalisedAds} disabled={!prefs.adult} className="mt-1" />
                <span>Off — ads match the page only{prefs.chosen ? '' : ' (until you choose)'}</span>
              </label>
              <label className="flex items-start gap-2">
                <input type="radio" name="personalisedAds" value="on" defaultChecked={prefs.personalisedAds} disabled={!prefs.adult} className="mt-1" />
                <span>On — ads may match the interests below</span>
              </label>
            </div>
          </fieldset>
          {prefs.adult ? (
            <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
              Save
            </button>
          ) : null}
        </Form>
        {blockers.length ? (
          <p className="rounded-md bg-slate-100 p-3 text-sm text-slate-700" data-testid="ads-blocked">
            {prefs.adult ? `Ads are not personalised because ${blockers.join(' and ')}.` : blockers[0]}{' '}
            {prefs.adult && !prefs.targetingConsent ? (
              <Link to="/cookies" className="font-medium text-brand-700 underline">
                Cookie settings
              </Link>
            ) : null}
          </p>
        ) : null}
        <section aria-labelledby="interests-title">
          <h2 id="interests-title" className="font-semibold">
            Interests we inferred
          </h2>
          {prefs.active ? (
            prefs.interests.length ? (
              <ul className="mt-2 divide-y divide-slate-200">
                {prefs.interests.map((i) => (
                  <li key={i.key} className="flex items-center justify-between gap-3 py-2" data-testid="ad-interest">
                    <span>
                      {i.label}{' '}
                      <span className="text-sm text-slate-500">
                        {i.source === 'club' ? '— from clubs you follow' : '— from your profile interests'}
                      </span>
                    </span>
                    <Form method="post">
                      <input type="hidden" name="intent" value="remove-interest" />
                      <input type="hidden" name="key" value={i.key} />
                      <button type="submit" aria-label={`Remove ${i.label}`} className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50">
                        Remove
                      </button>
                    </Form>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="mt-2 text-sm text-slate-600">None yet. They come from the clubs you follow and the interests on your profile.</p>
            )
          ) : (
            <p className="mt-2 text-sm text-slate-600">None: we infer nothing while personalised ads are off.</p>
          )}
        </section>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
