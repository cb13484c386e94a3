import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import {
  editCampaign,
  endCampaign,
  getCampaignReport,
  getMyCampaign,
  parseCampaignFields,
  pauseCampaign,
  resumeCampaign,
  type ReportCell,
} from '#db/ads/index'
import { CAMPAIGN_PHASE_LABEL, CAMPAIGN_PHASE_MEANING, campaignActions, campaignPhase } from '#db/ads/campaign-state'
import type { CampaignAction } from '#db/ads/campaign-state'
import { PublicError } from '#db/errors'
import { photoUrl } from '#db/photos'
import { AD_IMAGE_MAX_BYTES, storeAdImage } from '#server/ad-images'
import { deleteUpload } from '#server/uploads'
import { CampaignFields, type CampaignFormValues } from '~/components/ads-campaign-fields'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/utils/auth.server'
import { FormPartTooLargeError, readUploadForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'Campaign — Rounds' }]

const Query = z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Choose a day from the list.').optional() })

const Intent = z.enum(['pause', 'resume', 'end', 'edit'], {
  errorMap: () => ({ message: 'That is not something a campaign can do. Choose pause, resume, end or edit.' }),
})

/** What the page says after each change (the action redirects here with `done`). */
const DONE = {
  paused: 'Paused. Doctors no longer see it.',
  resumed: 'Resumed. It runs on its dates.',
  ended: 'Ended. It is not shown again; its figures stay here.',
  saved: 'Saved.',
  'sent-for-review': 'Saved and sent to Rounds staff. It is not shown until they approve the changes.',
} as const
type Done = keyof typeof DONE
const isDone = (v: string | null): v is Done => v !== null && Object.hasOwn(DONE, v)

const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10)
/** `endsAt` is the moment after the last day ends. */
const lastDay = (endsAt: Date | string) => day(new Date(new Date(endsAt).getTime() - 1))

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const url = new URL(request.url)
  const query = Query.safeParse({ day: url.searchParams.get('day') || undefined })
  if (!query.success) throw new Response(query.error.issues[0].message, { status: 400 })
  try {
    const campaign = await getMyCampaign(viewer, params.id ?? '')
    const report = await getCampaignReport(viewer, campaign.id, { day: query.data.day })
    const phase = campaignPhase(campaign)
    const done = url.searchParams.get('done')
    return json({
      campaign: {
        id: campaign.id,
        name: campaign.name,
        reviewNote: campaign.reviewNote,
        sponsorName: campaign.sponsorName,
        headline: campaign.headline,
        body: campaign.body,
        imageUrl: photoUrl(campaign.imagePath),
        imageAlt: campaign.imageAlt,
        landingUrl: campaign.landingUrl,
        dailyCap: campaign.dailyCap,
        startsOn: day(campaign.startsAt),
        endsOn: lastDay(campaign.endsAt),
        targetClubSlugs: campaign.targetClubSlugs,
        targetPageSpecialities: campaign.targetPageSpecialities,
        targetTopics: campaign.targetTopics,
        audienceSpecialities: campaign.audienceSpecialities,
        targetInterests: campaign.targetInterests,
        verifiedOnly: campaign.verifiedOnly,
        prescriptionDrug: campaign.prescriptionDrug,
      },
      phase,
      // Said here, so the browser bundle needs none of the data layer's tables.
      label: CAMPAIGN_PHASE_LABEL[phase],
      meaning: CAMPAIGN_PHASE_MEANING[phase],
      actions: campaignActions(phase),
      report,
      submitted: url.searchParams.get('submitted') === '1',
      editing: url.searchParams.get('edit') === '1',
      done: isDone(done) ? done : null,
    })
  } catch (error) {
    if (error instanceof PublicError) throw new Response(error.message, { status: error.status })
    throw error
  }
}

type Reply = { ok: false; intent: CampaignAction | null; field: string | null; message: string; values: CampaignFormValues | null }

