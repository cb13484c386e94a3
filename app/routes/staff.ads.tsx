import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { decideAdvertiser, listAdsReviewQueue, reviewCampaign } from '#db/ads/index'
import { PublicError } from '#db/errors'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { readForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Ads review — Rounds' }, { name: 'robots', content: 'noindex' }]

const Decision = z.discriminatedUnion(
  'intent',
  [
    z.object({ intent: z.literal('advertiser'), id: z.string().min(1).max(64), decision: z.enum(['approve', 'reject']) }),
    z.object({
      intent: z.literal('campaign'),
      id: z.string().min(1).max(64),
      decision: z.enum(['approve', 'reject'], { errorMap: () => ({ message: 'Approve or reject.' }) }),
      version: z.string().min(1, 'Reload the page and review the campaign again.').max(64),
      note: z.string().max(500, 'Keep the note to 500 characters.').optional(),
    }),
  ],
  { errorMap: () => ({ message: 'Choose what to decide.' }) },
)

export async function loader({ context }: LoaderFunctionArgs) {
  try {
    return json(await listAdsReviewQueue(context.viewer))
  } catch (error) {
    if (error instanceof PublicError) throw new Response(error.message, { status: error.status })
    throw error
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = Decision.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  try {
    if (parsed.data.intent === 'advertiser') {
      await decideAdvertiser(context.viewer, parsed.data.id, parsed.data.decision)
      return json({ ok: true, message: parsed.data.decision === 'approve' ? 'Advertiser approved.' : 'Advertiser rejected.' })
    }
    await reviewCampaign(context.viewer, parsed.data.id, parsed.data.decision, parsed.data.note ?? null, parsed.data.version)
    return json({ ok: true, message: parsed.data.decision === 'approve' ? 'Campaign approved: it runs on its dates.' : 'Campaign rejected; the advertiser sees your note.' })
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    if (error.status === 404) throw new Response(error.message, { status: 404 })
    return json({ ok: false, message: error.message }, { status: error.status })
  }
}

const list = (values: string[]) => (values.length ? values.join(', ') : '—')

export default function AdsReviewRoute() {
  const { pendingAdvertisers, pendingCampaigns } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <h1 className="text-2xl font-semibold">Ads review</h1>
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`rounded-md p-3 ${result.ok ? 'bg-brand-50 text-brand-900' : 'bg-red-50 text-red-800'}`}>
          {result.message}
        </p>
      ) : null}
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Advertisers waiting for approval</h2>
        {pendingAdvertisers.length ? (
          <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white">
            {pendingAdvertisers.map((a) => (
              <li key={a.id} className="flex flex-wrap items-center justify-between gap-2 p-3">
                <span>
                  <span className="font-medium">{a.name}</span> <span className="text-sm text-slate-600">{a.website}</span>
                </span>
                <Form method="post" className="flex gap-2">
                  <input type="hidden" name="intent" value="advertiser" />
                  <input type="hidden" name="id" value={a.id} />
                  <button name="decision" value="approve" className="rounded-md bg-brand-600 px-3 py-1 text-sm font-semibold text-white">
                    Approve {a.name}
                  </button>
                  <button name="decision" value="reject" className="rounded-md border border-slate-300 px-3 py-1 text-sm">
                    Reject
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        ) : (
          <p className="rounded-md bg-slate-50 p-3">No advertisers are waiting.</p>
        )}
      </section>
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Campaigns waiting for review</h2>
        {pendingCampaigns.length ? (
          <ul className="space-y-4">
            {pendingCampaigns.map((c) => (
              <li key={c.id} className="rounded-xl border border-slate-200 bg-white p-4" data-testid="campaign-review">
                <p className="text-xs uppercase text-slate-500">
                  {c.advertiserName} · Sponsored by {c.sponsorName}
                </p>
                <div className="mt-2 flex flex-col gap-3 sm:flex-row">
                  <img src={`/uploads/${c.imagePath}`} alt={c.imageAlt} className="w-full rounded-md sm:w-48" />
                  <div>
                    <p className="font-semibold">{c.headline}</p>
                    <p className="text-sm text-slate-700">{c.body}</p>
                    <p className="text-sm text-slate-500">{c.landingUrl}</p>
                  </div>
                </div>
                <dl className="mt-3 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-2">
                  <dt className="text-slate-500">Dates</dt>
                  <dd>
                    {c.startsAt.slice(0, 10)} to {new Date(new Date(c.endsAt).getTime() - 1).toISOString().slice(0, 10)}, at most {c.dailyCap} a day
                  </dd>
                  <dt className="text-slate-500">Page specialities · topics</dt>
                  <dd>
                    {list(c.targetPageSpecialities)} · {list(c.targetTopics)}
                  </dd>
                  <dt className="text-slate-500">Clubs</dt>
                  <dd>{c.targetClubIds.length}</dd>
                  <dt className="text-slate-500">Audience specialities · interests</dt>
                  <dd>
                    {list(c.audienceSpecialities)} · {list(c.targetInterests)}
                  </dd>
                  <dt className="text-slate-500">Flags</dt>
                  <dd>
                    {[c.prescriptionDrug ? 'Prescription medicine (verified doctors only)' : null, c.verifiedOnly ? 'Verified doctors only' : null].filter(Boolean).join(', ') || '—'}
                  </dd>
                </dl>
                <Form method="post" className="mt-3 flex flex-wrap items-end gap-2">
                  <input type="hidden" name="intent" value="campaign" />
                  <input type="hidden" name="id" value={c.id} />
                  <input type="hidden" name="version" value={c.version} />
                  <label className="grow">
                    <span className="block text-sm font-medium">Note to the advertiser (needed to reject)</span>
                    <input name="note" maxLength={500} className="mt-1 w-full rounded-md border border-slate-300 px-3 py-1.5" />
                  </label>
                  <button name="decision" value="approve" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white">
                    Approve campaign
                  </button>
                  <button name="decision" value="reject" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
                    Reject
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        ) : (
          <p className="rounded-md bg-slate-50 p-3">No campaigns are waiting.</p>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
