import type { ActionFunctionArgs } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useActionData } from '@remix-run/react'
import { z } from 'zod'
import { hideAdvertiser } from '#db/ads/index'
import { PublicError } from '#db/errors'
import { requireUser, safeRedirectPath } from '~/utils/auth.server'
import { readForm } from '~/utils/form.server'

const HideAdvertiser = z.object({
  advertiserId: z.string({ required_error: 'Choose an advertiser to hide.' }).min(1, 'Choose an advertiser to hide.').max(64, 'We could not find that advertiser.'),
  redirectTo: z.string().optional(),
})

export async function loader() {
  return redirect('/settings/ads')
}

/** "Hide this advertiser": a plain form post, so it works without JavaScript. */
export async function action({ request, context }: ActionFunctionArgs) {
  const { viewer } = requireUser(context, request)
  const parsed = HideAdvertiser.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return json({ ok: false, message: parsed.error.issues[0].message }, { status: 400 })
  try {
    await hideAdvertiser(viewer, parsed.data.advertiserId)
  } catch (error) {
    if (!(error instanceof PublicError)) throw error
    return json({ ok: false, message: error.message }, { status: error.status })
  }
  return redirect(safeRedirectPath(parsed.data.redirectTo, '/'))
}

export default function HideAdvertiserRoute() {
  const result = useActionData<typeof action>()
  return (
    <div className="mx-auto max-w-xl rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-xl font-semibold">Hide this advertiser</h1>
      <p role="alert" className="mt-3 rounded-md bg-red-50 p-3 text-red-800">
        {result && !result.ok ? result.message : 'Choose an advertiser to hide from an ad.'}
      </p>
      <Link to="/" className="mt-4 inline-block font-medium text-brand-700 underline">
        Back to your home page
      </Link>
    </div>
  )
}