/** The text an edit sent, so a refused edit shows it again (also without JavaScript). */
function sentValues(fields: Record<string, FormDataEntryValue>): CampaignFormValues {
  const text = (k: string) => (typeof fields[k] === 'string' ? (fields[k] as string) : undefined)
  return {
    name: text('name'),
    sponsorName: text('sponsorName'),
    headline: text('headline'),
    body: text('body'),
    imageAlt: text('imageAlt'),
    landingUrl: text('landingUrl'),
    startsOn: text('startsOn'),
    endsOn: text('endsOn'),
    dailyCap: text('dailyCap'),
    targetClubSlugs: text('targetClubSlugs'),
    targetPageSpecialities: text('targetPageSpecialities'),
    targetTopics: text('targetTopics'),
    audienceSpecialities: text('audienceSpecialities'),
    targetInterests: text('targetInterests'),
    verifiedOnly: fields.verifiedOnly === 'on' || fields.verifiedOnly === 'true',
    prescriptionDrug: fields.prescriptionDrug === 'on' || fields.prescriptionDrug === 'true',
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const campaignId = params.id ?? ''
  const form = await readUploadForm(request, { image: AD_IMAGE_MAX_BYTES })
  if (form instanceof FormPartTooLargeError) {
    const message = form.isFile ? 'The image must be 5 MB or smaller.' : 'That is far more text than an ad can hold.'
    return json<Reply>({ ok: false, intent: 'edit', field: 'image', message, values: null }, { status: 413 })
  }
  const { intent: sentIntent, image, ...fields } = Object.fromEntries(form)
  const intent = Intent.safeParse(sentIntent)
  if (!intent.success) return json<Reply>({ ok: false, intent: null, field: 'intent', message: intent.error.issues[0].message, values: null }, { status: 400 })
  const back = (done: Done) => redirect(`/advertise/campaigns/${encodeURIComponent(campaignId)}?done=${done}`)
  let imagePath: string | null = null
  try {
    switch (intent.data) {
      case 'pause':
        await pauseCampaign(viewer, campaignId)
        return back('paused')
      case 'resume':
        await resumeCampaign(viewer, campaignId)
        return back('resumed')
      case 'end':
        await endCampaign(viewer, campaignId)
        return back('ended')
      case 'edit': {
        // Whose campaign first, then every text field, so a refused edit stores no image.
        await getMyCampaign(viewer, campaignId)
        parseCampaignFields(fields)
        if (image instanceof Blob) imagePath = await storeAdImage(new Uint8Array(await image.arrayBuffer()))
        const edited = await editCampaign(viewer, campaignId, fields, imagePath)
        await deleteUpload(edited.replacedImage)
        return back(edited.sentForReview ? 'sent-for-review' : 'saved')
      }
    }
  } catch (error) {
    await deleteUpload(imagePath)
    if (!(error instanceof PublicError)) throw error
    // Someone else's campaign, or no longer an advertiser: the page itself is not theirs.
    if (error.status === 403 || error.status === 404) throw new Response(error.message, { status: error.status })
    const values = intent.data === 'edit' ? sentValues(fields) : null
    return json<Reply>({ ok: false, intent: intent.data, field: error.field ?? null, message: error.message, values }, { status: error.status })
  }
}

function Figures({ cell, label }: { cell: ReportCell; label: string }) {
  if (cell.suppressed) {
    return (
      <tr data-testid="report-row" data-suppressed="true">
        <th scope="row" className="py-2 pr-3 text-left font-medium">{label}</th>
        <td colSpan={5} className="py-2 text-slate-500">
          Held back to protect a small group
        </td>
      </tr>
    )
  }
  return (
    <tr data-testid="report-row" data-suppressed="false">
      <th scope="row" className="py-2 pr-3 text-left font-medium">{label}</th>
      <td className="py-2 pr-3 text-right">{cell.reach}</td>
      <td className="py-2 pr-3 text-right">{cell.impressions}</td>
      <td className="py-2 pr-3 text-right">{cell.clicks}</td>
      <td className="py-2 pr-3 text-right">{cell.ctr}%</td>
      <td className="py-2 text-right">{cell.frequency}</td>
    </tr>
  )
}

function Table({ caption, first, rows }: { caption: string; first: string; rows: { label: string; cell: ReportCell }[] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[32rem] text-sm">
        <caption className="mb-2 text-left font-semibold">{caption}</caption>
        <thead className="border-b border-slate-200 text-slate-600">
          <tr>
            <th scope="col" className="py-2 pr-3 text-left font-medium">{first}</th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">Reach</th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">Impressions</th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">Clicks</th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">CTR</th>
            <th scope="col" className="py-2 text-right font-medium">Frequency</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <Figures key={r.label} label={r.label} cell={r.cell} />
          ))}
        </tbody>
      </table>
    </div>
  )
}

