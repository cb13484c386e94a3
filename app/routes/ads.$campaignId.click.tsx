import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { followAd } from '#db/ads/index'
import { PublicError } from '#db/errors'

/** Counts a click on an ad (in aggregate) and sends the doctor to the advertiser's page. */
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const from = new URL(request.url).searchParams.get('from') ?? ''
  try {
    const landingUrl = await followAd(context.viewer, params.campaignId ?? '', from)
    return redirect(landingUrl, { headers: { 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' } })
  } catch (error) {
    if (error instanceof PublicError) throw new Response(error.message, { status: error.status })
    throw error
  }
}
