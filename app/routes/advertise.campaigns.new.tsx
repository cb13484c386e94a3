import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData } from '@remix-run/react'
import { requireApprovedAdvertiser } from '#db/access/ads'
import { createCampaign, parseCampaignFields } from '#db/ads/index'
import { PublicError } from '#db/errors'
import { AD_IMAGE_MAX_BYTES, storeAdImage } from '#server/ad-images'
import { deleteUpload } from '#server/uploads'
import { CampaignFields } from '~/components/ads-campaign-fields'
import { GeneralErrorBoundary } from '~/components/error-boundary'
import { requireUser } from '~/utils/auth.server'
import { FormPartTooLargeError, readUploadForm } from '~/utils/form.server'

export const meta: MetaFunction = () => [{ title: 'New campaign — Rounds' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { viewer } = requireUser(context, request)
  try {
    const advertiser = await requireApprovedAdvertiser(viewer)
    return json({ advertiser: advertiser.name })
  } catch (error) {
    if (error instanceof PublicError) throw new Response(error.message, { status: error.status })
    throw error
  }
}

type Reply = { ok: false; field: string | null; message: string }

export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const form = await readUploadForm(request, { image: AD_IMAGE_MAX_BYTES })
  if (form instanceof FormPartTooLargeError) {
    return json<Reply>({ ok: false, field: 'image', message: form.isFile ? 'The image must be 5 MB or smaller.' : 'That is far more text than an ad can hold.' }, { status: 413 })
  }
  const { image, ...fields } = Object.fromEntries(form)
  let imagePath: string | null = null
  try {
    // Every text field first, so a refused campaign stores no image.
    parseCampaignFields(fields)
    if (!(image instanceof Blob)) throw new PublicError('Choose an image for the ad.', 400, 'image')
    imagePath = await storeAdImage(new Uint8Array(await image.arrayBuffer()))
    const { id } = await createCampaign(viewer, fields, imagePath)
    return redirect(`/advertise/campaigns/${id}?submitted=1`)
  } catch (error) {
    await deleteUpload(imagePath)
    if (!(error instanceof PublicError)) throw error
    return json<Reply>({ ok: false, field: error.field ?? null, message: error.message }, { status: error.status })
  }
}

export default function NewCampaignRoute() {
  const result = useActionData<typeof action>()
  const errorFor = (field: string) => (result && !result.ok && result.field === field ? result.message : undefined)
  const today = new Date().toISOString().slice(0, 10)
  return (
    <div className="mx-auto max-w-2xl">
      <p className="mb-3 text-sm">
        <Link to="/advertise" className="text-brand-700 underline">
          ← Campaigns
        </Link>
      </p>
      <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-2xl font-semibold">New campaign</h1>
        <p className="text-slate-600">Rounds staff review every campaign before it runs. Ads are never shown to anyone under 18.</p>
        {result && !result.ok ? (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-red-800">
            {result.message}
          </p>
        ) : null}
        <Form method="post" encType="multipart/form-data" className="space-y-4">
          <CampaignFields values={{ startsOn: today, endsOn: today, dailyCap: 1000 }} errorFor={errorFor} image="required" />
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700">
            Send for review
          </button>
        </Form>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