const secondary = 'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50'
const primary = 'rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700'

function IntentButton({ intent, label, className }: { intent: CampaignAction; label: string; className: string }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <button type="submit" className={className}>
        {label}
      </button>
    </Form>
  )
}

const listed = (items: string[]) => (items.length ? items.join(', ') : null)

export default function CampaignRoute() {
  const { campaign, phase, label, meaning, actions, report, submitted, done, editing } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const can = (a: CampaignAction) => actions.includes(a)
  const errorFor = (field: string) => (result?.intent === 'edit' && result.field === field ? result.message : undefined)
  const values: CampaignFormValues = result?.values ?? {
    ...campaign,
    targetClubSlugs: campaign.targetClubSlugs.join(', '),
    targetPageSpecialities: campaign.targetPageSpecialities.join(', '),
    targetTopics: campaign.targetTopics.join(', '),
    audienceSpecialities: campaign.audienceSpecialities.join(', '),
    targetInterests: campaign.targetInterests.join(', '),
  }
  const targeting = [
    ['Clubs', listed(campaign.targetClubSlugs)],
    ['Speciality of the page', listed(campaign.targetPageSpecialities)],
    ['Talk topics on the page', listed(campaign.targetTopics)],
    ['Doctors of these specialities', listed(campaign.audienceSpecialities)],
    ['Interests', listed(campaign.targetInterests)],
    ['Verified doctors only', campaign.verifiedOnly || campaign.prescriptionDrug ? (campaign.prescriptionDrug ? 'Yes (prescription medicine)' : 'Yes') : null],
  ].filter((row): row is [string, string] => row[1] !== null)
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <p className="text-sm">
        <Link to="/advertise" className="text-brand-700 underline">
          ← Campaigns
        </Link>
      </p>
      <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <div className="space-y-2">
          <h1 className="break-words text-2xl font-semibold">{campaign.name}</h1>
          <p data-testid="campaign-status" data-phase={phase}>
            <span className="rounded-full bg-slate-100 px-2 py-0.5 text-sm font-medium text-slate-800">{label}</span>
            {phase === 'rejected' && campaign.reviewNote ? <span className="ml-2 text-slate-700">Rounds staff said: {campaign.reviewNote}</span> : null}
          </p>
          <p className="text-slate-600">{meaning}</p>
        </div>
        {submitted && !done ? <p role="status" className="rounded-md bg-brand-50 p-3 text-brand-900">Sent for review. It runs once Rounds staff approve it.</p> : null}
        {done ? (
          <p role="status" className="rounded-md bg-brand-50 p-3 text-brand-900">
            {DONE[done]}
          </p>
        ) : null}
        {result && result.intent !== 'edit' ? (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800">
            {result.message}
          </p>
        ) : null}
        {actions.length ? (
          <div className="flex flex-wrap items-start gap-3" data-testid="campaign-controls">
            {can('pause') ? <IntentButton intent="pause" label="Pause" className={secondary} /> : null}
            {can('resume') ? <IntentButton intent="resume" label="Resume" className={primary} /> : null}
            {can('edit') ? (
              <Link to={`/advertise/campaigns/${campaign.id}?edit=1#edit`} className={`${secondary} inline-block`}>
                Edit
              </Link>
            ) : null}
            {can('end') ? (
              <details className="group">
                <summary className={`${secondary} cursor-pointer list-none text-red-800`}>End campaign…</summary>
                <div className="mt-2 max-w-sm space-y-2 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
                  <p>Ending is final: the campaign is never shown or changed again. Its figures stay here.</p>
                  <IntentButton intent="end" label="End the campaign for good" className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-800" />
                </div>
              </details>
            ) : null}
          </div>
        ) : null}
      </section>

      <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-labelledby="the-ad">
        <h2 id="the-ad" className="text-lg font-semibold">
          The ad
        </h2>
        <div className="grid gap-4 sm:grid-cols-[minmax(0,16rem)_minmax(0,1fr)]">
          {campaign.imageUrl ? (
            <img src={campaign.imageUrl} alt={campaign.imageAlt} width={1200} height={628} className="aspect-[1200/628] w-full rounded-md bg-slate-100 object-cover" />
          ) : null}
          <div className="min-w-0 space-y-1">
            <p className="text-xs font-semibold uppercase tracking-wide text-amber-800">
              Sponsored <span className="font-normal normal-case tracking-normal text-slate-600">· by {campaign.sponsorName}</span>
            </p>
            <p className="break-words font-semibold">{campaign.headline}</p>
            <p className="break-words text-sm text-slate-700">{campaign.body}</p>
            <p className="break-all text-xs text-slate-500">{campaign.landingUrl}</p>
          </div>
        </div>
        <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_minmax(0,1fr)]">
          <dt className="font-medium text-slate-600">Dates</dt>
          <dd>
            {campaign.startsOn} to {campaign.endsOn} (UTC)
          </dd>
          <dt className="font-medium text-slate-600">Daily cap</dt>
          <dd>{campaign.dailyCap.toLocaleString('en-GB')} impressions</dd>
          <dt className="font-medium text-slate-600">Who sees it</dt>
          <dd>
            {targeting.length ? (
              <ul className="space-y-0.5">
                {targeting.map(([label, value]) => (
                  <li key={label} className="break-words">
                    <span className="text-slate-600">{label}:</span> {value}
                  </li>
                ))}
              </ul>
            ) : (
              'Every doctor on Rounds'
            )}
          </dd>
        </dl>
        {can('edit') ? (
          <details id="edit" className="rounded-md border border-slate-200" open={editing || result?.intent === 'edit'}>
            <summary className="cursor-pointer px-4 py-2 font-medium text-brand-700">Edit the campaign</summary>
            <div className="space-y-4 border-t border-slate-200 p-4">
              <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
                Changing the ad or who sees it sends the campaign back to Rounds staff: it is not shown to anyone until they approve
                the changes. Changing only the name, dates or daily cap takes effect at once.
              </p>
              {result?.intent === 'edit' ? (
                <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800">
                  {result.message}
                </p>
              ) : null}
              <Form method="post" encType="multipart/form-data" className="space-y-4" key={result ? 'sent' : 'current'}>
                <input type="hidden" name="intent" value="edit" />
                <CampaignFields values={values} errorFor={errorFor} image="replace" />
                <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
                  Save changes
                </button>
              </Form>
            </div>
          </details>
        ) : null}
      </section>

      <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <p className="text-sm text-slate-600">
          Figures for each completed day, rounded to the nearest {report.roundTo}. A group of fewer than {report.threshold} doctors is not
          reported, nor is any group that would let someone work one out by subtraction. Reach counts distinct doctors in a day.
        </p>
        {report.days.length ? (
          <>
            <Table caption="By day" first="Day" rows={[...report.days.map((d) => ({ label: d.key, cell: d })), { label: 'All days', cell: report.total }]} />
            {report.breakdown ? (
              <>
                <Form method="get" className="flex flex-wrap items-end gap-2">
                  <label>
                    <span className="block text-sm font-medium">Breakdown for</span>
                    <select name="day" defaultValue={report.breakdown.day} className="mt-1 rounded-md border border-slate-300 px-2 py-1.5">
                      {report.days.map((d) => (
                        <option key={d.key}>{d.key}</option>
                      ))}
                    </select>
                  </label>
                  <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
                    Show
                  </button>
                </Form>
                <Table
                  caption={`By speciality, ${report.breakdown.day}`}
                  first="Speciality"
                  rows={report.breakdown.speciality.map((c) => ({ label: c.key, cell: c }))}
                />
                <Table caption={`By region, ${report.breakdown.day}`} first="Region" rows={report.breakdown.region.map((c) => ({ label: c.key, cell: c }))} />
              </>
            ) : null}
          </>
        ) : (
          <p className="text-slate-600" data-testid="no-figures">
            No figures yet: each day’s totals appear the morning after (UTC).
          </p>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
