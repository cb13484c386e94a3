import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { CAMPAIGN_PHASE_LABEL, campaignPhase } from '#db/ads/campaign-state'
import { getMyAdvertiser, listMyCampaigns, registerAdvertiser } from '#db/ads/index'
import { PublicError } from '#db/errors'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Advertise on Rounds' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const advertiser = await getMyAdvertiser(viewer)
  const campaigns = advertiser?.status === 'approved' ? await listMyCampaigns(viewer) : []
  return json({
    advertiser,
    campaigns: campaigns.map((c) => ({ id: c.id, name: c.name, label: CAMPAIGN_PHASE_LABEL[campaignPhase(c)], reviewNote: c.reviewNote, startsAt: c.startsAt, endsAt: c.endsAt })),
  })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const form = Object.fromEntries(await readForm(request))
  try {
    await registerAdvertiser(viewer, { name: form.name, website: form.website })
    return json({ ok: true, message: 'Thank you. Rounds staff will review your organisation before you can create campaigns.' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

const day = (iso: string) => iso.slice(0, 10)

export default function AdvertiseRoute() {
  const { advertiser, campaigns } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <h1 className="text-2xl font-semibold">Advertise on Rounds</h1>
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}
      {!advertiser ? (
        <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <p className="text-slate-700">
            Organisations reach doctors with ads that match the page they are on, or — only for doctors who chose personalised
            ads — their interests. You see totals for groups of at least 50 doctors, never who anyone is.
          </p>
          <Form method="post" className="space-y-3">
            <label className="block">
              <span className="text-sm font-medium">Organisation name</span>
              <input name="name" required maxLength={120} className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2" />
            </label>
            <label className="block">
              <span className="text-sm font-medium">Website (https://…)</span>
              <input name="website" type="url" required className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2" />
            </label>
            <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
              Ask to advertise
            </button>
          </Form>
        </section>
      ) : advertiser.status === 'pending' ? (
        <p className="rounded-md bg-slate-100 p-4 text-slate-700" data-testid="advertiser-pending">
          {advertiser.name} is waiting for approval by Rounds staff.
        </p>
      ) : advertiser.status === 'rejected' ? (
        <p className="rounded-md bg-red-50 p-4 text-red-800">Rounds staff did not approve {advertiser.name} as an advertiser.</p>
      ) : (
        <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h2 className="text-lg font-semibold">{advertiser.name}: campaigns</h2>
            <Link to="/advertise/campaigns/new" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700">
              New campaign
            </Link>
          </div>
          {campaigns.length ? (
            <ul className="divide-y divide-slate-200">
              {campaigns.map((c) => (
                <li key={c.id} className="flex flex-wrap items-center justify-between gap-2 py-3">
                  <div>
                    <Link to={`/advertise/campaigns/${c.id}`} className="font-medium text-brand-700 underline">
                      {c.name}
                    </Link>
                    <p className="text-sm text-slate-600">
                      {day(c.startsAt)} to {day(new Date(new Date(c.endsAt).getTime() - 1).toISOString())}
                      {c.reviewNote ? ` · ${c.reviewNote}` : ''}
                    </p>
                  </div>
                  <span className="rounded-full bg-slate-100 px-2 py-0.5 text-sm">{c.label}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-slate-600">No campaigns yet.</p>
          )}
        </section>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
